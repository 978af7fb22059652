// The classification of resent data (analysis/reinjections.hpp) on synthetic MPTCP connections
// built from records: data resent on another subflow is a reinjection linked to every earlier
// copy on other subflows; the same subflow sequence numbers again are a TCP retransmission
// (tcp-summary's count, whatever other subflows carried); old DSNs again on the same subflow
// under new subflow sequence numbers are an MPTCP-level retransmission; segments split between
// kinds byte-exactly, and the per-subflow numbers add up to the wire bytes.

#include <algorithm>
#include <array>
#include <map>
#include <catch2/catch.hpp>
#include <cstdint>
#include <optional>
#include <random>
#include <set>
#include <vector>

#include "mptcpanalyzer/analysis/mptcp_data.hpp"
#include "mptcpanalyzer/analysis/mptcp_totals.hpp"
#include "mptcpanalyzer/analysis/reinjections.hpp"
#include "mptcpanalyzer/analysis/summaries.hpp"
#include "mptcpanalyzer/model/connections.hpp"
#include "mptcpanalyzer/model/mptcp_crypto.hpp"
#include "mptcpanalyzer/model/packet_record.hpp"
#include "mptcpanalyzer/model/packet_table.hpp"
#include "synthetic_records.hpp"

using namespace mptcpanalyzer;

namespace {

// Record builders: synthetic_records.hpp

constexpr std::uint64_t kClientKey = 0xdeeadfc39671faccULL;
constexpr std::uint64_t kServerKey = 0x65f21644a86e59b3ULL;

// A v1 MPTCP connection with `subflows` subflows, all opened by the client towards the server.
struct Conn {
    Capture cap;
    std::vector<Flow> sf;
    KeyDerived cd = derive_from_key(kClientKey, 1);
    KeyDerived sd = derive_from_key(kServerKey, 1);

    explicit Conn(std::size_t subflows) {
        const char* clients[] = {"10.0.0.1", "10.0.1.1", "10.0.2.1", "10.0.3.1"};
        for (std::size_t i = 0; i < subflows; ++i)
            sf.push_back(cap.flow(static_cast<std::uint32_t>(i), clients[i], static_cast<std::uint16_t>(40000 + i),
                                  "10.0.0.2", 5201, static_cast<std::uint32_t>(1000 + 7777 * i),
                                  static_cast<std::uint32_t>(900000 + 3333 * i)));
        mptcp_handshake(cap, sf[0], kClientKey, kServerKey);
        for (std::size_t i = 1; i < subflows; ++i) {
            const auto id = static_cast<std::uint8_t>(i);
            cap.send(sf[i], true, kSynFlags, 0, {join_syn(sd.token, 0x1000U + id, id, false)});
            cap.send(sf[i], false, kSynAckFlags, 0, {join_synack(std::vector<std::uint8_t>(8, 0), 0x2000U + id, 0)});
            cap.send(sf[i], true, kAckFlags, 0, {join_ack(std::vector<std::uint8_t>(20, 0))});
        }
    }

    // Sends data bytes [rel, rel + len) of a direction on subflow i with their mapping; `seq`
    // resends at an earlier subflow sequence number (same-subflow retransmission).
    std::uint32_t data(std::size_t i, std::uint64_t rel, std::uint32_t len, bool to_server = true,
                       std::optional<std::uint32_t> seq = std::nullopt) {
        Flow& f = sf[i];
        const std::size_t d = to_server ? 0 : 1;
        const std::uint32_t ssn = (seq ? *seq : f.next[d]) - f.isn[d];
        const std::uint64_t dsn = (to_server ? cd.idsn : sd.idsn) + rel;
        return cap.send(f, to_server, kPshAckFlags, len, {dss_map(dsn, ssn, static_cast<std::uint16_t>(len))}, seq);
    }
    std::uint32_t next_seq(std::size_t i, bool to_server = true) const { return sf[i].next[to_server ? 0 : 1]; }

