#pragma once
// A new private folder under the system's temporary folder ($TMPDIR or /tmp), mode 0700, and the
// guarantee that it does not outlive the process: every folder made here is registered, and
// removed by release_temp_directory(), or, when the process is ended by a signal (SIGTERM,
// SIGHUP, SIGINT, SIGQUIT, SIGABRT: a fatal GLib error; or a crash: SIGSEGV, SIGBUS, SIGILL,
// SIGFPE), by the signal handler installed with the first folder (on an alternate stack of the
// main thread), before the signal takes its usual course.

#include <filesystem>
#include <string>

namespace mptcpanalyzer {

// `pattern` ends in XXXXXX (e.g. "mptcpanalyzer-plot-XXXXXX"). Throws Error(Environment) naming
// `purpose` ("a temporary folder for the plot") when it cannot be created.
std::filesystem::path make_temp_directory(const char* pattern, const std::string& purpose);

// Removes `path` (made by make_temp_directory) with what it holds, and unregisters it.
void release_temp_directory(const std::filesystem::path& path);

// Installs the signal handlers now (make_temp_directory does with the first folder): for
// programs, so that an abort before any folder exists also goes through the handler (its
// SIGABRT turns into exit 9 when memory has run out: out_of_memory.hpp). A signal someone else
// handles or ignores keeps its handling; one set back to its default gets ours again.
void install_temp_directory_signal_handlers();

// Removes every registered folder now (async-signal-safe: also called from the signal handler).
// For exit paths that skip destructors and atexit (out of memory: main's _exit).
void remove_temp_directories_now() noexcept;

}  // namespace mptcpanalyzer
