// A plugin built against a minor newer than the host's: it reports version MAJOR.(MINOR + 1) and
// its structs carry a field the host does not know. The host must load it, read its structs and
// its options array with the plugin's larger sizes, ignore the unknown fields, fill its larger
// mpa_packet only as far as the host's own, and let the plugin see (MPA_HOST_HAS, struct_size)
// what this host offers. `--fail-with STATUS` returns that status, to check the exit codes.
#include <mptcpanalyzer/plugin_api.hpp>

#include <cstddef>
#include <string>

#include "capture_totals.hpp"

namespace {

constexpr uint32_t kNextMinorVersion = MPA_PLUGIN_API_VERSION_OF(MPA_PLUGIN_API_MAJOR, MPA_PLUGIN_API_MINOR + 1u);

// The structs as the next minor would declare them: today's, with a field appended.
struct NextOption {
    mpa_option current;
    int64_t added_in_next_minor;
};
struct NextCommand {
    mpa_command current;
    const char* added_in_next_minor;
};
struct NextPacket {
    mpa_packet current;
    uint64_t added_in_next_minor;
};
struct NextHostApi {
    mpa_host_api current;
    void (*added_in_next_minor)(mpa_invocation*);
};
constexpr uint64_t kUntouched = 0x5eed5eed5eed5eedULL;

const mpa_host_api* host = nullptr;

int32_t run_totals(mpa_invocation* inv, void*) {
    if (host->option_given(inv, "fail-with")) {
        host->fail(inv, "failing on purpose (--fail-with)");
        return static_cast<int32_t>(host->option_integer(inv, "fail-with", MPA_FAILED));
    }
    if (MPA_HOST_HAS(host, warn)) host->warn(inv, "built for a newer plugin API minor than this host's");
    const bool one = host->option_given(inv, "tcp-stream") != 0;
    const int64_t wanted = host->option_integer(inv, "tcp-stream", -1);
    const char* heading = host->option_string(inv, "heading");
    capture_totals::Totals totals;
    uint32_t filled = 0;
    uint64_t joins = 0;            // packets with an MP_JOIN option
    uint64_t subflow_seq_sum = 0;  // of the DSS mappings
    const size_t count = host->packet_count(inv);
    for (size_t i = 0; i < count; ++i) {
        NextPacket p{};
        p.current.struct_size = sizeof p;
        p.added_in_next_minor = kUntouched;
        if (host->packet(inv, i, &p.current) != 0) {
            host->fail(inv, "the host refused a larger mpa_packet");
            return MPA_FAILED;
        }
        if (p.added_in_next_minor != kUntouched || p.current.struct_size > sizeof p) {
            host->fail(inv, "the host wrote a field it does not know");
            return MPA_FAILED;
        }
        filled = p.current.struct_size;
        if (one && p.current.tcp_stream != wanted) continue;
        capture_totals::add_packet(totals, p.current);
        // Fields of 2.1, which the older-minor plugin cannot see.
        joins += (p.current.mptcp_subtypes >> 1) & 1u;
        subflow_seq_sum += p.current.subflow_seq;
    }
    if (one && totals.packets == 0) {
        host->fail(inv, ("no tcp.stream " + std::to_string(wanted) + " in this capture").c_str());
        return MPA_NO_DATA;
    }
    if (!capture_totals::add_connections(host, inv, totals)) {
        host->fail(inv, "the host refused a connection struct");
        return MPA_FAILED;
    }
    std::string text = capture_totals::format(heading ? heading : "", kNextMinorVersion, host->api_version, totals);
    text += "packets with MP_JOIN: " + std::to_string(joins) + "\n";
    text += "sum of mapping subflow_seq: " + std::to_string(subflow_seq_sum) + "\n";
    text += "mpa_packet: host filled " + std::to_string(filled) + " of " + std::to_string(sizeof(NextPacket)) +
            " bytes\n";
    const bool has_next_function =
        host->struct_size >= offsetof(NextHostApi, added_in_next_minor) + sizeof(NextHostApi::added_in_next_minor);
    text += std::string("next-minor host function: ") + (has_next_function ? "offered" : "not offered") + "\n";
    mptcpanalyzer::plugin::write(host, inv, text);
    return MPA_OK;
}

NextOption option(const char* name, const char* help, int32_t kind, const char* value_name) {
    NextOption o{};
    o.current.struct_size = sizeof o;
    o.current.name = name;
    o.current.help = help;
    o.current.kind = kind;
    o.current.value_name = value_name;
    o.added_in_next_minor = -1;
    return o;
}

const NextOption kOptions[] = {
    option("tcp-stream", "Only this tcp.stream", MPA_OPTION_INTEGER, "STREAM"),
    option("heading", "A first line to print", MPA_OPTION_STRING, "LINE"),
    option("fail-with", "Fail with this status", MPA_OPTION_INTEGER, "STATUS"),
};
const char* const kAliases[] = {"newer_minor_totals", nullptr};

}  // namespace

extern "C" __attribute__((visibility("default"))) uint32_t mptcpanalyzer_plugin_api_version(void) {
    return kNextMinorVersion;
}

extern "C" __attribute__((visibility("default"))) int32_t mptcpanalyzer_plugin_register(const mpa_host_api* h,
                                                                                      mpa_registrar* registrar) {
    host = h;
    NextCommand command{};
    command.current.struct_size = sizeof command;
    command.current.name = "newer-minor-totals";
    command.current.help = "Packet and connection totals (test plugin built against a newer API minor)";
    command.current.needs_capture = 1;
    command.current.options = &kOptions[0].current;
    command.current.option_count = sizeof kOptions / sizeof kOptions[0];
    command.current.run = run_totals;
    command.current.aliases = kAliases;
    command.added_in_next_minor = "ignored by this host";
    return h->add_command(registrar, &command.current);
}
