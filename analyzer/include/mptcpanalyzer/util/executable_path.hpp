#pragma once
// The running program's own file, for finding what is installed beside it.

#include <string>

namespace mptcpanalyzer {

// The real path of the running executable (/proc/self/exe), "" when it cannot be read.
std::string executable_path();

}  // namespace mptcpanalyzer
