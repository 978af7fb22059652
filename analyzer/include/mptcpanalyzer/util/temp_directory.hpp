#pragma once
// A new private folder under the system's temporary folder ($TMPDIR or /tmp), mode 0700.

#include <filesystem>
#include <string>

namespace mptcpanalyzer {

// `pattern` ends in XXXXXX (e.g. "mptcpanalyzer-plot-XXXXXX"). Throws Error(Environment) naming
// `purpose` ("a temporary folder for the plot") when it cannot be created.
std::filesystem::path make_temp_directory(const char* pattern, const std::string& purpose);

}  // namespace mptcpanalyzer
