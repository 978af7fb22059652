#pragma once
// The libwireshark versions this project builds against, and every API difference between them
// that our code meets, in one place: the seam (analyzer/src/capture/, epan-plugin/) uses the
// names below and never tests Wireshark's version macros itself.
//
// Supported: 4.0 (Debian 12) and 4.4 (Debian 13), each built and tested in CI
// (tools/dev/test.sh, tools/dev/test-trixie.sh). Any other version stops the build here rather
// than compile against signatures or read a private layout nobody checked. To add one: build
// against it, fix what the static_asserts below and the compiler report, check struct
// epan_session in its epan/epan.c (EpanSessionLayout), and run the whole test suite with it.
//
// Included only by code that links libwireshark.

#include <epan/epan.h>
#include <wiretap/wtap.h>
#include <ws_version.h>
#include <wsutil/report_message.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>

// One block per supported version. Besides naming the version, each says which optional
// interfaces it has, for the code that must define a symbol or not (no other #if on versions):
//   MPTCPANALYZER_WIRESHARK_PLUGIN_DESCRIBE: the plugin loader asks for plugin_describe(),
//   the kinds of things a plugin registers (WS_PLUGIN_DESC_* of wsutil/plugins.h, a header 4.0's
//   libwireshark-dev lacks).
#if WIRESHARK_VERSION_MAJOR == 4 && WIRESHARK_VERSION_MINOR == 0
#define MPTCPANALYZER_WIRESHARK_4_0 1
#elif WIRESHARK_VERSION_MAJOR == 4 && WIRESHARK_VERSION_MINOR == 4
#define MPTCPANALYZER_WIRESHARK_4_4 1
#define MPTCPANALYZER_WIRESHARK_PLUGIN_DESCRIBE 1
#else
#error "mptcpanalyzer builds against libwireshark 4.0 or 4.4; this one is another version (ws_version.h): see analyzer/src/capture/wireshark_compat.hpp"
#endif

#if defined(MPTCPANALYZER_WIRESHARK_PLUGIN_DESCRIBE)
#include <wsutil/plugins.h>  // WS_PLUGIN_DESC_*
#endif

