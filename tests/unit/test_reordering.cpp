// Receiver-side reordering (analysis/reordering.hpp) on synthetic MPTCP connections whose
// arrival order is written out below, so every expected in-order time, head-of-line delay,
// releasing subflow and out-of-order byte count follows from the sequence by hand: in order,
// one late subflow, a loss repaired by a reinjection (with duplicates and a partial overlap),
// and reordering across a 2^32 DSN wrap. Percentiles follow the nearest-rank rule.

#include <catch2/catch.hpp>
#include <cstdint>
#include <optional>
#include <vector>

#include "mptcpanalyzer/analysis/mptcp_data.hpp"
#include "mptcpanalyzer/analysis/reordering.hpp"
#include "mptcpanalyzer/model/connections.hpp"
#include "mptcpanalyzer/model/mptcp_crypto.hpp"
#include "synthetic_records.hpp"

using namespace mptcpanalyzer;

namespace {

constexpr std::uint64_t kClientKey = 0xdeeadfc39671faccULL;
constexpr std::uint64_t kServerKey = 0x65f21644a86e59b3ULL;
// SHA-256 of these keys puts their IDSNs a few ten thousand bytes below a 2^32 boundary
// (test_mptcp_data.cpp), so a few dozen 1000-byte segments wrap the 32-bit DSN.
constexpr std::uint64_t kWrapClientKey = 0x3a61;
constexpr std::uint64_t kWrapServerKey = 0x878f;

// A v1 connection with two subflows opened by the client; data flows towards the server.
struct TwoSubflows {
    Capture cap;
    std::vector<Flow> sf;
    std::uint64_t client_key;
    KeyDerived cd;

    explicit TwoSubflows(std::uint64_t ckey = kClientKey, std::uint64_t skey = kServerKey)
        : client_key(ckey), cd(derive_from_key(ckey, 1)) {
        const KeyDerived sd = derive_from_key(skey, 1);
        sf.push_back(cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201, 1000, 900000));
        sf.push_back(cap.flow(1, "10.0.1.1", 40001, "10.0.0.2", 5201, 8777, 903333));
        mptcp_handshake(cap, sf[0], ckey, skey);
        cap.send(sf[1], true, kSynFlags, 0, {join_syn(sd.token, 0x1001U, 1, false)});
        cap.send(sf[1], false, kSynAckFlags, 0, {join_synack(std::vector<std::uint8_t>(8, 0), 0x2001U, 0)});
        cap.send(sf[1], true, kAckFlags, 0, {join_ack(std::vector<std::uint8_t>(20, 0))});
    }

    // Data bytes [rel, rel + len) (relative DSNs, first byte 1) on subflow i, at the next
    // subflow sequence number (a reinjection or any resend on another subflow looks like this).
    std::uint32_t data(std::size_t i, std::uint64_t rel, std::uint32_t len) {
        Flow& f = sf[i];
        const std::uint32_t ssn = f.next[0] - f.isn[0];
        return cap.send(f, true, kPshAckFlags, len, {dss_map(cd.idsn + rel, ssn, static_cast<std::uint16_t>(len))});
    }

    DirectionReordering analyse(bool data_towards_client = false) const {
        const ConnectionModel model = ConnectionModel::build(cap.table);
        REQUIRE(model.mptcp.size() == 1);
        REQUIRE(model.mptcp[0].subflows.size() == sf.size());
        const ConnectionData data = map_connection_data(cap.table, model, model.mptcp[0]);
        REQUIRE(data.unmapped.empty());
        const ReorderingAnalysis r = analyse_reordering(cap.table, model, model.mptcp[0], data);
        if (!data_towards_client) {
            CHECK(r.directions[1].segments.empty());
            CHECK(r.directions[1].timeline.empty());
        }
        return r.directions[0];
    }
};

const HolSegment& segment_of(const DirectionReordering& r, std::uint32_t row) {
    for (const auto& s : r.segments)
        if (s.row == row) return s;
    FAIL("row " << row << " brought no new bytes");
    return r.segments.front();
}

bool has_segment(const DirectionReordering& r, std::uint32_t row) {
    for (const auto& s : r.segments)
        if (s.row == row) return true;
    return false;
}

}  // namespace

