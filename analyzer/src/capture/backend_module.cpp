// The backend as a module (capture_backend.hpp): the program loads mptcpanalyzer-capture.so, and
// with it libwireshark, libwiretap and libwsutil, the first time a capture must be dissected.
// Where it looks, in order (the first file that exists is the one loaded):
//   1. MPTCPANALYZER_CAPTURE_MODULE, when set: that file only (tests, a developer's own build);
//   2. next to the executable: the build tree;
//   3. the installed place, ${CMAKE_INSTALL_LIBDIR}/mptcpanalyzer/, found from the executable's
//      folder (so an installed tree that was moved, or a DESTDIR staging, still works) and then
//      as the absolute path configured at build time.
// A module that is missing, cannot be loaded (dlerror) or belongs to another build is
// Error(Environment), exit 7 (docs/exit-codes.md), with the module's name and the reason.

#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "capture_backend.hpp"
#include "mptcpanalyzer/util/error.hpp"
#include "mptcpanalyzer/util/executable_path.hpp"
#include "mptcpanalyzer/util/log.hpp"
#include "mptcpanalyzer/version.hpp"

#ifndef MPTCP_CAPTURE_MODULE_NAME
#error "MPTCP_CAPTURE_MODULE_NAME, MPTCP_CAPTURE_MODULE_RELATIVE_DIR and MPTCP_CAPTURE_MODULE_DIR come from analyzer/CMakeLists.txt"
#endif

namespace mptcpanalyzer::capture {
namespace {

std::string executable_folder() {
    const std::string exe = executable_path();
    return exe.empty() ? exe : exe.substr(0, exe.find_last_of('/'));
}

std::vector<std::string> candidates() {
    if (const char* chosen = std::getenv("MPTCPANALYZER_CAPTURE_MODULE"); chosen && *chosen) return {chosen};
    std::vector<std::string> list;
    if (const std::string here = executable_folder(); !here.empty()) {
        list.push_back(here + "/" MPTCP_CAPTURE_MODULE_NAME);
        list.push_back(here + "/" MPTCP_CAPTURE_MODULE_RELATIVE_DIR "/" MPTCP_CAPTURE_MODULE_NAME);
    }
    list.emplace_back(MPTCP_CAPTURE_MODULE_DIR "/" MPTCP_CAPTURE_MODULE_NAME);
    return list;
}

// The first of `candidates` that exists (its real path: "bin/../lib/..." resolved), "" when none
// does.
std::string find_module(const std::vector<std::string>& candidates) {
    for (const auto& path : candidates) {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) continue;
        char* real = ::realpath(path.c_str(), nullptr);
        std::string found = real ? real : path;
        std::free(real);
        return found;
    }
    return {};
}

const Backend& load_module() {
    const std::vector<std::string> looked_at = candidates();
    const std::string path = find_module(looked_at);
    if (path.empty()) {
        std::string looked;
        for (const auto& c : looked_at) looked += (looked.empty() ? "" : ", ") + c;
        throw Error(ExitCode::Environment, "the capture module " MPTCP_CAPTURE_MODULE_NAME
                                           " (libwireshark's part of mptcpanalyzer, needed to dissect a capture) "
                                           "is missing: looked for " + looked);
    }
    // RTLD_NOW: an unresolved symbol is this message now, not a crash in the middle of a read.
    // RTLD_LOCAL: libwireshark's symbols stay out of the program's global scope.
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char* why = ::dlerror();
        throw Error(ExitCode::Environment, "cannot load the capture module " + path + ": " + (why ? why : "unknown error"));
    }
    using Entry = const Backend* (*)();
    auto entry = reinterpret_cast<Entry>(::dlsym(handle, "mptcpanalyzer_capture_backend"));
    const Backend* table = entry ? entry() : nullptr;
    if (!table || !backend_compatible(*table, kVersion)) {
        // Not ours, or another build's: its types may not be ours. Left loaded (a dlclose could
        // run its destructors against our objects).
        throw Error(ExitCode::Environment, "cannot load the capture module " + path +
                                               ": not the capture module of mptcpanalyzer " + kVersion +
                                               " (another build, or another file)");
    }
    log::debug("capture module: {}", path);
    return *table;
}

}  // namespace

const Backend& backend() {
    // Loaded once; a failure is thrown again at the next attempt (the shell goes on after it).
    static const Backend* loaded = nullptr;
    if (!loaded) loaded = &load_module();
    return *loaded;
}

std::string backend_location() { return find_module(candidates()); }

}  // namespace mptcpanalyzer::capture
