#pragma once
// The offset between the clocks of two captures of the same traffic, estimated from the packets
// seen in both (owd, plot owd). Convention: the offset is the peer capture's clock minus the
// first one's, so a packet travelling from the first capture point to the peer one has
//     t_peer = t_first + offset + one_way_delay        (one_way_delay >= 0)
// and a packet travelling the other way t_first = t_peer - offset + one_way_delay.
//
// "symmetric_minimum": every packet towards the peer bounds the offset from above
// (offset <= t_peer - t_first) and every packet towards the first capture from below
// (offset >= t_peer - t_first). The feasible offsets are [lo, hi] with lo = the largest
// (t_peer - t_first) towards the first capture, hi = the smallest towards the peer; their width
// hi - lo is the shortest round trip between the two capture points, whatever the offset. The
// estimate is the middle (it assumes the minimum one-way delays of both directions are equal)
// and the uncertainty is half the width: the true offset is within it whenever delays are >= 0.
//
// Drift: over captures of at least `min_span_ns`, the span is cut into `windows` equal windows;
// each window with packets both ways gives its own middle, and the least-squares slope of those
// middles over time is the drift (ns per second, i.e. parts per billion). It is applied only when
// at least `min_windows` windows have packets both ways, its effect over the span exceeds the
// constant-offset uncertainty, both bounds move alike (the windows' lo and hi slopes differ by at
// most half the drift: a queue filling one way moves one bound only, a clock drift both).
// The windows' slope is only as precise as their minima, so the drift applied is, within a
// quarter of it, the one that keeps the bounds widest (the largest shortest round trip: the
// width is concave in the drift); if even that one makes the bounds cross, no drift is applied.
// Otherwise the offset is constant. With a drift, the offset at time t (first capture's clock) is
// offset + drift * (t - reference) and the middle/width are recomputed on the corrected times.
//
// "one_direction": packets were matched one way only. Then nothing bounds the offset from the
// other side; the offset assumes that direction's minimum one-way delay is 0 (an upper bound on
// the real offset for packets towards the peer) and its uncertainty is unknown (null).
// "imposed": given by the user (--clock-offset), no uncertainty, no drift.
// "none": no packet was matched.

#include <cstdint>
#include <optional>
#include <span>

namespace mptcpanalyzer {

// A packet seen in both captures: its time in each, and which way it went between them.
struct TimedPair {
    std::int64_t first_ns = 0;  // in the first capture (-r)
    std::int64_t peer_ns = 0;   // in the peer capture (--peer)
    bool towards_peer = true;   // passed the first capture point, then the peer one
};

enum class ClockMethod : std::uint8_t { SymmetricMinimum, OneDirection, Imposed, None };
const char* to_string(ClockMethod m);  // symmetric_minimum, one_direction, imposed, none

// Why a drift is or is not part of the estimate.
enum class DriftStatus : std::uint8_t {
    Applied,        // estimated and applied
    Negligible,     // estimated, but its effect over the capture is within the uncertainty
    Inconsistent,   // estimated, but correcting by it makes the bounds cross: not applied
    Asymmetric,     // the two directions' bounds move at different rates: a one-way delay change, not a drift
    TooFewWindows,  // shorter than min_span_ns, or fewer than min_windows windows with packets both ways
    NotEstimated,   // imposed, one direction, or nothing matched
};
// applied, negligible, inconsistent, asymmetric, too_few_windows, not_estimated
const char* to_string(DriftStatus s);

struct ClockOptions {
    std::int64_t min_span_ns = 1'000'000'000;
    int windows = 16;
    int min_windows = 8;
};

struct ClockOffset {
    ClockMethod method = ClockMethod::None;
    std::optional<std::int64_t> offset_ns;       // at reference_ns; absent with method None
    std::optional<std::int64_t> uncertainty_ns;  // symmetric_minimum only
    // The shortest round trip between the two capture points (hi - lo, after the drift
    // correction when one is applied): negative when the bounds cross (packets mismatched, or a
    // drift the model does not describe). symmetric_minimum only.
    std::optional<std::int64_t> min_round_trip_ns;
    DriftStatus drift = DriftStatus::NotEstimated;
    std::int64_t drift_ns_per_s = 0;                     // applied drift (0 unless Applied)
    std::optional<std::int64_t> measured_drift_ns_per_s; // the fitted slope, applied or not
    std::uint32_t drift_windows = 0;                     // windows with packets both ways
    std::int64_t reference_ns = 0;  // first capture's clock at which offset_ns holds (first matched packet)
    std::uint64_t towards_peer = 0;   // matched packets used, each way
    std::uint64_t towards_first = 0;

    // The offset at `first_ns` (first capture's clock): offset + drift * (first_ns - reference).
    // 0 when there is no offset (method None).
    std::int64_t at(std::int64_t first_ns) const;
};

// Estimates the offset from matched packets (any order).
ClockOffset estimate_clock_offset(std::span<const TimedPair> pairs, const ClockOptions& options = {});
// The offset the user gave (method Imposed).
ClockOffset imposed_clock_offset(std::int64_t offset_ns);

// The shortest round trip between the two capture points under the drift (within
// +/- max_drift_ns_per_s) that makes it largest; the smallest int64 when `pairs` do not go both
// ways. Positive when `towards_peer` says truly which way each packet went, negative when the
// two ways are swapped (whatever the offset and drift, as long as both ways interleave in time):
// how owd tells which capture is the sender's side when the clocks drift by more than the round
// trip over the capture (the drift-free minima of CaptureSide are then misled).
std::int64_t widest_round_trip_ns(std::span<const TimedPair> pairs, std::int64_t max_drift_ns_per_s = 1'000'000);

// The one-way delay of a matched packet once the clocks agree (negative when the offset is wrong).
std::int64_t corrected_delay(const ClockOffset& clock, const TimedPair& pair);

}  // namespace mptcpanalyzer