TEST_CASE("reordering: data arriving in DSN order waits for nothing", "[reordering]") {
    TwoSubflows c;
    const auto a = c.data(0, 1, 1000);
    const auto b = c.data(1, 1001, 1000);
    const auto d = c.data(0, 2001, 500);
    const DirectionReordering r = c.analyse();
    REQUIRE(r.segments.size() == 3);
    for (const auto row : {a, b, d}) {
        const HolSegment& s = segment_of(r, row);
        REQUIRE(s.in_order_ns);
        CHECK(*s.in_order_ns == c.cap.time_of(row));
        CHECK(s.hol_delay_ns() == 0);
        CHECK(s.released_by == s.subflow);
    }
    CHECK(r.max_out_of_order_bytes == 0);
    CHECK_FALSE(r.max_out_of_order_ns);
    CHECK(r.duplicate_bytes == 0);
    CHECK(r.never_in_order_bytes == 0);
    REQUIRE(r.timeline.size() == 3);
    CHECK(r.timeline[0].in_order_dsn == 1001);
    CHECK(r.timeline[1].in_order_dsn == 2001);
    CHECK(r.timeline[2].in_order_dsn == 2501);
    const DirectionHolSummary sum = summarize_hol(r, 2);
    CHECK(sum.hol_delay.count == 3);
    CHECK(sum.hol_delay.max == std::optional<std::int64_t>(0));
    CHECK(sum.delayed_segments == 0);
    CHECK(sum.subflows[0].new_bytes == 1500);
    CHECK(sum.subflows[1].new_bytes == 1000);
    CHECK(sum.subflows[0].caused.count == 0);
    CHECK(sum.subflows[1].caused.count == 0);
    CHECK_FALSE(sum.subflows[1].caused.max);
}

TEST_CASE("reordering: data behind one late subflow waits until its segment arrives, which caused the wait",
          "[reordering]") {
    TwoSubflows c;
    // Subflow 1 carries [1001, 2001) but delivers it after subflow 0 delivered what follows.
    const auto a = c.data(0, 1, 1000);
    const auto b = c.data(0, 2001, 1000);
    const auto d = c.data(0, 3001, 1000);
    const auto late = c.data(1, 1001, 1000);
    const auto e = c.data(0, 4001, 1000);
    const DirectionReordering r = c.analyse();
    const std::int64_t released = c.cap.time_of(late);
    CHECK(segment_of(r, a).hol_delay_ns() == 0);
    CHECK(segment_of(r, late).hol_delay_ns() == 0);
    CHECK(segment_of(r, e).hol_delay_ns() == 0);
    for (const auto row : {b, d}) {
        const HolSegment& s = segment_of(r, row);
        REQUIRE(s.in_order_ns);
        CHECK(*s.in_order_ns == released);
        CHECK(s.hol_delay_ns() == released - c.cap.time_of(row));
        CHECK(s.released_by == 1);
    }
    // b and d (2000 bytes) were held together, from d's arrival until the late segment.
    CHECK(r.max_out_of_order_bytes == 2000);
    CHECK(r.max_out_of_order_ns == std::optional<std::int64_t>(c.cap.time_of(d)));
    REQUIRE(r.timeline.size() == 5);
    const std::vector<std::uint64_t> in_order{1001, 1001, 1001, 4001, 5001};
    const std::vector<std::uint64_t> held{0, 1000, 2000, 0, 0};
    for (std::size_t i = 0; i < 5; ++i) {
        INFO("point " << i);
        CHECK(r.timeline[i].in_order_dsn == in_order[i]);
        CHECK(r.timeline[i].out_of_order_bytes == held[i]);
    }
    const DirectionHolSummary sum = summarize_hol(r, 2);
    const std::int64_t wait_b = released - c.cap.time_of(b), wait_d = released - c.cap.time_of(d);
    REQUIRE(wait_b > wait_d);
    CHECK(sum.delayed_segments == 2);
    CHECK(sum.delayed_bytes == 2000);
    // Five delays {0, 0, 0, wait_d, wait_b}: nearest rank p50 = 3rd = 0, p90 = 5th = wait_b.
    CHECK(sum.hol_delay.count == 5);
    CHECK(sum.hol_delay.p50 == std::optional<std::int64_t>(0));
    CHECK(sum.hol_delay.p90 == std::optional<std::int64_t>(wait_b));
    CHECK(sum.hol_delay.max == std::optional<std::int64_t>(wait_b));
    // Subflow 0 suffered {0, wait_b, wait_d, 0} and caused nothing; subflow 1 caused both waits.
    CHECK(sum.subflows[0].suffered.count == 4);
    CHECK(sum.subflows[0].suffered.p50 == std::optional<std::int64_t>(0));
    CHECK(sum.subflows[0].suffered.max == std::optional<std::int64_t>(wait_b));
    CHECK(sum.subflows[0].caused.count == 0);
    CHECK(sum.subflows[1].suffered.max == std::optional<std::int64_t>(0));
    CHECK(sum.subflows[1].caused.count == 2);
    CHECK(sum.subflows[1].caused.p50 == std::optional<std::int64_t>(wait_d));
    CHECK(sum.subflows[1].caused.max == std::optional<std::int64_t>(wait_b));
}

