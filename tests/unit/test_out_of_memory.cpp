// Exit code 9 from inside GLib: the fatal path of util/out_of_memory (a handler of GLib's fatal
// errors that can allocate nothing), run in a child process since it ends it.

#include <fcntl.h>
#include <glib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>

#include "mptcpanalyzer/util/error.hpp"
#include "mptcpanalyzer/util/out_of_memory.hpp"
#include "mptcpanalyzer/util/temp_directory.hpp"

namespace fs = std::filesystem;
using namespace mptcpanalyzer;

namespace {

struct ChildResult {
    int status = 0;
    std::string stderr_text;
    bool temp_folder_left = false;
};

// Runs `body` in a child whose temporaries go to a private TMPDIR and whose standard error is
// captured; `body` makes one temporary folder first, as a cold run does.
ChildResult run_in_child(const std::function<void()>& body) {
    gchar* made = g_dir_make_tmp("mptcp-oom-test-XXXXXX", nullptr);
    REQUIRE(made != nullptr);
    const fs::path work = made;
    g_free(made);
    const fs::path err_path = work / "stderr.txt";
    const fs::path tmp = work / "tmp";
    fs::create_directory(tmp);
    std::fflush(nullptr);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(err, STDERR_FILENO);
        // Catch's handler of SIGABRT would report a failure of the parent's test from the child.
        std::signal(SIGABRT, SIG_DFL);
        g_setenv("TMPDIR", tmp.c_str(), TRUE);
        (void)make_temp_directory("mptcpanalyzer-wsconf-XXXXXX", "a test folder");
        body();
        ::_exit(100);  // never reached: the fatal path ends the process
    }
    ChildResult result;
    REQUIRE(::waitpid(child, &result.status, 0) == child);
    std::ifstream in(err_path);
    result.stderr_text.assign(std::istreambuf_iterator<char>(in), {});
    result.temp_folder_left = !fs::is_empty(tmp);
    fs::remove_all(work);
    return result;
}

}  // namespace

TEST_CASE("GLib's failed allocation exits 9 with one line naming the file being read, its temporaries removed",
          "[out_of_memory]") {
    const ChildResult r = run_in_child([] {
        install_glib_out_of_memory_handler();
        set_out_of_memory_prefix("cmds.txt:3: ");
        const OutOfMemoryFileScope outer("big\x1b.pcapng");
        { const OutOfMemoryFileScope inner("peer.pcapng"); }  // ended: the outer one is named again
        // What GLib's g_malloc does when malloc returns NULL (gmem.c, GLib 2.74).
        g_log("GLib", G_LOG_LEVEL_ERROR, "%s: failed to allocate %" G_GSIZE_FORMAT " bytes", "../glib/gmem.c:136",
              static_cast<gsize>(8388608));
    });
    INFO("stderr: " << r.stderr_text);
    REQUIRE(WIFEXITED(r.status));
    CHECK(WEXITSTATUS(r.status) == static_cast<int>(ExitCode::OutOfMemory));
    CHECK(r.stderr_text == std::string("mptcpanalyzer: error: cmds.txt:3: big\\x1b.pcapng: ") + kOutOfMemoryMessage + "\n");
    CHECK_FALSE(r.temp_folder_left);
}

TEST_CASE("a thread GLib cannot start is out of memory too; with no file being read the line names none",
          "[out_of_memory]") {
    const ChildResult r = run_in_child([] {
        install_glib_out_of_memory_handler();
        // GLib's g_thread_new when pthread_create fails (a stack that does not fit under ulimit -v).
        g_log(nullptr, G_LOG_LEVEL_ERROR, "creating thread '%s': Error creating thread: %s",
              "register_all_protocols_worker", "Resource temporarily unavailable");
    });
    INFO("stderr: " << r.stderr_text);
    REQUIRE(WIFEXITED(r.status));
    CHECK(WEXITSTATUS(r.status) == static_cast<int>(ExitCode::OutOfMemory));
    CHECK(r.stderr_text == std::string("mptcpanalyzer: error: ") + kOutOfMemoryMessage + "\n");
    CHECK_FALSE(r.temp_folder_left);
}

