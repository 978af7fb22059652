// `plot throughput -r FILE STREAM` and `plot goodput -r FILE STREAM`: rates in bit/s over time.
// STREAM is an mptcp.stream (aggregate of the selected subflows, then each subflow), or a
// tcp.stream with --tcp (one series per direction).
//   throughput: every payload byte on the wire (retransmissions and reinjections included);
//   goodput: only bytes sent for the first time (DSN space for MPTCP, sequence space for TCP), so
//            over the whole connection it adds up to the application bytes.
// --window (default: about 1/20 of the connection, a 1-2-5 value, at least 1 ms) is the length
// of the averaging window; by default it slides (a point every window/10 or so, the rate over
// (t - window, t]); --fixed-windows uses adjacent windows drawn as steps. Data files hold
// "time_s bits_per_second" (sliding: time = end of the window; fixed: centre of the window);
// the script only rescales the axis to kbit/s, Mbit/s or Gbit/s.

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "mptcpanalyzer/analysis/subflow_series.hpp"
#include "mptcpanalyzer/util/error.hpp"
#include "plot_common.hpp"
#include "plot_kinds.hpp"

namespace mptcpanalyzer::cli {
namespace {

struct ThroughputOptions : StreamPlotOptions {
    bool tcp = false;
    std::string window = "auto";
    bool fixed_windows = false;
    bool goodput = false;
};

constexpr std::int64_t kMaxPoints = 1'000'000;
// The automatic window is about 1/20 of the connection: short enough to show its phases, long
// enough to smooth the bursts of paced or ACK-clocked senders.
constexpr int kAutoWindows = 20;

std::string duration_text(std::int64_t ns) {
    if (ns % 1'000'000'000 == 0) return fmt::format("{} s", ns / 1'000'000'000);
    if (ns % 1'000'000 == 0) return fmt::format("{} ms", ns / 1'000'000);
    if (ns % 1'000 == 0) return fmt::format("{} us", ns / 1'000);
    return fmt::format("{} ns", ns);
}

// A series of rates and what produced it.
struct RateSeries {
    std::string title;
    std::string style;
    std::vector<RatePoint> points;
};

class RateBuilder {
public:
    RateBuilder(const ThroughputOptions& o, std::int64_t start_ns, std::int64_t end_ns) : start_(start_ns), end_(end_ns) {
        window_ = o.window == "auto" ? auto_window_ns(end_ns - start_ns, kAutoWindows) : parse_duration_ns(o.window);
        fixed_ = o.fixed_windows;
        step_ = fixed_ ? window_ : sliding_step_ns(window_);
        if ((end_ - start_) / step_ > kMaxPoints) {
            throw Error(ExitCode::Usage,
                        fmt::format("--window {}: too small for this {:.1f} s connection (more than {} points); use a "
                                    "larger window",
                                    o.window, static_cast<double>(end_ - start_) / 1e9, kMaxPoints));
        }
    }

    std::vector<RatePoint> rates(const std::vector<TimedBytes>& events) const {
        return fixed_ ? fixed_window_rate(events, start_, end_, window_)
                      : sliding_window_rate(events, start_, end_, window_, step_);
    }

    std::string describe() const {
        return fixed_ ? fmt::format("{} fixed windows", duration_text(window_))
                      : fmt::format("{} sliding window", duration_text(window_));
    }

    std::string columns(const char* what) const {
        return fixed_ ? fmt::format("time_s bits_per_second ({}; fixed windows: window_s {:.9f}, time = window centre)",
                                    what, static_cast<double>(window_) / 1e9)
                      : fmt::format("time_s bits_per_second ({}; sliding window: window_s {:.9f} step_s {:.9f}, "
                                    "rate over (time - window, time])",
                                    what, static_cast<double>(window_) / 1e9, static_cast<double>(step_) / 1e9);
    }

