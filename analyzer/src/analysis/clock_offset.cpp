#include "mptcpanalyzer/analysis/clock_offset.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <vector>

namespace mptcpanalyzer {
namespace {

// 128-bit products keep hours of capture times drift-exact (__extension__: GCC/Clang's type).
__extension__ typedef __int128 Int128;

constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::max();

// floor(a / b) for b > 0 (C++ division truncates towards zero).
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    const std::int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

// drift (ns per s) * elapsed (ns) / 1e9, rounded to the nearest ns; 128-bit so hours of capture
// at any drift stay exact.
std::int64_t drift_effect(std::int64_t drift_ns_per_s, std::int64_t elapsed_ns) {
    const Int128 product = static_cast<Int128>(drift_ns_per_s) * elapsed_ns;
    const Int128 half = 500'000'000;
    const Int128 rounded = product >= 0 ? (product + half) / 1'000'000'000 : -((-product + half) / 1'000'000'000);
    return static_cast<std::int64_t>(rounded);
}

// The bounds of the offset: lo = max (peer - first) towards the first capture, hi = min
// (peer - first) towards the peer, the times corrected by `drift` around `reference`.
struct Bounds {
    std::int64_t lo = std::numeric_limits<std::int64_t>::min();
    std::int64_t hi = kNone;
    bool has_lo = false;
    bool has_hi = false;
    void add(const TimedPair& p, std::int64_t drift, std::int64_t reference) {
        const std::int64_t d = p.peer_ns - p.first_ns - (drift ? drift_effect(drift, p.first_ns - reference) : 0);
        if (p.towards_peer) {
            hi = std::min(hi, d);
            has_hi = true;
        } else {
            lo = std::max(lo, d);
            has_lo = true;
        }
    }
    bool both() const { return has_lo && has_hi; }
    std::int64_t middle() const { return lo + floor_div(hi - lo, 2); }
    // Half the width, rounded up: the middle is within it of both bounds.
    std::int64_t half_width() const { return (std::llabs(hi - lo) + 1) / 2; }
};

Bounds bounds_of(std::span<const TimedPair> pairs, std::int64_t drift, std::int64_t reference) {
    Bounds b;
    for (const auto& p : pairs) b.add(p, drift, reference);
    return b;
}

// Least-squares slope of y over x (x in s): ns per s.
double slope(const std::vector<std::pair<double, double>>& points) {
    double mean_x = 0, mean_y = 0;
    for (const auto& [x, y] : points) {
        mean_x += x;
        mean_y += y;
    }
    mean_x /= static_cast<double>(points.size());
    mean_y /= static_cast<double>(points.size());
    double sxx = 0, sxy = 0;
    for (const auto& [x, y] : points) {
        sxx += (x - mean_x) * (x - mean_x);
        sxy += (x - mean_x) * (y - mean_y);
    }
    return sxx > 0 ? sxy / sxx : 0.0;
}

// The windows' slopes (ns per s): of their middles (the drift), and of each bound alone.
struct WindowSlopes {
    std::int64_t middle = 0;
    double upper = 0;  // hi: towards the peer
    double lower = 0;  // lo: towards the first capture
};

// Nothing when the span is too short or too few windows have packets both ways.
// `windows_used` receives how many had.
std::optional<WindowSlopes> window_slopes(std::span<const TimedPair> pairs, std::int64_t start, std::int64_t span,
                                          const ClockOptions& o, std::uint32_t& windows_used) {
    windows_used = 0;
    if (span < o.min_span_ns || o.windows < 2) return std::nullopt;
    std::vector<Bounds> windows(static_cast<std::size_t>(o.windows));
    for (const auto& p : pairs) {
        const Int128 index = static_cast<Int128>(p.first_ns - start) * o.windows / (span + 1);
        windows[static_cast<std::size_t>(index)].add(p, 0, 0);
    }
    std::vector<std::pair<double, double>> middles, uppers, lowers;  // (window centre s since start, ns)
    const double width_s = static_cast<double>(span) / 1e9 / o.windows;
    for (std::size_t w = 0; w < windows.size(); ++w) {
        if (!windows[w].both()) continue;
        const double x = (static_cast<double>(w) + 0.5) * width_s;
        middles.emplace_back(x, static_cast<double>(windows[w].middle()));
        uppers.emplace_back(x, static_cast<double>(windows[w].hi));
        lowers.emplace_back(x, static_cast<double>(windows[w].lo));
    }
    windows_used = static_cast<std::uint32_t>(middles.size());
    if (middles.size() < static_cast<std::size_t>(std::max(o.min_windows, 2))) return std::nullopt;
    return WindowSlopes{static_cast<std::int64_t>(std::llround(slope(middles))), slope(uppers), slope(lowers)};
}

// The drift in [low, high] (ns per s) that makes the bounds widest (the shortest round trip
// between the capture points largest): the width is a concave function of the drift (a minimum
// of lines minus a maximum of lines), so a ternary search finds its maximum.
std::int64_t widest_drift(std::span<const TimedPair> pairs, std::int64_t reference, std::int64_t low, std::int64_t high) {
    const auto width = [&](std::int64_t drift) {
        const Bounds b = bounds_of(pairs, drift, reference);
        return b.hi - b.lo;
    };
    while (high - low > 2) {
        const std::int64_t m1 = low + (high - low) / 3;
        const std::int64_t m2 = high - (high - low) / 3;
        if (width(m1) < width(m2)) {
            low = m1 + 1;
        } else {
            high = m2;
        }
    }
    std::int64_t best = low;
    for (std::int64_t d = low + 1; d <= high; ++d) {
        if (width(d) > width(best)) best = d;
    }
    return best;
}

}  // namespace

