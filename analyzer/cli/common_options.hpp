#pragma once
// Options every command shares, and the one way commands obtain a capture's table.

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "mptcpanalyzer/capture/table_loader.hpp"

namespace mptcpanalyzer::cli {

struct GlobalOptions {
    bool verbose = false;
    bool no_cache = false;
    bool regenerate = false;
    std::string cache_directory;                   // empty: XDG default
    std::vector<std::string> wireshark_preferences;  // -o module.pref:value
};

// Adds the global options to the top-level app.
void add_global_options(CLI::App& app, GlobalOptions& options);

// Adds `-r/--read FILE` (required) to a command.
void add_capture_option(CLI::App& command, std::string& capture_path);

// Loads the capture through the cache, with a progress line on a terminal.
ReadResult load_capture(const GlobalOptions& options, const std::string& capture_path);

}  // namespace mptcpanalyzer::cli
