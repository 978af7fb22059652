// `plot dsn -r FILE STREAM`: relative data sequence numbers (our own 64-bit arithmetic) against
// time, one series per subflow and direction, reinjections circled in red, and with
// --data-acks the DATA_ACKs received for that direction's data as a step line.
//
// Data files, in order, per wanted direction (to_server first): one per selected subflow
// ("time_s relative_dsn" of each data segment's first byte), one of reinjections (same columns),
// then with --data-acks one of DATA_ACKs ("time_s relative_data_ack").

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "mptcpanalyzer/analysis/subflow_series.hpp"
#include "plot_common.hpp"
#include "plot_kinds.hpp"

namespace mptcpanalyzer::cli {
namespace {

struct DsnOptions : StreamPlotOptions {
    bool data_acks = false;
};

void run_plot_dsn(const DsnOptions& o, const GlobalOptions& g) {
    const MptcpPlot p = open_mptcp_plot(o, g);
    const std::int64_t t0 = p.start_ns;
    PlotSpec spec;
    spec.title =
        plot_title(o.common, fmt::format("mptcp.stream {}, data sequence numbers per subflow", p.connection.mptcp_stream));
    spec.xlabel = kTimeLabel;
    spec.ylabel = "relative data sequence number (bytes)";
    spec.extra = "set xrange [0:*]\n";
    // Byte offsets reach millions: ticks read "2.5 M" (the unit is in the label), from 0.
    spec.y_axis.numbers = AxisNumbers::SiPrefixed;
    auto reach = [&](std::uint64_t dsn) { spec.y_axis.high = std::max(spec.y_axis.high, static_cast<double>(dsn)); };
    for (const auto dir : wanted_directions(o.common)) {
        for (auto i : p.subflows) {
            PlotSeries s;
            s.title = subflow_title(p, i, dir);
            s.columns = "time_s relative_dsn (first byte of each data segment)";
            s.style = point_style(i, dir);
            s.glyph = subflow_glyph(i, dir);
            for (const auto& d : segment_dsn_points(p.session, p.connection, i, dir)) {
                s.rows.push_back(time_row(d.time_ns, t0, d.relative_dsn));
                reach(d.relative_dsn);
            }
            spec.series.push_back(std::move(s));
        }
        PlotSeries r;
        r.title = fmt::format("reinjections ({})", direction_label(dir));
        r.columns = "time_s relative_dsn (reinjected segments)";
        r.style = fmt::format("points pointtype 6 pointsize (point_size*3) linewidth line_width linecolor rgb '{}'",
                              kHighlightColor);
        r.glyph = highlight_glyph(dir);
        for (const auto& re : reinjection_points(p.session, p.connection, p.subflows, dir))
            r.rows.push_back(time_row(re.time_ns, t0, re.relative_dsn));
        spec.series.push_back(std::move(r));
        if (o.data_acks) {
            PlotSeries k;
            k.title = fmt::format("DATA_ACK of the data ({})", direction_label(dir));
            k.columns = "time_s relative_data_ack (acknowledging this direction's data)";
            // Black for the data towards the server, grey for the data towards the client.
            k.style = fmt::format("steps linewidth line_width dashtype 2 linecolor rgb '{}'",
                                  dir == DataDirection::ToServer ? kAggregateColor : "#808080");
            k.glyph = data_ack_glyph(dir);
            for (const auto& ack : data_ack_points(p.session, p.connection, p.subflows, dir)) {
                k.rows.push_back(time_row(ack.time_ns, t0, ack.relative_dsn));
                reach(ack.relative_dsn);
            }
            spec.series.push_back(std::move(k));
        }
    }
    render_plot(spec, p.output);
}

}  // namespace

void setup_plot_dsn(CLI::App& plot, const GlobalOptions& global) {
    auto o = std::make_shared<DsnOptions>();
    add_plot_kind(plot, global, o, "dsn", "MPTCP data sequence numbers vs time, one series per subflow",
                  "mptcp.stream number", run_plot_dsn)
        .add_flag("--data-acks", o->data_acks, "Also draw the DATA_ACKs acknowledging each direction's data");
}

}  // namespace mptcpanalyzer::cli