const char* to_string(ClockMethod m) {
    switch (m) {
        case ClockMethod::SymmetricMinimum: return "symmetric_minimum";
        case ClockMethod::OneDirection: return "one_direction";
        case ClockMethod::Imposed: return "imposed";
        case ClockMethod::None: return "none";
    }
    return "none";
}

const char* to_string(DriftStatus s) {
    switch (s) {
        case DriftStatus::Applied: return "applied";
        case DriftStatus::Negligible: return "negligible";
        case DriftStatus::Inconsistent: return "inconsistent";
        case DriftStatus::Asymmetric: return "asymmetric";
        case DriftStatus::TooFewWindows: return "too_few_windows";
        case DriftStatus::NotEstimated: return "not_estimated";
    }
    return "not_estimated";
}

std::int64_t widest_round_trip_ns(std::span<const TimedPair> pairs, std::int64_t max_drift_ns_per_s) {
    std::int64_t start = kNone;
    bool up = false, down = false;
    for (const auto& p : pairs) {
        start = std::min(start, p.first_ns);
        (p.towards_peer ? up : down) = true;
    }
    if (!up || !down) return std::numeric_limits<std::int64_t>::min();
    const std::int64_t drift = widest_drift(pairs, start, -max_drift_ns_per_s, max_drift_ns_per_s);
    const Bounds b = bounds_of(pairs, drift, start);
    return b.hi - b.lo;
}

std::int64_t ClockOffset::at(std::int64_t first_ns) const {
    if (!offset_ns) return 0;
    if (drift != DriftStatus::Applied || drift_ns_per_s == 0) return *offset_ns;
    return *offset_ns + drift_effect(drift_ns_per_s, first_ns - reference_ns);
}

ClockOffset imposed_clock_offset(std::int64_t offset_ns) {
    ClockOffset c;
    c.method = ClockMethod::Imposed;
    c.offset_ns = offset_ns;
    return c;
}

std::int64_t corrected_delay(const ClockOffset& clock, const TimedPair& p) {
    const std::int64_t offset = clock.at(p.first_ns);
    return p.towards_peer ? p.peer_ns - p.first_ns - offset : p.first_ns - p.peer_ns + offset;
}

ClockOffset estimate_clock_offset(std::span<const TimedPair> pairs, const ClockOptions& o) {
    ClockOffset c;
    if (pairs.empty()) return c;
    std::int64_t start = kNone, end = std::numeric_limits<std::int64_t>::min();
    for (const auto& p : pairs) {
        (p.towards_peer ? c.towards_peer : c.towards_first) += 1;
        start = std::min(start, p.first_ns);
        end = std::max(end, p.first_ns);
    }
    c.reference_ns = start;
    const Bounds constant = bounds_of(pairs, 0, 0);
    if (!constant.both()) {
        // One way only: that direction's smallest (towards the peer) or largest (towards the
        // first capture) peer - first, i.e. a zero minimum one-way delay.
        c.method = ClockMethod::OneDirection;
        c.offset_ns = constant.has_hi ? constant.hi : constant.lo;
        return c;
    }
    c.method = ClockMethod::SymmetricMinimum;
    c.offset_ns = constant.middle();
    c.uncertainty_ns = constant.half_width();
    c.min_round_trip_ns = constant.hi - constant.lo;
    const std::int64_t span = end - start;
    const auto slopes = window_slopes(pairs, start, span, o, c.drift_windows);
    if (!slopes) {
        c.drift = DriftStatus::TooFewWindows;
        return c;
    }
    const std::int64_t drift = slopes->middle;
    c.measured_drift_ns_per_s = drift;
    if (std::llabs(drift_effect(drift, span)) <= *c.uncertainty_ns) {
        c.drift = DriftStatus::Negligible;
        return c;
    }
    // A drifting clock moves both bounds alike; a delay that grows or shrinks one way (a queue
    // filling) moves one bound only, and its middle's slope is no drift.
    if (std::abs(slopes->upper - slopes->lower) > std::abs(static_cast<double>(drift)) / 2) {
        c.drift = DriftStatus::Asymmetric;
        return c;
    }
    // The windows' slope is only as precise as their minima; near it, the drift that keeps the
    // bounds widest is the one every packet agrees with best.
    const std::int64_t margin = std::llabs(drift) / 4;
    const std::int64_t refined = widest_drift(pairs, start, drift - margin, drift + margin);
    const Bounds corrected = bounds_of(pairs, refined, start);
    if (corrected.hi < corrected.lo) {
        c.drift = DriftStatus::Inconsistent;
        return c;
    }
    c.drift = DriftStatus::Applied;
    c.drift_ns_per_s = refined;
    c.offset_ns = corrected.middle();
    c.uncertainty_ns = corrected.half_width();
    c.min_round_trip_ns = corrected.hi - corrected.lo;
    return c;
}

}  // namespace mptcpanalyzer
