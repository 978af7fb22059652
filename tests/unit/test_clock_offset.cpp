// The clock offset estimator and the delay distribution behind `owd`, on packets whose true
// offset, drift and one-way delays are chosen here: the estimate is the true offset when both
// directions' minimum delays are equal, and within its uncertainty of it otherwise; a shift of
// either clock moves it by exactly the shift; a real drift is found and applied, queueing on a
// single clock is not mistaken for one; one-way-only, imposed and empty inputs say so; nearest-rank
// percentiles are ranks ceil(p/100 x n).

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <vector>

#include "mptcpanalyzer/analysis/clock_offset.hpp"
#include "mptcpanalyzer/analysis/one_way_delays.hpp"

using namespace mptcpanalyzer;

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kStart = 1'700'000'000 * kSecond;

struct Path {
    std::int64_t offset_ns = 0;     // peer clock - first clock at kStart
    std::int64_t drift_ns_per_s = 0;
    std::int64_t min_up_ns = 0;     // minimum delay first -> peer
    std::int64_t min_down_ns = 0;   // minimum delay peer -> first
    std::int64_t jitter_ns = 0;     // extra delay, uniform in [0, jitter]
};

// `n` packets each way over `span_ns`, every tenth at its direction's minimum delay. A packet's
// true times: sent at t (true time = first clock), arrives at t + delay; each capture stamps it
// with its own clock (peer clock = true + offset + drift x elapsed).
std::vector<TimedPair> packets(const Path& p, std::int64_t span_ns, int n, std::uint32_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<std::int64_t> when(0, span_ns);
    std::uniform_int_distribution<std::int64_t> jitter(0, p.jitter_ns);
    const auto peer_clock = [&p](std::int64_t true_ns) {
        return true_ns + p.offset_ns + (p.drift_ns_per_s * (true_ns - kStart)) / kSecond;
    };
    std::vector<TimedPair> out;
    for (int i = 0; i < n; ++i) {
        for (const bool up : {true, false}) {
            const std::int64_t sent = kStart + when(rng);
            const std::int64_t delay = (up ? p.min_up_ns : p.min_down_ns) + (i % 10 == 0 ? 0 : jitter(rng));
            const std::int64_t arrived = sent + delay;
            out.push_back(up ? TimedPair{sent, peer_clock(arrived), true} : TimedPair{arrived, peer_clock(sent), false});
        }
    }
    return out;
}

std::int64_t distance(std::int64_t a, std::int64_t b) { return std::llabs(a - b); }

}  // namespace

