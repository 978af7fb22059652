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
// the axis is labelled in bit/s with SI-prefixed ticks (2.5 M). A series that is zero throughout
// (a subflow that carried nothing that way) keeps its data file but is not drawn: the title
// names it instead of the legend.
// `plot goodput -r A --peer B STREAM`: the goodput the receiver saw, from two captures of the
// connection: per data direction, the DSN bytes each subflow brought to the receiver before any
// other copy (summary-extended's arrived_first, analysis/extended_summary.hpp), at their arrival
// times in the receiver's capture (the peer capture for data the first capture saw leave, and the
// other way round), time 0 being the connection's first packet in that receiver's capture.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>

#include "mptcpanalyzer/analysis/extended_summary.hpp"
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
    std::string peer;  // goodput only: the other end's capture ("" = one capture)
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
    // Who it is, for the title's list of series not drawn: the direction ("to client"; TCP:
    // "client to server") and, for a subflow, its tcp.stream; an aggregate is neither.
    std::string direction;
    std::optional<std::uint32_t> tcp_stream;
    bool aggregate = false;
    std::string style;
    char glyph = 0;
    std::vector<RatePoint> points;
};

bool zero_throughout(const RateSeries& s) {
    return std::all_of(s.points.begin(), s.points.end(), [](const RatePoint& p) { return p.bytes_per_second == 0; });
}

// The series not drawn, short: "tcp.stream 1, 3 (to server); every series (to client)". A
// direction whose aggregate is zero is named once (its subflows are then zero too).
std::string not_drawn_note(const std::vector<RateSeries>& all) {
    const bool tcp = std::none_of(all.begin(), all.end(), [](const RateSeries& s) { return s.aggregate; });
    std::vector<std::string> parts;
    std::vector<std::string> directions;
    for (const auto& s : all)
        if (std::find(directions.begin(), directions.end(), s.direction) == directions.end()) directions.push_back(s.direction);
    for (const auto& d : directions) {
        std::vector<std::uint32_t> streams;
        bool whole = false;
        for (const auto& s : all) {
            if (s.direction != d || !zero_throughout(s)) continue;
            if (s.tcp_stream) streams.push_back(*s.tcp_stream);
            else whole = true;
        }
        if (whole) parts.push_back(tcp ? d : fmt::format("every series ({})", d));
        else if (!streams.empty()) parts.push_back(fmt::format("tcp.stream {} ({})", fmt::join(streams, ", "), d));
    }
    return parts.empty() ? "" : fmt::format("zero throughout, not drawn: {}", fmt::join(parts, "; "));
}

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
            const PlotOutput& output, const char* xlabel = kTimeLabel) {
    spec.ylabel = fmt::format("{} (bit/s, {})", what, builder.describe());
    spec.xlabel = xlabel;
    spec.extra = "set xrange [0:*]\n";
    spec.y_axis.numbers = AxisNumbers::SiPrefixed;
    for (const auto& s : all) {
        PlotSeries ps;
        ps.title = s.title;
        ps.style = s.style;
        ps.glyph = s.glyph;
        ps.columns = builder.columns(what);
        for (const auto& p : s.points) {
            ps.rows.push_back(builder.row(p));
            spec.y_axis.high = std::max(spec.y_axis.high, p.bytes_per_second * 8);
        }
        // A legend line per subflow that carried nothing would crowd out the picture.
        if (zero_throughout(s)) ps.drawn = false;
        spec.series.push_back(std::move(ps));
    }
    const std::string note = not_drawn_note(all);
    if (!note.empty()) spec.title += "\n" + note;
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
        s.direction = direction_label(dir);
        s.style = builder.style(subflow_color(static_cast<std::size_t>(dir)), 1, false);
        s.glyph = subflow_glyph(0, dir == TcpDirection::ClientToServer ? DataDirection::ToServer : DataDirection::ToClient);
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
        total.direction = direction_label(dir);
        total.aggregate = true;
        total.style = builder.style(kAggregateColor, dashtype, true);
        total.glyph = aggregate_glyph(dir);
        total.points = builder.rates(aggregate);
        all.push_back(std::move(total));
        for (auto i : p.subflows) {
            RateSeries s;
            s.title = subflow_title(p, i, dir);
            s.direction = direction_label(dir);
            s.tcp_stream = m.subflows[i].tcp_stream;
            s.style = builder.style(subflow_color(i), dashtype, false);
            s.glyph = subflow_glyph(i, dir);
            s.points = builder.rates(per_subflow[i]);
            all.push_back(std::move(s));
        }
    }
    finish(spec, all, builder, what, p.output);
}

