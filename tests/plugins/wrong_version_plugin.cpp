// A plugin built for another major of the plugin API (the next one, or with
// -DCLAIMED_API_VERSION=1 the single-number API before 2.0): the host must refuse it after
// asking its version, without calling anything else (its register function aborts to prove it
// is never called).
#include <mptcpanalyzer/plugin_api.hpp>

#include <cstdlib>

#ifndef CLAIMED_API_VERSION
#define CLAIMED_API_VERSION MPA_PLUGIN_API_VERSION_OF(MPA_PLUGIN_API_MAJOR + 1u, 0u)
#endif

extern "C" __attribute__((visibility("default"))) uint32_t mptcpanalyzer_plugin_api_version(void) {
    return CLAIMED_API_VERSION;
}

extern "C" __attribute__((visibility("default"))) int32_t mptcpanalyzer_plugin_register(const mpa_host_api*,
                                                                                      mpa_registrar*) {
    std::abort();
}
