// The arithmetic behind the plots: windowed rates integrate back to the bytes (fixed and
// sliding windows), durations parse with their units, the byte-range union counts each byte
// once, CDFs end at 1 with one point per distinct value, inter-arrival gaps per path and across
// path switches.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#include "mptcpanalyzer/analysis/time_series.hpp"

using namespace mptcpanalyzer;

namespace {

std::uint64_t total_bytes(const std::vector<TimedBytes>& events) {
    std::uint64_t t = 0;
    for (const auto& e : events) t += e.bytes;
    return t;
}

std::vector<TimedBytes> random_events(std::uint32_t seed, std::size_t n, std::int64_t start, std::int64_t span) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::int64_t> when(start, start + span);
    std::uniform_int_distribution<std::uint64_t> size(1, 1500);
    std::vector<TimedBytes> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back({when(rng), size(rng)});
    return out;
}

}  // namespace

TEST_CASE("fixed windows: one point per window, in bytes per second, integrating to the bytes") {
    const std::vector<TimedBytes> events{{0, 1000}, {999'999, 500}, {1'000'000, 250}, {3'500'000, 100}};
    const auto rates = fixed_window_rate(events, 0, 3'500'000, 1'000'000);
    REQUIRE(rates.size() == 4);
    CHECK(rates[0].time_ns == 0);
    CHECK(rates[0].bytes_per_second == Approx(1500 / 1e-3));  // 1500 bytes in 1 ms
    CHECK(rates[1].bytes_per_second == Approx(250 / 1e-3));
    CHECK(rates[2].bytes_per_second == 0);
    CHECK(rates[3].time_ns == 3'000'000);
    CHECK(rates[3].bytes_per_second == Approx(100 / 1e-3));

    for (std::uint32_t seed = 1; seed <= 5; ++seed) {
        const auto ev = random_events(seed, 2000, 5'000'000, 2'000'000'000);
        const std::int64_t window = 7'000'000;
        const auto r = fixed_window_rate(ev, 5'000'000, 2'005'000'000, window);
        double integral = 0;
        for (const auto& p : r) integral += p.bytes_per_second * 1e-9 * static_cast<double>(window);
        CHECK(integral == Approx(static_cast<double>(total_bytes(ev))).epsilon(1e-9));
    }
}

TEST_CASE("fixed windows ignore events outside the range") {
    const std::vector<TimedBytes> events{{-1, 1000}, {10, 7}, {2'000'001, 1000}};
    const auto r = fixed_window_rate(events, 0, 2'000'000, 1'000'000);
    double integral = 0;
    for (const auto& p : r) integral += p.bytes_per_second * 1e-3;
    CHECK(integral == Approx(7));
    CHECK(fixed_window_rate(events, 0, 10, 0).empty());
}

TEST_CASE("sliding window: the rate over the last window at every step, integrating to the bytes") {
    const std::vector<TimedBytes> events{{0, 1000}, {2'000'000, 1000}};
    // window 4 ms, step 1 ms: evaluations at 0..5 ms (until end + window = 6 ms, excluded).
    const auto r = sliding_window_rate(events, 0, 2'000'000, 4'000'000, 1'000'000);
    REQUIRE(r.size() == 6);
    const double one = 1000 / 4e-3;
    CHECK(r[0].bytes_per_second == Approx(one));      // (-4, 0]: first event
    CHECK(r[1].bytes_per_second == Approx(one));
    CHECK(r[2].bytes_per_second == Approx(2 * one));  // (-2, 2]: both
    CHECK(r[3].bytes_per_second == Approx(2 * one));
    CHECK(r[4].bytes_per_second == Approx(one));      // (0, 4]: the first left at t = 4
    CHECK(r[5].bytes_per_second == Approx(one));

    for (std::uint32_t seed = 10; seed <= 14; ++seed) {
        const auto ev = random_events(seed, 3000, 0, 1'000'000'000);
        const std::int64_t window = 20'000'000;
        const std::int64_t step = sliding_step_ns(window);
        CHECK(window % step == 0);
        const auto rates = sliding_window_rate(ev, 0, 1'000'000'000, window, step);
        double integral = 0;
        for (const auto& p : rates) integral += p.bytes_per_second * 1e-9 * static_cast<double>(step);
        CHECK(integral == Approx(static_cast<double>(total_bytes(ev))).epsilon(1e-9));
    }
}

TEST_CASE("sliding window: unsorted input gives the same rates as sorted input") {
    auto ev = random_events(3, 500, 0, 100'000'000);
    const auto a = sliding_window_rate(ev, 0, 100'000'000, 5'000'000, 1'000'000);
    std::sort(ev.begin(), ev.end(), [](const TimedBytes& x, const TimedBytes& y) { return x.time_ns < y.time_ns; });
    const auto b = sliding_window_rate(ev, 0, 100'000'000, 5'000'000, 1'000'000);
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i].bytes_per_second == b[i].bytes_per_second);
}

TEST_CASE("automatic windows are 1-2-5 values near duration/50, at least 1 ms") {
    CHECK(auto_window_ns(0) == 1'000'000);
    CHECK(auto_window_ns(10'000'000) == 1'000'000);        // 10 ms -> 0.2 ms wanted, 1 ms minimum
    CHECK(auto_window_ns(400'000'000) == 5'000'000);       // 0.4 s -> 8 ms wanted -> 5 ms
    CHECK(auto_window_ns(60'000'000'000) == 1'000'000'000);  // 60 s -> 1.2 s -> 1 s
    CHECK(auto_window_ns(100'000'000'000) == 2'000'000'000);
    CHECK(sliding_step_ns(5'000'000) == 500'000);
    CHECK(sliding_step_ns(7) == 7);
}

TEST_CASE("durations parse with their unit") {
    CHECK(parse_duration_ns("100ms") == 100'000'000);
    CHECK(parse_duration_ns("1s") == 1'000'000'000);
    CHECK(parse_duration_ns("2.5s") == 2'500'000'000);
    CHECK(parse_duration_ns("250us") == 250'000);
    CHECK(parse_duration_ns("42ns") == 42);
    CHECK(parse_duration_ns("100") == -1);
    CHECK(parse_duration_ns("ms") == -1);
    CHECK(parse_duration_ns("0s") == -1);
    CHECK(parse_duration_ns("1h") == -1);
    CHECK(parse_duration_ns("-1s") == -1);
    CHECK(parse_duration_ns("1.2.3s") == -1);
}

TEST_CASE("the byte-range union counts each byte once") {
    ByteRangeUnion u;
    CHECK(u.add(0, 100) == 100);
    CHECK(u.add(50, 150) == 50);
    CHECK(u.add(200, 300) == 100);
    CHECK(u.add(0, 300) == 50);  // only the hole [150, 200)
    CHECK(u.add(10, 20) == 0);
    CHECK(u.add(300, 301) == 1);  // touching
    CHECK(u.add(5, 5) == 0);
    CHECK(u.covered() == 301);

    // Against a byte map on random ranges.
    std::mt19937 rng(7);
    std::uniform_int_distribution<std::uint64_t> pos(0, 5000), len(0, 700);
    ByteRangeUnion r;
    std::vector<bool> seen(6000, false);
    for (int i = 0; i < 2000; ++i) {
        const auto s = pos(rng), e = s + len(rng);
        std::uint64_t expected = 0;
        for (auto b = s; b < e; ++b) {
            if (!seen[b]) ++expected;
            seen[b] = true;
        }
        REQUIRE(r.add(s, e) == expected);
    }
    CHECK(r.covered() == static_cast<std::uint64_t>(std::count(seen.begin(), seen.end(), true)));
}

TEST_CASE("empirical CDF: one point per distinct value, ascending, ending at 1") {
    const auto cdf = empirical_cdf({3, 1, 2, 2, 5});
    REQUIRE(cdf.size() == 4);
    CHECK(cdf[0].value == 1);
    CHECK(cdf[0].fraction == Approx(0.2));
    CHECK(cdf[1].value == 2);
    CHECK(cdf[1].fraction == Approx(0.6));
    CHECK(cdf[2].fraction == Approx(0.8));
    CHECK(cdf[3].value == 5);
    CHECK(cdf[3].fraction == 1);
    CHECK(empirical_cdf({}).empty());
}

TEST_CASE("inter-arrival times per path and across path switches") {
    const std::vector<TaggedTime> packets{{0, 0}, {10, 0}, {15, 1}, {30, 0}, {31, 1}, {40, 1}, {35, 1}};
    const auto g = inter_arrival_times(packets);
    REQUIRE(g.per_tag.size() == 2);
    CHECK(g.per_tag.at(0) == std::vector<std::int64_t>{10, 20});
    CHECK(g.per_tag.at(1) == std::vector<std::int64_t>{16, 9, 0});  // the clock stepped back: 0
    CHECK(g.switches == std::vector<std::int64_t>{5, 15, 1});
    const std::vector<TaggedTime> one{{5, 3}};
    const auto h = inter_arrival_times(one);
    CHECK(h.per_tag.at(3).empty());
    CHECK(h.switches.empty());
}
