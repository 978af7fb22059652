// `mptcpanalyzer events -r FILE [STREAM]`: the MPTCP control timeline of one connection, or of
// all of them, with time, frame, subflow and sender.

#include <fmt/format.h>

#include <memory>

#include "analysis_context.hpp"
#include "commands.hpp"
#include "mptcpanalyzer/analysis/events.hpp"
#include "report_output.hpp"

namespace mptcpanalyzer::cli {
namespace {

struct EventsOptions {
    std::string capture;
    std::optional<std::int64_t> stream;
    ReportOptions report;
};

void run_events(const EventsOptions& o, const GlobalOptions& g) {
    const AnalysisContext ctx = AnalysisContext::load(g, o.capture);
    const MptcpConnection* m = o.stream ? &ctx.mptcp(*o.stream) : nullptr;
    const auto events = mptcp_events(ctx.capture.table, ctx.model, m);
    nlohmann::ordered_json json = {{"events", nlohmann::ordered_json::array()}};
    CsvTable csv{{"time_ns", "frame", "mptcp_stream", "tcp_stream", "kind", "sender", "details"}, {}};
    std::string text;
    const std::int64_t t0 = events.empty() ? 0 : events.front().time_ns;
    for (const auto& e : events) {
        nlohmann::ordered_json details = nlohmann::ordered_json::object();
        std::string dtext;
        for (const auto& [k, v] : e.details) {
            details[k] = v;
            dtext += (dtext.empty() ? "" : " ") + k + "=" + v;
        }
        json["events"].push_back({{"time_ns", e.time_ns},
                                  {"frame", e.frame},
                                  {"mptcp_stream", e.mptcp_stream >= 0 ? nlohmann::ordered_json(e.mptcp_stream) : nullptr},
                                  {"tcp_stream", e.tcp_stream},
                                  {"kind", e.kind},
                                  {"sender", e.sender.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(e.sender)},
                                  {"details", details}});
        csv.rows.push_back({std::to_string(e.time_ns), std::to_string(e.frame),
                            e.mptcp_stream >= 0 ? std::to_string(e.mptcp_stream) : "", std::to_string(e.tcp_stream),
                            e.kind, e.sender, dtext});
        text += fmt::format("{:>12.6f} frame {:>6} mptcp.stream {} tcp.stream {}: {}{} {}\n",
                            static_cast<double>(e.time_ns - t0) / 1e9, e.frame,
                            e.mptcp_stream >= 0 ? std::to_string(e.mptcp_stream) : "-", e.tcp_stream, e.kind,
                            e.sender.empty() ? "" : " from " + e.sender, dtext);
    }
    if (events.empty()) text = "no MPTCP event\n";
    write_report(o.report, o.capture, json, csv, text);
}

}  // namespace

void setup_events(CLI::App& app, const GlobalOptions& global) {
    auto opts = std::make_shared<EventsOptions>();
    CLI::App* cmd = app.add_subcommand("events", "The MPTCP control events (handshakes, addresses, priorities, closes)");
    add_capture_option(*cmd, opts->capture);
    cmd->add_option("stream", opts->stream, "mptcp.stream number (default: all connections)");
    add_report_options(*cmd, opts->report);
    cmd->callback([opts, &global] { run_events(*opts, global); });
}

}  // namespace mptcpanalyzer::cli
