#include "session.hpp"

#include <fmt/core.h>
#include <glib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "capture_sessions.hpp"
#include "app.hpp"
#include "completion_hints.hpp"
#include "mptcpanalyzer/util/error.hpp"

namespace mptcpanalyzer::cli {
namespace {

// `load`'s one-line summary of a capture it opened.
std::string load_summary(const std::string& what, const std::string& path, const AnalysisSession& session) {
    const ConnectionModel& model = session.model();
    return fmt::format("{} {}: {} TCP packets, {} TCP connections, {} MPTCP connections", what, path,
                       session.table().size(), model.tcp.size(), model.mptcp.size());
}

void report_loaded(const Session& s, const std::string& summary) {
    if (s.mode == Session::Mode::Batch) {
        log::info("{}", summary);  // a batch's standard output is its commands' output only
    } else {
        fmt::print("{}\n", summary);
    }
}

// `load [FILE] [--peer PEER]`. Dissects (or reads from the cache) now, so that later commands are
// fast and a bad file is reported at `load`, with its own exit code; the session stays open
// (capture_sessions), so later commands neither dissect nor analyse it again, with or without
// the cache. With --peer both captures are opened, and paired (open_capture_pair keeps the
// pair: connection mapping and packet matching are then computed once for every later
// two-capture command), before anything changes: a bad file leaves the previous load in place.
// `load --peer PEER` alone pairs PEER with the capture already loaded; `load FILE` alone forgets
// the peer.
void run_load(Session& s, const GlobalOptions& g, const std::string& path, const std::optional<std::string>& peer) {
    if (!peer) {
        if (path.empty()) {
            throw Error(ExitCode::Usage, "load needs a capture file: `load FILE`, or `load FILE --peer FILE` for two captures");
        }
        const auto session = open_session(g, path);
        s.loaded_capture = path;
        s.loaded_peer.clear();
        s.tcp_streams.clear();
        for (auto t : session->model().tcp_streams()) s.tcp_streams.push_back(t);
        s.mptcp_streams = session->model().mptcp_streams();
        report_loaded(s, load_summary("loaded", path, *session));
        return;
    }
    if (peer->empty()) throw Error(ExitCode::Usage, "--peer needs a capture file");
    const std::string first = path.empty() ? s.loaded_capture : path;
    if (first.empty()) {
        throw Error(ExitCode::Usage, "load --peer " + *peer + ": no capture is loaded to pair it with (`load FILE --peer " +
                                         *peer + "` loads both)");
    }
    const auto pair = open_capture_pair(g, first, *peer);
    s.loaded_capture = first;
    s.loaded_peer = *peer;
    s.tcp_streams.clear();
    for (auto t : pair->first().model().tcp_streams()) s.tcp_streams.push_back(t);
    s.mptcp_streams = pair->first().model().mptcp_streams();
    report_loaded(s, load_summary("loaded", first, pair->first()));
    report_loaded(s, load_summary("loaded --peer", *peer, pair->peer()));
}

void for_each_command(CLI::App& app, const std::function<void(CLI::App&)>& f) {
    f(app);
    for (auto* sub : app.get_subcommands([](CLI::App*) { return true; })) for_each_command(*sub, f);
}

}  // namespace

void add_session_commands(CLI::App& app, GlobalOptions& global, Session& session) {
    // A plugin command added earlier under one of these names keeps it (CLI11 refuses duplicates).
    const auto taken = [&app](const std::string& name) {
        return !app.get_subcommands([&name](const CLI::App* c) { return c->check_name(name); }).empty();
    };
    if (!taken("load")) {
        struct LoadArguments {
            std::string capture;
            std::string peer;
        };
        auto args = std::make_shared<LoadArguments>();
        CLI::App* load = app.add_subcommand(
            "load", "Load a capture (and its peer): later commands use it when -r (and --peer) is omitted");
        load->add_option("capture", args->capture, "Capture file (pcap, pcapng, compressed, ...)")->type_name(kFileValue);
        CLI::Option* peer = load->add_option("--peer", args->peer,
                                             "The capture of the other end: later two-capture commands use it when "
                                             "--peer is omitted (alone: pair it with the loaded capture)")
                                ->type_name(kFileValue);
        if (!taken("load_pcap")) load->alias("load_pcap");  // the Python tool's name
        load->callback([&session, &global, args, peer] {
            run_load(session, global, args->capture,
                     peer->count() > 0 ? std::optional<std::string>(args->peer) : std::nullopt);
        });
    }
    if (!taken("help")) {
        auto words = std::make_shared<std::vector<std::string>>();
        CLI::App* help = app.add_subcommand("help", "Show the commands, or the options of one command");
        help->add_option("command", *words, "A command (and its subcommand, e.g. `plot dsn`)")->type_name(kCommandValue);
        // `help CMD` is rewritten to `CMD --help` before parsing (rewrite_command_words): this runs
        // only when the rewrite could not find it (e.g. after a global option taking a value).
        help->callback([&app] { fmt::print("{}", app.help()); });
    }
    for (const char* name : {"quit", "exit"}) {
        if (taken(name)) continue;
        app.add_subcommand(name, "Leave the shell")->callback([&session] { session.quit_requested = true; });
    }
}

void default_capture(CLI::App& app, const std::string& capture) {
    for_each_command(app, [&capture](CLI::App& command) {
        for (CLI::Option* option : command.get_options()) {
            const auto& names = option->get_lnames();
            if (std::find(names.begin(), names.end(), "read") != names.end()) {
                option->required(false)->default_val(capture);
            }
        }
    });
}

void default_peer(CLI::App& app, const std::string& peer) {
    for_each_command(app, [&peer](CLI::App& command) {
        if (command.get_name() == "load") return;  // its --peer names a new peer: no default
        // Only where --peer is required (the two-capture commands): where it is optional
        // (reordering, plot goodput) it switches to another analysis, which the user asks for.
        CLI::Option* option = command.get_option_no_throw("--peer");
        if (option && option->get_required()) option->required(false)->default_val(peer);
    });
}

std::vector<std::string> split_command_line(const std::string& line) {
    gint argc = 0;
    gchar** argv = nullptr;
    GError* error = nullptr;
    if (!g_shell_parse_argv(line.c_str(), &argc, &argv, &error)) {
        const bool empty = g_error_matches(error, G_SHELL_ERROR, G_SHELL_ERROR_EMPTY_STRING);
        const std::string message = error->message;
        g_error_free(error);
        if (empty) return {};
        throw Error(ExitCode::Usage, message);
    }
    std::vector<std::string> words(argv, argv + argc);
    g_strfreev(argv);
    return words;
}

int run_command(Session& s, const std::vector<std::string>& words, const std::string& where) {
    if (words.empty()) return 0;
    log::set_level(s.startup_log_level);  // -v on one line applies to that line only
    GlobalOptions global = s.startup;
    try {
        CLI::App app{kProgramDescription, kProgramName};
        build_app(app, global, s.plugins);
        add_session_commands(app, global, s);
        app.require_subcommand(1);
        if (!s.loaded_capture.empty()) default_capture(app, s.loaded_capture);
        if (!s.loaded_peer.empty()) default_peer(app, s.loaded_peer);
        const auto rewritten = rewrite_command_words(words);
        const std::string& first = rewritten.front();
        if (!first.empty() && first[0] != '-' &&
            app.get_subcommands([&first](const CLI::App* c) { return c->check_name(first); }).empty()) {
            log::error("{}{}", where, unknown_command_message(app, first));
            return static_cast<int>(ExitCode::Usage);
        }
        return parse_and_run(app, global, rewritten, where,
                             s.mode == Session::Mode::Shell ? "Type `help COMMAND` for its options."
                                                             : "Run `mptcpanalyzer COMMAND --help` for its options.");
    } catch (const std::exception& e) {
        log::error("{}internal error: {}", where, e.what());
        return static_cast<int>(ExitCode::Failure);
    }
}

int load_into_session(Session& session, const std::string& capture, const std::string& where) {
    return run_command(session, {"load", capture}, where);
}

int run_batch(Session& s, const std::string& path, bool continue_on_error) {
    s.mode = Session::Mode::Batch;
    const bool from_stdin = path == "-";
    const std::string name = from_stdin ? "standard input" : path;
    std::ifstream file;
    if (!from_stdin) {
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec)) {
            log::error("{}: is a directory, not a batch file", path);
            return static_cast<int>(ExitCode::InputMissing);
        }
        file.open(path);
        if (!file) {
            log::error("{}: {}", path, std::strerror(errno));
            return static_cast<int>(ExitCode::InputMissing);
        }
    }
    std::istream& in = from_stdin ? std::cin : file;
    int first_failure = 0;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (!line.empty() && line.back() == '\r') line.pop_back();  // a script saved with CRLF
        const std::string where = fmt::format("{}:{}: ", name, number);
        int code = 0;
        try {
            code = run_command(s, split_command_line(line), where);
        } catch (const Error& e) {
            log::error("{}{}", where, e.what());
            code = static_cast<int>(e.code());
        }
        if (code != 0) {
            if (first_failure == 0) first_failure = code;
            if (!continue_on_error) {
                log::error("{}: stopped at line {} (exit code {}; --continue-on-error runs the other lines)", name,
                           number, code);
                return code;
            }
        }
        if (s.quit_requested) break;
    }
    if (in.bad()) {
        log::error("{}: read failed: {}", name, std::strerror(errno));
        return first_failure != 0 ? first_failure : static_cast<int>(ExitCode::InputMissing);
    }
    return first_failure;
}

}  // namespace mptcpanalyzer::cli
