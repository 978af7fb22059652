#pragma once
// The man page mptcpanalyzer(1), generated from the CLI11 definitions (the same tree `--help`,
// the shell and the bash completion script read), printed by the hidden `mptcpanalyzer man-page`.
// The build writes it next to the completion script and installs it (packaging/README.md).

#include <CLI/CLI.hpp>

#include <string>

namespace mptcpanalyzer::cli {

// One page with every command: its `--help` usage line, description, options and subcommands.
std::string man_page(const CLI::App& root);

// Adds the hidden `man-page [-o FILE]` command.
void setup_man_page(CLI::App& app);

}  // namespace mptcpanalyzer::cli
