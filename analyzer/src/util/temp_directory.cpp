#include "mptcpanalyzer/util/temp_directory.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <glib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <mutex>
#include <system_error>

#include "mptcpanalyzer/util/error.hpp"
#include "mptcpanalyzer/util/out_of_memory.hpp"

namespace mptcpanalyzer {
namespace {

// Fixed slots (no allocation: the signal handler reads them). A process has at most two such
// folders at once (the Wireshark configuration and a plot's).
constexpr int kSlots = 8;
constexpr std::size_t kPathBytes = 4096;
char g_paths[kSlots][kPathBytes];
std::atomic<bool> g_used[kSlots];

// Ending signals, then crashes (a fault in libwireshark or ours): the folder goes, the crash stays
// a crash (the re-raised signal dumps its core as before).
constexpr int kSignals[] = {SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE};

// The handler runs on a stack of its own, so it also runs when the fault is the main thread's
// stack overflowing. (Other threads have none: libwireshark's registration thread dies with its
// stack, main.cpp keeps out of memory from overflowing it.)
alignas(16) char g_signal_stack[64 * 1024];

// Unlinks what `folder` holds (our temporaries hold files only) and the folder, with system
// calls alone: getdents64 instead of readdir, which may allocate.
void remove_folder_raw(const char* folder) noexcept {
    const int fd = ::open(folder, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
        alignas(8) char buffer[4096];
        for (;;) {
            const long n = ::syscall(SYS_getdents64, fd, buffer, sizeof buffer);
            if (n <= 0) break;
            for (long at = 0; at < n;) {
                struct Entry {
                    unsigned long long ino;
                    long long off;
                    unsigned short reclen;
                    unsigned char type;
                    char name[1];
                };
                const auto* e = reinterpret_cast<const Entry*>(buffer + at);
                const bool dot = e->name[0] == '.' && (e->name[1] == '\0' || (e->name[1] == '.' && e->name[2] == '\0'));
                if (!dot) ::unlinkat(fd, e->name, 0);
                at += e->reclen;
            }
        }
        ::close(fd);
    }
    ::rmdir(folder);
}

extern "C" void remove_and_reraise(int signal_number) {
    // GLib 2.74 aborts by itself where its own small allocations fail (out_of_memory.hpp): with
    // memory exhausted, that abort is out of memory (exit 9, temporaries removed).
    if (signal_number == SIGABRT && memory_exhausted_now()) exit_out_of_memory_now();
    remove_temp_directories_now();
    // The usual course: the default action of the signal (the exit status says which).
    ::signal(signal_number, SIG_DFL);
    ::raise(signal_number);
}

std::mutex g_install_mutex;

}  // namespace

void install_temp_directory_signal_handlers() {
    const std::lock_guard<std::mutex> lock(g_install_mutex);
    stack_t stack{};
    stack.ss_sp = g_signal_stack;
    stack.ss_size = sizeof g_signal_stack;
    stack_t current{};
    // Someone else's alternate stack (a sanitizer's) is kept.
    if (::sigaltstack(nullptr, &current) == 0 && (current.ss_flags & SS_DISABLE) != 0) ::sigaltstack(&stack, nullptr);
    for (const int s : kSignals) {
        struct sigaction previous {};
        if (::sigaction(s, nullptr, &previous) != 0) continue;
        // A signal someone else handles or ignores (the shell's Ctrl-C, a parent's SIG_IGN)
        // keeps its handling.
        if (previous.sa_handler != SIG_DFL || (previous.sa_flags & SA_SIGINFO) != 0) continue;
        struct sigaction action {};
        action.sa_handler = remove_and_reraise;
        action.sa_flags = SA_ONSTACK;
        sigemptyset(&action.sa_mask);
        ::sigaction(s, &action, nullptr);
    }
}

void remove_temp_directories_now() noexcept {
    for (int i = 0; i < kSlots; ++i) {
        if (g_used[i].exchange(false)) remove_folder_raw(g_paths[i]);
    }
}

std::filesystem::path make_temp_directory(const char* pattern, const std::string& purpose) {
    install_temp_directory_signal_handlers();
    GError* err = nullptr;
    gchar* dir = g_dir_make_tmp(pattern, &err);
    if (!dir) {
        std::string msg = err ? err->message : "unknown error";
        g_clear_error(&err);
        throw Error(ExitCode::Environment, "cannot create " + purpose + ": " + msg);
    }
    std::filesystem::path path = dir;
    g_free(dir);
    if (path.native().size() < kPathBytes) {
        for (int i = 0; i < kSlots; ++i) {
            if (g_used[i].load()) continue;
            std::memcpy(g_paths[i], path.c_str(), path.native().size() + 1);
            g_used[i].store(true);
            break;
        }
    }
    return path;
}

void release_temp_directory(const std::filesystem::path& path) {
    for (int i = 0; i < kSlots; ++i) {
        if (g_used[i].load() && path.native() == g_paths[i]) g_used[i].store(false);
    }
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
}

}  // namespace mptcpanalyzer