    struct Result {
        ConnectionModel model;
        ConnectionData data;
        ReinjectionReport report;
    };
    Result analyse(bool allow_unmapped = false) const {
        Result r{ConnectionModel::build(cap.table), {}, {}};
        REQUIRE(r.model.mptcp.size() == 1);
        REQUIRE(r.model.mptcp[0].subflows.size() == sf.size());
        r.data = map_connection_data(cap.table, r.model, r.model.mptcp[0]);
        if (!allow_unmapped) REQUIRE(r.data.unmapped.empty());
        r.report = find_reinjections(cap.table, r.model, r.model.mptcp[0], r.data);
        return r;
    }
};

// Index in data.segments of the segment sent in `row`.
std::size_t seg_of(const ConnectionData& data, std::uint32_t row) {
    for (std::size_t i = 0; i < data.segments.size(); ++i)
        if (data.segments[i].row == row) return i;
    FAIL("row " << row << " has no data segment");
    return 0;
}

const Reinjection* reinjection_of(const ReinjectionReport& report, std::size_t segment) {
    for (const auto& r : report.reinjections)
        if (r.segment == segment) return &r;
    return nullptr;
}

const MptcpRetransmission* mptcp_retransmission_of(const ReinjectionReport& report, std::size_t segment) {
    for (const auto& r : report.mptcp_retransmissions)
        if (r.segment == segment) return &r;
    return nullptr;
}

using Indices = std::vector<std::size_t>;

// The identities the classification promises, whatever the scenario: per segment the kinds add
// up to its length; per subflow and direction they add up to the wire bytes, the TCP-retransmitted
// bytes are the TCP connection's own (tcp-summary's) figure, and the listed segments are exactly
// those with reinjected / MPTCP-retransmitted bytes.
void check_stats_add_up(const Conn::Result& r, bool contiguous = true) {
    const MptcpConnection& m = r.model.mptcp[0];
    REQUIRE(r.report.segment_bytes.size() == r.data.segments.size());
    std::set<std::size_t> with_reinjected, with_mptcp_retransmitted;
    for (std::size_t i = 0; i < r.data.segments.size(); ++i) {
        const SegmentBytes& b = r.report.segment_bytes[i];
        CHECK(b.new_bytes + b.reinjected_bytes + b.mptcp_retransmitted_bytes + b.tcp_retransmitted_bytes ==
              r.data.segments[i].length);
        if (b.reinjected_bytes) with_reinjected.insert(i);
        if (b.mptcp_retransmitted_bytes) with_mptcp_retransmitted.insert(i);
    }
    std::set<std::size_t> listed_reinjections, listed_retransmissions;
    for (const auto& re : r.report.reinjections) {
        listed_reinjections.insert(re.segment);
        CHECK(re.reinjected_bytes == r.report.segment_bytes[re.segment].reinjected_bytes);
        for (auto o : re.originals) CHECK(r.data.segments[o].subflow != r.data.segments[re.segment].subflow);
    }
    for (const auto& mr : r.report.mptcp_retransmissions) {
        listed_retransmissions.insert(mr.segment);
        CHECK(mr.mptcp_retransmitted_bytes == r.report.segment_bytes[mr.segment].mptcp_retransmitted_bytes);
        for (auto e : mr.earlier) {
            CHECK(r.data.segments[e].subflow == r.data.segments[mr.segment].subflow);
            CHECK(e < mr.segment);
        }
    }
    CHECK(listed_reinjections == with_reinjected);
    CHECK(listed_retransmissions == with_mptcp_retransmitted);
    for (std::size_t d = 0; d < 2; ++d) {
        std::uint64_t data_bytes = 0, new_bytes = 0, seg_bytes = 0;
        std::uint32_t reinjections = 0;
        for (std::size_t i = 0; i < m.subflows.size(); ++i) {
            const SubflowDataStats& st = r.report.per_subflow[d][i];
            CHECK(st.payload_bytes == st.new_bytes + st.reinjected_bytes + st.mptcp_retransmitted_bytes +
                                          st.tcp_retransmitted_bytes + st.unmapped_bytes);
            const Subflow& sf = m.subflows[i];
            const TcpDirectionStats& tcp = r.model.find_tcp(sf.tcp_stream)->stats(sf.tcp_direction(static_cast<DataDirection>(d)));
            CHECK(st.payload_bytes == tcp.payload_bytes);
            CHECK(st.tcp_retransmitted_bytes == tcp.retransmitted_bytes);
            data_bytes += st.data_bytes;
            new_bytes += st.new_bytes;
            reinjections += st.reinjections;
        }
        std::uint32_t listed = 0;
        for (const auto& s : r.data.segments) {
            if (static_cast<std::size_t>(s.direction) != d) continue;
            seg_bytes += s.length;
        }
        for (const auto& re : r.report.reinjections)
            if (static_cast<std::size_t>(r.data.segments[re.segment].direction) == d) ++listed;
        CHECK(data_bytes == seg_bytes);
        CHECK(reinjections == listed);
        // Contiguous data: every DSN was carried first by exactly one subflow.
        if (contiguous) CHECK(new_bytes == r.data.application_bytes(static_cast<DataDirection>(d)));
    }
}

}  // namespace

TEST_CASE("reinjections: data resent on another subflow is a reinjection linked to every original",
          "[reinjections]") {
    Conn c(2);
    const auto a = c.data(0, 1, 1000);
    const auto b = c.data(0, 1001, 1000);
    const auto x = c.data(1, 1, 2000);
    const auto r = c.analyse();
    const std::size_t ia = seg_of(r.data, a), ib = seg_of(r.data, b), ix = seg_of(r.data, x);
    REQUIRE(r.report.reinjections.size() == 1);
    const Reinjection& re = r.report.reinjections[0];
    CHECK(re.segment == ix);
    CHECK(re.originals == Indices{ia, ib});
    CHECK(re.reinjected_bytes == 2000);
    const auto& s0 = r.report.per_subflow[0][0];
    const auto& s1 = r.report.per_subflow[0][1];
    CHECK(s0.data_bytes == 2000);
    CHECK(s0.new_bytes == 2000);
    CHECK(s0.reinjections == 0);
    CHECK(s1.data_bytes == 2000);
    CHECK(s1.reinjected_bytes == 2000);
    CHECK(s1.new_bytes == 0);
    CHECK(s1.mptcp_retransmitted_bytes == 0);
    CHECK(s1.tcp_retransmitted_bytes == 0);
    CHECK(s1.reinjections == 1);
    CHECK(r.report.mptcp_retransmissions.empty());
    check_stats_add_up(r);
}

TEST_CASE("reinjections: a TCP retransmission (same subflow sequence numbers) is neither a reinjection nor an "
          "MPTCP-level retransmission", "[reinjections]") {
    Conn c(2);
    const std::uint32_t seq = c.next_seq(0);
    c.data(0, 1, 1000);
    c.data(1, 1001, 1000);   // other data on the other subflow: not an overlap
    c.data(0, 1, 1000, true, seq);
    const auto r = c.analyse();
    CHECK(r.report.reinjections.empty());
    CHECK(r.report.reinjected_in.empty());
    CHECK(r.report.mptcp_retransmissions.empty());
    const auto& s0 = r.report.per_subflow[0][0];
    CHECK(s0.data_bytes == 2000);
    CHECK(s0.tcp_retransmitted_bytes == 1000);
    CHECK(s0.mptcp_retransmitted_bytes == 0);
    CHECK(s0.reinjected_bytes == 0);
    CHECK(s0.new_bytes == 1000);
    CHECK(s0.reinjections == 0);
    CHECK(r.report.per_subflow[0][1].new_bytes == 1000);
    check_stats_add_up(r);
}