    // Fixed windows are drawn as steps centred on their window (histeps), sliding ones as lines.
    std::string row(const RatePoint& p) const {
        const std::int64_t t = fixed_ ? p.time_ns + window_ / 2 : p.time_ns;
        return fmt::format("{} {:.3f}", seconds_text(t, start_), p.bytes_per_second * 8);
    }
    std::string style(const std::string& color, int dashtype, bool thick) const {
        return fmt::format("{} linewidth {} dashtype {} linecolor rgb '{}'", fixed_ ? "histeps" : "lines",
                           thick ? "(line_width*1.6)" : "line_width", dashtype, color);
    }

private:
    std::int64_t start_, end_, window_ = 0, step_ = 0;
    bool fixed_ = false;
};

void finish(PlotSpec& spec, const std::vector<RateSeries>& all, const RateBuilder& builder, const char* what,
            const PlotOutput& output) {
    double top = 0;
    for (const auto& s : all)
        for (const auto& p : s.points) top = std::max(top, p.bytes_per_second * 8);
    const auto [divisor, unit] = top >= 1e9 ? std::pair{1e9, "Gbit/s"}
                                 : top >= 1e6 ? std::pair{1e6, "Mbit/s"}
                                 : top >= 1e3 ? std::pair{1e3, "kbit/s"}
                                              : std::pair{1.0, "bit/s"};
    spec.ylabel = fmt::format("{} ({}, {})", what, unit, builder.describe());
    spec.xlabel = kTimeLabel;
    spec.extra = "set xrange [0:*]\nset yrange [0:*]\n";
    for (const auto& s : all) {
        PlotSeries ps;
        ps.title = s.title;
        ps.style = s.style;
        ps.columns = builder.columns(what);
        ps.using_clause = fmt::format("1:($2/{:g})", divisor);
        for (const auto& p : s.points) ps.rows.push_back(builder.row(p));
        spec.series.push_back(std::move(ps));
    }
    render_plot(spec, output);
}

BytesCounted counted(const ThroughputOptions& o) { return o.goodput ? BytesCounted::FirstSent : BytesCounted::Payload; }

void run_tcp(const ThroughputOptions& o, const GlobalOptions& g) {
    const TcpPlot p = open_tcp_plot(o, g, o.goodput ? "goodput --tcp" : "throughput --tcp");
    const TcpConnection& t = p.connection;
    const RateBuilder builder(o, t.first_ns(), t.last_ns());
    const char* what = o.goodput ? "goodput" : "throughput";
    PlotSpec spec;
    spec.title = plot_title(o.common, fmt::format("tcp.stream {}, {}", t.tcp_stream, what));
    std::vector<RateSeries> all;
    for (const auto dir : wanted_tcp_directions(o.common)) {
        RateSeries s;
        s.title = tcp_direction_title(t, dir);
        s.style = builder.style(subflow_color(static_cast<std::size_t>(dir)), 1, false);
        s.points = builder.rates(tcp_timed_bytes(p.session.table(), t, dir, counted(o)));
        all.push_back(std::move(s));
    }
    finish(spec, all, builder, what, p.output);
}

void run_mptcp(const ThroughputOptions& o, const GlobalOptions& g) {
    const MptcpPlot p = open_mptcp_plot(o, g);
    const MptcpConnection& m = p.connection;
    const RateBuilder builder(o, p.start_ns, p.session.last_ns(m));
    const char* what = o.goodput ? "goodput" : "throughput";
    PlotSpec spec;
    spec.title = plot_title(o.common, fmt::format("mptcp.stream {}, {}", m.mptcp_stream, what));
    std::vector<RateSeries> all;
    for (const auto dir : wanted_directions(o.common)) {
        const auto per_subflow = subflow_timed_bytes(p.session, m, dir, counted(o));
        const int dashtype = dir == DataDirection::ToServer ? 1 : 2;
        std::vector<TimedBytes> aggregate;
        for (auto i : p.subflows) aggregate.insert(aggregate.end(), per_subflow[i].begin(), per_subflow[i].end());
        RateSeries total;
        total.title = p.subflows.size() == m.subflows.size()
                          ? fmt::format("all subflows ({})", direction_label(dir))
                          : fmt::format("selected subflows ({})", direction_label(dir));
        total.style = builder.style(kAggregateColor, dashtype, true);
        total.points = builder.rates(aggregate);
        all.push_back(std::move(total));
        for (auto i : p.subflows) {
            RateSeries s;
            s.title = subflow_title(p, i, dir);
            s.style = builder.style(subflow_color(i), dashtype, false);
            s.points = builder.rates(per_subflow[i]);
            all.push_back(std::move(s));
        }
    }
    finish(spec, all, builder, what, p.output);
}

void run_plot_rate(const ThroughputOptions& o, const GlobalOptions& g) {
    if (o.window != "auto" && parse_duration_ns(o.window) < 0) {
        throw Error(ExitCode::Usage, "--window '" + o.window + "': expected 'auto' or a duration such as 100ms, 1s, 250us");
    }
    if (o.tcp) run_tcp(o, g);
    else run_mptcp(o, g);
}

void add_kind(CLI::App& plot, const GlobalOptions& global, bool goodput) {
    auto o = std::make_shared<ThroughputOptions>();
    o->goodput = goodput;
    CLI::App& kind = add_plot_kind(
        plot, global, o, goodput ? "goodput" : "throughput",
        goodput ? "Goodput (bytes sent for the first time) in bit/s over time, aggregate and per subflow"
                : "Throughput (payload bytes on the wire) in bit/s over time, aggregate and per subflow",
        "mptcp.stream number (tcp.stream with --tcp)", run_plot_rate);
    kind.add_flag("--tcp", o->tcp, "STREAM is a tcp.stream: plot that TCP connection, per direction");
    kind.add_option("--window", o->window,
                    "Averaging window: a duration with its unit (ns, us, ms, s: 100ms, 1s) or 'auto' "
                    "(about 1/20 of the connection, at least 1 ms)")
        ->capture_default_str();
    kind.add_flag("--fixed-windows", o->fixed_windows, "Adjacent fixed windows (steps) instead of a sliding window");
}

}  // namespace

void setup_plot_throughput(CLI::App& plot, const GlobalOptions& global) {
    add_kind(plot, global, false);
    add_kind(plot, global, true);
}

}  // namespace mptcpanalyzer::cli
