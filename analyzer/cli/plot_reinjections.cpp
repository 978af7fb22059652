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

#include "mptcpanalyzer/analysis/time_series.hpp"
#include "mptcpanalyzer/util/error.hpp"
#include "plot_common.hpp"
#include "plot_kinds.hpp"

namespace mptcpanalyzer::cli {
namespace {

struct ReinjectionPlotOptions {
    PlotCommonOptions common;
    std::int64_t stream = -1;
    bool cdf = false;
    bool bytes = false;
};

struct Item {
    std::int64_t time_ns = 0;
    std::size_t subflow = 0;
    std::uint64_t bytes = 0;
    std::int64_t delay_ns = 0;
};

PlotSeries cumulative(const std::vector<Item>& items, bool bytes, std::int64_t t0, std::int64_t t1) {
    PlotSeries s;
    s.columns = bytes ? "time_s cumulative_reinjected_bytes" : "time_s cumulative_reinjections";
    std::uint64_t total = 0;
    s.rows.push_back(fmt::format("{} 0", seconds_text(t0, t0)));
    for (const auto& it : items) {
        total += bytes ? it.bytes : 1;
        s.rows.push_back(fmt::format("{} {}", seconds_text(it.time_ns, t0), total));
    }
    s.rows.push_back(fmt::format("{} {}", seconds_text(std::max(t1, t0), t0), total));
    return s;
}

PlotSeries delay_cdf(const std::vector<Item>& items) {
    PlotSeries s;
    s.columns = "delay_ms fraction cumulative_count (empirical CDF of the reinjection delay)";
    std::vector<double> delays;
    for (const auto& it : items) delays.push_back(static_cast<double>(it.delay_ns) / 1e6);
    const auto cdf = empirical_cdf(delays);
    if (cdf.empty()) return s;
    // Start at 0 so the step line rises at the smallest delay.
    s.rows.push_back(fmt::format("{:.6f} 0 0", cdf.front().value));
    for (const auto& p : cdf) {
        s.rows.push_back(fmt::format("{:.6f} {:.6f} {:.0f}", p.value, p.fraction, p.fraction * static_cast<double>(delays.size())));
    }
    return s;
}

void run_plot_reinjections(const ReinjectionPlotOptions& o, const GlobalOptions& g) {
    if (o.cdf && o.bytes) throw Error(ExitCode::Usage, "--bytes applies to the count plot, not to --cdf");
    const PlotOutput output = resolve_plot_output(o.common);
    const auto kept = open_session(g, o.common.capture);
    const AnalysisSession& session = *kept;
    const MptcpConnection& m = session.mptcp(o.stream);
    const auto subflows = selected_subflows(o.common, m);
    const MptcpAnalysis& a = session.analysis(m);
    const auto& c = session.table().columns();
    const std::int64_t t0 = session.first_ns(m), t1 = session.last_ns(m);
    std::vector<bool> selected(m.subflows.size(), false);
    for (auto i : subflows) selected[i] = true;

    PlotSpec spec;
    if (o.cdf) {
        spec.title = plot_title(o.common, fmt::format("mptcp.stream {}, reinjection delay CDF", m.mptcp_stream));
        spec.xlabel = "reinjection delay: time since the first transmission on another subflow (ms)";
        spec.ylabel = "fraction of reinjections (CDF)";
        spec.extra = "set yrange [0:1.05]\nset key bottom right\n";
    } else {
        spec.title = plot_title(o.common, fmt::format("mptcp.stream {}, reinjections over time", m.mptcp_stream));
        spec.xlabel = kTimeLabel;
        spec.ylabel = o.bytes ? "reinjected bytes so far (bytes)" : "reinjections so far (segments)";
        spec.extra = "set format y '%.0f'\nset xrange [0:*]\nset yrange [0:*]\n";
    }
    std::size_t total = 0;
    double smallest = 0, largest = 0;
    for (const auto dir : {DataDirection::ToServer, DataDirection::ToClient}) {
        if (!wants_direction(o.common, dir)) continue;
        std::vector<Item> items;
        for (const auto& r : a.reinjections.reinjections) {
            const auto& seg = a.data.segments[r.segment];
            if (seg.direction != dir || !selected[seg.subflow]) continue;
            items.push_back({c.time_ns[seg.row], seg.subflow, r.reinjected_bytes, r.delay_ns});
            const double ms = static_cast<double>(r.delay_ns) / 1e6;
            smallest = total ? std::min(smallest, ms) : ms;
            largest = total ? std::max(largest, ms) : ms;
            ++total;
        }
        std::stable_sort(items.begin(), items.end(), [](const Item& x, const Item& y) { return x.time_ns < y.time_ns; });
        const int dashtype = dir == DataDirection::ToServer ? 1 : 2;
        PlotSeries all = o.cdf ? delay_cdf(items) : cumulative(items, o.bytes, t0, t1);
        all.title = items.empty() ? fmt::format("no reinjection ({})", direction_label(dir))
                                  : fmt::format("all subflows ({})", direction_label(dir));
        all.style = fmt::format("steps linewidth (line_width*1.6) dashtype {} linecolor rgb '{}'", dashtype, kAggregateColor);
        spec.series.push_back(std::move(all));
        if (items.empty()) continue;
        for (auto i : subflows) {
            std::vector<Item> mine;
            std::copy_if(items.begin(), items.end(), std::back_inserter(mine), [&](const Item& it) { return it.subflow == i; });
            if (o.cdf && mine.empty()) continue;
            PlotSeries s = o.cdf ? delay_cdf(mine) : cumulative(mine, o.bytes, t0, t1);
            s.title = fmt::format("reinjected on {} ({})", subflow_label(session, m, i), direction_label(dir));
            s.style = fmt::format("steps linewidth line_width dashtype {} linecolor rgb '{}'", dashtype, subflow_color(i));
            spec.series.push_back(std::move(s));
        }
    }
    if (o.cdf) {
        if (total == 0) {
            throw Error(ExitCode::NoData, fmt::format("{}: mptcp.stream {} has no reinjection{}: no delay to plot",
                                                      o.common.capture, m.mptcp_stream,
                                                      o.common.direction == "both" ? "" : " in this direction"));
        }
        // Delays spread over orders of magnitude read better on a log scale.
        if (smallest > 0 && largest / smallest >= 100) spec.extra += "set logscale x\n";
        else spec.extra += "set xrange [0:*]\n";
    }
    render_plot(spec, output);
}

}  // namespace

void setup_plot_reinjections(CLI::App& plot, const GlobalOptions& global) {
    auto o = std::make_shared<ReinjectionPlotOptions>();
    CLI::App* cmd = plot.add_subcommand("reinjections",
                                        "Reinjections over time per subflow, or (--cdf) the CDF of their delay");
    add_common_plot_options(*cmd, o->common);
    cmd->add_option("stream", o->stream, "mptcp.stream number")->required();
    cmd->add_flag("--cdf", o->cdf, "Plot the CDF of the reinjection delay instead of the count over time");
    cmd->add_flag("--bytes", o->bytes, "Count reinjected bytes instead of reinjected segments");
    cmd->callback([o, &global] { run_plot_reinjections(*o, global); });
}

}  // namespace mptcpanalyzer::cli
