#pragma once
// What the version test plugins (older_minor_plugin, newer_minor_plugin) compute from the capture
// view, so that their outputs can be compared with the program's own and with each other
// (tests/integration/test_plugins_versions.py). Included after plugin_api.hpp, built with
// whichever MPA_PLUGIN_API_TARGET_MINOR the including plugin targets.

#include <cstdint>
#include <string>

namespace capture_totals {

struct Totals {
    uint64_t packets = 0;
    uint64_t payload_bytes = 0;
    uint64_t mappings = 0;  // packets with a DSS mapping
    uint64_t tcp_connections = 0;
    uint64_t mptcp_connections = 0;
    uint64_t subflows = 0;
};

inline std::string version_text(uint32_t version) {
    return std::to_string(MPA_PLUGIN_API_VERSION_MAJOR(version)) + "." +
           std::to_string(MPA_PLUGIN_API_VERSION_MINOR(version));
}

inline void add_packet(Totals& t, const mpa_packet& p) {
    ++t.packets;
    t.payload_bytes += p.payload_length;
    t.mappings += p.has_mapping ? 1 : 0;
}

// The connections of the capture view; returns false when the host refused a struct.
inline bool add_connections(const mpa_host_api* host, mpa_invocation* inv, Totals& t) {
    t.tcp_connections = host->tcp_connection_count(inv);
    for (size_t i = 0; i < t.tcp_connections; ++i) {
        mpa_tcp_connection c{};
        c.struct_size = sizeof c;
        if (host->tcp_connection(inv, i, &c) != 0 || c.struct_size != sizeof c) return false;
    }
    t.mptcp_connections = host->mptcp_connection_count(inv);
    for (size_t i = 0; i < t.mptcp_connections; ++i) {
        mpa_mptcp_connection c{};
        c.struct_size = sizeof c;
        if (host->mptcp_connection(inv, i, &c) != 0 || c.struct_size != sizeof c) return false;
        t.subflows += c.subflow_count;
    }
    return true;
}

inline std::string format(const std::string& heading, uint32_t plugin_version, uint32_t host_version,
                          const Totals& t) {
    std::string out;
    if (!heading.empty()) out += heading + "\n";
    out += "plugin API " + version_text(plugin_version) + ", host API " + version_text(host_version) + "\n";
    out += "packets: " + std::to_string(t.packets) + "\n";
    out += "payload bytes: " + std::to_string(t.payload_bytes) + "\n";
    out += "mappings: " + std::to_string(t.mappings) + "\n";
    out += "tcp connections: " + std::to_string(t.tcp_connections) + "\n";
    out += "mptcp connections: " + std::to_string(t.mptcp_connections) + "\n";
    out += "subflows: " + std::to_string(t.subflows) + "\n";
    return out;
}

}  // namespace capture_totals
