// `plot hol -r FILE STREAM`: the head-of-line delay of each data segment that brought new DSN
// bytes (analysis/reordering.hpp, the same figures as `reordering`), at its arrival time, one
// series per subflow and direction: the segments of a subflow sitting high waited for another
// subflow. `--cdf`: instead, the CDF of those delays per subflow. Delays in ms. With the
// sender's capture of a direction the times are estimated from the ACKs (see `reordering`): the
// legend says whose view each direction is.
// Data files: over time "time_s hol_delay_ms"; CDF "hol_delay_ms fraction cumulative_count".

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "mptcpanalyzer/analysis/reordering.hpp"
#include "mptcpanalyzer/util/error.hpp"
#include "plot_common.hpp"
#include "plot_kinds.hpp"

namespace mptcpanalyzer::cli {
namespace {

struct HolPlotOptions : StreamPlotOptions {
    bool cdf = false;
};

double ms_of(std::int64_t ns) { return static_cast<double>(ns) / 1e6; }

void run_plot_hol(const HolPlotOptions& o, const GlobalOptions& g) {
    const MptcpPlot p = open_mptcp_plot(o, g);
    const ReorderingAnalysis r = analyse_reordering(p.session.table(), p.session.model(), p.connection,
                                                    p.session.analysis(p.connection).data);
    PlotSpec spec;
    if (o.cdf) {
        spec.title = plot_title(o.common, fmt::format("mptcp.stream {}, head-of-line delay CDF", p.connection.mptcp_stream));
        spec.xlabel = "head-of-line delay: from arrival to in order at the data level (ms)";
        spec.ylabel = "fraction of segments (CDF)";
        spec.extra = "set xrange [0:*]\nset yrange [0:1.05]\nset key bottom right\n";
    } else {
        spec.title = plot_title(o.common, fmt::format("mptcp.stream {}, head-of-line delay", p.connection.mptcp_stream));
        spec.xlabel = kTimeLabel;
        spec.ylabel = "head-of-line delay (ms)";
        spec.extra = "set xrange [0:*]\nset yrange [0:*]\n";
    }
    std::size_t points = 0;
    for (const auto dir : wanted_directions(o.common)) {
        const DirectionReordering& d = r.directions[static_cast<std::size_t>(dir)];
        for (auto i : p.subflows) {
            PlotSeries s;
            std::vector<double> delays;
            for (const HolSegment& h : d.segments) {
                if (h.subflow != i || !h.in_order_ns) continue;
                delays.push_back(ms_of(h.hol_delay_ns()));
                if (!o.cdf) s.rows.push_back(time_row(h.arrival_ns, p.start_ns, fmt::format("{:.6f}", delays.back())));
            }
            if (delays.empty()) continue;
            points += delays.size();
            if (o.cdf) {
                s = cdf_series(delays, "hol_delay_ms fraction cumulative_count (empirical CDF of the head-of-line delay)");
                s.style = fmt::format("steps linewidth line_width dashtype {} linecolor rgb '{}'",
                                      dir == DataDirection::ToServer ? 1 : 2, subflow_color(i));
            } else {
                s.columns = "time_s hol_delay_ms";
                s.style = point_style(i, dir);
            }
            s.title = fmt::format("{}: {} segments ({}'s view)", subflow_title(p, i, dir), delays.size(),
                                  to_string(d.vantage));
            s.glyph = subflow_glyph(i, dir);
            spec.series.push_back(std::move(s));
        }
    }
    if (points == 0) {
        throw Error(ExitCode::NoData, fmt::format("{}: mptcp.stream {} has no data segment{}: no delay to plot",
                                                  o.common.capture, p.connection.mptcp_stream,
                                                  o.common.direction == "both" ? "" : " in this direction"));
    }
    render_plot(spec, p.output);
}

}  // namespace

void setup_plot_hol(CLI::App& plot, const GlobalOptions& global) {
    auto o = std::make_shared<HolPlotOptions>();
    CLI::App& kind = add_plot_kind(plot, global, o, "hol",
                                   "Head-of-line delay of each data segment over time per subflow, or (--cdf) its CDF",
                                   "mptcp.stream number", run_plot_hol);
    kind.add_flag("--cdf", o->cdf, "Plot the CDF of the head-of-line delay per subflow instead of the delay over time");
}

}  // namespace mptcpanalyzer::cli
