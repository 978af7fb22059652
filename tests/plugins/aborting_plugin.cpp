// A plugin whose register function aborts the process (a plugin bug the host cannot catch):
// `-v` must name it before it is loaded, and --no-plugins / MPTCPANALYZER_NO_PLUGINS get past it.
#include <mptcpanalyzer/plugin_api.hpp>

#include <cstdlib>

extern "C" __attribute__((visibility("default"))) uint32_t mptcpanalyzer_plugin_api_version(void) {
    return MPA_PLUGIN_API_VERSION;
}

extern "C" __attribute__((visibility("default"))) int32_t mptcpanalyzer_plugin_register(const mpa_host_api*,
                                                                                      mpa_registrar*) {
    std::abort();
}
