#include "mptcpanalyzer/util/out_of_memory.hpp"

#include <glib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "mptcpanalyzer/util/error.hpp"
#include "mptcpanalyzer/util/log.hpp"
#include "mptcpanalyzer/util/temp_directory.hpp"

namespace mptcpanalyzer {
namespace {

// Fixed buffers (exit_out_of_memory_now reads them when nothing can be allocated). A longer
// name is cut; the line still says what happened.
constexpr std::size_t kBytes = 4096;
char g_prefix[kBytes];
char g_file[kBytes];

void copy_into(char (&buffer)[kBytes], std::string_view text) {
    const std::size_t n = text.size() < kBytes - 1 ? text.size() : kBytes - 1;
    std::memcpy(buffer, text.data(), n);
    buffer[n] = '\0';
}

void say(const char* text) noexcept {
    for (std::size_t left = std::strlen(text); left > 0;) {
        const ssize_t n = ::write(STDERR_FILENO, text, left);
        if (n <= 0) return;
        text += n;
        left -= static_cast<std::size_t>(n);
    }
}

bool g_handler_installed = false;

// Must not allocate: memory is what ran out. Any other fatal error aborts here, as documented
// (GLib itself would end with SIGTRAP after the handler returns).
extern "C" void on_glib_fatal(const gchar* domain, GLogLevelFlags, const gchar* message, gpointer) {
    if (message != nullptr && is_glib_out_of_memory(message)) exit_out_of_memory_now();
    say("mptcpanalyzer: error: internal error: ");
    say(domain != nullptr ? domain : "GLib");
    say(": ");
    say(message != nullptr ? message : "");
    say("\n");
    remove_temp_directories_now();
    std::abort();
}

}  // namespace

void install_glib_out_of_memory_handler() {
    g_handler_installed = true;
    install_temp_directory_signal_handlers();
    // GLib asks a domain's handlers newest first: this one goes in front of any set before.
    for (const char* domain : {"GLib", static_cast<const char*>(nullptr)}) {
        g_log_set_handler(domain, static_cast<GLogLevelFlags>(G_LOG_LEVEL_ERROR | G_LOG_FLAG_FATAL), on_glib_fatal,
                          nullptr);
    }
}

void reinstall_glib_out_of_memory_handler_if_installed() {
    if (g_handler_installed) install_glib_out_of_memory_handler();
}

bool memory_exhausted_now() noexcept {
    if (!g_handler_installed) return false;
    constexpr std::size_t kProbeBytes = 2 * 1024 * 1024;
    const int saved = errno;
    // Private and writable: counted against RLIMIT_DATA as well as RLIMIT_AS, as malloc's are.
    void* probe = ::mmap(nullptr, kProbeBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    const bool exhausted = probe == MAP_FAILED && errno == ENOMEM;
    if (probe != MAP_FAILED) ::munmap(probe, kProbeBytes);
    errno = saved;
    return exhausted;
}

OutOfMemoryFileScope::OutOfMemoryFileScope(std::string_view path) : previous_(g_file) {
    copy_into(g_file, log::printable(path));
}

OutOfMemoryFileScope::~OutOfMemoryFileScope() { copy_into(g_file, previous_); }

void set_out_of_memory_prefix(std::string_view prefix) { copy_into(g_prefix, log::printable(prefix)); }

bool is_glib_out_of_memory(std::string_view message) noexcept {
    return message.find("failed to allocate") != std::string_view::npos ||
           message.find("Error creating thread") != std::string_view::npos;
}

void exit_out_of_memory_now() noexcept {
    say("mptcpanalyzer: error: ");
    say(g_prefix);
    if (g_file[0] != '\0') {
        say(g_file);
        say(": ");
    }
    say(kOutOfMemoryMessage);
    say("\n");
    remove_temp_directories_now();
    ::_exit(static_cast<int>(ExitCode::OutOfMemory));
}

}  // namespace mptcpanalyzer
