#pragma once
// Time-series arithmetic behind the plots: windowed rates (fixed bins or a sliding window),
// the "new bytes" of a byte stream (its first transmission only), empirical CDFs and
// inter-arrival times. Plain numbers in, plain numbers out: no table, no gnuplot.

#include <cstdint>
#include <map>
#include <span>
#include <string_view>
#include <vector>

namespace mptcpanalyzer {

// `bytes` observed at time `time_ns` (a segment's payload, its new bytes, ...).
struct TimedBytes {
    std::int64_t time_ns = 0;
    std::uint64_t bytes = 0;
};

// A rate at time `time_ns`: bytes per second (multiply by 8 for bit/s).
struct RatePoint {
    std::int64_t time_ns = 0;
    double bytes_per_second = 0;
};

// Fixed, adjacent windows [start + k*window, start + (k+1)*window) covering [start, end]: one
// point per window, at its start, worth the bytes inside divided by the window length. Every
// event in [start, end] falls in exactly one window, so sum(rate * window) == sum(bytes).
// Events outside [start, end] are ignored. Requires window_ns > 0 and end_ns >= start_ns.
std::vector<RatePoint> fixed_window_rate(std::span<const TimedBytes> events, std::int64_t start_ns,
                                         std::int64_t end_ns, std::int64_t window_ns);

// A sliding window evaluated every `step_ns` from `start` until `end + window` (so the last
// events leave the window): at time t, the bytes of events in (t - window, t] divided by the
// window. When window is a multiple of step, every event is inside exactly window/step
// evaluations, so sum(rate * step) == sum(bytes). Requires 0 < step_ns <= window_ns.
std::vector<RatePoint> sliding_window_rate(std::span<const TimedBytes> events, std::int64_t start_ns,
                                           std::int64_t end_ns, std::int64_t window_ns, std::int64_t step_ns);

// A "nice" window (1, 2 or 5 times a power of ten nanoseconds, at least 1 ms) near duration/target.
std::int64_t auto_window_ns(std::int64_t duration_ns, int target_windows = 50);

// The step of a sliding window: window/10, /8, /5, /4, /2 or the window itself, the first that
// divides it exactly (so the sliding rates integrate to the bytes, see above).
std::int64_t sliding_step_ns(std::int64_t window_ns);

// Parses a duration with a unit: "100ms", "1s", "250us", "2.5s", "500000ns". Returns -1 when the
// text is not a positive duration with one of the units ns, us, ms, s.
std::int64_t parse_duration_ns(std::string_view text);

// The union of byte ranges seen so far. add() returns how many bytes of [start, end) were not
// covered before: the "new" bytes of a segment (goodput counts these, not resends).
class ByteRangeUnion {
public:
    std::uint64_t add(std::uint64_t start, std::uint64_t end);
    std::uint64_t covered() const { return covered_; }

private:
    std::map<std::uint64_t, std::uint64_t> ranges_;  // start -> end, disjoint, not touching
    std::uint64_t covered_ = 0;
};

// One point of an empirical CDF: fraction of the values <= value.
struct CdfPoint {
    double value = 0;
    double fraction = 0;
};

// The empirical CDF of `values`: one point per distinct value, ascending, the last at 1.
std::vector<CdfPoint> empirical_cdf(std::vector<double> values);

// Inter-arrival times of a sequence of packets in time order, each tagged with the path (e.g.
// subflow index) it arrived on.
struct TaggedTime {
    std::int64_t time_ns = 0;
    std::uint32_t tag = 0;
};

struct InterArrivals {
    // [tag] -> gaps between consecutive packets on that tag (ns)
    std::map<std::uint32_t, std::vector<std::int64_t>> per_tag;
    // gaps between consecutive packets whose tags differ: the switches from one path to another
    std::vector<std::int64_t> switches;
};

// Packets must be in time order (capture order); a gap is never negative (clamped at 0 when the
// capture's clock stepped back).
InterArrivals inter_arrival_times(std::span<const TaggedTime> packets);

}  // namespace mptcpanalyzer