TEST_CASE("reinjections: a partial overlap counts only the overlapping bytes", "[reinjections]") {
    Conn c(2);
    const auto a = c.data(0, 1, 1000);
    const auto x = c.data(1, 501, 1000);  // 500 bytes already sent on subflow 0, 500 new
    const auto r = c.analyse();
    REQUIRE(r.report.reinjections.size() == 1);
    const Reinjection& re = r.report.reinjections[0];
    CHECK(re.segment == seg_of(r.data, x));
    CHECK(re.originals == Indices{seg_of(r.data, a)});
    CHECK(re.reinjected_bytes == 500);
    const auto& s1 = r.report.per_subflow[0][1];
    CHECK(s1.reinjected_bytes == 500);
    CHECK(s1.new_bytes == 500);
    CHECK(s1.tcp_retransmitted_bytes == 0);
    CHECK(s1.mptcp_retransmitted_bytes == 0);
    check_stats_add_up(r);
}

TEST_CASE("reinjections: a segment covering data of this and another subflow splits its bytes", "[reinjections]") {
    Conn c(2);
    const std::uint32_t seq = c.next_seq(0);
    c.data(0, 1, 1000);
    const auto y = c.data(1, 1001, 1000);
    // Subflow 0 resends 1..1000 under the same sequence numbers (TCP-retransmitted) with
    // 1001..1500 (subflow 1's) under new ones in one segment.
    const auto z = c.data(0, 1, 1500, true, seq);
    const auto r = c.analyse();
    REQUIRE(r.report.reinjections.size() == 1);
    CHECK(r.report.reinjections[0].segment == seg_of(r.data, z));
    CHECK(r.report.reinjections[0].originals == Indices{seg_of(r.data, y)});
    CHECK(r.report.reinjections[0].reinjected_bytes == 500);
    const auto& s0 = r.report.per_subflow[0][0];
    CHECK(s0.data_bytes == 2500);
    CHECK(s0.tcp_retransmitted_bytes == 1000);
    CHECK(s0.mptcp_retransmitted_bytes == 0);
    CHECK(s0.reinjected_bytes == 500);
    CHECK(s0.new_bytes == 1000);
    check_stats_add_up(r);
}

TEST_CASE("reinjections: a reinjection of a reinjection links to both earlier copies", "[reinjections]") {
    Conn c(3);
    const auto a = c.data(0, 1, 1000);
    const auto b = c.data(1, 1, 1000);
    const auto x = c.data(2, 1, 1000);
    const auto r = c.analyse();
    const std::size_t ia = seg_of(r.data, a), ib = seg_of(r.data, b), ix = seg_of(r.data, x);
    REQUIRE(r.report.reinjections.size() == 2);
    CHECK(r.report.reinjections[0].segment == ib);
    CHECK(r.report.reinjections[0].originals == Indices{ia});
    CHECK(r.report.reinjections[1].segment == ix);
    CHECK(r.report.reinjections[1].originals == Indices{ia, ib});
    CHECK(r.report.reinjections[1].reinjected_bytes == 1000);
    check_stats_add_up(r);
}

TEST_CASE("reinjections: a TCP retransmission of data another subflow also carried is not listed",
          "[reinjections]") {
    // As on the kernel's lossy path (tests/data/reinject): the data goes out on subflow 0, is
    // reinjected on subflow 1, then subflow 0's TCP retransmits its own segment. That copy
    // repeats subflow 0's own sequence numbers: a TCP retransmission (tcp-summary counts it),
    // not a reinjection, whatever subflow 1 carried.
    Conn c(2);
    const std::uint32_t seq = c.next_seq(0);
    const auto a = c.data(0, 1, 1000);
    const auto b = c.data(1, 1, 1000);
    const auto x = c.data(0, 1, 1000, true, seq);
    const auto r = c.analyse();
    const std::size_t ia = seg_of(r.data, a), ib = seg_of(r.data, b), ix = seg_of(r.data, x);
    REQUIRE(r.report.reinjections.size() == 1);
    CHECK(r.report.reinjections[0].segment == ib);
    CHECK(r.report.reinjections[0].originals == Indices{ia});
    CHECK(reinjection_of(r.report, ix) == nullptr);
    CHECK(r.report.mptcp_retransmissions.empty());
    CHECK(r.report.reinjected_in.count(ib) == 0);
    CHECK(r.report.segment_bytes[ix].tcp_retransmitted_bytes == 1000);
    CHECK(r.report.per_subflow[0][0].tcp_retransmitted_bytes == 1000);
    CHECK(r.report.per_subflow[0][0].reinjected_bytes == 0);
    check_stats_add_up(r);
}

TEST_CASE("reinjections: old data again on the same subflow under new sequence numbers is an MPTCP-level "
          "retransmission", "[reinjections]") {
    // The kernel's MPTCP retransmission timer may pick the subflow that carried the data: the
    // same DSNs go out again, on the same subflow, with new subflow sequence numbers.
    Conn c(2);
    const auto a = c.data(0, 1, 1000);
    c.data(1, 1001, 1000);
    const auto x = c.data(0, 1, 1000);  // next sequence numbers of subflow 0, old DSNs
    const auto r = c.analyse();
    const std::size_t ia = seg_of(r.data, a), ix = seg_of(r.data, x);
    CHECK(r.report.reinjections.empty());
    REQUIRE(r.report.mptcp_retransmissions.size() == 1);
    const MptcpRetransmission& mr = r.report.mptcp_retransmissions[0];
    CHECK(mr.segment == ix);
    CHECK(mr.earlier == Indices{ia});
    CHECK(mr.mptcp_retransmitted_bytes == 1000);
    CHECK(mr.delay_ns == c.cap.time_of(x) - c.cap.time_of(a));
    const auto& s0 = r.report.per_subflow[0][0];
    CHECK(s0.mptcp_retransmitted_bytes == 1000);
    CHECK(s0.tcp_retransmitted_bytes == 0);  // tcp-summary sees new sequence numbers
    CHECK(s0.reinjected_bytes == 0);
    CHECK(s0.new_bytes == 1000);
    CHECK(s0.mptcp_retransmissions == 1);
    CHECK(r.model.tcp[0].stats(TcpDirection::ClientToServer).retransmitted_bytes == 0);
    check_stats_add_up(r);
}

