// Example mptcpanalyzer plugin: the `subflow-count` command and the `payload-sizes` plot kind.
// It uses only the plugin API header: every host service comes through `mpa_host_api`. Every
// struct crossing to the host starts with its struct_size (sized<T>() sets it), so this plugin
// runs on any host of API major 2 (docs/plugins.md, "Versions").

#include <mptcpanalyzer/plugin_api.hpp>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>

namespace {

using mptcpanalyzer::plugin::sized;

const mpa_host_api* host = nullptr;

int32_t run_subflow_count(mpa_invocation* inv, void*) {
    const bool one = host->option_given(inv, "mptcp-stream") != 0;
    const int64_t wanted = host->option_integer(inv, "mptcp-stream", -1);
    std::string out;
    bool found = false;
    const size_t count = host->mptcp_connection_count(inv);
    for (size_t i = 0; i < count; ++i) {
        auto c = sized<mpa_mptcp_connection>();
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
        auto p = sized<mpa_packet>();
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

mpa_option integer_option(const char* name, const char* help, const char* value_name) {
    auto o = sized<mpa_option>();
    o.name = name;
    o.help = help;
    o.kind = MPA_OPTION_INTEGER;
    o.value_name = value_name;
    return o;
}

const mpa_option kSubflowCountOptions[] = {integer_option("mptcp-stream", "Only this mptcp.stream", "N")};
const mpa_option kPayloadSizesOptions[] = {integer_option("tcp-stream", "Only this tcp.stream", "N")};

}  // namespace

extern "C" __attribute__((visibility("default"))) uint32_t mptcpanalyzer_plugin_api_version(void) {
    return MPA_PLUGIN_API_VERSION;
}

extern "C" __attribute__((visibility("default"))) int32_t mptcpanalyzer_plugin_register(const mpa_host_api* h,
                                                                                      mpa_registrar* registrar) {
    // Only functions of API 2.0 are called: no MPA_HOST_HAS check is needed on any 2.x host.
    host = h;
    auto command = sized<mpa_command>();
    command.name = "subflow-count";
    command.help = "Number of subflows of each MPTCP connection (example plugin)";
    command.needs_capture = 1;
    command.options = kSubflowCountOptions;
    command.option_count = 1;
    command.run = run_subflow_count;
    auto plot = sized<mpa_plot_kind>();
    plot.name = "payload-sizes";
    plot.help = "TCP payload size of every segment over time (example plugin)";
    plot.options = kPayloadSizesOptions;
    plot.option_count = 1;
    plot.run = run_payload_sizes;
    if (h->add_command(registrar, &command) != 0) return 1;
    if (h->add_plot_kind(registrar, &plot) != 0) return 1;
    return 0;
}
