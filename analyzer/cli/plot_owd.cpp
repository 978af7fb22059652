// `plot owd -r A --peer B STREAM [--clock-offset NS]`: the one-way delay of every packet seen in
// both captures, over time, per subflow and data direction (analysis/one_way_delays.hpp), with
// the clock offset between the captures estimated (or imposed) and removed, as `owd` reports it.
// x: when the packet was sent (the sender's side time, on the first capture's clock), since the
// connection's first packet in the first capture; y: delay in ms. Data files: "time_s delay_ms".

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "mptcpanalyzer/analysis/one_way_delays.hpp"
#include "plot_common.hpp"
#include "plot_kinds.hpp"

namespace mptcpanalyzer::cli {
namespace {

struct OwdPlotOptions : StreamPlotOptions {
    std::string peer;
    std::optional<std::int64_t> clock_offset_ns;
};

void run_plot_owd(const OwdPlotOptions& o, const GlobalOptions& g) {
    const PlotOutput output = resolve_plot_output(o.common);
    const auto pair = open_capture_pair(g, o.common.capture, o.peer);
    const MptcpConnection& connection = pair->first().mptcp(o.stream);
    const std::vector<std::size_t> subflows = selected_subflows(o.common, connection);
    const OneWayDelays delays = one_way_delays(*pair, connection, o.clock_offset_ns);
    PlotSpec spec;
    std::string clock = delays.clock.offset_ns ? fmt::format("clock offset {} ns ({})", *delays.clock.offset_ns,
                                                             to_string(delays.clock.method))
                                               : std::string("no packet matched");
    spec.title = plot_title(o.common, fmt::format("mptcp.stream {}, one-way delays, {}", connection.mptcp_stream, clock));
    spec.xlabel = kTimeLabel;
    spec.ylabel = "one-way delay (ms)";
    spec.extra = "set xrange [0:*]\n";
    for (const auto dir : wanted_directions(o.common)) {
        for (const auto i : subflows) {
            const auto it = std::find_if(delays.directions.begin(), delays.directions.end(),
                                         [&](const DirectionDelays& d) { return d.subflow == i && d.direction == dir; });
            PlotSeries s;
            s.title = fmt::format("{} ({})", subflow_label(pair->first(), connection, i), direction_label(dir));
            s.columns = "time_s delay_ms (send time on the first capture's clock, one-way delay)";
            s.style = point_style(i, dir);
            s.glyph = subflow_glyph(i, dir);
            if (it != delays.directions.end()) {
                std::vector<std::pair<std::int64_t, std::int64_t>> points;  // (send time, delay)
                for (const auto& p : it->points) {
                    // The first capture saw a received packet `delay` after it was sent.
                    points.emplace_back(it->first_is_sender ? p.first_ns : p.first_ns - p.delay_ns, p.delay_ns);
                }
                std::stable_sort(points.begin(), points.end());
                for (const auto& [sent, delay] : points) {
                    s.rows.push_back(time_row(sent, delays.start_ns, fmt::format("{:.6f}", static_cast<double>(delay) / 1e6)));
                }
            }
            spec.series.push_back(std::move(s));
        }
    }
    render_plot(spec, output);
}

}  // namespace

void setup_plot_owd(CLI::App& plot, const GlobalOptions& global) {
    auto o = std::make_shared<OwdPlotOptions>();
    CLI::App& kind = add_plot_kind(plot, global, o, "owd",
                                   "One-way delays over time per subflow and direction, from two captures "
                                   "(-r and --peer)",
                                   "mptcp.stream number (of the -r capture)", run_plot_owd);
    add_peer_option(kind, o->peer);
    kind.add_option("--clock-offset", o->clock_offset_ns,
                    "The peer capture's clock minus the first one's, in ns (default: estimated)");
}

}  // namespace mptcpanalyzer::cli
