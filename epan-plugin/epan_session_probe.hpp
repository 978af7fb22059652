#pragma once
// What the packet provider of the running epan session knows: the plugin's only way to tell the
// capture's last frame while it is dissected. Wireshark and `tshark -2` know every frame of the
// file; single-pass tshark knows none ahead of the current one.
//
// Neither libwireshark 4.0 nor 4.4 exports epan_get_frame_ts(): epan_session_probe.cpp reads the
// private epan_t layout instead, the one place that does, with the layout and the versions it
// holds for in analyzer/src/capture/wireshark_compat.hpp.

#include <epan/packet_info.h>

#include <cstdint>

namespace mptcpanalyzer::plugin {

// Whether the provider of the session dissecting `pinfo` knows frame `number`. False when it
// cannot be told (no session, no provider function, a session that fails the layout checks).
bool provider_knows_frame(const packet_info& pinfo, std::uint32_t number);

}  // namespace mptcpanalyzer::plugin
