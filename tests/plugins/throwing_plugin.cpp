// A plugin whose register function throws after adding a command: the host must refuse it and
// keep none of what it registered.
#include <mptcpanalyzer/plugin_api.hpp>

#include <stdexcept>

namespace {
int32_t run(mpa_invocation*, void*) { return MPA_OK; }
}  // namespace

extern "C" __attribute__((visibility("default"))) uint32_t mptcpanalyzer_plugin_api_version(void) {
    return MPA_PLUGIN_API_VERSION;
}

extern "C" __attribute__((visibility("default"))) int32_t mptcpanalyzer_plugin_register(const mpa_host_api* host,
                                                                                      mpa_registrar* registrar) {
    auto command = mptcpanalyzer::plugin::sized<mpa_command>();
    command.name = "throwing-command";
    command.help = "never added";
    command.run = run;
    host->add_command(registrar, &command);
    throw std::runtime_error("deliberate failure in register");
}
