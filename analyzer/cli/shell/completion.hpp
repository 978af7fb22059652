#pragma once
// Completion of a shell line from the CLI11 command tree (the one build_app makes), so that
// commands, options, option values, plugin commands and plot kinds complete without a list of
// their own. Independent of readline (interactive_shell.cpp feeds it).

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "session.hpp"

namespace mptcpanalyzer::cli {

struct CompletionCandidates {
    std::vector<std::string> words;  // candidates starting with the current word, sorted
    bool paths = false;              // complete a file path instead (readline's filename completion)
};

// `before`: the words before the one being completed; `current`: its beginning.
CompletionCandidates complete_command_line(const CLI::App& root, const std::vector<std::string>& before,
                                           const std::string& current, const Session& session);

// Splits the text before the word being completed; tolerant of an unfinished quote (unlike
// split_command_line), which starts the word being completed.
std::vector<std::string> split_for_completion(const std::string& text);

}  // namespace mptcpanalyzer::cli