TEST_CASE("reinjections: data reinjected on B and then sent again on B or on A under new sequence numbers is "
          "MPTCP-retransmitted there", "[reinjections]") {
    // The rule for mixed histories: a subflow that carried the DSN before (originally or as a
    // reinjection) sending it again under new sequence numbers retransmits it at the MPTCP level.
    Conn c(2);
    const auto a = c.data(0, 1, 1000);  // A
    const auto b = c.data(1, 1, 1000);  // B: reinjection
    const auto y = c.data(1, 1, 1000);  // B again, new sequence numbers
    const auto z = c.data(0, 1, 1000);  // A again, new sequence numbers
    const auto r = c.analyse();
    const std::size_t ia = seg_of(r.data, a), ib = seg_of(r.data, b), iy = seg_of(r.data, y), iz = seg_of(r.data, z);
    REQUIRE(r.report.reinjections.size() == 1);
    CHECK(r.report.reinjections[0].segment == ib);
    REQUIRE(r.report.mptcp_retransmissions.size() == 2);
    CHECK(r.report.mptcp_retransmissions[0].segment == iy);
    CHECK(r.report.mptcp_retransmissions[0].earlier == Indices{ib});
    CHECK(r.report.mptcp_retransmissions[1].segment == iz);
    CHECK(r.report.mptcp_retransmissions[1].earlier == Indices{ia});
    CHECK(r.report.segment_bytes[iy].mptcp_retransmitted_bytes == 1000);
    CHECK(r.report.segment_bytes[iz].mptcp_retransmitted_bytes == 1000);
    CHECK(r.report.per_subflow[0][1].reinjected_bytes == 1000);
    CHECK(r.report.per_subflow[0][1].mptcp_retransmitted_bytes == 1000);
    CHECK(r.report.per_subflow[0][0].mptcp_retransmitted_bytes == 1000);
    check_stats_add_up(r);
}

TEST_CASE("reinjections: one segment is split byte-exactly between MPTCP-retransmitted, reinjected and new data",
          "[reinjections]") {
    Conn c(2);
    const auto a = c.data(0, 1, 1000);     // DSN 1..1000 on subflow 0
    const auto b = c.data(1, 1001, 1000);  // DSN 1001..2000 on subflow 1
    const auto x = c.data(0, 1, 3000);     // subflow 0, new sequence numbers: DSN 1..3000
    const auto r = c.analyse();
    const std::size_t ia = seg_of(r.data, a), ib = seg_of(r.data, b), ix = seg_of(r.data, x);
    const SegmentBytes& bytes = r.report.segment_bytes[ix];
    CHECK(bytes.mptcp_retransmitted_bytes == 1000);
    CHECK(bytes.reinjected_bytes == 1000);
    CHECK(bytes.new_bytes == 1000);
    CHECK(bytes.tcp_retransmitted_bytes == 0);
    const Reinjection* re = reinjection_of(r.report, ix);
    REQUIRE(re);
    CHECK(re->originals == Indices{ib});  // only the copies that made bytes reinjected
    CHECK(re->reinjected_bytes == 1000);
    const MptcpRetransmission* mr = mptcp_retransmission_of(r.report, ix);
    REQUIRE(mr);
    CHECK(mr->earlier == Indices{ia});
    check_stats_add_up(r);
}

TEST_CASE("reinjections: a segment partly under old and partly under new sequence numbers splits between TCP- and "
          "MPTCP-retransmitted", "[reinjections]") {
    Conn c(2);
    const std::uint32_t start = c.next_seq(0);
    const auto a = c.data(0, 1, 1000);     // seq +0..1000, DSN 1..1000
    const auto b = c.data(0, 1001, 1000);  // seq +1000..2000, DSN 1001..2000
    // seq +1500..2500 mapped to DSN 1..1000: its first 500 bytes repeat b's sequence numbers
    // (TCP-retransmitted, whatever their DSN), the other 500 are DSN 501..1000 again on subflow 0.
    const auto x = c.data(0, 1, 1000, true, start + 1500);
    const auto r = c.analyse();
    const std::size_t ia = seg_of(r.data, a), ix = seg_of(r.data, x);
    static_cast<void>(b);
    const SegmentBytes& bytes = r.report.segment_bytes[ix];
    CHECK(bytes.tcp_retransmitted_bytes == 500);
    CHECK(bytes.mptcp_retransmitted_bytes == 500);
    CHECK(bytes.new_bytes == 0);
    CHECK(bytes.reinjected_bytes == 0);
    const MptcpRetransmission* mr = mptcp_retransmission_of(r.report, ix);
    REQUIRE(mr);
    CHECK(mr->earlier == Indices{ia});  // b's copy only overlaps the TCP-retransmitted half
    CHECK(r.model.tcp[0].stats(TcpDirection::ClientToServer).retransmitted_bytes == 500);
    check_stats_add_up(r);
}

