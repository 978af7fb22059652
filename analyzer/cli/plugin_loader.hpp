#pragma once
// Finding and loading third-party plugins (docs/plugins.md): the plugin folders, GModule, the
// entry points, the API version check (first: nothing else of a plugin of another major is
// called) and the reason each refused plugin was refused. A plugin that cannot be used is
// recorded and skipped; the program goes on.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common_options.hpp"
#include "plugin_abi.hpp"

namespace mptcpanalyzer::cli {

struct PluginRecord {
    std::string path;
    bool loaded = false;
    std::optional<PluginApiVersion> api_version;  // what the plugin said, once asked
    std::string reason;  // why refused
    std::vector<std::string> commands;
    std::vector<std::string> plot_kinds;
    std::vector<std::string> notes;  // an entry skipped at setup (e.g. its name is taken)
};

struct PluginRegistry {
    std::vector<std::string> folders;      // searched, in order
    std::vector<PluginRecord> plugins;     // every file considered, in search order
    std::vector<PluginEntrySpec> entries;  // of loaded plugins
    std::string disabled_by;               // non-empty: no plugin loaded, and why (--no-plugins, ...)
};

// Set to anything but "" or "0": load no third-party plugin (as --no-plugins).
inline constexpr const char* kNoPluginsVariable = "MPTCPANALYZER_NO_PLUGINS";
bool plugins_disabled_by_environment();
// --no-plugins among the arguments (before a "--"): plugins load before the command line is
// parsed, since their commands are part of it.
bool no_plugins_in_arguments(int argc, char** argv);

// The folders searched, in order: the config file's plugins.folders, then
// $XDG_DATA_HOME/mptcpanalyzer/plugins (default ~/.local/share/...), then the system folder.
std::vector<std::string> plugin_folders(const GlobalOptions& global);

// Loads every plugin of every folder (files ending in .so, by name; a file name already loaded
// from an earlier folder hides later ones). Never throws for a bad plugin. A folder or file
// writable by group or others, or owned by anyone but the user or root, is refused before it is
// opened (ssh's rule: opening a library runs its code). `disabled_by` non-empty: load none.
std::shared_ptr<PluginRegistry> load_plugins(const GlobalOptions& global, const std::string& disabled_by = {});

}  // namespace mptcpanalyzer::cli
