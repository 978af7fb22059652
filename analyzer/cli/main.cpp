// mptcpanalyzer: one command set (app.cpp), three modes:
//   mptcpanalyzer CMD ARGS        runs one command and exits with its status (one-shot);
//   mptcpanalyzer --batch FILE    runs a file of commands ('-', or piped standard input: stdin);
//   mptcpanalyzer                 on a terminal, the interactive shell.
// Command errors become exit codes in one place (app.cpp: parse_and_run).

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <exception>
#include <string>
#include <vector>

#include "app.hpp"
#include "config_startup.hpp"
#include "plugin_loader.hpp"
#include "mptcpanalyzer/util/error.hpp"
#include "mptcpanalyzer/util/log.hpp"
#include "shell/session.hpp"

namespace {

int run(int argc, char** argv) {
    using namespace mptcpanalyzer;
    cli::GlobalOptions global;
    global.config = cli::load_startup_config(argc, argv);
    const auto plugins = cli::load_plugins(global);
    cli::Session session;
    session.plugins = plugins.get();
    CLI::App app{cli::kProgramDescription, cli::kProgramName};
    cli::build_app(app, global, session.plugins);
    cli::add_session_commands(app, global, session);

    std::string batch_file;
    std::string load_file;
    bool continue_on_error = false;
    app.add_option("--batch", batch_file, "Run the commands of FILE, one per line ('-': standard input)")
        ->type_name("FILE")
        ->each([&app](const std::string&) {
            // Checked once parsing is over, before any command runs.
            if (!app.get_subcommands().empty()) {
                throw CLI::ValidationError("give no command with it: the commands are in the file");
            }
        });
    app.add_flag("--continue-on-error", continue_on_error,
                 "Batch: run every line even after a failure (exit code: the first failure's)");
    app.add_option("--load", load_file, "Shell and batch: load this capture first")->type_name("FILE");
    app.require_subcommand(0, 1);

    const std::vector<std::string> words = cli::rewrite_command_words({argv + 1, argv + argc});
    const int code = cli::parse_and_run(app, global, words, "", "Run with --help for more information.");
    if (code != 0 || !app.get_subcommands().empty()) return code;
    // No command: a batch or the shell; the global options given here apply to every line.
    session.startup = global;
    session.startup_log_level = log::level();
    const bool shell = batch_file.empty() && ::isatty(STDIN_FILENO) == 1;
    session.mode = shell ? cli::Session::Mode::Shell : cli::Session::Mode::Batch;
    if (!load_file.empty()) {
        if (const int loaded = cli::load_into_session(session, load_file, "--load: "); loaded != 0) return loaded;
    }
    if (shell) return cli::run_interactive_shell(session);
    return cli::run_batch(session, batch_file.empty() ? "-" : batch_file, continue_on_error);
}

}  // namespace

int main(int argc, char** argv) {
    using namespace mptcpanalyzer;
    // Errors of the commands are handled in parse_and_run; this catches those of the start-up
    // (configuration file, plugins).
    try {
        return run(argc, argv);
    } catch (const Error& e) {
        log::error("{}", e.what());
        return static_cast<int>(e.code());
    } catch (const std::exception& e) {
        log::error("internal error: {}", e.what());
        return static_cast<int>(ExitCode::Failure);
    }
}
