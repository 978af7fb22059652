#pragma once
// Options every command shares, and the one way commands obtain a capture's table.

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "mptcpanalyzer/capture/table_loader.hpp"
#include "mptcpanalyzer/config/config.hpp"

namespace mptcpanalyzer::cli {

struct GlobalOptions {
    bool verbose = false;
    bool no_cache = false;
    bool no_plugins = false;  // acted on in main.cpp, before parsing
    bool regenerate = false;
    std::string cache_directory;                   // empty: XDG default
    std::vector<std::string> wireshark_preferences;  // -o module.pref:value
    std::string config_file;                       // --config (read before parsing: config_startup)
    Config config;                                 // the configuration file's values (or defaults)
};

// Effective values: the command line over the configuration file over the defaults.
std::string effective_cache_folder(const GlobalOptions& options);  // empty: XDG default
// The file's [wireshark] preferences not overridden by a --wireshark-pref of the same name,
// then the command line's, in order.
std::vector<WiresharkPreference> effective_wireshark_preferences(const GlobalOptions& options);

// Adds the global options to the top-level app.
void add_global_options(CLI::App& app, GlobalOptions& options);

// The check of every stream number argument (tcp.stream, mptcp.stream, --subflow): decimal
// digits only (no sign, space or empty string), at most 4294967295 (Wireshark's stream numbers
// are 32-bit). The parser's own conversion takes " 0" and clamps huge numbers.
const CLI::Validator& stream_number_check();

// Adds `-r/--read FILE` (required) to a command.
void add_capture_option(CLI::App& command, std::string& capture_path);

// Adds `--peer FILE` (required): the other end's capture of a two-capture command. In the shell,
// `load A --peer B` makes B its default (shell/session.cpp).
void add_peer_option(CLI::App& command, std::string& peer_path);

// Loads the capture through the cache, with a progress line on a terminal.
ReadResult load_capture(const GlobalOptions& options, const std::string& capture_path);

// The captures the running command reads (load_capture, open_session), for its out-of-memory
// line: memory can also run out after the read, while the command analyses what it read, and the
// line names the captures then too (docs/exit-codes.md). parse_and_run forgets them before each
// command; command_captures_named() is "A: ", "A, B: " (a two-capture command) or "".
void note_command_capture(const std::string& capture_path);
void forget_command_captures();
std::string command_captures_named();

}  // namespace mptcpanalyzer::cli
