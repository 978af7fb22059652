// `plot dss -r FILE STREAM`: the DSS mappings as announced, each a vertical segment from its
// first relative DSN to its last, at the time of the packet that announced it; one series per
// subflow and direction. A mapping Linux repeats on each segment it covers is drawn once.
// Data files: one per series, "time_s relative_dsn length" (direction to server first, then
// subflows in order); an extra "infinite mappings" file when a fallback announced one.

#include <fmt/format.h>

#include <memory>

#include "mptcpanalyzer/analysis/packet_series.hpp"
#include "plot_common.hpp"
#include "plot_kinds.hpp"

namespace mptcpanalyzer::cli {
namespace {

void run_plot_dss(const StreamPlotOptions& o, const GlobalOptions& g) {
    const MptcpPlot p = open_mptcp_plot(o, g);
    const auto& c = p.session.table().columns();
    const auto mappings = dss_mappings(p.session.table(), p.session.model(), p.connection, p.session.analysis(p.connection).data);

    PlotSpec spec;
    spec.title = plot_title(o.common, fmt::format("mptcp.stream {}, DSS mappings per subflow", p.connection.mptcp_stream));
    spec.xlabel = kTimeLabel;
    spec.ylabel = "relative data sequence number (bytes)";
    spec.extra = "set format y '%.0f'\nset xrange [0:*]\nset yrange [0:*]\n";
    for (const auto dir : wanted_directions(o.common)) {
        PlotSeries infinite;
        infinite.title = fmt::format("infinite mappings, fallback ({})", direction_label(dir));
        infinite.columns = "time_s relative_dsn (infinite mapping: the rest of the subflow)";
        infinite.style = fmt::format("points pointtype 3 pointsize (point_size*4) linecolor rgb '{}'", kHighlightColor);
        for (auto i : p.subflows) {
            PlotSeries s;
            s.title = subflow_title(p, i, dir);
            s.columns = "time_s relative_dsn length (a mapping covers [relative_dsn, relative_dsn + length))";
            s.using_clause = "1:2:(0):3";
            // A bar across each end: the mapping's first and last byte.
            s.style = fmt::format("vectors heads size screen 0.004,90 linewidth line_width linecolor rgb '{}'",
                                  subflow_color(i));
            for (const auto& mp : mappings) {
                if (mp.direction != dir || mp.subflow != i) continue;
                if (mp.length == 0) infinite.rows.push_back(time_row(c.time_ns[mp.row], p.start_ns, mp.relative_dsn));
                else s.rows.push_back(time_row(c.time_ns[mp.row], p.start_ns, mp.relative_dsn, mp.length));
            }
            spec.series.push_back(std::move(s));
        }
        if (!infinite.rows.empty()) spec.series.push_back(std::move(infinite));
    }
    render_plot(spec, p.output);
}

}  // namespace

void setup_plot_dss(CLI::App& plot, const GlobalOptions& global) {
    add_plot_kind(plot, global, std::make_shared<StreamPlotOptions>(), "dss",
                  "DSS mappings (DSN ranges) as segments over time, per subflow", "mptcp.stream number", run_plot_dss);
}

}  // namespace mptcpanalyzer::cli
