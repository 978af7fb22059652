// The interactive shell: GNU readline for line editing, completion (completion.cpp) and history
// ($XDG_STATE_HOME/mptcpanalyzer/history). Every line runs through run_command, like a batch line.

#include <glib.h>
#include <glib/gstdio.h>
#include <readline/history.h>
#include <readline/readline.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>

#include "app.hpp"
#include "completion.hpp"
#include "interrupt.hpp"
#include "mptcpanalyzer/util/error.hpp"
#include "mptcpanalyzer/version.hpp"
#include "mptcpanalyzer/util/xdg.hpp"
#include "session.hpp"

namespace mptcpanalyzer::cli {
namespace {

// readline calls plain C functions: the shell's state they need.
const CLI::App* g_command_tree = nullptr;
const Session* g_session = nullptr;
std::vector<std::string> g_matches;
std::size_t g_next_match = 0;

char* next_match(const char* /*text*/, int state) {
    if (state == 0) g_next_match = 0;
    if (g_next_match >= g_matches.size()) return nullptr;
    return strdup(g_matches[g_next_match++].c_str());  // readline frees it
}

char** complete(const char* text, int start, int /*end*/) {
    rl_attempted_completion_over = 1;  // no fallback to file names where none are expected
    const auto before = split_for_completion(std::string(rl_line_buffer, static_cast<std::size_t>(start)));
    const auto c = complete_command_line(*g_command_tree, before, text, *g_session);
    if (c.paths && c.words.empty()) {
        rl_sort_completion_matches = 1;
        return rl_completion_matches(text, rl_filename_completion_function);
    }
    g_matches = c.words;
    rl_sort_completion_matches = 0;  // already sorted, stream numbers numerically
    return rl_completion_matches(text, next_match);
}

// Ctrl-C at the prompt abandons the line being typed instead of leaving the shell.
void on_interrupt(int) {
    std::fputs("\n", stdout);
    rl_on_new_line();
    rl_replace_line("", 0);
    rl_redisplay();
}

std::size_t history_size(const Session& session) {
    const int configured = session.startup.config.history_size;  // config file, default 1000
    return configured > 0 ? static_cast<std::size_t>(configured) : 1000;
}

std::filesystem::path history_path() {
    return xdg_base_directory("XDG_STATE_HOME", ".local/state") / "mptcpanalyzer" / "history";
}

class History {
public:
    explicit History(std::size_t size) : path_(history_path()), size_(static_cast<int>(size)) {
        using_history();
        stifle_history(size_);
        std::error_code ec;
        std::filesystem::create_directories(path_.parent_path(), ec);
        if (!std::filesystem::exists(path_, ec)) {
            // append_history does not create the file.
            if (std::FILE* f = std::fopen(path_.c_str(), "a")) std::fclose(f);
        }
        if (const int err = read_history(path_.c_str()); err != 0 && err != ENOENT) warn(err);
    }

    void remember(const std::string& line) {
        const HIST_ENTRY* last = history_length > 0 ? history_get(history_base + history_length - 1) : nullptr;
        if (last && line == last->line) return;  // repeated commands are kept once
        add_history(line.c_str());
        // Written at once: a shell killed later still keeps its history.
        if (const int err = append_history(1, path_.c_str()); err != 0) return warn(err);
        history_truncate_file(path_.c_str(), size_);
    }

private:
    void warn(int err) {
        if (warned_) return;
        warned_ = true;
        log::warning("history: {}: {}", path_.string(), std::strerror(err));
    }

    std::filesystem::path path_;
    int size_;
    bool warned_ = false;
};

// The loaded capture's file name, and its peer's after `--peer` (as `load` was typed), so the
// user sees what -r and --peer default to.
std::string prompt(const Session& s) {
    if (s.loaded_capture.empty()) return "mptcpanalyzer> ";
    std::string text = "mptcpanalyzer " + std::filesystem::path(s.loaded_capture).filename().string();
    if (!s.loaded_peer.empty()) text += " --peer " + std::filesystem::path(s.loaded_peer).filename().string();
    return text + "> ";
}

}  // namespace

int run_interactive_shell(Session& session) {
    session.mode = Session::Mode::Shell;
    // The tree completion walks: built once, never parsed.
    GlobalOptions tree_options = session.startup;
    CLI::App tree{kProgramDescription, kProgramName};
    build_app(tree, tree_options, session.plugins);
    add_session_commands(tree, tree_options, session);
    g_command_tree = &tree;
    g_session = &session;

    rl_readline_name = "mptcpanalyzer";
    rl_attempted_completion_function = complete;
    rl_completer_word_break_characters = " \t\n";
    rl_completer_quote_characters = "\"'";
    rl_catch_signals = 0;

    History history(history_size(session));
    std::printf("mptcpanalyzer %s: `help` lists the commands, `help COMMAND` its options; Ctrl-D or `quit` leaves.\n",
                std::string(kVersion).c_str());
    std::fflush(stdout);
    while (!session.quit_requested) {
        struct sigaction interrupt {};
        interrupt.sa_handler = on_interrupt;
        struct sigaction previous {};
        sigaction(SIGINT, &interrupt, &previous);
        char* raw = readline(prompt(session).c_str());
        sigaction(SIGINT, &previous, nullptr);
        if (raw == nullptr) {  // Ctrl-D on an empty line
            std::fputs("\n", stdout);
            break;
        }
        const std::string line = raw;
        std::free(raw);
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        history.remember(line);
        try {
            // Ctrl-C during a command stops that command (at the reader's next progress point)
            // and comes back to the prompt.
            const CommandInterruptScope interruptible;
            run_command(session, split_command_line(line), "");
        } catch (const Error& e) {
            log::error("{}", e.what());
        }
    }
    g_command_tree = nullptr;
    g_session = nullptr;
    return 0;
}

}  // namespace mptcpanalyzer::cli
