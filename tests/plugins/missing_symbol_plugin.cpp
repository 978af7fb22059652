// A shared library that says it speaks the current API but has no register entry point.
#include <mptcpanalyzer/plugin_api.hpp>

extern "C" __attribute__((visibility("default"))) uint32_t mptcpanalyzer_plugin_api_version(void) {
    return MPA_PLUGIN_API_VERSION;
}