TEST_CASE("equal minimum delays both ways: the estimate is the true offset, the uncertainty half the round trip",
          "[clock_offset]") {
    const Path path{.offset_ns = 123'456'789, .min_up_ns = 250'000, .min_down_ns = 250'000, .jitter_ns = 5'000'000};
    const auto pairs = packets(path, kSecond / 2, 200, 1);
    const ClockOffset c = estimate_clock_offset(pairs);
    CHECK(c.method == ClockMethod::SymmetricMinimum);
    CHECK(c.offset_ns == path.offset_ns);
    CHECK(c.uncertainty_ns == 250'000);
    CHECK(c.min_round_trip_ns == 500'000);
    CHECK(c.towards_peer == 200);
    CHECK(c.towards_first == 200);
    CHECK(c.drift == DriftStatus::TooFewWindows);  // half a second: no drift estimated
}

TEST_CASE("unequal minimum delays: the true offset is within the uncertainty, corrected delays are >= 0 within it",
          "[clock_offset]") {
    for (std::uint32_t seed = 1; seed <= 20; ++seed) {
        std::mt19937 rng(seed);
        const Path path{.offset_ns = std::uniform_int_distribution<std::int64_t>(-10 * kSecond, 10 * kSecond)(rng),
                        .min_up_ns = std::uniform_int_distribution<std::int64_t>(0, 30'000'000)(rng),
                        .min_down_ns = std::uniform_int_distribution<std::int64_t>(0, 30'000'000)(rng),
                        .jitter_ns = 20'000'000};
        const auto pairs = packets(path, 3 * kSecond, 300, seed);
        const ClockOffset c = estimate_clock_offset(pairs);
        REQUIRE(c.uncertainty_ns);
        CHECK(distance(*c.offset_ns, path.offset_ns) <= *c.uncertainty_ns);
        for (const auto& p : pairs) CHECK(corrected_delay(c, p) >= -2 * *c.uncertainty_ns);
    }
}

TEST_CASE("shifting the peer clock moves the estimate by exactly the shift, shifting the first clock by minus the shift",
          "[clock_offset]") {
    const Path path{.offset_ns = 0, .min_up_ns = 20'000'000, .min_down_ns = 1'000'000, .jitter_ns = 10'000'000};
    const auto pairs = packets(path, 2 * kSecond, 300, 7);
    const ClockOffset base = estimate_clock_offset(pairs);
    for (const std::int64_t shift : {std::int64_t{1}, std::int64_t{-999'999'999}, 3600 * kSecond}) {
        auto peer_shifted = pairs;
        for (auto& p : peer_shifted) p.peer_ns += shift;
        const ClockOffset moved = estimate_clock_offset(peer_shifted);
        CHECK(*moved.offset_ns == *base.offset_ns + shift);
        CHECK(moved.uncertainty_ns == base.uncertainty_ns);
        auto first_shifted = pairs;
        for (auto& p : first_shifted) p.first_ns += shift;
        const ClockOffset back = estimate_clock_offset(first_shifted);
        CHECK(*back.offset_ns == *base.offset_ns - shift);
        // The corrected delays do not change.
        for (std::size_t i = 0; i < pairs.size(); ++i) {
            CHECK(corrected_delay(moved, peer_shifted[i]) == corrected_delay(base, pairs[i]));
            CHECK(corrected_delay(back, first_shifted[i]) == corrected_delay(base, pairs[i]));
        }
    }
}

TEST_CASE("a real drift is measured and applied: offsets at every time within the uncertainty", "[clock_offset]") {
    // 50 ppm over 10 s: 500 us of drift against a 200 us round trip.
    const Path path{.offset_ns = -5 * kSecond, .drift_ns_per_s = 50'000, .min_up_ns = 100'000,
                    .min_down_ns = 100'000, .jitter_ns = 2'000'000};
    const auto pairs = packets(path, 10 * kSecond, 2000, 3);
    const ClockOffset c = estimate_clock_offset(pairs);
    CHECK(c.drift == DriftStatus::Applied);
    CHECK(c.drift_windows == 16);
    CHECK(distance(c.drift_ns_per_s, path.drift_ns_per_s) < 2'500);  // within 5 %
    REQUIRE(c.uncertainty_ns);
    CHECK(*c.uncertainty_ns < 120'000);
    for (const std::int64_t t : {kStart, kStart + 5 * kSecond, kStart + 10 * kSecond}) {
        const std::int64_t truth = path.offset_ns + path.drift_ns_per_s * (t - kStart) / kSecond;
        CHECK(distance(c.at(t), truth) <= *c.uncertainty_ns);
    }
    // The drift (500 us) exceeds the round trip (200 us): drift-free minima cross, but some drift
    // keeps the true orientation's bounds apart, and none the swapped one's.
    CHECK(widest_round_trip_ns(pairs) > 0);
    auto swapped = pairs;
    for (auto& p : swapped) p.towards_peer = !p.towards_peer;
    CHECK(widest_round_trip_ns(swapped) < 0);
    // Without the drift, the same packets need a far wider uncertainty (the bounds cross).
    ClockOptions no_drift;
    no_drift.min_span_ns = 100 * kSecond;
    const ClockOffset constant = estimate_clock_offset(pairs, no_drift);
    CHECK(constant.drift == DriftStatus::TooFewWindows);
    CHECK(*constant.min_round_trip_ns < 0);
}

TEST_CASE("one clock with queueing that grows one way only: no drift is applied", "[clock_offset]") {
    // Delays towards the peer grow from 0 to 300 ms over 6 s (a filling queue), the way back stays
    // short: per-window middles slope, but the clocks do not drift.
    std::vector<TimedPair> pairs;
    for (int i = 0; i < 600; ++i) {
        const std::int64_t t = kStart + std::int64_t{i} * 10'000'000;
        const std::int64_t queue = (i * 300'000'000LL) / 600;
        pairs.push_back({t, t + 50'000 + queue, true});
        pairs.push_back({t + 40'000, t, false});
    }
    const ClockOffset c = estimate_clock_offset(pairs);
    CHECK(c.measured_drift_ns_per_s.value_or(0) != 0);
    CHECK(c.drift != DriftStatus::Applied);
    CHECK(c.drift_ns_per_s == 0);
    CHECK(distance(*c.offset_ns, 0) <= *c.uncertainty_ns);
}

TEST_CASE("packets one way only: one_direction, that way's minimum delay taken as 0, no uncertainty",
          "[clock_offset]") {
    const std::vector<TimedPair> up{{100, 5'100, true}, {200, 4'300, true}, {300, 9'000, true}};
    const ClockOffset c = estimate_clock_offset(up);
    CHECK(c.method == ClockMethod::OneDirection);
    CHECK(c.offset_ns == 4'100);
    CHECK_FALSE(c.uncertainty_ns);
    CHECK(c.drift == DriftStatus::NotEstimated);
    const std::vector<TimedPair> down{{5'100, 100, false}, {4'300, 200, false}};
    CHECK(estimate_clock_offset(down).offset_ns == -4'100);
}

TEST_CASE("nothing matched gives method none and no offset, imposed offsets are used as given", "[clock_offset]") {
    const ClockOffset none = estimate_clock_offset(std::vector<TimedPair>{});
    CHECK(none.method == ClockMethod::None);
    CHECK_FALSE(none.offset_ns);
    const ClockOffset imposed = imposed_clock_offset(-1'000);
    CHECK(imposed.method == ClockMethod::Imposed);
    CHECK_FALSE(imposed.uncertainty_ns);
    CHECK(corrected_delay(imposed, {0, 4'000, true}) == 5'000);
    CHECK(corrected_delay(imposed, {4'000, 0, false}) == 3'000);
}

TEST_CASE("nearest-rank percentiles are the values of rank ceil(p/100 x n)", "[clock_offset]") {
    std::vector<std::int64_t> hundred;
    for (int i = 100; i >= 1; --i) hundred.push_back(i);
    const auto d = delay_distribution(hundred);
    REQUIRE(d);
    CHECK(d->min == 1);
    CHECK(d->p50 == 50);
    CHECK(d->p90 == 90);
    CHECK(d->p99 == 99);
    CHECK(d->max == 100);
    std::vector<std::int64_t> three{30, 10, 20};
    const auto t = delay_distribution(three);
    CHECK(t->p50 == 20);  // rank ceil(1.5) = 2
    CHECK(t->p90 == 30);  // rank ceil(2.7) = 3
    std::vector<std::int64_t> one{-7};
    CHECK(delay_distribution(one)->p99 == -7);
    std::vector<std::int64_t> none;
    CHECK_FALSE(delay_distribution(none));
}