namespace mptcpanalyzer::capture::wireshark {

// The version built against, as "MAJOR.MINOR": the folder Wireshark loads our plugin from
// (plugins/MAJOR.MINOR/epan) and the only version whose Wireshark loads it.
inline constexpr int kMajor = WIRESHARK_VERSION_MAJOR;
inline constexpr int kMinor = WIRESHARK_VERSION_MINOR;

// --- report_message_routines (wsutil/report_message.h) ---------------------------------------
// 4.4 moved from GLib's types to standard ones: report_open_failure's "for writing" flag is a
// bool, report_cfile_write_failure's frame number 64 bits wide.
#if defined(MPTCPANALYZER_WIRESHARK_4_0)
using ForWriting = gboolean;
using WrittenFrame = guint32;
#else
using ForWriting = bool;
using WrittenFrame = std::uint64_t;
#endif
static_assert(std::is_same_v<decltype(report_message_routines::report_open_failure), void (*)(const char*, int, ForWriting)>,
              "report_open_failure's signature differs from this version's entry in wireshark_compat.hpp");
static_assert(std::is_same_v<decltype(report_message_routines::report_cfile_write_failure),
                             void (*)(const char*, const char*, int, char*, WrittenFrame, int)>,
              "report_cfile_write_failure's signature differs from this version's entry in wireshark_compat.hpp");

// --- preferences ----------------------------------------------------------------------------
// The preferences that keep GeoIP (MaxMind) lookups out of dissection: one per IP version in 4.0
// (ip.use_geoip, ipv6.use_geoip), one name-resolution switch in 4.4, which has no per-protocol
// ones (prefs_set_pref refuses them).
#if defined(MPTCPANALYZER_WIRESHARK_4_0)
inline constexpr const char* kNoGeoipPreferences[] = {"ip.use_geoip:FALSE", "ipv6.use_geoip:FALSE"};
#else
inline constexpr const char* kNoGeoipPreferences[] = {"nameres.maxmind_geoip:FALSE"};
#endif

// --- packet provider: interface names and descriptions (epan/epan.h) -------------------------
// 4.4 numbers a pcapng file's interfaces per section and passes the section with the interface
// id; 4.0 numbers them across the file and passes the id alone. Our lookups take both;
// interface_callback<lookup> is the function of this version's signature that calls one (section
// 0 for 4.0).
using InterfaceLookup = const char* (*)(packet_provider_data* prov, std::uint32_t interface_id, unsigned section);

#if defined(MPTCPANALYZER_WIRESHARK_4_0)
template <InterfaceLookup lookup>
const char* interface_callback(packet_provider_data* prov, guint32 interface_id) {
    return lookup(prov, interface_id, 0);
}
#else
template <InterfaceLookup lookup>
const char* interface_callback(packet_provider_data* prov, std::uint32_t interface_id, unsigned section) {
    return lookup(prov, interface_id, section);
}
#endif
static_assert(std::is_same_v<decltype(&interface_callback<InterfaceLookup{}>), decltype(packet_provider_funcs::get_interface_name)> &&
                  std::is_same_v<decltype(&interface_callback<InterfaceLookup{}>),
                                 decltype(packet_provider_funcs::get_interface_description)>,
              "the packet provider's interface callbacks differ from this version's entry in wireshark_compat.hpp");

// The index, in wtap_file_get_idb_info()'s interface list, of interface `interface_id` of
// pcapng section `section`.
inline unsigned file_interface_index(wtap* wth, unsigned section, std::uint32_t interface_id) {
#if defined(MPTCPANALYZER_WIRESHARK_4_0)
    static_cast<void>(wth);
    static_cast<void>(section);
    return interface_id;
#else
    return wtap_file_get_shb_global_interface_id(wth, section, interface_id);
#endif
}

// --- the epan session's private layout (epan-plugin/epan_session_probe.cpp only) -------------
// epan_t is opaque, and no supported version exports epan_get_frame_ts() (4.0 and 4.4 declare it
// without WS_DLL_PUBLIC), the only way to ask a session's packet provider about a frame. Every
// supported version's epan/epan.c defines the session as these two fields (unchanged since 2.6;
// re-read for 4.0.17 and 4.4.19); epan_new() copies the provider pointer and functions into them.
struct EpanSessionLayout {
    packet_provider_data* prov;
    packet_provider_funcs funcs;
};
using GetFrameTs = const nstime_t* (*)(packet_provider_data* prov, std::uint32_t frame_num);
static_assert(std::is_same_v<decltype(packet_provider_funcs::get_frame_ts), GetFrameTs>,
              "packet_provider_funcs::get_frame_ts changed: re-check struct epan_session in epan/epan.c");
static_assert(sizeof(packet_provider_funcs) == 4 * sizeof(GetFrameTs),
              "packet_provider_funcs changed: re-check struct epan_session in epan/epan.c");
static_assert(std::is_standard_layout_v<EpanSessionLayout> && offsetof(EpanSessionLayout, funcs) == sizeof(void*),
              "the mirror of struct epan_session must be a pointer followed by the provider functions");

// The same question asked both ways, to check the layout against the exported accessor (which
// reads the real struct): the name of interface `interface_id` of pcapng section `section`.
inline const char* session_interface_name(const epan_t* session, std::uint32_t interface_id, unsigned section) {
#if defined(MPTCPANALYZER_WIRESHARK_4_0)
    static_cast<void>(section);
    return epan_get_interface_name(session, interface_id);
#else
    return epan_get_interface_name(session, interface_id, section);
#endif
}
inline const char* provider_interface_name(const EpanSessionLayout& session, std::uint32_t interface_id,
                                           unsigned section) {
#if defined(MPTCPANALYZER_WIRESHARK_4_0)
    static_cast<void>(section);
    return session.funcs.get_interface_name(session.prov, interface_id);
#else
    return session.funcs.get_interface_name(session.prov, interface_id, section);
#endif
}

}  // namespace mptcpanalyzer::capture::wireshark
