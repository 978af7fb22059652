// SequenceCoverage (model/sequence_coverage.hpp), the one rule for what a TCP retransmission is
// and what the captured payload covered, directly and through the connection model
// (tcp-summary's figures): payload = unique + retransmitted, span = unique + holes.

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <set>
#include <vector>

#include "mptcpanalyzer/model/connections.hpp"
#include "mptcpanalyzer/model/sequence_coverage.hpp"
#include "synthetic_records.hpp"

using namespace mptcpanalyzer;
using Range = SequenceCoverage::Range;

TEST_CASE("sequence coverage: a capture hole is neither unique nor retransmitted, and is reported", "[coverage]") {
    SequenceCoverage c;
    CHECK(c.add(1000, true, 0) == 0);    // SYN: data starts at 1001
    CHECK(c.add(1001, false, 100) == 0); // 1001..1100
    CHECK(c.add(1301, false, 100) == 0); // 1301..1400: 1101..1300 never captured
    CHECK(c.payload_bytes() == 200);
    CHECK(c.covered_bytes() == 200);
    CHECK(c.retransmitted_bytes() == 0);
    CHECK(c.span_bytes() == 400);
    CHECK(c.hole_bytes() == 200);
    // The hole filled later (lost before the capture point): new, not retransmitted.
    CHECK(c.add(1101, false, 200) == 0);
    CHECK(c.hole_bytes() == 0);
    CHECK(c.covered_bytes() == 400);
}

TEST_CASE("sequence coverage: the already covered parts of a segment are given as offsets", "[coverage]") {
    SequenceCoverage c;
    c.add(100, false, 100);  // 100..200
    c.add(300, false, 100);  // 300..400
    std::vector<Range> seen;
    CHECK(c.add(150, false, 300, &seen) == 150);  // 150..450: 150..200 and 300..400 seen before
    CHECK(seen == std::vector<Range>{{0, 50}, {150, 250}});
    CHECK(c.payload_bytes() == 500);
    CHECK(c.covered_bytes() == 350);
    CHECK(c.retransmitted_bytes() == 150);
    CHECK(c.hole_bytes() == 0);
    seen.clear();
    CHECK(c.add(450, false, 10, &seen) == 0);  // touching the end: nothing seen
    CHECK(seen.empty());
}

TEST_CASE("sequence coverage: numbers wrap past 2^32 and an older segment stays older", "[coverage]") {
    SequenceCoverage c;
    c.add(0xffffff00U, false, 0x100);  // up to 2^32
    c.add(0x00000000U, false, 0x100);  // after the wrap
    std::vector<Range> seen;
    CHECK(c.add(0xffffff80U, false, 0x100, &seen) == 0x100);  // straddles the wrap, all seen
    CHECK(seen == std::vector<Range>{{0, 0x100}});
    CHECK(c.covered_bytes() == 0x200);
    CHECK(c.span_bytes() == 0x200);
}

TEST_CASE("sequence coverage: random segments keep payload = unique + retransmitted and span = unique + holes",
          "[coverage]") {
    std::mt19937 rng(3);
    SequenceCoverage c;
    std::set<std::uint64_t> bytes;  // byte-by-byte reference
    std::uint64_t payload = 0, lo = UINT64_MAX, hi = 0, retransmitted = 0;
    const std::uint32_t isn = 0xfffff000U;  // wraps during the run
    for (int i = 0; i < 400; ++i) {
        const std::uint32_t off = static_cast<std::uint32_t>(rng() % 20000);
        const std::uint32_t len = static_cast<std::uint32_t>(rng() % 600);
        std::uint64_t seen_here = 0;
        for (std::uint32_t k = 0; k < len; ++k) seen_here += bytes.count(std::uint64_t{off} + k);
        CHECK(c.add(isn + off, false, len) == seen_here);
        for (std::uint32_t k = 0; k < len; ++k) bytes.insert(std::uint64_t{off} + k);
        payload += len;
        retransmitted += seen_here;
        if (len) lo = std::min<std::uint64_t>(lo, off), hi = std::max<std::uint64_t>(hi, std::uint64_t{off} + len);
    }
    CHECK(c.payload_bytes() == payload);
    CHECK(c.covered_bytes() == bytes.size());
    CHECK(c.retransmitted_bytes() == retransmitted);
    CHECK(c.span_bytes() == hi - lo);
    CHECK(c.hole_bytes() == (hi - lo) - bytes.size());
}

TEST_CASE("sequence coverage: tcp-summary's unique bytes are the covered space, holes apart", "[coverage][connections]") {
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 80);
    cap.send(f, true, kSynFlags, 0);
    cap.send(f, false, kSynAckFlags, 0);
    const std::uint32_t first = f.next[0];
    cap.send(f, true, kPshAckFlags, 1000);
    f.next[0] += 500;  // 500 bytes the capture never sees
    cap.send(f, true, kPshAckFlags, 1000);
    cap.send(f, true, kPshAckFlags, 1000, {}, first);  // a retransmission of the first segment
    const auto m = ConnectionModel::build(cap.table);
    REQUIRE(m.tcp.size() == 1);
    const TcpDirectionStats& st = m.tcp[0].stats(TcpDirection::ClientToServer);
    CHECK(st.payload_bytes == 3000);
    CHECK(st.unique_bytes == 2000);  // was the span, 2500, before holes were told apart
    CHECK(st.retransmitted_bytes == 1000);
    CHECK(st.hole_bytes == 500);
    CHECK(st.payload_bytes == st.unique_bytes + st.retransmitted_bytes);
}
