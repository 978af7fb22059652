// A plugin built against minor 0 of the current major (MPA_PLUGIN_API_TARGET_MINOR 0): its
// structs are the smaller ones of 2.0 and it reports version 2.0. The host must load it, read only
// what its struct sizes cover (its options array has the 2.0 stride) and never write past the
// end of its 2.0-sized mpa_packet: a canary right after it proves that.
#define MPA_PLUGIN_API_TARGET_MINOR 0
#include <mptcpanalyzer/plugin_api.hpp>

#include <string>

#include "capture_totals.hpp"

namespace {

const mpa_host_api* host = nullptr;

// A 2.0 packet and what follows it in the plugin's memory.
struct PacketSlot {
    mpa_packet packet;
    uint64_t canary;
};
constexpr uint64_t kCanary = 0x0ddba11cafef00dULL;
static_assert(sizeof(PacketSlot) == sizeof(mpa_packet) + sizeof(uint64_t), "the canary follows the packet");

int32_t run_totals(mpa_invocation* inv, void*) {
    const bool one = host->option_given(inv, "tcp-stream") != 0;
    const int64_t wanted = host->option_integer(inv, "tcp-stream", -1);
    const char* heading = host->option_string(inv, "heading");
    capture_totals::Totals totals;
    const size_t count = host->packet_count(inv);
    for (size_t i = 0; i < count; ++i) {
        PacketSlot slot{};
        slot.packet.struct_size = sizeof(mpa_packet);
        slot.canary = kCanary;
        if (host->packet(inv, i, &slot.packet) != 0) {
            host->fail(inv, "the host refused a 2.0 mpa_packet");
            return MPA_FAILED;
        }
        if (slot.canary != kCanary || slot.packet.struct_size != sizeof(mpa_packet)) {
            host->fail(inv, "the host wrote past the end of a 2.0 mpa_packet");
            return MPA_FAILED;
        }
        if (!one || slot.packet.tcp_stream == wanted) capture_totals::add_packet(totals, slot.packet);
    }
    if (one && totals.packets == 0) {
        host->fail(inv, ("no tcp.stream " + std::to_string(wanted) + " in this capture").c_str());
        return MPA_USAGE_ERROR;
    }
    if (!capture_totals::add_connections(host, inv, totals)) {
        host->fail(inv, "the host refused a connection struct");
        return MPA_FAILED;
    }
    const std::string text =
        capture_totals::format(heading ? heading : "", MPA_PLUGIN_API_VERSION, host->api_version, totals);
    mptcpanalyzer::plugin::write(host, inv, text);
    return MPA_OK;
}

mpa_option option(const char* name, const char* help, int32_t kind) {
    mpa_option o{};
    o.struct_size = sizeof o;
    o.name = name;
    o.help = help;
    o.kind = kind;
    return o;
}

const mpa_option kOptions[] = {
    option("tcp-stream", "Only this tcp.stream", MPA_OPTION_INTEGER),
    option("heading", "A first line to print", MPA_OPTION_STRING),
};

}  // namespace

extern "C" __attribute__((visibility("default"))) uint32_t mptcpanalyzer_plugin_api_version(void) {
    static_assert(MPA_PLUGIN_API_VERSION == MPA_PLUGIN_API_VERSION_OF(MPA_PLUGIN_API_MAJOR, 0u), "built for x.0");
    return MPA_PLUGIN_API_VERSION;
}

extern "C" __attribute__((visibility("default"))) int32_t mptcpanalyzer_plugin_register(const mpa_host_api* h,
                                                                                      mpa_registrar* registrar) {
    if (h->struct_size < sizeof(mpa_host_api)) return 1;  // every 2.x host has the 2.0 functions
    host = h;
    mpa_command command{};
    command.struct_size = sizeof command;
    command.name = "older-minor-totals";
    command.help = "Packet and connection totals (test plugin built against API 2.0)";
    command.needs_capture = 1;
    command.options = kOptions;
    command.option_count = sizeof kOptions / sizeof kOptions[0];
    command.run = run_totals;
    return h->add_command(registrar, &command);
}