TEST_CASE("another fatal GLib error is an internal error that aborts, its temporaries removed", "[out_of_memory]") {
    const ChildResult r = run_in_child([] {
        install_glib_out_of_memory_handler();
        const OutOfMemoryFileScope reading("big.pcapng");
        g_log("GLib", G_LOG_LEVEL_ERROR, "%s", "something else broke");
    });
    INFO("stderr: " << r.stderr_text);
    REQUIRE(WIFSIGNALED(r.status));
    CHECK(WTERMSIG(r.status) == SIGABRT);
    CHECK(r.stderr_text == "mptcpanalyzer: error: internal error: GLib: something else broke\n");
    CHECK_FALSE(r.temp_folder_left);
}

namespace {

// What GLib 2.74 prints before it aborts by itself when its slice allocator cannot get memory
// (gslice.c, mem_error), written as it does: straight to standard error, between empty lines.
constexpr const char* kGSliceReport =
    "\n***MEMORY-ERROR***: unit_tests[4242]: GSlice: failed to allocate 8128 bytes (alignment: 8192): "
    "Cannot allocate memory\n\n";

// Leaves the process no room to map 2 MiB more, as under `ulimit -v` once memory has run out:
// RLIMIT_DATA (which every private writable mapping counts against, malloc's included) 1.5 MiB
// above what the process uses now. RLIMIT_DATA rather than RLIMIT_AS so that it also holds under
// AddressSanitizer, whose shadow memory exceeds any address-space limit; not lower, because
// AddressSanitizer clears the stack's shadow on abort() by mapping over it, which a limit below
// current use would refuse too.
void exhaust_memory() {
    std::ifstream status("/proc/self/status");
    std::string line;
    rlim_t data_kb = 0;
    while (std::getline(status, line)) {
        if (line.rfind("VmData:", 0) == 0) data_kb = std::stoull(line.substr(7));
    }
    rlimit limit{};
    ::getrlimit(RLIMIT_DATA, &limit);
    limit.rlim_cur = (data_kb + 1536) * 1024;
    if (data_kb == 0 || ::setrlimit(RLIMIT_DATA, &limit) != 0) ::_exit(102);
}

void glib_aborts_by_itself() {
    if (::write(STDERR_FILENO, kGSliceReport, std::strlen(kGSliceReport)) < 0) ::_exit(101);
    std::abort();
}

}  // namespace

TEST_CASE("GLib aborting by itself once memory has run out exits 9 after GLib's report, its temporaries removed",
          "[out_of_memory]") {
    const ChildResult r = run_in_child([] {
        install_glib_out_of_memory_handler();
        const OutOfMemoryFileScope reading("big.pcapng");
        exhaust_memory();
        glib_aborts_by_itself();
    });
    INFO("stderr: " << r.stderr_text);
    REQUIRE(WIFEXITED(r.status));
    CHECK(WEXITSTATUS(r.status) == static_cast<int>(ExitCode::OutOfMemory));
    CHECK(r.stderr_text == std::string(kGSliceReport) + "mptcpanalyzer: error: big.pcapng: " + kOutOfMemoryMessage + "\n");
    CHECK_FALSE(r.temp_folder_left);
}

TEST_CASE("an abort with memory to spare stays an abort (SIGABRT), its temporaries removed", "[out_of_memory]") {
    const ChildResult r = run_in_child([] {
        install_glib_out_of_memory_handler();
        const OutOfMemoryFileScope reading("big.pcapng");
        glib_aborts_by_itself();
    });
    INFO("stderr: " << r.stderr_text);
    REQUIRE(WIFSIGNALED(r.status));
    CHECK(WTERMSIG(r.status) == SIGABRT);
    CHECK(r.stderr_text == kGSliceReport);
    CHECK_FALSE(r.temp_folder_left);
}

TEST_CASE("without the program's handler (a library in someone else's process) an abort stays an abort even out of memory",
          "[out_of_memory]") {
    const ChildResult r = run_in_child([] {
        const OutOfMemoryFileScope reading("big.pcapng");
        exhaust_memory();
        glib_aborts_by_itself();
    });
    INFO("stderr: " << r.stderr_text);
    REQUIRE(WIFSIGNALED(r.status));
    CHECK(WTERMSIG(r.status) == SIGABRT);
    CHECK(r.stderr_text == kGSliceReport);
    CHECK_FALSE(r.temp_folder_left);
}
