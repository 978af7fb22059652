// Example mptcpanalyzer plugin: the `subflow-count` command and the `payload-sizes` plot kind.
// It uses only the plugin API header: every host service comes through `mpa_host_api`.

#include <mptcpanalyzer/plugin_api.hpp>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>

namespace {

const mpa_host_api* host = nullptr;

int32_t run_subflow_count(mpa_invocation* inv, void*) {
    const bool one = host->option_given(inv, "mptcp-stream") != 0;
    const int64_t wanted = host->option_integer(inv, "mptcp-stream", -1);
    std::string out;
    bool found = false;
    const size_t count = host->mptcp_connection_count(inv);
    for (size_t i = 0; i < count; ++i) {
        mpa_mptcp_connection c;
        if (host->mptcp_connection(inv, i, &c) != 0) continue;
        if (one && c.mptcp_stream != wanted) continue;
        found = true;
        out += "mptcp.stream " + std::to_string(c.mptcp_stream) + ": " + std::to_string(c.subflow_count) +
               (c.subflow_count == 1 ? " subflow" : " subflows") + " (tcp.stream";
        for (size_t k = 0; k < c.subflow_count; ++k) {
            out += (k ? ", " : " ") + std::to_string(c.subflow_tcp_streams[k]);
        }
        out += ")\n";
    }
    if (one && !found) {
        host->fail(inv, ("no mptcp.stream " + std::to_string(wanted) + " in this capture").c_str());
        return MPA_USAGE_ERROR;
    }
    if (!found) out = "no MPTCP connection\n";
    mptcpanalyzer::plugin::write(host, inv, out);
    return MPA_OK;
}

int32_t run_payload_sizes(mpa_invocation* inv, void*) {
    const bool one = host->option_given(inv, "tcp-stream") != 0;
    const int64_t wanted = host->option_integer(inv, "tcp-stream", -1);
    const size_t count = host->packet_count(inv);
    std::map<uint32_t, int32_t> series;  // tcp.stream -> series id
    int64_t start = 0;
    for (size_t i = 0; i < count; ++i) {
        mpa_packet p;
        if (host->packet(inv, i, &p) != 0) continue;
        if (i == 0) start = p.time_ns;
        if (p.payload_length == 0 || (one && p.tcp_stream != wanted)) continue;
        auto it = series.find(p.tcp_stream);
        if (it == series.end()) {
            const std::string title = "tcp.stream " + std::to_string(p.tcp_stream);
            it = series.emplace(p.tcp_stream, host->plot_series(inv, title.c_str(), MPA_PLOT_POINTS)).first;
        }
        host->plot_point(inv, it->second, static_cast<double>(p.time_ns - start) / 1e9, p.payload_length);
    }
    if (series.empty()) {
        host->fail(inv, one ? ("no payload on tcp.stream " + std::to_string(wanted)).c_str() : "no TCP payload in this capture");
        return MPA_USAGE_ERROR;
    }
    host->plot_labels(inv, nullptr, "time since the first packet (s)", "TCP payload (bytes)");
    return MPA_OK;
}

const mpa_option kSubflowCountOptions[] = {
    {"mptcp-stream", "Only this mptcp.stream", MPA_OPTION_INTEGER, 0, 0, nullptr},
};
const mpa_option kPayloadSizesOptions[] = {
    {"tcp-stream", "Only this tcp.stream", MPA_OPTION_INTEGER, 0, 0, nullptr},
};

}  // namespace

extern "C" __attribute__((visibility("default"))) uint32_t mptcpanalyzer_plugin_api_version(void) {
    return MPA_PLUGIN_API_VERSION;
}

extern "C" __attribute__((visibility("default"))) int32_t mptcpanalyzer_plugin_register(const mpa_host_api* h,
                                                                                      mpa_registrar* registrar) {
    if (h->struct_size < sizeof(mpa_host_api)) return 1;  // an older host of the same version
    host = h;
    const mpa_command command = {"subflow-count", "Number of subflows of each MPTCP connection (example plugin)", 1,
                                 kSubflowCountOptions, 1, run_subflow_count, nullptr};
    const mpa_plot_kind plot = {"payload-sizes", "TCP payload size of every segment over time (example plugin)",
                                kPayloadSizesOptions, 1, run_payload_sizes, nullptr};
    if (h->add_command(registrar, &command) != 0) return 1;
    if (h->add_plot_kind(registrar, &plot) != 0) return 1;
    return 0;
}
