// `plot dss -r FILE STREAM`: the DSS mappings as announced, each a vertical segment from its
// first relative DSN to its last, at the time of the packet that announced it; one series per
// subflow and direction. A mapping Linux repeats on each segment it covers is drawn once.
// Both directions count their DSNs from 1, so they share the y range: they are told apart by the
// mark at each mapping's first DSN (circle towards the server, triangle towards the client, the
// legend's sample) and the bar (solid, dashed), as in the other kinds.
// Data files: one per series, "time_s relative_dsn length" (direction to server first, then
// subflows in order); an extra "infinite mappings" file when a fallback announced one.

#include <fmt/format.h>

#include <algorithm>
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
    spec.extra = "set xrange [0:*]\n";
    spec.y_axis.numbers = AxisNumbers::SiPrefixed;
    for (const auto dir : wanted_directions(o.common)) {
        PlotSeries infinite;
        infinite.title = fmt::format("infinite mappings, fallback ({})", direction_label(dir));
        infinite.columns = "time_s relative_dsn (infinite mapping: the rest of the subflow)";
        infinite.style = fmt::format("points pointtype 3 pointsize (point_size*4) linecolor rgb '{}'", kHighlightColor);
        infinite.glyph = highlight_glyph(dir);
        for (auto i : p.subflows) {
            PlotSeries s;
            s.title = subflow_title(p, i, dir);
            s.columns = "time_s relative_dsn length (a mapping covers [relative_dsn, relative_dsn + length))";
            // The direction's mark at the mapping's first byte (larger than point_style's: one per
            // mapping, whose shape must show), over a bar from its first to its last byte with a
            // tick across each end.
            s.style = fmt::format("points pointtype {} pointsize (point_size*3) linecolor rgb '{}'",
                                  dir == DataDirection::ToServer ? 7 : 9, subflow_color(i));
            s.layers.push_back({"1:2:(0):3", fmt::format("vectors heads size screen 0.004,90 linewidth line_width "
                                                         "dashtype {} linecolor rgb '{}'",
                                                         dir == DataDirection::ToServer ? 1 : 2, subflow_color(i))});
            s.glyph = subflow_glyph(i, dir);
            for (const auto& mp : mappings) {
                if (mp.direction != dir || mp.subflow != i) continue;
                spec.y_axis.high = std::max(spec.y_axis.high, static_cast<double>(mp.relative_dsn + mp.length));
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
