// `mptcpanalyzer list-tcp -r FILE`: one line per TCP connection (Wireshark tcp.stream), oriented
// by its SYN, with what each direction carried and how it ended.

#include <fmt/format.h>

#include <memory>

#include "analysis_context.hpp"
#include "commands.hpp"
#include "mptcp_views.hpp"
#include "report_output.hpp"

namespace mptcpanalyzer::cli {
namespace {

struct ListTcpOptions {
    std::string capture;
    ReportOptions report;
};

void run_list_tcp(const ListTcpOptions& o, const GlobalOptions& g) {
    const AnalysisContext ctx = AnalysisContext::load(g, o.capture);
    nlohmann::ordered_json json = {{"tcp_connections", nlohmann::ordered_json::array()}};
    CsvTable csv{{"tcp_stream", "client", "server", "orientation", "orientation_inferred", "mptcp_stream",
                  "packets_to_server", "packets_to_client", "bytes_to_server", "bytes_to_client", "first_ns",
                  "last_ns", "end", "anomalies"},
                 {}};
    std::string text;
    for (const auto& t : ctx.model.tcp) {
        const MptcpConnection* m = t.mptcp_index >= 0 ? &ctx.model.mptcp[static_cast<std::size_t>(t.mptcp_index)] : nullptr;
        const auto& up = t.stats(TcpDirection::ClientToServer);
        const auto& down = t.stats(TcpDirection::ServerToClient);
        auto anomalies = anomalies_json(ctx, t.tcp_stream);
        const std::size_t anomaly_count = anomalies.size();
        json["tcp_connections"].push_back({{"tcp_stream", t.tcp_stream},
                                           {"client", t.client.to_string()},
                                           {"server", t.server.to_string()},
                                           {"orientation", to_string(t.orientation)},
                                           {"orientation_inferred", t.orientation_inferred()},
                                           {"mptcp_stream", m && m->mptcp_stream >= 0 ? nlohmann::ordered_json(m->mptcp_stream) : nullptr},
                                           {"packets_to_server", up.packets},
                                           {"packets_to_client", down.packets},
                                           {"bytes_to_server", up.payload_bytes},
                                           {"bytes_to_client", down.payload_bytes},
                                           {"first_ns", t.first_ns()},
                                           {"last_ns", t.last_ns()},
                                           {"end", to_string(t.end)},
                                           {"port_reused", t.port_reused},
                                           {"anomalies", std::move(anomalies)}});
        csv.rows.push_back({std::to_string(t.tcp_stream), t.client.to_string(), t.server.to_string(),
                            to_string(t.orientation), t.orientation_inferred() ? "1" : "0",
                            m && m->mptcp_stream >= 0 ? std::to_string(m->mptcp_stream) : "",
                            std::to_string(up.packets), std::to_string(down.packets), std::to_string(up.payload_bytes),
                            std::to_string(down.payload_bytes), std::to_string(t.first_ns()),
                            std::to_string(t.last_ns()), to_string(t.end),
                            std::to_string(anomaly_count)});
        text += fmt::format("tcp.stream {}: {} -> {}{}  {} pkts / {} up, {} pkts / {} down, {}{}\n", t.tcp_stream,
                            t.client.to_string(), t.server.to_string(),
                            t.orientation_inferred() ? fmt::format(" (orientation inferred from {})", to_string(t.orientation)) : "",
                            up.packets, human_bytes(up.payload_bytes), down.packets, human_bytes(down.payload_bytes),
                            to_string(t.end), m && m->mptcp_stream >= 0 ? fmt::format(", mptcp.stream {}", m->mptcp_stream) : "");
        text += anomalies_text(ctx, t.tcp_stream, "  ");
    }
    if (ctx.model.tcp.empty()) text = "no TCP connection\n";
    write_report(o.report, o.capture, json, csv, text);
}

}  // namespace

void setup_list_tcp(CLI::App& app, const GlobalOptions& global) {
    auto opts = std::make_shared<ListTcpOptions>();
    CLI::App* cmd = app.add_subcommand("list-tcp", "List the TCP connections (one per tcp.stream)");
    add_capture_option(*cmd, opts->capture);
    add_report_options(*cmd, opts->report);
    cmd->callback([opts, &global] { run_list_tcp(*opts, global); });
}

}  // namespace mptcpanalyzer::cli
