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

struct DssOptions {
    PlotCommonOptions common;
    std::int64_t stream = -1;
};

void run_plot_dss(const DssOptions& o, const GlobalOptions& g) {
    const PlotOutput output = resolve_plot_output(o.common);
    const auto kept = open_session(g, o.common.capture);
    const AnalysisSession& session = *kept;
    const MptcpConnection& m = session.mptcp(o.stream);
    const auto subflows = selected_subflows(o.common, m);
    const MptcpAnalysis& a = session.analysis(m);
    const auto& c = session.table().columns();
    const std::int64_t t0 = session.first_ns(m);
    const auto mappings = dss_mappings(session.table(), session.model(), m, a.data);

    PlotSpec spec;
    spec.title = plot_title(o.common, fmt::format("mptcp.stream {}, DSS mappings per subflow", m.mptcp_stream));
    spec.xlabel = kTimeLabel;
    spec.ylabel = "relative data sequence number (bytes)";
    spec.extra = "set format y '%.0f'\nset xrange [0:*]\nset yrange [0:*]\n";
    for (const auto dir : {DataDirection::ToServer, DataDirection::ToClient}) {
        if (!wants_direction(o.common, dir)) continue;
        PlotSeries infinite;
        infinite.title = fmt::format("infinite mappings, fallback ({})", direction_label(dir));
        infinite.columns = "time_s relative_dsn (infinite mapping: the rest of the subflow)";
        infinite.style = fmt::format("points pointtype 3 pointsize (point_size*4) linecolor rgb '{}'", kHighlightColor);
        for (auto i : subflows) {
            PlotSeries s;
            s.title = fmt::format("{} ({})", subflow_label(session, m, i), direction_label(dir));
            s.columns = "time_s relative_dsn length (a mapping covers [relative_dsn, relative_dsn + length))";
            s.using_clause = "1:2:(0):3";
            // A bar across each end: the mapping's first and last byte.
            s.style = fmt::format("vectors heads size screen 0.004,90 linewidth line_width linecolor rgb '{}'",
                                  subflow_color(i));
            for (const auto& mp : mappings) {
                if (mp.direction != dir || mp.subflow != i) continue;
                if (mp.length == 0) {
                    infinite.rows.push_back(fmt::format("{} {}", seconds_text(c.time_ns[mp.row], t0), mp.relative_dsn));
                    continue;
                }
                s.rows.push_back(fmt::format("{} {} {}", seconds_text(c.time_ns[mp.row], t0), mp.relative_dsn, mp.length));
            }
            spec.series.push_back(std::move(s));
        }
        if (!infinite.rows.empty()) spec.series.push_back(std::move(infinite));
    }
    render_plot(spec, output);
}

}  // namespace

void setup_plot_dss(CLI::App& plot, const GlobalOptions& global) {
    auto o = std::make_shared<DssOptions>();
    CLI::App* cmd = plot.add_subcommand("dss", "DSS mappings (DSN ranges) as segments over time, per subflow");
    add_common_plot_options(*cmd, o->common);
    cmd->add_option("stream", o->stream, "mptcp.stream number")->required();
    cmd->callback([o, &global] { run_plot_dss(*o, global); });
}

}  // namespace mptcpanalyzer::cli
