#pragma once
// The commands and plot kinds of loaded plugins, as CLI11 subcommands of the same App as the
// built-in commands (plot kinds under `plot`): `help`, completion and the plot list see them like
// built-ins. A command's output goes where a built-in's goes (-o/--output, OutputTarget: standard
// output for '-', files written atomically, never over the capture), its failures exit with the
// documented codes (docs/exit-codes.md).

#include <CLI/CLI.hpp>

#include "common_options.hpp"
#include "plugin_loader.hpp"

namespace mptcpanalyzer::cli {

// Adds the registered commands and plot kinds to `app` (plot kinds under `plot`). An entry or
// alias whose name is taken is skipped and noted in the registry.
void setup_plugin_commands(CLI::App& app, const GlobalOptions& global, PluginRegistry& plugins);

}  // namespace mptcpanalyzer::cli