TEST_CASE("reordering: a loss repaired by a reinjection holds the data above it until the reinjection; "
          "copies arriving later are duplicates",
          "[reordering]") {
    TwoSubflows c;
    // [1001, 2001) was sent on subflow 1 and lost before the receiver: it is not in this capture.
    const auto a = c.data(0, 1, 1000);
    const auto b = c.data(0, 2001, 1000);
    const auto d = c.data(0, 3001, 1000);
    // Reinjected on subflow 0 together with [2001, 2501), which b already brought: 1000 new bytes.
    const auto reinjection = c.data(0, 1001, 1500);
    // The original copy finally arrives on subflow 1 (say, a TCP retransmission): all duplicate.
    const auto original = c.data(1, 1001, 1000);
    const DirectionReordering r = c.analyse();
    CHECK(segment_of(r, a).hol_delay_ns() == 0);
    const HolSegment& fix = segment_of(r, reinjection);
    CHECK(fix.new_bytes == 1000);
    CHECK(fix.hol_delay_ns() == 0);
    CHECK_FALSE(has_segment(r, original));
    for (const auto row : {b, d}) {
        const HolSegment& s = segment_of(r, row);
        CHECK(s.in_order_ns == std::optional<std::int64_t>(c.cap.time_of(reinjection)));
        CHECK(s.released_by == 0);
    }
    CHECK(r.duplicate_bytes == 500 + 1000);
    CHECK(r.max_out_of_order_bytes == 2000);
    CHECK(r.never_in_order_bytes == 0);
    CHECK(r.timeline.back().in_order_dsn == 4001);
    CHECK(r.timeline.size() == 5);  // the duplicate is a point of the timeline too
    const DirectionHolSummary sum = summarize_hol(r, 2);
    // The reinjection's subflow released the held data; the lossy subflow delivered nothing new.
    CHECK(sum.subflows[0].caused.count == 2);
    CHECK(sum.subflows[0].caused.max ==
          std::optional<std::int64_t>(c.cap.time_of(reinjection) - c.cap.time_of(b)));
    CHECK(sum.subflows[1].new_bytes == 0);
    CHECK(sum.subflows[1].suffered.count == 0);
}

TEST_CASE("reordering: bytes above a hole never filled stay out of order to the end", "[reordering]") {
    TwoSubflows c;
    c.data(0, 1, 1000);
    const auto b = c.data(0, 2001, 1000);
    const DirectionReordering r = c.analyse();
    CHECK_FALSE(segment_of(r, b).in_order_ns);
    CHECK(r.never_in_order_bytes == 1000);
    CHECK(r.max_out_of_order_bytes == 1000);
    // A delay that never ended is not a delay of the statistics.
    CHECK(summarize_hol(r, 2).hol_delay.count == 1);
}

TEST_CASE("reordering: segments reordered across a 2^32 DSN wrap are ordered by their 64-bit DSNs", "[reordering]") {
    TwoSubflows c(kWrapClientKey, kWrapServerKey);
    const std::uint64_t to_wrap = 0x100000000ULL - (c.cd.idsn & 0xffffffffULL);  // relative DSN of the first byte past it
    REQUIRE(to_wrap > 1000);
    REQUIRE(to_wrap < 30000);
    // 1000-byte segments from relative DSN 1; k is the one whose bytes cross the wrap.
    const std::uint64_t k = (to_wrap - 1) / 1000;
    for (std::uint64_t i = 0; i < k; ++i) c.data(0, 1 + 1000 * i, 1000);
    // The crossing segment comes late on subflow 1; the two after it (past the wrap: their
    // 32-bit DSNs are small numbers) arrive first on subflow 0.
    const auto after1 = c.data(0, 1 + 1000 * (k + 1), 1000);
    const auto after2 = c.data(0, 1 + 1000 * (k + 2), 1000);
    const auto crossing = c.data(1, 1 + 1000 * k, 1000);
    const DirectionReordering r = c.analyse();
    CHECK(r.segments.size() == k + 3);
    for (const auto row : {after1, after2}) {
        const HolSegment& s = segment_of(r, row);
        CHECK(s.in_order_ns == std::optional<std::int64_t>(c.cap.time_of(crossing)));
        CHECK(s.released_by == 1);
    }
    CHECK(r.max_out_of_order_bytes == 2000);
    CHECK(r.never_in_order_bytes == 0);
    CHECK(r.timeline.back().in_order_dsn == 1 + 1000 * (k + 3));
}

