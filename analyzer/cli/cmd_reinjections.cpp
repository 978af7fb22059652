// `mptcpanalyzer list-reinjections -r FILE [STREAM]`: every data segment whose DSN range was
// already sent on another subflow of its connection, with all the original transmissions,
// the delay since the first, and the reverse links.

#include <fmt/format.h>

#include <memory>

#include "analysis_context.hpp"
#include "commands.hpp"
#include "report_output.hpp"

namespace mptcpanalyzer::cli {
namespace {

struct ReinjectionsOptions {
    std::string capture;
    std::optional<std::int64_t> stream;
    ReportOptions report;
};

void run_list_reinjections(const ReinjectionsOptions& o, const GlobalOptions& g) {
    const AnalysisContext ctx = AnalysisContext::load(g, o.capture);
    std::vector<const MptcpConnection*> conns;
    if (o.stream) {
        conns.push_back(&ctx.mptcp(*o.stream));
    } else {
        for (const auto& m : ctx.model.mptcp) conns.push_back(&m);
    }
    const auto& c = ctx.capture.table.columns();
    nlohmann::ordered_json json = {{"reinjections", nlohmann::ordered_json::array()}};
    CsvTable csv{{"mptcp_stream", "direction", "frame", "tcp_stream", "dsn_start", "dsn_end", "length",
                  "reinjected_bytes", "retransmission_on_own_subflow", "original_frames", "original_tcp_streams", "delay_ns", "reinjected_again_in"},
                 {}};
    std::string text;
    std::size_t total = 0;
    for (const MptcpConnection* m : conns) {
        const auto a = ctx.analyse(*m);
        for (const auto& r : a.reinjections.reinjections) {
            const DataSegment& seg = a.data.segments[r.segment];
            const std::uint64_t start = a.data.relative(seg.direction, seg.dsn);
            nlohmann::ordered_json originals = nlohmann::ordered_json::array();
            std::string ofr, ost, otext;
            for (auto oi : r.originals) {
                const DataSegment& os = a.data.segments[oi];
                originals.push_back({{"frame", c.frame_number[os.row]},
                                     {"tcp_stream", m->subflows[os.subflow].tcp_stream},
                                     {"dsn_start", a.data.relative(os.direction, os.dsn)},
                                     {"dsn_end", a.data.relative(os.direction, os.dsn) + os.length}});
                ofr += (ofr.empty() ? "" : ";") + std::to_string(c.frame_number[os.row]);
                ost += (ost.empty() ? "" : ";") + std::to_string(m->subflows[os.subflow].tcp_stream);
                otext += fmt::format("{}frame {} (tcp.stream {})", otext.empty() ? "" : ", ", c.frame_number[os.row],
                                     m->subflows[os.subflow].tcp_stream);
            }
            std::vector<std::uint32_t> again;
            if (auto it = a.reinjections.reinjected_in.find(r.segment); it != a.reinjections.reinjected_in.end()) {
                for (auto li : it->second) again.push_back(c.frame_number[a.data.segments[li].row]);
            }
            std::string again_text;
            for (auto f : again) again_text += (again_text.empty() ? "" : ";") + std::to_string(f);
            json["reinjections"].push_back({{"mptcp_stream", m->mptcp_stream >= 0 ? nlohmann::ordered_json(m->mptcp_stream) : nullptr},
                                            {"direction", to_string(seg.direction)},
                                            {"frame", c.frame_number[seg.row]},
                                            {"tcp_stream", m->subflows[seg.subflow].tcp_stream},
                                            {"dsn_start", start},
                                            {"dsn_end", start + seg.length},
                                            {"length", seg.length},
                                            {"reinjected_bytes", r.reinjected_bytes},
                                            {"retransmission_on_own_subflow", r.retransmission_on_own_subflow},
                                            {"originals", originals},
                                            {"delay_ns", r.delay_ns},
                                            {"reinjected_again_in", again}});
            csv.rows.push_back({m->mptcp_stream >= 0 ? std::to_string(m->mptcp_stream) : "", to_string(seg.direction),
                                std::to_string(c.frame_number[seg.row]), std::to_string(m->subflows[seg.subflow].tcp_stream),
                                std::to_string(start), std::to_string(start + seg.length), std::to_string(seg.length),
                                std::to_string(r.reinjected_bytes), r.retransmission_on_own_subflow ? "1" : "0", ofr, ost, std::to_string(r.delay_ns), again_text});
            text += fmt::format("mptcp.stream {} {}: frame {} (tcp.stream {}) DSN {}-{} ({} new bytes) reinjects {}, "
                                "{:.6f} s after the first{}\n",
                                m->mptcp_stream, to_string(seg.direction), c.frame_number[seg.row],
                                m->subflows[seg.subflow].tcp_stream, start, start + seg.length, r.reinjected_bytes, otext,
                                static_cast<double>(r.delay_ns) / 1e9,
                                r.retransmission_on_own_subflow ? " (also a TCP retransmission on its own subflow)" : "");
            ++total;
        }
    }
    if (total == 0) text = "no reinjection\n";
    write_report(o.report, o.capture, json, csv, text);
}

}  // namespace

void setup_list_reinjections(CLI::App& app, const GlobalOptions& global) {
    auto opts = std::make_shared<ReinjectionsOptions>();
    CLI::App* cmd = app.add_subcommand("list-reinjections", "List the data reinjected on another subflow");
    add_capture_option(*cmd, opts->capture);
    cmd->add_option("stream", opts->stream, "mptcp.stream number (default: all connections)");
    add_report_options(*cmd, opts->report);
    cmd->callback([opts, &global] { run_list_reinjections(*opts, global); });
}

}  // namespace mptcpanalyzer::cli
