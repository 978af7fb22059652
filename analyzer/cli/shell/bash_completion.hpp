#pragma once
// The bash completion script of the one-shot mode, generated from the CLI11 definitions (the same
// tree the shell completes from), printed by the hidden `mptcpanalyzer completion bash`.

#include <CLI/CLI.hpp>

#include <string>

namespace mptcpanalyzer::cli {

std::string bash_completion_script(const CLI::App& root);

// Adds the hidden `completion bash [-o FILE]` command.
void setup_completion(CLI::App& app);

}  // namespace mptcpanalyzer::cli