TEST_CASE("reordering: percentiles are nearest-rank order statistics", "[reordering]") {
    std::vector<std::int64_t> values;
    for (std::int64_t v = 100; v >= 1; --v) values.push_back(v);  // 1..100, unsorted
    const DurationStats s = duration_stats(values);
    CHECK(s.count == 100);
    CHECK(s.p50 == std::optional<std::int64_t>(50));
    CHECK(s.p90 == std::optional<std::int64_t>(90));
    CHECK(s.p99 == std::optional<std::int64_t>(99));
    CHECK(s.max == std::optional<std::int64_t>(100));
    // Three values: p50 is the 2nd (ceil 1.5), p90 and p99 the 3rd.
    const DurationStats three = duration_stats({30, 10, 20});
    CHECK(three.p50 == std::optional<std::int64_t>(20));
    CHECK(three.p90 == std::optional<std::int64_t>(30));
    const DurationStats none = duration_stats({});
    CHECK(none.count == 0);
    CHECK_FALSE(none.p50);
    CHECK_FALSE(none.max);
}

TEST_CASE("reordering: in the sender's capture, arrivals are estimated from the subflow ACKs and in-order times "
          "from the DATA_ACKs that come back",
          "[reordering]") {
    TwoSubflows c;
    // The capture is the client's: data towards the client is acknowledged at once (the next
    // packet), data towards the server a few packets later (a round trip), so the client's
    // capture is the sender's view of data towards the server.
    Flow& f0 = c.sf[0];
    const std::uint32_t down_ssn = f0.next[1] - f0.isn[1];
    c.cap.send(f0, false, kPshAckFlags, 100,
               {dss_map(derive_from_key(kServerKey, 1).idsn + 1, down_ssn, 100)});
    c.cap.send(f0, true, kAckFlags, 0);
    // Sent in DSN order: [1, 1001) on subflow 1 (slow path), [1001, 2001) on subflow 0.
    const auto slow = c.data(1, 1, 1000);
    const auto fast = c.data(0, 1001, 1000);
    c.cap.send(c.sf[1], true, kAckFlags, 0);  // a moment passes: the ACKs take a round trip
    // Subflow 0's ACK of `fast` comes back first, with a DATA_ACK still at 1 (the receiver holds
    // it out of order); then subflow 1's ACK of `slow` with a DATA_ACK past both.
    const std::uint64_t idsn = c.cd.idsn;
    const auto fast_acked = c.cap.send(f0, false, kAckFlags, 0, {dss_ack(idsn + 1)});
    const auto slow_acked = c.cap.send(c.sf[1], false, kAckFlags, 0, {dss_ack(idsn + 2001)});
    const DirectionReordering r = c.analyse(true);
    REQUIRE(r.vantage == Vantage::Sender);
    const HolSegment& s = segment_of(r, slow);
    const HolSegment& f = segment_of(r, fast);
    CHECK(s.arrival_ns == c.cap.time_of(slow_acked));
    CHECK(s.hol_delay_ns() == 0);
    CHECK(f.arrival_ns == c.cap.time_of(fast_acked));
    CHECK(f.in_order_ns == std::optional<std::int64_t>(c.cap.time_of(slow_acked)));
    CHECK(f.released_by == 1);
    // Subflow-acknowledged but not data-acknowledged: `fast`'s 1000 bytes, until slow_acked.
    CHECK(r.max_out_of_order_bytes == 1000);
    CHECK(r.max_out_of_order_ns == std::optional<std::int64_t>(c.cap.time_of(fast_acked)));
    CHECK(r.timeline.back().out_of_order_bytes == 0);
    CHECK(r.timeline.back().in_order_dsn == 2001);
    CHECK(r.never_in_order_bytes == 0);
}
