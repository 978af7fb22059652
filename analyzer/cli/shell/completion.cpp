#include "completion.hpp"

#include <algorithm>
#include <set>
#include <tuple>

#include "completion_hints.hpp"

namespace mptcpanalyzer::cli {
namespace {

const CLI::App* find_subcommand(const CLI::App& command, const std::string& word) {
    const auto found = command.get_subcommands(
        [&word](const CLI::App* s) { return !s->get_name().empty() && s->check_name(word); });
    return found.empty() ? nullptr : found.front();
}

// An option of the command or of an ancestor (global options may follow the command name).
const CLI::Option* find_option(const CLI::App* command, const std::string& spelling) {
    for (; command != nullptr; command = command->get_parent()) {
        if (const CLI::Option* o = command->get_option_no_throw(spelling)) return o;
    }
    return nullptr;
}

void add_names(std::vector<std::string>& out, const CLI::App& command) {
    for (const auto* sub : visible_subcommands(command)) {
        out.push_back(sub->get_name());
        for (const auto& a : sub->get_aliases()) out.push_back(a);
    }
}

std::vector<std::string> numbers(const std::vector<std::int64_t>& values) {
    std::vector<std::string> out;
    for (auto v : values) out.push_back(std::to_string(v));
    return out;
}

// Candidates for a value of kind `hint`. `earlier` are the values already given to it (help's
// words, to walk down `help plot dsn`).
CompletionCandidates values_for(const ValueHint& hint, const CLI::App& root, const Session& session,
                                const std::vector<std::string>& earlier) {
    CompletionCandidates c;
    switch (hint.kind) {
        case ValueKind::Choices: c.words = hint.choices; break;
        case ValueKind::File:
        case ValueKind::Directory: c.paths = true; break;
        case ValueKind::TcpStream: c.words = numbers(session.tcp_streams); break;
        case ValueKind::MptcpStream: c.words = numbers(session.mptcp_streams); break;
        case ValueKind::Command: {
            const CLI::App* node = &root;
            for (const auto& w : earlier) {
                node = node ? find_subcommand(*node, w) : nullptr;
            }
            if (node) add_names(c.words, *node);
            break;
        }
        default: break;
    }
    return c;
}

}  // namespace

CompletionCandidates complete_command_line(const CLI::App& root, const std::vector<std::string>& before,
                                           const std::string& current, const Session& session) {
    const CLI::App* command = &root;
    const CLI::Option* pending = nullptr;    // an option whose value is the next word
    std::vector<std::string> positionals;    // words given to the current command's positionals
    for (const auto& word : before) {
        if (pending) {
            pending = nullptr;
            continue;
        }
        if (word.size() > 1 && word[0] == '-') {
            const auto eq = word.find('=');
            const CLI::Option* o = find_option(command, word.substr(0, eq));
            if (o && eq == std::string::npos && value_hint(*o).kind != ValueKind::None) pending = o;
            continue;
        }
        if (positionals.empty()) {
            if (const CLI::App* sub = find_subcommand(*command, word)) {
                command = sub;
                continue;
            }
        }
        positionals.push_back(word);
    }

    CompletionCandidates c;
    if (pending) {
        c = values_for(value_hint(*pending), root, session, {});
    } else if (!current.empty() && current[0] == '-') {
        for (const CLI::App* a = command; a != nullptr; a = a->get_parent()) {
            for (const auto* o : a->get_options()) {
                for (auto& s : option_spellings(*o)) c.words.push_back(std::move(s));
            }
        }
    } else {
        if (positionals.empty()) add_names(c.words, *command);
        // The positional this word fills: the next one, or the last when it takes several.
        const auto args = command->get_options(
            [](const CLI::Option* o) { return o->get_lnames().empty() && o->get_snames().empty(); });
        std::size_t index = positionals.size();
        if (!args.empty() && index >= args.size() && args.back()->get_items_expected_max() > 1) index = args.size() - 1;
        if (index < args.size()) {
            const auto more = values_for(value_hint(*args[index]), root, session, positionals);
            c.paths = more.paths;
            c.words.insert(c.words.end(), more.words.begin(), more.words.end());
        }
    }
    std::set<std::string> unique;
    for (auto& w : c.words) {
        if (w.compare(0, current.size(), current) == 0) unique.insert(std::move(w));
    }
    c.words.assign(unique.begin(), unique.end());
    // Numbers (stream numbers) first, in numeric order; then names.
    const auto key = [](const std::string& w) {
        const bool number = !w.empty() && std::all_of(w.begin(), w.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
        return std::make_tuple(!number, number ? w.size() : 0, w);
    };
    std::sort(c.words.begin(), c.words.end(), [&key](const auto& a, const auto& b) { return key(a) < key(b); });
    return c;
}

std::vector<std::string> split_for_completion(const std::string& text) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    char quote = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        if (quote) {
            if (ch == quote) {
                quote = 0;
            } else if (ch == '\\' && quote == '"' && i + 1 < text.size()) {
                word += text[++i];
            } else {
                word += ch;
            }
        } else if (ch == '\'' || ch == '"') {
            quote = ch;
            in_word = true;
        } else if (ch == '\\' && i + 1 < text.size()) {
            word += text[++i];
            in_word = true;
        } else if (ch == ' ' || ch == '\t' || ch == '\n') {
            if (in_word) words.push_back(word);
            word.clear();
            in_word = false;
        } else {
            word += ch;
            in_word = true;
        }
    }
    // An unfinished quoted word is the start of the word being completed, not a word before it.
    if (in_word && !quote) words.push_back(word);
    return words;
}

}  // namespace mptcpanalyzer::cli
