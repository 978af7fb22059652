#pragma once
// Minimal leveled logging to stderr. Warnings are always shown; debug only with --verbose
// (or MPTCPANALYZER_DEBUG=1), so data on stdout stays clean.

#include <fmt/core.h>

#include <cstdio>
#include <string>
#include <string_view>

namespace mptcpanalyzer::log {

enum class Level { Debug, Info, Warning, Error };

// `text` with every control character (C0 and DEL: newline, tab, ESC, ...) written as an escape
// (\n, \t, \r, \xHH), so a file name cannot move the cursor, colour the terminal or forge a
// message line. write() applies it to every message: the one place file names reach the user.
std::string printable(std::string_view text);

void set_level(Level level);
Level level();
void write(Level level, std::string_view message);

template <class... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
    if (level() <= Level::Debug) write(Level::Debug, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
    if (level() <= Level::Info) write(Level::Info, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void warning(fmt::format_string<Args...> f, Args&&... args) {
    write(Level::Warning, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
    write(Level::Error, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace mptcpanalyzer::log
