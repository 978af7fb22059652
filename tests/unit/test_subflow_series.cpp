// The per-subflow series behind the plots (analysis/subflow_series) on a synthetic two-subflow
// MPTCP connection: goodput credits each DSN byte once to the subflow that carried it first and
// adds up to the application bytes, throughput counts every payload byte, reinjection totals end
// at the reinjection report's numbers, inter-arrival gaps switch only between selected subflows.

#include <catch2/catch.hpp>

#include <cstdint>
#include <numeric>
#include <vector>

#include "mptcpanalyzer/analysis/session.hpp"
#include "mptcpanalyzer/analysis/subflow_series.hpp"
#include "mptcpanalyzer/model/mptcp_crypto.hpp"
#include "synthetic_records.hpp"

using namespace mptcpanalyzer;

namespace {

constexpr std::uint64_t kClientKey = 0x1b2c3d4e5f607182ULL;
constexpr std::uint64_t kServerKey = 0x0a1b2c3d4e5f6071ULL;

// An MPTCP v1 connection whose client opens subflow 0 (MP_CAPABLE) and subflow 1 (MP_JOIN),
// then sends the data of a small transfer with one reinjection and one retransmission.
struct TwoSubflows {
    Capture cap;
    Flow sf[2];
    KeyDerived client = derive_from_key(kClientKey, 1);
    KeyDerived server = derive_from_key(kServerKey, 1);

    TwoSubflows() {
        sf[0] = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201, 1000, 900000);
        sf[1] = cap.flow(1, "10.0.1.1", 40001, "10.0.0.2", 5201, 8777, 903333);
        mptcp_handshake(cap, sf[0], kClientKey, kServerKey);
        cap.send(sf[1], true, kSynFlags, 0, {join_syn(server.token, 0x1001, 1, false)});
        cap.send(sf[1], false, kSynAckFlags, 0, {join_synack(std::vector<std::uint8_t>(8, 0), 0x2001, 0)});
        cap.send(sf[1], true, kAckFlags, 0, {join_ack(std::vector<std::uint8_t>(20, 0))});
    }

    // Data bytes [rel, rel + len) of a direction on subflow i; `seq` resends on that subflow.
    void data(std::size_t i, std::uint64_t rel, std::uint32_t len, bool to_server = true,
              std::optional<std::uint32_t> seq = std::nullopt) {
        Flow& f = sf[i];
        const std::size_t d = to_server ? 0 : 1;
        const std::uint32_t ssn = (seq ? *seq : f.next[d]) - f.isn[d];
        const std::uint64_t dsn = (to_server ? client.idsn : server.idsn) + rel;
        cap.send(f, to_server, kPshAckFlags, len, {dss_map(dsn, ssn, static_cast<std::uint16_t>(len))}, seq);
    }

    // The transfer: to the server [1, 3001) with [1001, 2001) reinjected on subflow 1 and
    // [1, 1001) retransmitted on subflow 0; to the client [1, 501) on subflow 1.
    void transfer() {
        data(0, 1, 1000);
        data(0, 1001, 1000);
        data(1, 1001, 1000);                 // reinjection: first sent on subflow 0
        data(1, 2001, 1000);
        data(0, 1, 1000, true, sf[0].isn[0] + 1);  // retransmission on the same subflow
        data(1, 1, 500, false);
    }
};

std::uint64_t sum_bytes(const std::vector<TimedBytes>& events) {
    return std::accumulate(events.begin(), events.end(), std::uint64_t{0},
                           [](std::uint64_t total, const TimedBytes& e) { return total + e.bytes; });
}

}  // namespace

TEST_CASE("subflow series: goodput bytes add up to the application bytes, throughput to every payload byte") {
    TwoSubflows c;
    c.transfer();
    const AnalysisSession session(std::move(c.cap.table));
    const MptcpConnection& m = session.mptcp(0);
    REQUIRE(m.subflows.size() == 2);
    const MptcpAnalysis& a = session.analysis(m);
    for (const auto dir : {DataDirection::ToServer, DataDirection::ToClient}) {
        INFO("direction " << to_string(dir));
        const auto goodput = subflow_timed_bytes(session, m, dir, BytesCounted::FirstSent);
        REQUIRE(goodput.size() == 2);
        CHECK(sum_bytes(goodput[0]) + sum_bytes(goodput[1]) == a.data.application_bytes(dir));
    }
    // Towards the server: subflow 0 carried [1, 2001) first, subflow 1 only [2001, 3001) (its
    // reinjection was sent before); the retransmission adds nothing.
    const auto goodput = subflow_timed_bytes(session, m, DataDirection::ToServer, BytesCounted::FirstSent);
    CHECK(sum_bytes(goodput[0]) == 2000);
    CHECK(sum_bytes(goodput[1]) == 1000);
    const auto throughput = subflow_timed_bytes(session, m, DataDirection::ToServer, BytesCounted::Payload);
    CHECK(sum_bytes(throughput[0]) == 3000);
    CHECK(sum_bytes(throughput[1]) == 2000);
    CHECK(sum_bytes(subflow_timed_bytes(session, m, DataDirection::ToClient, BytesCounted::Payload)[1]) == 500);

    // The TCP view of subflow 0: sequence space seen once, at the time of its packets.
    const TcpConnection& t = session.tcp_of(m.subflows[0]);
    const auto fresh = tcp_timed_bytes(session.table(), t, TcpDirection::ClientToServer, BytesCounted::FirstSent);
    CHECK(sum_bytes(fresh) == 2000);
    REQUIRE(fresh.size() == 3);
    CHECK(fresh[2].bytes == 0);
    CHECK(fresh[0].time_ns < fresh[1].time_ns);
}

