// `plot reinjections -r FILE STREAM`: the cumulative number of reinjections (with --bytes: of
// reinjected bytes) over time, for all subflows and per subflow that carried the reinjection.
// `--cdf`: instead, the CDF of the reinjection delay (time from the first transmission of the
// data on another subflow to its reinjection), in ms, per subflow and for all.
// What a reinjection is: analysis/reinjections.hpp (the same as list-reinjections).
// Data files: counts "time_s cumulative_value" (a step line from 0 at time 0 to the last value at
// the connection's end); CDF "delay_ms fraction cumulative_count".

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "mptcpanalyzer/analysis/subflow_series.hpp"
#include "mptcpanalyzer/util/error.hpp"
#include "plot_common.hpp"
#include "plot_kinds.hpp"

namespace mptcpanalyzer::cli {
namespace {

struct ReinjectionPlotOptions : StreamPlotOptions {
    bool cdf = false;
    bool bytes = false;
};

// A step line from 0 at the connection's start to the last total at its end.
PlotSeries running_total(const std::vector<ReinjectionPoint>& points, bool bytes, std::int64_t t0, std::int64_t t1) {
    PlotSeries s;
    s.columns = bytes ? "time_s cumulative_reinjected_bytes" : "time_s cumulative_reinjections";
    const auto steps = reinjections_over_time(points, bytes ? ReinjectionMeasure::Bytes : ReinjectionMeasure::Segments);
    s.rows.push_back(time_row(t0, t0, 0));
    for (const auto& step : steps) s.rows.push_back(time_row(step.time_ns, t0, step.total));
    s.rows.push_back(time_row(std::max(t1, t0), t0, steps.empty() ? 0 : steps.back().total));
    return s;
}

PlotSeries delay_cdf(const std::vector<ReinjectionPoint>& points) {
    std::vector<double> delays;
    for (const auto& p : points) delays.push_back(static_cast<double>(p.delay_ns) / 1e6);
    return cdf_series(delays, "delay_ms fraction cumulative_count (empirical CDF of the reinjection delay)");
}

void run_plot_reinjections(const ReinjectionPlotOptions& o, const GlobalOptions& g) {
    if (o.cdf && o.bytes) throw Error(ExitCode::Usage, "--bytes applies to the count plot, not to --cdf");
    const MptcpPlot p = open_mptcp_plot(o, g);
    const std::int64_t t0 = p.start_ns, t1 = p.session.last_ns(p.connection);
    auto series_of = [&](const std::vector<ReinjectionPoint>& points) {
        return o.cdf ? delay_cdf(points) : running_total(points, o.bytes, t0, t1);
    };

    PlotSpec spec;
    if (o.cdf) {
        spec.title = plot_title(o.common, fmt::format("mptcp.stream {}, reinjection delay CDF", p.connection.mptcp_stream));
        spec.xlabel = "reinjection delay: time since the first transmission on another subflow (ms)";
        spec.ylabel = "fraction of reinjections (CDF)";
        spec.extra = "set yrange [0:1.05]\nset key bottom right\n";
    } else {
        spec.title = plot_title(o.common, fmt::format("mptcp.stream {}, reinjections over time", p.connection.mptcp_stream));
        spec.xlabel = kTimeLabel;
        spec.ylabel = o.bytes ? "reinjected bytes so far (bytes)" : "reinjections so far (segments)";
        spec.extra = "set xrange [0:*]\n";
        // Counts tick on whole numbers (no reinjection: 0 and 1 only); bytes get SI prefixes.
        spec.y_axis.numbers = o.bytes ? AxisNumbers::SiPrefixed : AxisNumbers::Integer;
    }
    std::size_t total = 0;
    double smallest = 0, largest = 0;
    for (const auto dir : wanted_directions(o.common)) {
        const std::vector<ReinjectionPoint> points = reinjection_points(p.session, p.connection, p.subflows, dir);
        for (const auto& r : points) {
            const double ms = static_cast<double>(r.delay_ns) / 1e6;
            smallest = total ? std::min(smallest, ms) : ms;
            largest = total ? std::max(largest, ms) : ms;
            ++total;
        }
        const int dashtype = dir == DataDirection::ToServer ? 1 : 2;
        PlotSeries all = series_of(points);
        all.title = points.empty() ? fmt::format("no reinjection ({})", direction_label(dir))
                                   : fmt::format("all subflows ({})", direction_label(dir));
        all.style = fmt::format("steps linewidth (line_width*1.6) dashtype {} linecolor rgb '{}'", dashtype, kAggregateColor);
        all.glyph = aggregate_glyph(dir);
        double direction_total = 0;
        for (const auto& r : points) direction_total += o.bytes ? static_cast<double>(r.bytes) : 1.0;
        // The running total over every selected subflow is the largest value drawn.
        spec.y_axis.high = std::max(spec.y_axis.high, direction_total);
        spec.series.push_back(std::move(all));
        if (points.empty()) continue;
        for (auto i : p.subflows) {
            std::vector<ReinjectionPoint> mine;
            std::copy_if(points.begin(), points.end(), std::back_inserter(mine),
                         [&](const ReinjectionPoint& r) { return r.subflow == i; });
            if (o.cdf && mine.empty()) continue;
            PlotSeries s = series_of(mine);
            s.title = "reinjected on " + subflow_title(p, i, dir);
            s.style = fmt::format("steps linewidth line_width dashtype {} linecolor rgb '{}'", dashtype, subflow_color(i));
            s.glyph = subflow_glyph(i, dir);
            spec.series.push_back(std::move(s));
        }
    }
    if (o.cdf) {
        if (total == 0) {
            throw Error(ExitCode::NoData, fmt::format("{}: mptcp.stream {} has no reinjection{}: no delay to plot",
                                                      o.common.capture, p.connection.mptcp_stream,
                                                      o.common.direction == "both" ? "" : " in this direction"));
        }
        // Delays spread over orders of magnitude read better on a log scale.
        if (smallest > 0 && largest / smallest >= 100) spec.extra += "set logscale x\n";
        else spec.extra += "set xrange [0:*]\n";
    }
    render_plot(spec, p.output);
}

}  // namespace

void setup_plot_reinjections(CLI::App& plot, const GlobalOptions& global) {
    auto o = std::make_shared<ReinjectionPlotOptions>();
    CLI::App& kind = add_plot_kind(plot, global, o, "reinjections",
                                   "Reinjections over time per subflow, or (--cdf) the CDF of their delay",
                                   "mptcp.stream number", run_plot_reinjections);
    kind.add_flag("--cdf", o->cdf, "Plot the CDF of the reinjection delay instead of the count over time");
    kind.add_flag("--bytes", o->bytes, "Count reinjected bytes instead of reinjected segments");
}

}  // namespace mptcpanalyzer::cli
