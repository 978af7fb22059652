// Axis ticks of the plots (export/gnuplot): counts tick on whole numbers, bytes and bit/s get SI
// prefixes written with exactly as many decimals as the ticks need. Expected values follow from
// the rule (1-2-5 steps, about 5 to 9 ticks, steps of at least 1), not from our own output.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <string>

#include "mptcpanalyzer/export/gnuplot.hpp"

using namespace mptcpanalyzer;

namespace {

PlotAxis axis(AxisNumbers numbers, double low, double high) { return PlotAxis{numbers, low, high}; }

}  // namespace

TEST_CASE("a count axis without data runs 0 to 1 with the ticks 0 and 1 only", "[gnuplot][axes]") {
    CHECK(axis_settings("y", axis(AxisNumbers::Integer, 0, 0)) ==
          "set yrange [0:1]\nset ytics 0, 1, 1\nset format y '%.0f'\n");
}

TEST_CASE("count axes tick on whole numbers, never between them", "[gnuplot][axes]") {
    // A count of 1 would get ticks 0, 0.2, ... 1 from a plain 1-2-5 rule: they are all 1 apart.
    CHECK(axis_settings("y", axis(AxisNumbers::Integer, 0, 1)) ==
          "set yrange [0:1]\nset ytics 0, 1, 1\nset format y '%.0f'\n");
    CHECK(axis_settings("y", axis(AxisNumbers::Integer, 0, 5)) ==
          "set yrange [0:5]\nset ytics 0, 1, 5\nset format y '%.0f'\n");
    // 37 / 8 = 4.6: the next 1-2-5 step is 5, the axis ends at the tick above 37.
    CHECK(axis_settings("y", axis(AxisNumbers::Integer, 0, 37)) ==
          "set yrange [0:40]\nset ytics 0, 5, 40\nset format y '%.0f'\n");
    for (double high = 0; high < 5000; high = high * 1.37 + 1) {
        const double step = axis_tick_step(0, high, 1);
        INFO("high " << high << " step " << step);
        CHECK(step >= 1);
        CHECK(step == std::round(step));
        const double ticks = std::ceil(high / step) + 1;
        CHECK(ticks <= 9);
    }
}

TEST_CASE("byte and rate axes use SI prefixes with the decimals their ticks need", "[gnuplot][axes]") {
    // 650000 / 8 = 81250: step 100 k, ticks 0 .. 700 k, whole mantissas.
    CHECK(axis_settings("y", axis(AxisNumbers::SiPrefixed, 0, 650000)) ==
          "set yrange [0:700000]\nset ytics 0, 100000, 700000\nset format y '%.0s %c'\n");
    // Step 500 k: 500 k, 1.0 M, 1.5 M, ... need one decimal.
    CHECK(axis_settings("y", axis(AxisNumbers::SiPrefixed, 0, 2.4e6)) ==
          "set yrange [0:2500000]\nset ytics 0, 500000, 2500000\nset format y '%.1s %c'\n");
    // 1.2 k, 1.4 k: one decimal, though 200 .. 800 need none.
    CHECK(axis_settings("x", axis(AxisNumbers::SiPrefixed, 0, 1400)) ==
          "set xrange [0:1400]\nset xtics 0, 200, 1400\nset format x '%.1s %c'\n");
    // Ticks never go below 1: bytes are whole.
    CHECK(axis_tick_step(0, 3, 1) == 1);
}

TEST_CASE("an axis away from 0 starts at the tick below its lowest value", "[gnuplot][axes]") {
    // Timestamps around 4.2e9 over 5000 ticks: steps of 1000 from 4199999000.
    CHECK(axis_settings("y", axis(AxisNumbers::Integer, 4199999500, 4200004400)) ==
          "set yrange [4199999000:4200005000]\nset ytics 4199999000, 1000, 4200005000\nset format y '%.0f'\n");
}

TEST_CASE("automatic axes write nothing", "[gnuplot][axes]") {
    CHECK(axis_settings("y", PlotAxis{}).empty());
}
