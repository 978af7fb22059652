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
};

// The folders searched, in order: the config file's plugins.folders, then
// $XDG_DATA_HOME/mptcpanalyzer/plugins (default ~/.local/share/...), then the system folder.
std::vector<std::string> plugin_folders(const GlobalOptions& global);

// Loads every plugin of every folder (files ending in .so, by name; a file name already loaded
// from an earlier folder hides later ones). Never throws for a bad plugin.
std::shared_ptr<PluginRegistry> load_plugins(const GlobalOptions& global);

}  // namespace mptcpanalyzer::cli
