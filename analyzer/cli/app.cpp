#include "app.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <exception>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "capture_sessions.hpp"
#include "commands.hpp"
#include "completion_hints.hpp"
#include "plugin_commands.hpp"
#include "mptcpanalyzer/util/error.hpp"
#include "mptcpanalyzer/util/log.hpp"
#include "shell/bash_completion.hpp"
#include "shell/man_page.hpp"

namespace mptcpanalyzer::cli {
namespace {

// The names users of the Python mptcpanalyzer type, and the short ones of its shell.
struct Alias {
    const char* command;
    const char* alias;
};
constexpr std::array kAliases{
    Alias{"list-tcp", "list_tcp_connections"},   Alias{"list-tcp", "lt"},
    Alias{"list-mptcp", "list_mptcp_connections"}, Alias{"list-mptcp", "lm"},
    Alias{"list-subflows", "list_subflows"},     Alias{"list-subflows", "ls"},
    Alias{"list-reinjections", "list_reinjections"}, Alias{"list-reinjections", "lr"},
    Alias{"tcp-summary", "tcp_summary"},         Alias{"mptcp-summary", "mptcp_summary"},
    Alias{"export", "tocsv"},
    Alias{"owd", "print_owds"},
    Alias{"map-tcp", "map_tcp_connection"},      Alias{"map-mptcp", "map_mptcp_connection"},
    Alias{"qualify-reinjections", "qualify_reinjections"}, Alias{"summary-extended", "summary_extended"},
};

// Aliases standing for a command and its subcommand.
struct WordsAlias {
    const char* alias;
    std::array<const char*, 2> words;
};
constexpr std::array kWordsAliases{WordsAlias{"clean_cache", {"cache", "clean"}}};

bool name_taken(const CLI::App& app, const std::string& name) {
    return !app.get_subcommands([&name](const CLI::App* s) { return s->check_name(name); }).empty();
}

// Optimal string alignment distance: insertions, deletions, substitutions and transpositions of
// two neighbours each cost 1, so the usual typos ("list-mptpc", "dns") are one edit away.
std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.size()][b.size()];
}

// The command that was being typed when parsing stopped: the last subcommand selected.
CLI::App& deepest_selected(CLI::App& app) {
    CLI::App* command = &app;
    for (auto subs = command->get_subcommands(); !subs.empty(); subs = command->get_subcommands()) {
        command = subs.front();
    }
    return *command;
}

// "plot dsn": the words that select `command` below the program.
std::string command_path(const CLI::App& command) {
    std::string path;
    for (const CLI::App* c = &command; c && c->get_parent(); c = c->get_parent()) {
        path = path.empty() ? c->get_name() : c->get_name() + " " + path;
    }
    return path;
}

// What the words below `command` are called in messages.
std::string subcommand_noun(const CLI::App& command) {
    if (!command.get_parent()) return "command";
    if (command.get_name() == "plot") return "plot kind";
    return command_path(command) + " subcommand";
}

// The word the user meant as a subcommand of the deepest selected command: the first word left
// over by the parser that is neither an option nor, as far as can be told, an option's value.
std::optional<std::string> unknown_subcommand_word(const CLI::App& app) {
    const auto rest = app.remaining(true);
    for (std::size_t i = 0; i < rest.size(); ++i) {
        const std::string& w = rest[i];
        if (w.empty() || w[0] == '-') continue;
        const bool after_option = i > 0 && rest[i - 1].size() > 1 && rest[i - 1][0] == '-' &&
                                  rest[i - 1].find('=') == std::string::npos;
        if (!after_option) return w;
    }
    return std::nullopt;
}

// A command that needs a subcommand was given none: list them, one line each.
std::string subcommand_listing(const CLI::App& command) {
    const auto subs = visible_subcommands(command);
    std::size_t width = 0;
    for (const auto* sub : subs) width = std::max(width, sub->get_name().size());
    std::string out = fmt::format("{} needs a {}, one of:\n", command_path(command), subcommand_noun(command));
    for (const auto* sub : subs) out += fmt::format("  {:<{}}  {}\n", sub->get_name(), width, sub->get_description());
    return out;
}

