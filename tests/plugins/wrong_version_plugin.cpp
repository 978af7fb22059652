// A plugin built for a future plugin API: the host must refuse it after asking its version,
// without calling anything else (its register function aborts to prove it is never called).
#include <mptcpanalyzer/plugin_api.hpp>

#include <cstdlib>

extern "C" __attribute__((visibility("default"))) uint32_t mptcpanalyzer_plugin_api_version(void) {
    return MPA_PLUGIN_API_VERSION + 41;
}

extern "C" __attribute__((visibility("default"))) int32_t mptcpanalyzer_plugin_register(const mpa_host_api*,
                                                                                      mpa_registrar*) {
    std::abort();
}
