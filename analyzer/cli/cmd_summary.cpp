// `mptcpanalyzer tcp-summary -r FILE STREAM` and `mptcp-summary -r FILE STREAM`: per direction,
// bytes on the wire (payload, retransmissions included), unique bytes (sequence or DSN range),
// duration, rates, retransmitted and reinjected bytes, and each subflow's contribution.

#include <fmt/format.h>

#include <memory>

#include "commands.hpp"
#include "mptcp_views.hpp"
#include "mptcpanalyzer/analysis/summaries.hpp"
#include "report_output.hpp"

namespace mptcpanalyzer::cli {
namespace {

struct SummaryOptions {
    std::string capture;
    std::int64_t stream = -1;
    ReportOptions report;
};

nlohmann::ordered_json rate_json(const Rate& r) {
    return {{"bytes_per_second", std::stod(fmt_rate(r.bytes_per_second))},
            {"bits_per_second", std::stod(fmt_rate(r.bits_per_second))}};
}

void run_tcp_summary(const SummaryOptions& o, const GlobalOptions& g) {
    const AnalysisContext ctx = AnalysisContext::load(g, o.capture);
    const TcpConnection& t = ctx.tcp(o.stream);
    const TcpSummary s = summarize_tcp(t);
    nlohmann::ordered_json dirs = nlohmann::ordered_json::array();
    CsvTable csv{{"tcp_stream", "direction", "from", "to", "packets", "wire_bytes", "unique_bytes",
                  "retransmitted_bytes", "first_ns", "last_ns", "duration_ns", "wire_bytes_per_second",
                  "wire_bits_per_second", "unique_bytes_per_second", "unique_bits_per_second"},
                 {}};
    std::string text = fmt::format("tcp.stream {}: {} -> {}{}, {}\n", t.tcp_stream, t.client.to_string(),
                                   t.server.to_string(),
                                   t.orientation_inferred() ? fmt::format(" (orientation inferred from {})", to_string(t.orientation)) : "",
                                   to_string(t.end));
    for (const auto& d : s.directions) {
        dirs.push_back({{"direction", to_string(d.direction)},
                        {"from", d.from.to_string()},
                        {"to", d.to.to_string()},
                        {"packets", d.stats.packets},
                        {"wire_bytes", d.stats.payload_bytes},
                        {"unique_bytes", d.stats.unique_bytes},
                        {"retransmitted_bytes", d.stats.retransmitted_bytes},
                        {"first_ns", d.stats.first_ns},
                        {"last_ns", d.stats.last_ns},
                        {"duration_ns", d.duration_ns},
                        {"wire_rate", rate_json(d.wire_rate)},
                        {"unique_rate", rate_json(d.unique_rate)}});
        csv.rows.push_back({std::to_string(t.tcp_stream), to_string(d.direction), d.from.to_string(), d.to.to_string(),
                            std::to_string(d.stats.packets), std::to_string(d.stats.payload_bytes),
                            std::to_string(d.stats.unique_bytes), std::to_string(d.stats.retransmitted_bytes),
                            std::to_string(d.stats.first_ns), std::to_string(d.stats.last_ns),
                            std::to_string(d.duration_ns), fmt_rate(d.wire_rate.bytes_per_second),
                            fmt_rate(d.wire_rate.bits_per_second), fmt_rate(d.unique_rate.bytes_per_second),
                            fmt_rate(d.unique_rate.bits_per_second)});
        text += fmt::format(
            "  {} -> {}: {} packets, {} on the wire ({} bytes, {} retransmitted), {} unique, duration {}, "
            "{} ({:.3f} B/s) on the wire, {} unique\n",
            d.from.to_string(), d.to.to_string(), d.stats.packets, human_bytes(d.stats.payload_bytes),
            d.stats.payload_bytes, d.stats.retransmitted_bytes, human_bytes(d.stats.unique_bytes),
            human_duration(d.duration_ns), human_rate(d.wire_rate.bits_per_second), d.wire_rate.bytes_per_second,
            human_rate(d.unique_rate.bits_per_second));
    }
    const nlohmann::ordered_json json = {{"tcp_stream", t.tcp_stream},
                                         {"client", t.client.to_string()},
                                         {"server", t.server.to_string()},
                                         {"orientation", to_string(t.orientation)},
                                         {"end", to_string(t.end)},
                                         {"directions", dirs}};
    write_report(o.report, o.capture, json, csv, text);
}

void run_mptcp_summary(const SummaryOptions& o, const GlobalOptions& g) {
    const AnalysisContext ctx = AnalysisContext::load(g, o.capture);
    const MptcpConnection& m = ctx.mptcp(o.stream);
    const auto analysis = ctx.analyse(m);
    const MptcpSummary s = summarize_mptcp(ctx.capture.table, ctx.model, m, analysis.data, analysis.reinjections);
    nlohmann::ordered_json dirs = nlohmann::ordered_json::array();
    CsvTable csv{{"mptcp_stream", "direction", "tcp_stream", "wire_bytes", "data_bytes", "new_bytes",
                  "reinjected_bytes", "retransmitted_bytes", "reinjections", "share_of_wire", "share_of_unique",
                  "direction_wire_bytes", "direction_application_bytes", "direction_duration_ns",
                  "direction_application_bytes_per_second"},
                 {}};
    std::string text = connection_text(ctx, m);
    for (const auto& d : s.directions) {
        nlohmann::ordered_json subflows = nlohmann::ordered_json::array();
        const char* arrow = d.direction == DataDirection::ToServer ? "towards the server" : "towards the client";
        text += fmt::format(
            "  {}: {} on the wire ({} bytes), {} application data ({} bytes), {} reinjected, {} retransmitted, "
            "duration {}, goodput {} ({:.3f} B/s)\n",
            arrow, human_bytes(d.wire_bytes), d.wire_bytes, human_bytes(d.application_bytes), d.application_bytes,
            d.reinjected_bytes, d.retransmitted_bytes, human_duration(d.duration_ns),
            human_rate(d.application_rate.bits_per_second), d.application_rate.bytes_per_second);
        for (const auto& sc : d.subflows) {
            subflows.push_back({{"tcp_stream", sc.tcp_stream},
                                {"wire_bytes", sc.wire_bytes},
                                {"data_bytes", sc.data_bytes},
                                {"new_bytes", sc.new_bytes},
                                {"reinjected_bytes", sc.reinjected_bytes},
                                {"retransmitted_bytes", sc.retransmitted_bytes},
                                {"reinjections", sc.reinjections},
                                {"share_of_wire", std::stod(fmt_ratio(sc.share_of_wire))},
                                {"share_of_unique", std::stod(fmt_ratio(sc.share_of_unique))}});
            csv.rows.push_back({m.mptcp_stream >= 0 ? std::to_string(m.mptcp_stream) : "", to_string(d.direction),
                                std::to_string(sc.tcp_stream), std::to_string(sc.wire_bytes),
                                std::to_string(sc.data_bytes), std::to_string(sc.new_bytes),
                                std::to_string(sc.reinjected_bytes), std::to_string(sc.retransmitted_bytes),
                                std::to_string(sc.reinjections), fmt_ratio(sc.share_of_wire),
                                fmt_ratio(sc.share_of_unique), std::to_string(d.wire_bytes),
                                std::to_string(d.application_bytes), std::to_string(d.duration_ns),
                                fmt_rate(d.application_rate.bytes_per_second)});
            text += fmt::format("    tcp.stream {}: {} on the wire ({:.2f}% of the wire bytes), {} new data "
                                "({:.2f}% of the application data), {} reinjected\n",
                                sc.tcp_stream, human_bytes(sc.wire_bytes), sc.share_of_wire * 100,
                                human_bytes(sc.new_bytes), sc.share_of_unique * 100, human_bytes(sc.reinjected_bytes));
        }
        dirs.push_back({{"direction", to_string(d.direction)},
                        {"wire_bytes", d.wire_bytes},
                        {"application_bytes", d.application_bytes},
                        {"reinjected_bytes", d.reinjected_bytes},
                        {"retransmitted_bytes", d.retransmitted_bytes},
                        {"unmapped_segments", d.unmapped_segments},
                        {"first_ns", d.first_ns},
                        {"last_ns", d.last_ns},
                        {"duration_ns", d.duration_ns},
                        {"wire_rate", rate_json(d.wire_rate)},
                        {"application_rate", rate_json(d.application_rate)},
                        {"subflows", subflows}});
    }
    std::size_t checksum_failures = 0;
    for (const auto& chk : analysis.data.checksums) checksum_failures += chk.valid ? 0 : 1;
    if (!analysis.data.checksums.empty()) {
        text += fmt::format("  DSS checksums: {} verified, {} failed\n", analysis.data.checksums.size() - checksum_failures,
                            checksum_failures);
    }
    nlohmann::ordered_json json = connection_json(ctx, m);
    json["dss_checksums"] = {{"verified", analysis.data.checksums.size() - checksum_failures},
                             {"failed", checksum_failures}};
    json["directions"] = dirs;
    write_report(o.report, o.capture, json, csv, text);
}

}  // namespace

void setup_summaries(CLI::App& app, const GlobalOptions& global) {
    auto t = std::make_shared<SummaryOptions>();
    CLI::App* tcmd = app.add_subcommand("tcp-summary", "Per-direction statistics of one TCP connection");
    add_capture_option(*tcmd, t->capture);
    tcmd->add_option("stream", t->stream, "tcp.stream number")->required();
    add_report_options(*tcmd, t->report);
    tcmd->callback([t, &global] { run_tcp_summary(*t, global); });

    auto m = std::make_shared<SummaryOptions>();
    CLI::App* mcmd = app.add_subcommand("mptcp-summary", "Per-direction statistics and subflow contributions of one MPTCP connection");
    add_capture_option(*mcmd, m->capture);
    mcmd->add_option("stream", m->stream, "mptcp.stream number")->required();
    add_report_options(*mcmd, m->report);
    mcmd->callback([m, &global] { run_mptcp_summary(*m, global); });
}

}  // namespace mptcpanalyzer::cli
