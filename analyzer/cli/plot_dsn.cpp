// `plot dsn -r FILE STREAM`: relative data sequence numbers (our own 64-bit arithmetic) against
// time, one series per subflow and direction, reinjections circled in red, and with
// --data-acks the DATA_ACKs received for that direction's data as a step line.
//
// Data files, in order, per wanted direction (to_server first): one per selected subflow
// ("time_s relative_dsn" of each data segment's first byte), one of reinjections (same columns),
// then with --data-acks one of DATA_ACKs ("time_s relative_data_ack").

#include <fmt/format.h>

#include <memory>

#include "plot_common.hpp"
#include "plot_kinds.hpp"

namespace mptcpanalyzer::cli {
namespace {

struct DsnOptions {
    PlotCommonOptions common;
    std::int64_t stream = -1;
    bool data_acks = false;
};

void run_plot_dsn(const DsnOptions& o, const GlobalOptions& g) {
    const PlotOutput output = resolve_plot_output(o.common);
    const auto kept = open_session(g, o.common.capture);
    const AnalysisSession& session = *kept;
    const MptcpConnection& m = session.mptcp(o.stream);
    const auto subflows = selected_subflows(o.common, m);
    const MptcpAnalysis& a = session.analysis(m);
    const auto& c = session.table().columns();
    const std::int64_t t0 = session.first_ns(m);

    PlotSpec spec;
    spec.title = plot_title(o.common, fmt::format("mptcp.stream {}, data sequence numbers per subflow", m.mptcp_stream));
    spec.xlabel = kTimeLabel;
    spec.ylabel = "relative data sequence number (bytes)";
    spec.extra = "set format y '%.0f'\nset xrange [0:*]\nset yrange [0:*]\n";
    for (const auto dir : {DataDirection::ToServer, DataDirection::ToClient}) {
        if (!wants_direction(o.common, dir)) continue;
        std::vector<bool> selected(m.subflows.size(), false);
        for (auto i : subflows) selected[i] = true;
        for (auto i : subflows) {
            PlotSeries s;
            s.title = fmt::format("{} ({})", subflow_label(session, m, i), direction_label(dir));
            s.columns = "time_s relative_dsn (first byte of each data segment)";
            s.style = point_style(i, dir);
            for (const auto& seg : a.data.segments) {
                if (seg.direction != dir || seg.subflow != i) continue;
                s.rows.push_back(fmt::format("{} {}", seconds_text(c.time_ns[seg.row], t0), a.data.relative(dir, seg.dsn)));
            }
            spec.series.push_back(std::move(s));
        }
        PlotSeries r;
        r.title = fmt::format("reinjections ({})", direction_label(dir));
        r.columns = "time_s relative_dsn (reinjected segments)";
        r.style = fmt::format("points pointtype 6 pointsize (point_size*3) linewidth line_width linecolor rgb '{}'",
                              kHighlightColor);
        for (const auto& re : a.reinjections.reinjections) {
            const auto& seg = a.data.segments[re.segment];
            if (seg.direction != dir || !selected[seg.subflow]) continue;
            r.rows.push_back(fmt::format("{} {}", seconds_text(c.time_ns[seg.row], t0), a.data.relative(dir, seg.dsn)));
        }
        spec.series.push_back(std::move(r));
        if (o.data_acks) {
            PlotSeries k;
            k.title = fmt::format("DATA_ACK of the data ({})", direction_label(dir));
            k.columns = "time_s relative_data_ack (acknowledging this direction's data)";
            // Black for the data towards the server, grey for the data towards the client.
            k.style = fmt::format("steps linewidth line_width dashtype 2 linecolor rgb '{}'",
                                  dir == DataDirection::ToServer ? kAggregateColor : "#808080");
            for (const auto& ack : a.data.data_acks) {
                if (ack.direction != dir || !selected[ack.subflow]) continue;
                k.rows.push_back(fmt::format("{} {}", seconds_text(c.time_ns[ack.row], t0), a.data.relative(dir, ack.ack)));
            }
            spec.series.push_back(std::move(k));
        }
    }
    render_plot(spec, output);
}

}  // namespace

void setup_plot_dsn(CLI::App& plot, const GlobalOptions& global) {
    auto o = std::make_shared<DsnOptions>();
    CLI::App* cmd = plot.add_subcommand("dsn", "MPTCP data sequence numbers vs time, one series per subflow");
    add_common_plot_options(*cmd, o->common);
    cmd->add_option("stream", o->stream, "mptcp.stream number")->required();
    cmd->add_flag("--data-acks", o->data_acks, "Also draw the DATA_ACKs acknowledging each direction's data");
    cmd->callback([o, &global] { run_plot_dsn(*o, global); });
}

}  // namespace mptcpanalyzer::cli