TEST_CASE("reinjections: payload without a DSS mapping is unmapped unless TCP retransmits it", "[reinjections]") {
    Conn c(2);
    const std::uint32_t seq = c.next_seq(0);
    c.cap.send(c.sf[0], true, kPshAckFlags, 700);                // no mapping: unmapped
    c.cap.send(c.sf[0], true, kPshAckFlags, 700, {}, seq);       // its TCP retransmission
    c.data(0, 1, 1000);
    c.data(1, 1001, 1000);
    const auto r = c.analyse(true);
    REQUIRE(r.data.unmapped.size() == 2);
    const auto& s0 = r.report.per_subflow[0][0];
    CHECK(s0.payload_bytes == 2400);
    CHECK(s0.unmapped_bytes == 700);
    CHECK(s0.tcp_retransmitted_bytes == 700);
    CHECK(s0.data_bytes == 1000);
    CHECK(s0.new_bytes == 1000);
    check_stats_add_up(r);
}

TEST_CASE("reinjections: reverse links (reinjected_in) list the reinjections of each original", "[reinjections]") {
    Conn c(3);
    const auto a = c.data(0, 1, 1000);
    const auto b = c.data(0, 1001, 1000);
    const auto x = c.data(1, 1, 2000);    // of a and b
    const auto y = c.data(2, 1001, 500);  // of b and x
    const auto n = c.data(2, 2001, 500);  // new
    const auto r = c.analyse();
    const std::size_t ia = seg_of(r.data, a), ib = seg_of(r.data, b), ix = seg_of(r.data, x),
                      iy = seg_of(r.data, y), in = seg_of(r.data, n);
    std::map<std::size_t, Indices> expected{{ia, {ix}}, {ib, {ix, iy}}, {ix, {iy}}};
    CHECK(r.report.reinjected_in == expected);
    CHECK(r.report.reinjected_in.count(in) == 0);
    CHECK(reinjection_of(r.report, in) == nullptr);
    // Forward and reverse links agree.
    for (const auto& re : r.report.reinjections)
        for (auto o : re.originals) {
            const auto& back = r.report.reinjected_in.at(o);
            CHECK(std::find(back.begin(), back.end(), re.segment) != back.end());
        }
    check_stats_add_up(r);
}

TEST_CASE("reinjections: the delay is measured since the first original", "[reinjections]") {
    Conn c(3);
    const auto a = c.data(0, 1, 1000);
    c.data(0, 1001, 1000);
    c.data(0, 2001, 1000);
    const auto b = c.data(1, 1, 1000);
    const auto x = c.data(2, 1, 1000);
    const auto r = c.analyse();
    const Reinjection* rb = reinjection_of(r.report, seg_of(r.data, b));
    const Reinjection* rx = reinjection_of(r.report, seg_of(r.data, x));
    REQUIRE(rb);
    REQUIRE(rx);
    CHECK(rb->delay_ns == c.cap.time_of(b) - c.cap.time_of(a));
    CHECK(rx->delay_ns == c.cap.time_of(x) - c.cap.time_of(a));
    CHECK(rx->delay_ns == 4000000);  // 4 packets later, 1 ms apart
}

TEST_CASE("reinjections: directions are kept apart", "[reinjections]") {
    Conn c(2);
    c.data(0, 1, 1000, true);
    c.data(1, 1, 1000, false);  // the same relative DSN, but the server's data: not an overlap
    const auto y = c.data(0, 1, 1000, false);  // the server's data again, on subflow 0
    const auto r = c.analyse();
    REQUIRE(r.report.reinjections.size() == 1);
    CHECK(r.report.reinjections[0].segment == seg_of(r.data, y));
    CHECK(r.report.per_subflow[1][0].reinjected_bytes == 1000);
    CHECK(r.report.per_subflow[0][0].new_bytes == 1000);
    CHECK(r.report.per_subflow[0][1].data_bytes == 0);
    check_stats_add_up(r);
}

TEST_CASE("reinjections: the result is a pure function of its input (run twice, equal)", "[reinjections]") {
    Conn c(3);
    std::mt19937 rng(7);
    std::array<std::uint64_t, 2> top{1, 1};
    for (int i = 0; i < 300; ++i) {
        const bool to_server = rng() % 4 != 0;
        const std::size_t d = to_server ? 0 : 1;
        const std::size_t s = rng() % 3;
        if (top[d] > 3000 && rng() % 5 == 0) {
            c.data(s, 1 + rng() % (top[d] - 2000), 1000, to_server);  // resend something older
        } else {
            const auto len = 100 + static_cast<std::uint32_t>(rng() % 1300);
            c.data(s, top[d], len, to_server);
            top[d] += len;
        }
    }
    const auto r1 = c.analyse();
    const auto again = find_reinjections(c.cap.table, r1.model, r1.model.mptcp[0], r1.data);
    const ConnectionData copy = r1.data;
    const auto third = find_reinjections(c.cap.table, r1.model, r1.model.mptcp[0], copy);
    for (const auto* other : {&again, &third}) {
        REQUIRE(other->reinjections.size() == r1.report.reinjections.size());
        for (std::size_t i = 0; i < other->reinjections.size(); ++i) {
            CHECK(other->reinjections[i].segment == r1.report.reinjections[i].segment);
            CHECK(other->reinjections[i].originals == r1.report.reinjections[i].originals);
            CHECK(other->reinjections[i].reinjected_bytes == r1.report.reinjections[i].reinjected_bytes);
            CHECK(other->reinjections[i].delay_ns == r1.report.reinjections[i].delay_ns);
        }
        CHECK(other->reinjected_in == r1.report.reinjected_in);
        for (std::size_t d = 0; d < 2; ++d) {
            REQUIRE(other->per_subflow[d].size() == 3);
            for (std::size_t s = 0; s < 3; ++s) {
                const auto& x = other->per_subflow[d][s];
                const auto& y = r1.report.per_subflow[d][s];
                CHECK(x.data_bytes == y.data_bytes);
                CHECK(x.reinjected_bytes == y.reinjected_bytes);
                CHECK(x.mptcp_retransmitted_bytes == y.mptcp_retransmitted_bytes);
                CHECK(x.tcp_retransmitted_bytes == y.tcp_retransmitted_bytes);
                CHECK(x.mptcp_retransmissions == y.mptcp_retransmissions);
                CHECK(x.new_bytes == y.new_bytes);
                CHECK(x.reinjections == y.reinjections);
            }
        }
    }
    CHECK_FALSE(r1.report.reinjections.empty());
    check_stats_add_up(r1);
}

