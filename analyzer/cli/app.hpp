#pragma once
// The one command set of the three modes (one-shot, batch, interactive shell): each builds its
// CLI::App with build_app (the shell builds a fresh one per line), so commands, options, aliases
// and plugin commands are the same everywhere, and completion walks the same tree.

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "common_options.hpp"
#include "mptcpanalyzer/util/out_of_memory.hpp"

namespace mptcpanalyzer::cli {

struct PluginRegistry;  // plugin_loader.hpp

inline constexpr const char* kProgramName = "mptcpanalyzer";
// The error line of exit code 9 (docs/exit-codes.md), shared with the fatal path of
// util/out_of_memory.hpp.
inline constexpr const char* kOutOfMemoryMessage = mptcpanalyzer::kOutOfMemoryMessage;

inline constexpr const char* kProgramDescription = "mptcpanalyzer: Multipath TCP analysis of packet captures";

// Global options, every built-in command, the commands of the loaded plugins (when `plugins` is
// given), then the aliases.
void build_app(CLI::App& app, GlobalOptions& global, PluginRegistry* plugins = nullptr);

// Rewrites the words of a command line before parsing, the same way in every mode:
// `help [CMD...]` -> `[CMD...] --help`, and aliases that stand for two words
// (`clean_cache` -> `cache clean`).
std::vector<std::string> rewrite_command_words(std::vector<std::string> words);

// Parses `words` (without the program name) and runs the selected command. Errors are printed once
// as `mptcpanalyzer: error: <where><what>`; returns the exit code (docs/exit-codes.md).
// `usage_hint` is the line printed after a command-line error. The errors users make most get a
// message of their own instead (exit 2, no hint): an unknown command or plot kind names the
// closest ones, a command that needs a subcommand lists them, a missing stream number lists the
// valid ones of the capture (read through `global`'s options).
int parse_and_run(CLI::App& app, const GlobalOptions& global, std::vector<std::string> words,
                  const std::string& where, const std::string& usage_hint);

// "unknown command 'list-mptpc'; did you mean 'list-mptcp'?": `word` is not a subcommand of
// `parent`; the suggestions are its visible subcommands and aliases (plugin ones included) at the
// smallest edit distance, when close enough to be a typo.
std::string unknown_command_message(const CLI::App& parent, const std::string& word);

}  // namespace mptcpanalyzer::cli
