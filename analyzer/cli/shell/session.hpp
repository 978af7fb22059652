#pragma once
// What the batch and interactive modes share: the loaded capture, and running one command line
// with a fresh CLI::App built by build_app (so every line parses exactly like the one-shot mode).

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "common_options.hpp"
#include "mptcpanalyzer/util/log.hpp"

namespace mptcpanalyzer::cli {

struct PluginRegistry;  // plugin_loader.hpp

struct Session {
    PluginRegistry* plugins = nullptr;        // loaded once per process, added to every line's app
    GlobalOptions startup;                    // global options of the program's own command line
    log::Level startup_log_level = log::Level::Warning;
    std::string loaded_capture;               // `load FILE`: the default of -r/--read
    std::string loaded_peer;                  // `load FILE --peer PEER`: the default of --peer
    std::vector<std::int64_t> tcp_streams;    // of the loaded (first) capture, for completion
    std::vector<std::int64_t> mptcp_streams;
    enum class Mode { OneShot, Batch, Shell };
    Mode mode = Mode::OneShot;                // in batch mode `load` reports only with -v
    bool quit_requested = false;
};

// Adds the session commands `load FILE [--peer PEER]` (alias load_pcap), `help [CMD]`, `quit` and
// `exit` to an app built by build_app. In one-shot mode `load` checks and caches a capture (and
// its peer).
void add_session_commands(CLI::App& app, GlobalOptions& global, Session& session);

// Makes every -r/--read option optional, defaulting to `capture`.
void default_capture(CLI::App& app, const std::string& capture);

// Makes every --peer option of the commands (not `load`'s own) optional, defaulting to `peer`.
void default_peer(CLI::App& app, const std::string& peer);

// Splits a command line like a POSIX shell (quotes, backslashes, # comments); throws
// Error(Usage) on an unmatched quote. An empty or comment-only line gives no word.
std::vector<std::string> split_command_line(const std::string& line);

// Builds a fresh app, parses and runs `words`; returns the exit code. Errors are printed as
// `mptcpanalyzer: error: <where><what>`.
int run_command(Session& session, const std::vector<std::string>& words, const std::string& where);

// Loads `capture` into the session (through the cache); returns the exit code.
int load_into_session(Session& session, const std::string& capture, const std::string& where);

// Runs the commands of `path` ('-': standard input), one per line.
int run_batch(Session& session, const std::string& path, bool continue_on_error);

// The interactive shell (GNU readline): prompt, completion, history.
int run_interactive_shell(Session& session);

}  // namespace mptcpanalyzer::cli