TEST_CASE("reinjections: every kind mixed at random adds up to the wire bytes and tcp-summary's retransmissions",
          "[reinjections]") {
    Conn c(2);
    std::mt19937 rng(42);
    std::array<std::uint64_t, 2> top{1, 1};
    // (sequence number, relative DSN, length) of every segment sent, per subflow and direction.
    struct Sent {
        std::uint32_t seq;
        std::uint64_t rel;
        std::uint32_t len;
    };
    std::array<std::array<std::vector<Sent>, 2>, 2> sent;
    std::array<std::uint64_t, 4> kinds_sent{};  // new, other subflow, same subflow new seq, same seq
    for (int i = 0; i < 600; ++i) {
        const bool to_server = rng() % 3 != 0;
        const std::size_t d = to_server ? 0 : 1;
        const std::size_t s = rng() % 2;
        const auto len = 200 + static_cast<std::uint32_t>(rng() % 1000);
        const int what = static_cast<int>(rng() % 10);
        auto& mine = sent[s][d];
        if (what == 0 && top[d] > 5000) {
            // old DSNs again under new sequence numbers, on whichever subflow
            const std::uint32_t seq = c.next_seq(s, to_server);
            const std::uint64_t rel = top[d] - 2000 + rng() % 1000;
            c.data(s, rel, len, to_server);
            mine.push_back({seq, rel, len});
            ++kinds_sent[1];
        } else if (what == 1 && !mine.empty()) {
            // a TCP retransmission: an earlier segment of this subflow again, same numbers
            const Sent old = mine[rng() % mine.size()];
            c.data(s, old.rel, old.len, to_server, old.seq);
            ++kinds_sent[3];
        } else {
            const std::uint32_t seq = c.next_seq(s, to_server);
            c.data(s, top[d], len, to_server);
            mine.push_back({seq, top[d], len});
            top[d] += len;
            ++kinds_sent[0];
        }
    }
    REQUIRE(kinds_sent[1] > 10);
    REQUIRE(kinds_sent[3] > 10);
    const auto r = c.analyse();
    check_stats_add_up(r);
    std::array<std::uint64_t, 3> found{};
    for (const auto& st : r.report.per_subflow[0]) {
        found[0] += st.reinjected_bytes;
        found[1] += st.mptcp_retransmitted_bytes;
        found[2] += st.tcp_retransmitted_bytes;
    }
    CHECK(found[0] > 0);
    CHECK(found[1] > 0);
    CHECK(found[2] > 0);
}

TEST_CASE("reinjections: 200k segments on two subflows (performance sanity)", "[reinjections][performance]") {
    Conn c(2);
    constexpr int kSegments = 200000;
    c.cap.table.reserve(kSegments + 16);
    std::uint64_t top = 1;
    for (int i = 0; i < kSegments; ++i) {
        const std::size_t s = static_cast<std::size_t>(i % 2);
        if (i % 20 == 19) {
            c.data(s, top - 1400, 1400);  // every 20th segment reinjects the previous one (other subflow)
        } else {
            c.data(s, top, 1400);
            top += 1400;
        }
    }
    const auto r = c.analyse();
    CHECK(r.data.segments.size() == kSegments);
    CHECK(r.report.reinjections.size() == kSegments / 20);
    check_stats_add_up(r);
}

TEST_CASE("reinjections: MPTCP summaries take their per-subflow numbers from the report", "[reinjections][summaries]") {
    Conn c(2);
    c.data(0, 1, 1000);
    c.data(0, 1001, 1000);
    c.data(1, 2001, 1000);
    c.data(1, 1, 1000);  // reinjection of the first segment
    c.data(0, 1, 500, false);
    const auto r = c.analyse();
    const MptcpSummary s = summarize_mptcp(r.model, r.model.mptcp[0], r.data, r.report);
    const auto& to_server = s.directions[0];
    CHECK(to_server.application_bytes == 3000);
    CHECK(to_server.wire_bytes == 4000);
    CHECK(to_server.reinjected_bytes == 1000);
    REQUIRE(to_server.subflows.size() == 2);
    CHECK(to_server.subflows[0].wire_bytes == 2000);
    CHECK(to_server.subflows[0].new_bytes == 2000);
    CHECK(to_server.subflows[1].wire_bytes == 2000);
    CHECK(to_server.subflows[1].new_bytes == 1000);
    CHECK(to_server.subflows[1].reinjections == 1);
    CHECK(to_server.subflows[0].share_of_unique + to_server.subflows[1].share_of_unique == Approx(1.0));
    CHECK(to_server.subflows[0].share_of_wire == Approx(0.5));
    CHECK(to_server.new_bytes == 3000);
    CHECK(to_server.new_bytes + to_server.reinjected_bytes + to_server.mptcp_retransmitted_bytes +
              to_server.tcp_retransmitted_bytes + to_server.unmapped_bytes ==
          to_server.wire_bytes);
    const auto& to_client = s.directions[1];
    CHECK(to_client.application_bytes == 500);
    CHECK(to_client.wire_bytes == 500);
    CHECK(to_client.unmapped_segments == 0);
}

