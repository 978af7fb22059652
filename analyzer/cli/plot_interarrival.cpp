// `plot interarrival -r FILE STREAM` (the jitter plot): the distribution (empirical CDF) of the
// time between consecutive data packets (payload > 0) of a direction, on each subflow, and
// across subflow switches (consecutive data packets of the connection sent on different
// subflows: how the scheduler interleaves paths, as the receiver's reordering buffer sees it).
// Times in ms on a log axis by default (--linear for a linear one; a 0 gap cannot be shown on a
// log axis but counts in the fractions). Data files: "gap_ms fraction cumulative_count".

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "mptcpanalyzer/analysis/packet_series.hpp"
#include "mptcpanalyzer/analysis/time_series.hpp"
#include "plot_common.hpp"
#include "plot_kinds.hpp"

namespace mptcpanalyzer::cli {
namespace {

struct InterarrivalOptions {
    PlotCommonOptions common;
    std::int64_t stream = -1;
    bool linear = false;
};

PlotSeries cdf_series(const std::vector<std::int64_t>& gaps_ns) {
    PlotSeries s;
    s.columns = "gap_ms fraction cumulative_count (empirical CDF of the inter-arrival time)";
    std::vector<double> ms;
    ms.reserve(gaps_ns.size());
    for (auto g : gaps_ns) ms.push_back(static_cast<double>(g) / 1e6);
    const auto cdf = empirical_cdf(ms);
    if (cdf.empty()) return s;
    s.rows.push_back(fmt::format("{:.6f} 0 0", cdf.front().value));
    for (const auto& p : cdf) {
        s.rows.push_back(fmt::format("{:.6f} {:.6f} {:.0f}", p.value, p.fraction, p.fraction * static_cast<double>(ms.size())));
    }
    return s;
}

void run_plot_interarrival(const InterarrivalOptions& o, const GlobalOptions& g) {
    const PlotOutput output = resolve_plot_output(o.common);
    const auto kept = open_session(g, o.common.capture);
    const AnalysisSession& session = *kept;
    const MptcpConnection& m = session.mptcp(o.stream);
    const auto subflows = selected_subflows(o.common, m);
    const auto& table = session.table();
    const auto& c = table.columns();

    PlotSpec spec;
    spec.title = plot_title(o.common, fmt::format("mptcp.stream {}, inter-arrival times of data packets", m.mptcp_stream));
    spec.xlabel = o.linear ? "time since the previous data packet (ms)"
                           : "time since the previous data packet (ms, log scale)";
    spec.ylabel = "fraction of packets (CDF)";
    spec.extra = o.linear ? "set xrange [0:*]\nset yrange [0:1.05]\nset key bottom right\n"
                          : "set logscale x\nset format x '%g'\nset yrange [0:1.05]\nset key bottom right\n";
    for (const auto dir : {DataDirection::ToServer, DataDirection::ToClient}) {
        if (!wants_direction(o.common, dir)) continue;
        std::vector<std::pair<std::uint32_t, std::uint32_t>> rows;  // (row, subflow index)
        for (auto i : subflows) {
            const TcpConnection* conn = session.model().find_tcp(m.subflows[i].tcp_stream);
            if (!conn) continue;
            for (auto row : conn->rows) {
                if (c.payload_length[row] > 0 && data_direction_of(table, *conn, m.subflows[i], row) == dir) {
                    rows.emplace_back(row, static_cast<std::uint32_t>(i));
                }
            }
        }
        std::sort(rows.begin(), rows.end());
        std::vector<TaggedTime> packets;
        packets.reserve(rows.size());
        for (const auto& [row, i] : rows) packets.push_back({c.time_ns[row], i});
        const InterArrivals gaps = inter_arrival_times(packets);
        const int dashtype = dir == DataDirection::ToServer ? 1 : 2;
        for (auto i : subflows) {
            const auto it = gaps.per_tag.find(static_cast<std::uint32_t>(i));
            PlotSeries s = cdf_series(it == gaps.per_tag.end() ? std::vector<std::int64_t>{} : it->second);
            s.title = fmt::format("{} ({}): {} gaps", subflow_label(session, m, i), direction_label(dir),
                                  it == gaps.per_tag.end() ? 0 : it->second.size());
            s.style = fmt::format("steps linewidth line_width dashtype {} linecolor rgb '{}'", dashtype, subflow_color(i));
            spec.series.push_back(std::move(s));
        }
        PlotSeries sw = cdf_series(gaps.switches);
        sw.title = fmt::format("across subflow switches ({}): {} gaps", direction_label(dir), gaps.switches.size());
        sw.style = fmt::format("steps linewidth (line_width*1.6) dashtype {} linecolor rgb '{}'", dashtype, kAggregateColor);
        spec.series.push_back(std::move(sw));
    }
    render_plot(spec, output);
}

}  // namespace

void setup_plot_interarrival(CLI::App& plot, const GlobalOptions& global) {
    auto o = std::make_shared<InterarrivalOptions>();
    CLI::App* cmd = plot.add_subcommand(
        "interarrival", "CDF of the time between data packets, per subflow and across subflow switches (jitter)");
    add_common_plot_options(*cmd, o->common);
    cmd->add_option("stream", o->stream, "mptcp.stream number")->required();
    cmd->add_flag("--linear", o->linear, "Linear time axis (default: logarithmic)");
    cmd->callback([o, &global] { run_plot_interarrival(*o, global); });
}

}  // namespace mptcpanalyzer::cli