// The numbers a command's missing STREAM argument can take, read from the capture it names.
// nullopt when the missing requirement is not a stream argument.
std::optional<std::string> missing_stream_message(CLI::App& command, const CLI::ParseError& error,
                                                  const GlobalOptions& global) {
    const CLI::Option* stream = nullptr;
    for (const CLI::Option* o : command.get_options()) {
        const auto kind = value_hint(*o).kind;
        const bool positional = o->get_lnames().empty() && o->get_snames().empty();
        if (positional && o->get_required() && o->count() == 0 &&
            (kind == ValueKind::TcpStream || kind == ValueKind::MptcpStream)) {
            stream = o;
            break;
        }
    }
    // Only when the stream is what the parser found missing (it reports the first missing one).
    if (!stream || std::string(error.what()).rfind(stream->get_name() + " ", 0) != 0) return std::nullopt;
    const bool tcp = value_hint(*stream).kind == ValueKind::TcpStream;
    const char* field = tcp ? "tcp.stream" : "mptcp.stream";
    const std::string needs = fmt::format("{} needs {} {} number", command_path(command), tcp ? "a" : "an", field);
    const CLI::Option* read = command.get_option_no_throw("--read");
    std::string capture;
    if (read) capture = read->count() > 0 ? read->results().front() : read->get_default_str();
    if (capture.empty()) return needs;
    try {
        const auto session = open_session(global, capture);
        return fmt::format("{}: {}; valid: {}", capture, needs,
                           tcp ? session->valid_tcp_streams() : session->valid_mptcp_streams());
    } catch (const Error& e) {
        if (e.code() == ExitCode::Interrupted) throw;  // Ctrl-C in the shell stops the command
        // The capture cannot tell: say what is missing, and why the list is not shown.
        return fmt::format("{} (cannot list them: {})", needs, e.what());
    }
}

// A clearer message than CLI11's for the command-line errors users make most: an unknown or
// missing (sub)command, a missing stream number. nullopt: CLI11's message is the best one.
std::optional<std::string> explain_parse_error(CLI::App& app, const CLI::ParseError& error,
                                               const GlobalOptions& global) {
    const bool required = dynamic_cast<const CLI::RequiredError*>(&error) != nullptr;
    const bool extras = dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr;
    if (!required && !extras) return std::nullopt;
    CLI::App& command = deepest_selected(app);
    if (!visible_subcommands(command).empty()) {
        if (auto word = unknown_subcommand_word(app)) return unknown_command_message(command, *word);
        if (required && &command != &app) return subcommand_listing(command);
        return std::nullopt;
    }
    if (required) return missing_stream_message(command, error, global);
    return std::nullopt;
}

// explain_parse_error, run inside parse_and_run's handler of the parse error: an error of its
// own (reading the capture was interrupted) is reported here and its code set in `code`, since
// it would otherwise escape parse_and_run.
std::optional<std::string> explain_or_report(CLI::App& app, const CLI::ParseError& error, const GlobalOptions& global,
                                             const std::string& where, int& code) {
    try {
        return explain_parse_error(app, error, global);
    } catch (const Error& e) {
        std::fflush(stdout);
        log::error("{}{}", where, e.what());
        code = static_cast<int>(e.code());
        return std::nullopt;
    }
}

}  // namespace

std::string unknown_command_message(const CLI::App& parent, const std::string& word) {
    // Close enough to be a typo: one edit in a short word, up to a third of a long one.
    const std::size_t limit = std::max<std::size_t>(1, std::min<std::size_t>(3, word.size() / 3));
    std::size_t best = limit + 1;
    std::vector<std::string> closest;  // every name at distance `best`
    const auto consider = [&](const std::string& name) {
        const std::size_t d = edit_distance(word, name);
        if (d > best) return;
        if (d < best) closest.clear();
        best = d;
        closest.push_back(name);
    };
    for (const CLI::App* sub : visible_subcommands(parent)) {
        consider(sub->get_name());
        for (const auto& a : sub->get_aliases()) consider(a);
    }
    if (!parent.get_parent()) {
        for (const auto& a : kWordsAliases) consider(a.alias);
    }
    std::sort(closest.begin(), closest.end());
    closest.erase(std::unique(closest.begin(), closest.end()), closest.end());
    std::string message = fmt::format("unknown {} '{}'", subcommand_noun(parent), word);
    if (closest.empty() || closest.size() > 3) {
        return message + (parent.get_parent() ? fmt::format(" (`help {}` lists them)", command_path(parent))
                                              : std::string(" (`help` lists the commands)"));
    }
    message += "; did you mean ";
    for (std::size_t i = 0; i < closest.size(); ++i) {
        message += (i == 0 ? "" : i + 1 == closest.size() ? " or " : ", ") + ("'" + closest[i] + "'");
    }
    return message + "?";
}