TEST_CASE("reinjections: data straddling the 2^64 DSN wrap is still found when reinjected", "[reinjections]") {
    // The DSN space is modular: a segment may start just below 2^64 and end just above 0.
    Conn c(2);
    const auto r0 = c.data(0, 1, 1000);
    const auto r1 = c.data(1, 1, 1000);
    const auto base = c.analyse();
    REQUIRE(base.data.segments.size() == 2);
    ConnectionData data = base.data;
    data.segments[0].dsn = 0xfffffffffffffe00ULL;  // 512 bytes below 2^64, 488 above
    data.segments[1].dsn = 0xfffffffffffffe00ULL;
    REQUIRE(data.segments[0].row == r0);
    REQUIRE(data.segments[1].row == r1);
    const ReinjectionReport report = find_reinjections(c.cap.table, base.model, base.model.mptcp[0], data);
    REQUIRE(report.reinjections.size() == 1);
    CHECK(report.reinjections[0].segment == 1);
    CHECK(report.reinjections[0].originals == Indices{0});
    CHECK(report.reinjections[0].reinjected_bytes == 1000);
    CHECK(report.per_subflow[0][1].new_bytes == 0);
}

TEST_CASE("reinjections: MPTCP summaries give each kind per subflow, TCP-retransmitted bytes equal to tcp-summary's",
          "[reinjections][summaries]") {
    Conn c(2);
    const std::uint32_t seq = c.next_seq(0);
    c.data(0, 1, 1000);
    c.data(0, 1, 1000, true, seq);  // TCP retransmission
    c.data(0, 1, 600);              // MPTCP-level retransmission (new sequence numbers)
    c.data(1, 1, 400);              // reinjection
    c.data(1, 1001, 1000);          // new
    const auto r = c.analyse();
    const MptcpSummary s = summarize_mptcp(r.model, r.model.mptcp[0], r.data, r.report);
    const auto& up = s.directions[0];
    REQUIRE(up.subflows.size() == 2);
    const auto& a = up.subflows[0];
    const auto& b = up.subflows[1];
    CHECK(a.wire_bytes == 2600);
    CHECK(a.new_bytes == 1000);
    CHECK(a.tcp_retransmitted_bytes == 1000);
    CHECK(a.tcp_retransmitted_bytes == summarize_tcp(r.model.tcp[0]).directions[0].stats.retransmitted_bytes);
    CHECK(a.mptcp_retransmitted_bytes == 600);
    CHECK(a.mptcp_retransmissions == 1);
    CHECK(a.reinjected_bytes == 0);
    CHECK(b.wire_bytes == 1400);
    CHECK(b.reinjected_bytes == 400);
    CHECK(b.reinjections == 1);
    CHECK(b.new_bytes == 1000);
    CHECK(b.tcp_retransmitted_bytes == 0);
    CHECK(up.tcp_retransmitted_bytes == 1000);
    CHECK(up.mptcp_retransmitted_bytes == 600);
    CHECK(up.reinjected_bytes == 400);
    CHECK(up.new_bytes == 2000);
    CHECK(up.unmapped_bytes == 0);
    CHECK(up.wire_bytes == 4000);
    check_stats_add_up(r);
}

// --- streamed totals (analysis/mptcp_totals.hpp) ----------------------------------------------

namespace {

// What mptcp-summary prints of a connection, from the full analysis (map_connection_data,
// find_reinjections, summarize_mptcp) and streamed (stream_mptcp_totals): they must be equal.
void check_streamed_totals_equal_full_analysis(const Conn::Result& r, const Capture& cap) {
    const MptcpConnection& m = r.model.mptcp[0];
    const MptcpSummary full = summarize_mptcp(r.model, m, r.data, r.report);
    const std::optional<MptcpTotals> streamed = stream_mptcp_totals(cap.table, r.model, m);
    REQUIRE(streamed);
    CHECK(streamed->reinjections == r.report.reinjections.size());
    std::size_t failures = 0;
    for (const auto& check : r.data.checksums) failures += check.valid ? 0 : 1;
    CHECK(streamed->checksum_failures == failures);
    CHECK(streamed->checksums_verified == r.data.checksums.size() - failures);
    for (std::size_t d = 0; d < 2; ++d) {
        const MptcpDirectionSummary& a = full.directions[d];
        const MptcpDirectionSummary& b = streamed->summary.directions[d];
        CHECK(b.wire_bytes == a.wire_bytes);
        CHECK(b.application_bytes == a.application_bytes);
        CHECK(b.new_bytes == a.new_bytes);
        CHECK(b.reinjected_bytes == a.reinjected_bytes);
        CHECK(b.mptcp_retransmitted_bytes == a.mptcp_retransmitted_bytes);
        CHECK(b.tcp_retransmitted_bytes == a.tcp_retransmitted_bytes);
        CHECK(b.unmapped_bytes == a.unmapped_bytes);
        CHECK(b.unmapped_segments == a.unmapped_segments);
        CHECK(b.first_ns == a.first_ns);
        CHECK(b.last_ns == a.last_ns);
        REQUIRE(b.subflows.size() == a.subflows.size());
        for (std::size_t i = 0; i < a.subflows.size(); ++i) {
            const SubflowContribution& x = a.subflows[i];
            const SubflowContribution& y = b.subflows[i];
            CHECK(y.wire_bytes == x.wire_bytes);
            CHECK(y.data_bytes == x.data_bytes);
            CHECK(y.new_bytes == x.new_bytes);
            CHECK(y.reinjected_bytes == x.reinjected_bytes);
            CHECK(y.mptcp_retransmitted_bytes == x.mptcp_retransmitted_bytes);
            CHECK(y.tcp_retransmitted_bytes == x.tcp_retransmitted_bytes);
            CHECK(y.unmapped_bytes == x.unmapped_bytes);
            CHECK(y.reinjections == x.reinjections);
            CHECK(y.mptcp_retransmissions == x.mptcp_retransmissions);
            CHECK(y.share_of_wire == x.share_of_wire);
            CHECK(y.share_of_unique == x.share_of_unique);
        }
    }
}

}  // namespace

