#include "epan_session_probe.hpp"

#include <dlfcn.h>
#include <epan/epan.h>
#include <epan/frame_data.h>
#include <ws_version.h>

#include <cstddef>
#include <cstdio>
#include <type_traits>

namespace mptcpanalyzer::plugin {

#if defined(MPTCPANALYZER_EPAN_EXPORTS_GET_FRAME_TS)
// This libwireshark exports epan_get_frame_ts() (epan-plugin/CMakeLists.txt links a probe
// program to find out): the supported way, no layout to know.

bool provider_knows_frame(const packet_info& pinfo, std::uint32_t number) {
    return pinfo.epan && epan_get_frame_ts(pinfo.epan, number) != nullptr;
}

#elif WIRESHARK_VERSION_MAJOR == 4 && WIRESHARK_VERSION_MINOR == 0
// Wireshark 4.0 declares epan_get_frame_ts() but does not export it. Its epan/epan.c defines the
// session as this pair (unchanged from 2.6 to 4.0), and epan_t reaches plugins only as
// pinfo->epan. Only this file reads it.
namespace {

struct EpanSessionLayout40 {
    struct packet_provider_data* prov;
    struct packet_provider_funcs funcs;
};

using GetFrameTs = const nstime_t* (*)(struct packet_provider_data*, guint32);

// The 4.0 header this layout was checked against: four provider functions, get_frame_ts the
// first, with this type. A header that differs stops the build here: compare epan/epan.c.
static_assert(std::is_same_v<decltype(packet_provider_funcs::get_frame_ts), GetFrameTs>,
              "packet_provider_funcs::get_frame_ts changed: re-check epan/epan.c (struct epan_session)");
static_assert(sizeof(packet_provider_funcs) == 4 * sizeof(GetFrameTs),
              "packet_provider_funcs changed: re-check epan/epan.c (struct epan_session)");
static_assert(std::is_standard_layout_v<EpanSessionLayout40> && offsetof(EpanSessionLayout40, funcs) == sizeof(void*),
              "the mirror of struct epan_session must be a pointer followed by the provider functions");

// Checked once per session (by address) before its provider is asked anything: a provider is
// set, get_frame_ts points into a loaded program or library, and what the provider says about
// the frame being dissected, if it knows it, is that frame's own timestamp. A session that
// fails is never read through again, and the tables are then filled at draw time.
bool session_is_plausible(const EpanSessionLayout40& session, const packet_info& pinfo) {
    if (!session.prov || !session.funcs.get_frame_ts) return false;
    Dl_info where{};
    if (dladdr(reinterpret_cast<const void*>(session.funcs.get_frame_ts), &where) == 0) return false;
    if (!pinfo.fd) return true;
    const nstime_t* own = session.funcs.get_frame_ts(session.prov, pinfo.num);
    return !own || nstime_cmp(own, &pinfo.fd->abs_ts) == 0;
}

}  // namespace

bool provider_knows_frame(const packet_info& pinfo, std::uint32_t number) {
    static const epan_t* checked = nullptr;
    static bool plausible = false;
    if (!pinfo.epan) return false;
    const auto* session = reinterpret_cast<const EpanSessionLayout40*>(pinfo.epan);
    if (pinfo.epan != checked) {
        checked = pinfo.epan;
        plausible = session_is_plausible(*session, pinfo);
        if (!plausible) {
            std::fprintf(stderr, "mptcpanalyzer plugin: the epan session does not look like Wireshark 4.0's "
                                 "(epan-plugin/epan_session_probe.cpp): tables are filled at draw time\n");
        }
    }
    return plausible && session->funcs.get_frame_ts(session->prov, number) != nullptr;
}

#else
#error "epan-plugin/epan_session_probe.cpp: this libwireshark neither exports epan_get_frame_ts() nor is 4.0; check struct epan_session in its epan/epan.c and add its layout there"
#endif

}  // namespace mptcpanalyzer::plugin
