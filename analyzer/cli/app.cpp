#include "app.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <exception>
#include <utility>

#include "commands.hpp"
#include "plugin_commands.hpp"
#include "mptcpanalyzer/util/error.hpp"
#include "mptcpanalyzer/util/log.hpp"
#include "shell/bash_completion.hpp"

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

}  // namespace

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
    add_global_options(app, global);
    setup_list_tcp(app, global);
    setup_list_mptcp(app, global);
    setup_summaries(app, global);
    setup_list_reinjections(app, global);
    setup_list_mptcp_retransmissions(app, global);
    setup_events(app, global);
    setup_columns(app);
    setup_plot(app, global);
    setup_export(app, global);
    setup_cache(app, global);
    setup_version(app, global);
    setup_checkhealth(app, global);
    setup_completion(app);
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

int parse_and_run(CLI::App& app, std::vector<std::string> words, const std::string& where,
                  const std::string& usage_hint) {
    std::reverse(words.begin(), words.end());  // CLI11 consumes a vector from its end
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
    } catch (const std::exception& e) {
        std::fflush(stdout);
        log::error("{}internal error: {}", where, e.what());
        code = static_cast<int>(ExitCode::Failure);
    }
    std::fflush(stdout);
    return code;
}

}  // namespace mptcpanalyzer::cli