TEST_CASE("streamed totals: every kind mixed at random gives the full analysis' summary, on 2 and 3 subflows",
          "[reinjections][totals]") {
    for (const std::size_t subflows : {std::size_t{2}, std::size_t{3}}) {
        Conn c(subflows);
        std::mt19937 rng(static_cast<unsigned>(11 + subflows));
        std::array<std::uint64_t, 2> top{1, 1};
        std::array<std::vector<std::pair<std::uint32_t, std::uint64_t>>, 3> sent;  // (seq, rel) to the server
        for (int i = 0; i < 800; ++i) {
            const bool to_server = rng() % 3 != 0;
            const std::size_t d = to_server ? 0 : 1;
            const std::size_t s = rng() % subflows;
            const auto len = 200 + static_cast<std::uint32_t>(rng() % 1000);
            const int what = static_cast<int>(rng() % 10);
            if (what == 0 && top[d] > 5000) {
                c.data(s, top[d] - 3000 + rng() % 1500, len, to_server);  // old DSNs, new sequence numbers
            } else if (what == 1 && to_server && !sent[s].empty()) {
                const auto old = sent[s][rng() % sent[s].size()];
                c.data(s, old.second, 300, true, old.first);  // a TCP retransmission
            } else if (what == 2) {
                c.data(s, top[d] + 20000, len, to_server);  // ahead of the data: a hole until filled
            } else {
                if (to_server) sent[s].push_back({c.next_seq(s), top[d]});
                c.data(s, top[d], len, to_server);
                top[d] += len;
            }
        }
        const auto r = c.analyse();
        CHECK_FALSE(r.report.reinjections.empty());
        CHECK_FALSE(r.report.mptcp_retransmissions.empty());
        check_streamed_totals_equal_full_analysis(r, c.cap);
    }
}

TEST_CASE("streamed totals: unmapped payload and the hand-made cases give the full analysis' summary",
          "[reinjections][totals]") {
    Conn c(2);
    const std::uint32_t seq = c.next_seq(0);
    c.data(0, 1, 1000);
    c.data(0, 1, 1000, true, seq);  // TCP retransmission
    c.data(0, 1, 600);              // MPTCP-level retransmission
    c.data(1, 1, 400);              // reinjection
    c.data(1, 1001, 1000);          // new
    c.cap.send(c.sf[1], true, kPshAckFlags, 700, {});  // no DSS: unmapped
    c.data(0, 1, 500, false);
    const auto r = c.analyse(true);
    REQUIRE(r.data.unmapped.size() == 1);
    check_streamed_totals_equal_full_analysis(r, c.cap);
}

TEST_CASE("DsnCarriers: in-order data on one subflow is one run however many segments it has",
          "[reinjections][totals]") {
    // The rule that keeps a summary's memory flat: runs grow with the places where the set of
    // carriers changes, not with segments.
    DsnCarriers carriers;
    const std::vector<SequenceCoverage::Range> none;
    for (std::uint64_t i = 0; i < 10000; ++i) {
        const auto k = carriers.carry(1 + 1000 * i, 1000, 0, none);
        CHECK(k.new_bytes == 1000);
    }
    CHECK(carriers.runs() == 1);
    CHECK(carriers.covered_bytes() == 10000 * 1000);
    // Another subflow resending a middle part splits the run in three: {0}, {0,1}, {0}.
    const auto k = carriers.carry(5001, 2000, 1, none);
    CHECK(k.reinjected_bytes == 2000);
    CHECK(carriers.runs() == 3);
    // Once subflow 1 has carried the rest, it is again one run ({0,1}).
    carriers.carry(1, 5000, 1, none);
    carriers.carry(7001, 10000 * 1000 - 7000, 1, none);
    CHECK(carriers.runs() == 1);
    // Alternating subflows: one run per burst until another subflow covers both.
    DsnCarriers alternating;
    for (std::uint64_t i = 0; i < 100; ++i) alternating.carry(1 + 1000 * i, 1000, i % 2, none);
    CHECK(alternating.runs() == 100);
    // Subflow 0 resends it all: its own bursts are MPTCP-retransmitted, subflow 1's reinjected,
    // and the carriers still alternate ({0}, {0,1}).
    const auto again = alternating.carry(1, 100 * 1000, 0, none);
    CHECK(again.mptcp_retransmitted_bytes == 50 * 1000);
    CHECK(again.reinjected_bytes == 50 * 1000);
    CHECK(alternating.runs() == 100);
    alternating.carry(1, 100 * 1000, 1, none);
    CHECK(alternating.runs() == 1);
}

TEST_CASE("DsnCarriers: bytes TCP retransmitted are left out of the kinds, as in find_reinjections",
          "[reinjections][totals]") {
    DsnCarriers carriers;
    carriers.carry(1, 1000, 0, {});
    // 1000 bytes on subflow 1 over [501, 1501): [0, 200) of the segment TCP-retransmitted.
    const auto k = carriers.carry(501, 1000, 1, {{0, 200}});
    CHECK(k.reinjected_bytes == 300);  // [701, 1001)
    CHECK(k.new_bytes == 500);         // [1001, 1501)
    CHECK(k.mptcp_retransmitted_bytes == 0);
    CHECK(carriers.covered_bytes() == 1500);
}
