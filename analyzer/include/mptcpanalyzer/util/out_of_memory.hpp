#pragma once
// Running out of memory ends a command with exit code 9 and one line naming the file being read
// (docs/exit-codes.md). In our code that is std::bad_alloc, handled like any error. Inside
// libwireshark it is GLib's failed g_malloc, reported through g_error, which aborts: our handler
// of GLib's fatal errors calls exit_out_of_memory_now() instead, before the abort.
// That path can allocate nothing, so what its line names is prepared here beforehand, in fixed
// buffers: the caller's prefix (a batch's "FILE:LINE: ") and the capture being read.

#include <string>
#include <string_view>

namespace mptcpanalyzer {

// The error line of exit code 9, after "<file>: " when a file is being read.
inline constexpr const char* kOutOfMemoryMessage =
    "out of memory (raise the memory limit, ulimit -v, or use a machine with more memory; the cache was left intact)";

// While one exists, exit_out_of_memory_now() names `path` (as given, control characters escaped
// as log::printable does). Scopes nest: the innermost one is named, the outer one again after it.
class OutOfMemoryFileScope {
public:
    explicit OutOfMemoryFileScope(std::string_view path);
    ~OutOfMemoryFileScope();
    OutOfMemoryFileScope(const OutOfMemoryFileScope&) = delete;
    OutOfMemoryFileScope& operator=(const OutOfMemoryFileScope&) = delete;

private:
    std::string previous_;  // what the enclosing scope named ("" for none)
};

// The prefix of every error line of the command being run ("" in one-shot runs).
void set_out_of_memory_prefix(std::string_view prefix);

// GLib's fatal messages for memory that ran out: a failed allocation (g_malloc and friends:
// "...: failed to allocate N bytes"), and a thread it could not start (g_thread_new: "creating
// thread 'NAME': Error creating thread: ...", the thread's stack not fitting under the limit).
bool is_glib_out_of_memory(std::string_view message) noexcept;

// Makes GLib's fatal out-of-memory errors (is_glib_out_of_memory; GLib's domain or the default
// one) end the process through exit_out_of_memory_now(); any other fatal GLib error is
// printed as "mptcpanalyzer: error: internal error: <domain>: <message>" and aborts (SIGABRT, 134).
// Also installs the signal handlers of temp_directory now, whose SIGABRT handler asks
// memory_exhausted_now(): GLib 2.74 aborts by itself, past any handler, where its own allocations
// fail (the slice allocator: "***MEMORY-ERROR***: ... GSlice: failed to allocate"; its thread
// primitives: "GLib (gthread-posix.c): Unexpected error from C library during 'malloc'").
// For programs (cli/main.cpp): a library must not decide how its host ends.
void install_glib_out_of_memory_handler();

// For the SIGABRT handler (async-signal-safe): true when a program installed the handler above
// and the process cannot map 2 MiB more (RLIMIT_AS or RLIMIT_DATA reached, or the system's commit
// limit). An abort then comes from memory that ran out, and the handler ends the process through
// exit_out_of_memory_now() instead. Why 2 MiB: glibc's malloc fails a small request only when
// neither brk nor an mmap of at least 1 MiB succeeds, so whoever aborted on a failed allocation
// left less than that; an abort with room to spare is anything else and stays an abort.
bool memory_exhausted_now() noexcept;
// Installs it again if a program installed it: libwireshark's log initialisation (ws_log_init)
// sets its own handler of GLib's messages, which GLib then asks first (capture/epan_runtime.cpp).
void reinstall_glib_out_of_memory_handler_if_installed();

// Writes "mptcpanalyzer: error: <prefix><file>: <kOutOfMemoryMessage>" to standard error, removes
// the temporary folders and ends the process with exit code 9, without exit handlers (the
// libwireshark whose allocation failed is in no state to be cleaned up). Async-signal-safe.
[[noreturn]] void exit_out_of_memory_now() noexcept;

}  // namespace mptcpanalyzer
