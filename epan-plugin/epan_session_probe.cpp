#include "epan_session_probe.hpp"

#include <dlfcn.h>
#include <epan/epan.h>
#include <epan/frame_data.h>
#include <glib.h>
#include <wiretap/wtap.h>

#include <cstdio>

#include "wireshark_compat.hpp"

namespace mptcpanalyzer::plugin {

#if defined(MPTCPANALYZER_EPAN_EXPORTS_GET_FRAME_TS)
// This libwireshark exports epan_get_frame_ts() (epan-plugin/CMakeLists.txt links a probe
// program to find out): the supported way, no layout to know.

bool provider_knows_frame(const packet_info& pinfo, std::uint32_t number) {
    return pinfo.epan && epan_get_frame_ts(pinfo.epan, number) != nullptr;
}

#else
// No supported version exports epan_get_frame_ts(): read the packet provider through the
// session's private layout, which wireshark_compat.hpp vouches for in the versions it accepts
// (and stops the build for any other). Only this file reads it.
namespace {

using capture::wireshark::EpanSessionLayout;

// Checked once per session (by address) before its provider is asked anything: a provider is
// set, get_frame_ts points into a loaded program or library, the provider's interface-name
// function read through the layout answers what the exported epan_get_interface_name() answers
// (it reads the same session: a wrong offset would show here), and what the provider says about
// the frame being dissected, if it knows it, is that frame's own timestamp. A session that fails
// is never read through again, and the tables are then filled at draw time.
bool session_is_plausible(const EpanSessionLayout& session, const packet_info& pinfo) {
    if (!session.prov || !session.funcs.get_frame_ts) return false;
    Dl_info where{};
    if (dladdr(reinterpret_cast<const void*>(session.funcs.get_frame_ts), &where) == 0) return false;
    // Only for a record with an interface, as Wireshark's frame dissector asks for every one.
    if (pinfo.rec && (pinfo.rec->presence_flags & WTAP_HAS_INTERFACE_ID) && session.funcs.get_interface_name) {
        const std::uint32_t id = pinfo.rec->rec_header.packet_header.interface_id;
        const unsigned section = pinfo.rec->section_number;
        const char* exported = capture::wireshark::session_interface_name(pinfo.epan, id, section);
        const char* read = capture::wireshark::provider_interface_name(session, id, section);
        if (g_strcmp0(exported, read) != 0) return false;
    }
    if (!pinfo.fd) return true;
    const nstime_t* own = session.funcs.get_frame_ts(session.prov, pinfo.num);
    return !own || nstime_cmp(own, &pinfo.fd->abs_ts) == 0;
}

}  // namespace

bool provider_knows_frame(const packet_info& pinfo, std::uint32_t number) {
    static const epan_t* checked = nullptr;
    static bool plausible = false;
    if (!pinfo.epan) return false;
    const auto* session = reinterpret_cast<const EpanSessionLayout*>(pinfo.epan);
    if (pinfo.epan != checked) {
        checked = pinfo.epan;
        plausible = session_is_plausible(*session, pinfo);
        if (!plausible) {
            std::fprintf(stderr, "mptcpanalyzer plugin: the epan session does not look like Wireshark %d.%d's "
                                 "(epan-plugin/epan_session_probe.cpp): tables are filled at draw time\n",
                         capture::wireshark::kMajor, capture::wireshark::kMinor);
        }
    }
    return plausible && session->funcs.get_frame_ts(session->prov, number) != nullptr;
}

#endif

}  // namespace mptcpanalyzer::plugin