TEST_CASE("subflow series: reinjection totals over time end at the reinjection report's count and bytes") {
    TwoSubflows c;
    c.transfer();
    c.data(0, 2001, 1000);  // [2001, 3001) again, now on subflow 0: a second reinjection
    const AnalysisSession session(std::move(c.cap.table));
    const MptcpConnection& m = session.mptcp(0);
    const MptcpAnalysis& a = session.analysis(m);
    const std::vector<std::size_t> both{0, 1};
    const auto points = reinjection_points(session, m, both, DataDirection::ToServer);
    REQUIRE(points.size() == a.reinjections.reinjections.size());
    REQUIRE(points.size() == 2);
    CHECK(points[0].subflow == 1);
    CHECK(points[0].relative_dsn == 1001);
    CHECK(points[1].subflow == 0);
    CHECK(points[0].time_ns < points[1].time_ns);

    const auto segments = reinjections_over_time(points, ReinjectionMeasure::Segments);
    REQUIRE(segments.size() == 2);
    CHECK(segments.back().total == 2);
    std::uint64_t reinjected = 0;
    for (const auto& r : a.reinjections.reinjections) reinjected += r.reinjected_bytes;
    CHECK(reinjections_over_time(points, ReinjectionMeasure::Bytes).back().total == reinjected);

    // Only the reinjections sent on the selected subflows, and none towards the client.
    const std::vector<std::size_t> second{1};
    CHECK(reinjection_points(session, m, second, DataDirection::ToServer).size() == 1);
    CHECK(reinjection_points(session, m, both, DataDirection::ToClient).empty());
}

TEST_CASE("subflow series: inter-arrival gaps per subflow and across switches between selected subflows") {
    TwoSubflows c;
    c.transfer();  // data towards the server on subflows 0, 0, 1, 1, 0, packets 1 ms apart
    const AnalysisSession session(std::move(c.cap.table));
    const MptcpConnection& m = session.mptcp(0);
    const std::vector<std::size_t> both{0, 1};
    const InterArrivals gaps = data_packet_inter_arrivals(session, m, both, DataDirection::ToServer);
    CHECK(gaps.per_tag.at(0) == std::vector<std::int64_t>{1'000'000, 3'000'000});
    CHECK(gaps.per_tag.at(1) == std::vector<std::int64_t>{1'000'000});
    CHECK(gaps.switches == std::vector<std::int64_t>{1'000'000, 1'000'000});

    const std::vector<std::size_t> first{0};
    const InterArrivals alone = data_packet_inter_arrivals(session, m, first, DataDirection::ToServer);
    CHECK(alone.per_tag.size() == 1);
    CHECK(alone.switches.empty());
}

TEST_CASE("subflow series: DSN points of the segments and the DATA_ACKs of a direction's data") {
    TwoSubflows c;
    c.transfer();
    c.cap.send(c.sf[1], false, kAckFlags, 0, {dss_ack(c.client.idsn + 3001)});
    const AnalysisSession session(std::move(c.cap.table));
    const MptcpConnection& m = session.mptcp(0);
    const auto on_first = segment_dsn_points(session, m, 0, DataDirection::ToServer);
    REQUIRE(on_first.size() == 3);
    CHECK(on_first[0].relative_dsn == 1);
    CHECK(on_first[1].relative_dsn == 1001);
    CHECK(on_first[2].relative_dsn == 1);
    const std::vector<std::size_t> both{0, 1}, first{0};
    const auto acks = data_ack_points(session, m, both, DataDirection::ToServer);
    REQUIRE(acks.size() == 1);
    CHECK(acks[0].relative_dsn == 3001);
    CHECK(data_ack_points(session, m, first, DataDirection::ToServer).empty());
}