void add_aliases(CLI::App& app) {
    for (const auto& a : kAliases) {
        auto found = app.get_subcommands([&a](const CLI::App* s) { return s->get_name() == a.command; });
        // A plugin may already use the name: the plugin keeps it.
        if (found.empty() || name_taken(app, a.alias)) continue;
        found.front()->alias(a.alias);
    }
}

void build_app(CLI::App& app, GlobalOptions& global, PluginRegistry* plugins) {
    app.fallthrough();  // global options may follow the command name
    // Wide enough for the longest "name, alias" pair ("map-mptcp, map_mptcp_connection") to
    // keep two spaces before its description: help parsers (completion, guidance) rely on them.
    app.get_formatter()->column_width(36);
    add_global_options(app, global);
    setup_list_tcp(app, global);
    setup_list_mptcp(app, global);
    setup_summaries(app, global);
    setup_list_reinjections(app, global);
    setup_list_mptcp_retransmissions(app, global);
    setup_events(app, global);
    setup_map(app, global);
    setup_reordering(app, global);
    setup_qualify_reinjections(app, global);
    setup_summary_extended(app, global);
    setup_owd(app, global);
    setup_columns(app);
    setup_plot(app, global);
    setup_export(app, global);
    setup_cache(app, global);
    setup_version(app, global);
    setup_checkhealth(app, global);
    setup_completion(app);
    setup_man_page(app);
    // h4: plugins -- third-party commands are added here, after the built-in ones and before the
    // aliases (a plugin command named like an alias keeps its name):
    setup_config(app, global);
    if (plugins) {
        setup_plugins(app, global, *plugins);
        setup_plugin_commands(app, global, *plugins);
    }
    add_aliases(app);
}

std::vector<std::string> rewrite_command_words(std::vector<std::string> words) {
    // The command is the first word that is not an option; options before it are global ones
    // (their values, e.g. `--cache-dir DIR`, are written `--cache-dir=DIR` or follow the command).
    auto first = std::find_if(words.begin(), words.end(), [](const std::string& w) { return w.empty() || w[0] != '-'; });
    if (first == words.end()) return words;
    if (*first == "help") {
        words.erase(first);
        words.emplace_back("--help");
        return words;
    }
    for (const auto& a : kWordsAliases) {
        if (*first == a.alias) {
            *first = a.words[1];
            words.insert(first, a.words[0]);
            break;
        }
    }
    return words;
}

int parse_and_run(CLI::App& app, const GlobalOptions& global, std::vector<std::string> words,
                  const std::string& where, const std::string& usage_hint) {
    std::reverse(words.begin(), words.end());  // CLI11 consumes a vector from its end
    set_out_of_memory_prefix(where);  // the fatal path cannot build it (util/out_of_memory.hpp)
    forget_command_captures();
    int code = 0;
    try {
        app.parse(words);
    } catch (const CLI::CallForHelp& e) {
        code = app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        code = app.exit(e);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) {
            code = app.exit(e);
        } else if (const auto explained = explain_or_report(app, e, global, where, code)) {
            // Self-contained (it names what to type): no hint line after it.
            std::fflush(stdout);
            const auto newline = explained->find('\n');
            log::error("{}{}", where, explained->substr(0, newline));
            if (newline != std::string::npos) fmt::print(stderr, "{}", explained->substr(newline + 1));
            code = static_cast<int>(ExitCode::Usage);
        } else if (code != 0) {
            // Explaining failed (Ctrl-C while the capture was read): reported with its own code.
        } else {
            std::fflush(stdout);
            log::error("{}{}", where, e.what());
            fmt::print(stderr, "{}\n", usage_hint);
            code = static_cast<int>(ExitCode::Usage);
        }
    } catch (const Error& e) {
        std::fflush(stdout);
        log::error("{}{}", where, e.what());
        code = static_cast<int>(e.code());
    } catch (const std::bad_alloc&) {
        // Past the read (which names its file itself): the command was analysing its captures.
        std::fflush(stdout);
        log::error("{}{}{}", where, command_captures_named(), kOutOfMemoryMessage);
        code = static_cast<int>(ExitCode::OutOfMemory);
    } catch (const std::exception& e) {
        std::fflush(stdout);
        log::error("{}internal error: {}", where, e.what());
        code = static_cast<int>(ExitCode::Failure);
    }
    std::fflush(stdout);
    return code;
}

}  // namespace mptcpanalyzer::cli
