// Fuzz target: the configuration reader (config/config.cpp, parse_config_text: GKeyFile, then
// our line finder and every key's parser). Errors are expected (Error: exit code 8); anything
// else escaping, or a sanitizer report, is a finding. Seeds: the configuration examples of
// docs/config.md and tests (tools/fuzz/make_seeds.py).

#include <cstdint>
#include <string>
#include <vector>

#include "mptcpanalyzer/config/config.hpp"
#include "mptcpanalyzer/util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace mptcpanalyzer;
    const std::string text(reinterpret_cast<const char*>(data), size);
    std::vector<std::string> warnings;
    try {
        (void)parse_config_text("fuzz.ini", text, warnings);
    } catch (const Error& e) {
        if (e.code() != ExitCode::Config) __builtin_trap();
    }
    return 0;
}
