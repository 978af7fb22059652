#pragma once
// Third-party plugins (API: mptcpanalyzer/plugin_api.hpp, docs/plugins.md): found in the plugin
// folders, loaded once per process with GModule, checked (API version first), and turned into
// CLI11 subcommands of the same App as the built-in commands (plot kinds under `plot`), so
// `help`, completion and the plot list see them like built-ins. A plugin that cannot be used is
// recorded with the reason and skipped; the program goes on.

#include <CLI/CLI.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common_options.hpp"
#include "mptcpanalyzer/plugin_api.hpp"

namespace mptcpanalyzer::cli {

struct PluginOptionSpec {
    std::string name;
    std::string help;
    std::int32_t kind = MPA_OPTION_FLAG;
    bool required = false;
    bool positional = false;
    std::vector<std::string> choices;
};

// A command or plot kind a plugin registered (strings copied from the plugin).
struct PluginEntrySpec {
    bool plot = false;
    std::string name;
    std::string help;
    bool needs_capture = false;
    std::vector<PluginOptionSpec> options;
    mpa_run_function run = nullptr;
    void* user_data = nullptr;
    std::string plugin_path;
};

struct PluginRecord {
    std::string path;
    bool loaded = false;
    std::string reason;  // why refused
    std::vector<std::string> commands;
    std::vector<std::string> plot_kinds;
    std::vector<std::string> notes;  // an entry skipped at setup (e.g. its name is taken)
};

struct PluginRegistry {
    std::vector<std::string> folders;   // searched, in order
    std::vector<PluginRecord> plugins;  // every file considered, in search order
    std::vector<PluginEntrySpec> entries;  // of loaded plugins
};

// The folders searched, in order: the config file's plugins.folders, then
// $XDG_DATA_HOME/mptcpanalyzer/plugins (default ~/.local/share/...), then the system folder.
std::vector<std::string> plugin_folders(const GlobalOptions& global);

// Loads every plugin of every folder (files ending in .so, by name; a file name already loaded
// from an earlier folder hides later ones). Never throws for a bad plugin.
std::shared_ptr<PluginRegistry> load_plugins(const GlobalOptions& global);

// Adds the registered commands and plot kinds to `app` (plot kinds under `plot`). An entry whose
// name is taken is skipped and noted in the registry.
void setup_plugin_commands(CLI::App& app, const GlobalOptions& global, PluginRegistry& plugins);

}  // namespace mptcpanalyzer::cli
