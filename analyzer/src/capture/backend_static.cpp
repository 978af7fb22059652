// The backend linked in (capture_backend.hpp): the static library mptcpanalyzer_capture, which
// unit tests and the -dev package's users link. The program uses backend_module.cpp instead.

#include <unistd.h>

#include <climits>

#include "capture_backend.hpp"

namespace mptcpanalyzer::capture {

const Backend& backend() { return backend_table(); }

std::string backend_location() {
    char path[PATH_MAX];
    const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
    return n > 0 ? std::string(path, static_cast<std::size_t>(n)) : std::string();
}

}  // namespace mptcpanalyzer::capture
