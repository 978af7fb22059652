// `plot interarrival -r FILE STREAM` (the jitter plot): the distribution (empirical CDF) of the
// time between consecutive data packets (payload > 0) of a direction, on each subflow, and
// across subflow switches (consecutive data packets of the connection sent on different
// subflows: how the scheduler interleaves paths, as the receiver's reordering buffer sees it).
// Times in ms on a log axis by default (--linear for a linear one; a 0 gap cannot be shown on a
// log axis but counts in the fractions). Data files: "gap_ms fraction cumulative_count".

#include <fmt/format.h>

#include <memory>

#include "mptcpanalyzer/analysis/subflow_series.hpp"
#include "plot_common.hpp"
#include "plot_kinds.hpp"

namespace mptcpanalyzer::cli {
namespace {

struct InterarrivalOptions : StreamPlotOptions {
    bool linear = false;
};

PlotSeries gap_cdf(const std::vector<std::int64_t>& gaps_ns) {
    std::vector<double> ms;
    ms.reserve(gaps_ns.size());
    for (auto g : gaps_ns) ms.push_back(static_cast<double>(g) / 1e6);
    return cdf_series(ms, "gap_ms fraction cumulative_count (empirical CDF of the inter-arrival time)");
}

void run_plot_interarrival(const InterarrivalOptions& o, const GlobalOptions& g) {
    const MptcpPlot p = open_mptcp_plot(o, g);
    PlotSpec spec;
    spec.title =
        plot_title(o.common, fmt::format("mptcp.stream {}, inter-arrival times of data packets", p.connection.mptcp_stream));
    spec.xlabel = o.linear ? "time since the previous data packet (ms)"
                           : "time since the previous data packet (ms, log scale)";
    spec.ylabel = "fraction of packets (CDF)";
    spec.extra = o.linear ? "set xrange [0:*]\nset yrange [0:1.05]\nset key bottom right\n"
                          : "set logscale x\nset format x '%g'\nset yrange [0:1.05]\nset key bottom right\n";
    for (const auto dir : wanted_directions(o.common)) {
        const InterArrivals gaps = data_packet_inter_arrivals(p.session, p.connection, p.subflows, dir);
        const int dashtype = dir == DataDirection::ToServer ? 1 : 2;
        for (auto i : p.subflows) {
            const auto it = gaps.per_tag.find(static_cast<std::uint32_t>(i));
            const std::vector<std::int64_t> none;
            const auto& mine = it == gaps.per_tag.end() ? none : it->second;
            PlotSeries s = gap_cdf(mine);
            s.title = fmt::format("{}: {} gaps", subflow_title(p, i, dir), mine.size());
            s.style = fmt::format("steps linewidth line_width dashtype {} linecolor rgb '{}'", dashtype, subflow_color(i));
            s.glyph = subflow_glyph(i, dir);
            spec.series.push_back(std::move(s));
        }
        PlotSeries sw = gap_cdf(gaps.switches);
        sw.title = fmt::format("across subflow switches ({}): {} gaps", direction_label(dir), gaps.switches.size());
        sw.style = fmt::format("steps linewidth (line_width*1.6) dashtype {} linecolor rgb '{}'", dashtype, kAggregateColor);
        sw.glyph = aggregate_glyph(dir);
        spec.series.push_back(std::move(sw));
    }
    render_plot(spec, p.output);
}

}  // namespace

void setup_plot_interarrival(CLI::App& plot, const GlobalOptions& global) {
    auto o = std::make_shared<InterarrivalOptions>();
    add_plot_kind(plot, global, o, "interarrival",
                  "CDF of the time between data packets, per subflow and across subflow switches (jitter)",
                  "mptcp.stream number", run_plot_interarrival)
        .add_flag("--linear", o->linear, "Linear time axis (default: logarithmic)");
}

}  // namespace mptcpanalyzer::cli