// Goodput at the receiver, from two captures: each direction's arrived-first bytes on the
// receiver's clock, relative to the connection's first packet in the receiver's capture (both
// directions then share the x axis without any clock offset between the captures).
void run_mptcp_at_receiver(const ThroughputOptions& o, const GlobalOptions& g) {
    PlotOutput output = resolve_plot_output(o.common);
    const auto pair = open_capture_pair(g, o.common.capture, o.peer);
    const MptcpConnection& m = pair->first().mptcp(o.stream);
    const MptcpPlot p{std::move(output), nullptr, pair->first(), m, selected_subflows(o.common, m), 0};
    const ExtendedSummary summary = extended_summary(*pair, m);
    const auto wanted = wanted_directions(o.common);
    std::int64_t duration = 0;
    for (const auto dir : wanted) {
        const DirectionTransfer& dt = summary.directions[static_cast<std::size_t>(dir)];
        duration = std::max(duration, dt.receiver_end_ns - dt.receiver_start_ns);
    }
    const RateBuilder builder(o, 0, duration);
    PlotSpec spec;
    spec.title = plot_title(o.common, fmt::format("mptcp.stream {}, goodput at the receiver (with {})", m.mptcp_stream,
                                                  std::filesystem::path(pair->peer_name()).filename().string()));
    std::vector<RateSeries> all;
    for (const auto dir : wanted) {
        const DirectionTransfer& dt = summary.directions[static_cast<std::size_t>(dir)];
        const int dashtype = dir == DataDirection::ToServer ? 1 : 2;
        const auto relative = [&dt](const std::vector<TimedBytes>& events) {
            std::vector<TimedBytes> out = events;
            for (auto& e : out) e.time_ns -= dt.receiver_start_ns;
            return out;
        };
        std::vector<TimedBytes> aggregate;
        std::vector<RateSeries> subflows;
        for (const SubflowTransfer& t : dt.subflows) {
            // A subflow only the peer capture holds is drawn unless --subflow chose others.
            const bool selected = t.subflow ? std::find(p.subflows.begin(), p.subflows.end(), *t.subflow) != p.subflows.end()
                                            : o.common.subflows.empty();
            if (!selected) continue;
            aggregate.insert(aggregate.end(), t.arrived_first.begin(), t.arrived_first.end());
            RateSeries s;
            const std::size_t colour = t.subflow ? *t.subflow : m.subflows.size() + *t.peer_subflow;
            s.title = t.subflow ? subflow_title(p, *t.subflow, dir)
                                : fmt::format("peer tcp.stream {} ({})", *t.peer_tcp_stream, direction_label(dir));
            s.direction = direction_label(dir);
            s.tcp_stream = t.subflow ? t.tcp_stream : t.peer_tcp_stream;
            s.style = builder.style(subflow_color(colour), dashtype, false);
            s.glyph = subflow_glyph(colour, dir);
            s.points = builder.rates(relative(t.arrived_first));
            subflows.push_back(std::move(s));
        }
        std::sort(aggregate.begin(), aggregate.end(),
                  [](const TimedBytes& a, const TimedBytes& b) { return a.time_ns < b.time_ns; });
        RateSeries total;
        total.title = p.subflows.size() == m.subflows.size() ? fmt::format("all subflows ({})", direction_label(dir))
                                                             : fmt::format("selected subflows ({})", direction_label(dir));
        total.direction = direction_label(dir);
        total.aggregate = true;
        total.style = builder.style(kAggregateColor, dashtype, true);
        total.glyph = aggregate_glyph(dir);
        total.points = builder.rates(relative(aggregate));
        all.push_back(std::move(total));
        for (auto& s : subflows) all.push_back(std::move(s));
    }
    finish(spec, all, builder, "goodput", p.output, "time since the connection's first packet at the receiver (s)");
}

void run_plot_rate(const ThroughputOptions& o, const GlobalOptions& g) {
    if (o.window != "auto" && parse_duration_ns(o.window) < 0) {
        throw Error(ExitCode::Usage, "--window '" + o.window + "': expected 'auto' or a duration such as 100ms, 1s, 250us");
    }
    if (!o.peer.empty() && o.tcp) {
        throw Error(ExitCode::Usage, "plot goodput: --peer and --tcp cannot be combined (--peer plots an MPTCP "
                                     "connection's goodput at the receiver)");
    }
    if (!o.peer.empty()) run_mptcp_at_receiver(o, g);
    else if (o.tcp) run_tcp(o, g);
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
    if (goodput) {
        kind.add_option("--peer", o->peer,
                        "Capture of the same traffic at the other end: plot the goodput the receiver saw (bytes that "
                        "arrived first, per subflow), from the receiver's capture");
    }
}

}  // namespace

void setup_plot_throughput(CLI::App& plot, const GlobalOptions& global) {
    add_kind(plot, global, false);
    add_kind(plot, global, true);
}

}  // namespace mptcpanalyzer::cli
