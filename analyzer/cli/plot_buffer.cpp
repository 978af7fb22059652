// `plot buffer -r FILE STREAM`: the out-of-order bytes held at the data level over time (arrived
// above a hole, not deliverable: analysis/reordering.hpp, the same figures as `reordering`), one
// step line per direction. Its peak is the receive buffer the reordering needed; in-order data
// the application had not read yet is not visible in a capture and not drawn. --subflow does
// not apply (the buffer is the connection's).
// Data files: "time_s out_of_order_bytes in_order_dsn" (the relative DSN of the next byte
// expected in order).

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "mptcpanalyzer/analysis/reordering.hpp"
#include "mptcpanalyzer/util/error.hpp"
#include "plot_common.hpp"
#include "plot_kinds.hpp"

namespace mptcpanalyzer::cli {
namespace {

void run_plot_buffer(const StreamPlotOptions& o, const GlobalOptions& g) {
    refuse_subflow_option(o.common, "buffer");
    const MptcpPlot p = open_mptcp_plot(o, g);
    const ReorderingAnalysis r = analyse_reordering(p.session.table(), p.session.model(), p.connection,
                                                    p.session.analysis(p.connection).data);
    PlotSpec spec;
    spec.title = plot_title(o.common, fmt::format("mptcp.stream {}, out-of-order bytes", p.connection.mptcp_stream));
    spec.xlabel = kTimeLabel;
    spec.ylabel = "bytes held out of order (bytes)";
    spec.extra = "set xrange [0:*]\n";
    spec.y_axis.numbers = AxisNumbers::SiPrefixed;
    const std::int64_t end_ns = std::max(p.session.last_ns(p.connection), p.start_ns);
    std::size_t points = 0;
    for (const auto dir : wanted_directions(o.common)) {
        const DirectionReordering& d = r.directions[static_cast<std::size_t>(dir)];
        if (d.timeline.empty()) continue;
        points += d.timeline.size();
        PlotSeries s;
        s.columns = "time_s out_of_order_bytes in_order_dsn";
        // A step line from 0 at the connection's start to the last value at its end.
        s.rows.push_back(time_row(p.start_ns, p.start_ns, 0, d.first_dsn));
        for (const ReorderingPoint& point : d.timeline)
            s.rows.push_back(time_row(point.time_ns, p.start_ns, point.out_of_order_bytes, point.in_order_dsn));
        s.rows.push_back(
            time_row(end_ns, p.start_ns, d.timeline.back().out_of_order_bytes, d.timeline.back().in_order_dsn));
        s.title = fmt::format("{}: at most {} bytes ({}'s view)", direction_label(dir), d.max_out_of_order_bytes,
                              to_string(d.vantage));
        s.style = fmt::format("steps linewidth line_width dashtype {} linecolor rgb '{}'",
                              dir == DataDirection::ToServer ? 1 : 2, kAggregateColor);
        s.glyph = aggregate_glyph(dir);
        spec.y_axis.high = std::max(spec.y_axis.high, static_cast<double>(d.max_out_of_order_bytes));
        spec.series.push_back(std::move(s));
    }
    if (points == 0) {
        throw Error(ExitCode::NoData, fmt::format("{}: mptcp.stream {} has no data segment{}: no buffer to plot",
                                                  o.common.capture, p.connection.mptcp_stream,
                                                  o.common.direction == "both" ? "" : " in this direction"));
    }
    render_plot(spec, p.output);
}

}  // namespace

void setup_plot_buffer(CLI::App& plot, const GlobalOptions& global) {
    add_plot_kind(plot, global, std::make_shared<StreamPlotOptions>(), "buffer",
                  "Out-of-order bytes held at the data level over time (the receive buffer reordering needed)",
                  "mptcp.stream number", run_plot_buffer);
}

}  // namespace mptcpanalyzer::cli
