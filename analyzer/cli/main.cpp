// mptcpanalyzer: one command set (app.cpp), three modes:
//   mptcpanalyzer CMD ARGS        runs one command and exits with its status (one-shot);
//   mptcpanalyzer --batch FILE    runs a file of commands ('-', or piped standard input: stdin);
//   mptcpanalyzer                 on a terminal, the interactive shell.
// Command errors become exit codes in one place (app.cpp: parse_and_run).

#include <CLI/CLI.hpp>
#include <glib.h>
#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "app.hpp"
#include "config_startup.hpp"
#include "plugin_loader.hpp"
#include "mptcpanalyzer/util/error.hpp"
#include "mptcpanalyzer/util/log.hpp"
#include "mptcpanalyzer/util/out_of_memory.hpp"
#include "mptcpanalyzer/util/temp_directory.hpp"
#include "shell/session.hpp"

namespace {

int run(int argc, char** argv) {
    using namespace mptcpanalyzer;
    cli::GlobalOptions global;
    global.config = cli::load_startup_config(argc, argv);
    // Plugins load before the command line is parsed (their commands are part of it): -v and
    // --no-plugins are looked for now, so the plugin being loaded is named before it runs.
    for (int i = 1; i < argc && std::string_view(argv[i]) != "--"; ++i) {
        if (std::string_view(argv[i]) == "-v" || std::string_view(argv[i]) == "--verbose") log::set_level(log::Level::Debug);
    }
    std::string plugins_disabled_by;
    if (cli::no_plugins_in_arguments(argc, argv)) {
        plugins_disabled_by = "--no-plugins";
    } else if (cli::plugins_disabled_by_environment()) {
        plugins_disabled_by = std::string(cli::kNoPluginsVariable) + " is set";
    }
    const auto plugins = cli::load_plugins(global, plugins_disabled_by);
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
    // GLib (and so libwireshark) does not report a failed allocation: g_malloc calls g_error,
    // which aborts. This makes it exit 9 with our message, temporaries removed.
    install_glib_out_of_memory_handler();
    // One malloc arena for every thread. libwireshark registers its dissectors in a thread of its
    // own, whose arena reserves 64 MiB of address space; under `ulimit -v` it then ran out with
    // room left elsewhere, down to the few bytes GLib needs to format its "failed to allocate"
    // message, and GLib 2.74, failing that, recursed until the thread's stack overflowed (a
    // SIGSEGV, 139, that no handler could catch). With one arena, what is left serves the message
    // and the run exits 9. The program dissects in one thread: nothing is lost to contention.
    ::mallopt(M_ARENA_MAX, 1);
    // GLib 2.74 also aborts by itself where its own small allocations fail (its slice allocator,
    // its thread primitives), past the handler above: the SIGABRT handler it installed turns such
    // an abort into exit 9 when memory has run out (util/out_of_memory.hpp). G_SLICE=always-malloc
    // cannot be set from here instead: GLib reads it in the shared libraries' constructors, before
    // main and before an executable's .preinit_array could set it.
    int code = 0;
    try {
        code = run(argc, argv);
    } catch (const std::bad_alloc&) {
        log::error("{}", cli::kOutOfMemoryMessage);
        code = static_cast<int>(ExitCode::OutOfMemory);
    } catch (const Error& e) {
        log::error("{}", e.what());
        return static_cast<int>(e.code());
    } catch (const std::exception& e) {
        log::error("internal error: {}", e.what());
        return static_cast<int>(ExitCode::Failure);
    }
    if (code == static_cast<int>(ExitCode::OutOfMemory)) {
        // A read that ran out of memory unwound out of libwireshark's dissection; its cleanup at
        // exit could then fail an assertion (and abort with 134). The output is complete and the
        // cache untouched: remove our temporaries and leave without the exit handlers.
        std::fflush(stdout);
        std::fflush(stderr);
        remove_temp_directories_now();
        std::_Exit(code);
    }
    return code;
}
