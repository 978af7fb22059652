#include "mptcpanalyzer/util/executable_path.hpp"

#include <unistd.h>

#include <climits>

namespace mptcpanalyzer {

std::string executable_path() {
    char path[PATH_MAX];
    const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
    return n > 0 ? std::string(path, static_cast<std::size_t>(n)) : std::string();
}

}  // namespace mptcpanalyzer
