// Connection mapping across two captures (analysis/connection_mapping.hpp) on synthetic tables:
// the rules the corpus cannot show (a capture that missed the handshake and oriented the
// connection the other way round) and the one that must hold whatever else agrees (different
// ISNs on one 4-tuple are different connections).

#include <catch2/catch.hpp>

#include "mptcpanalyzer/analysis/connection_mapping.hpp"
#include "mptcpanalyzer/analysis/packet_matching.hpp"
#include "mptcpanalyzer/analysis/session.hpp"
#include "synthetic_records.hpp"

namespace {

bool has(const std::vector<MatchReason>& reasons, MatchReason r) {
    return std::find(reasons.begin(), reasons.end(), r) != reasons.end();
}

// A data exchange on `f`: 3 segments each way after the handshake (when `handshake`).
void exchange(Capture& c, Flow& f, bool handshake) {
    if (handshake) {
        c.send(f, true, kSynFlags, 0);
        c.send(f, false, kSynAckFlags, 0);
        c.send(f, true, kAckFlags, 0);
    } else {
        // The same sequence numbers as after a handshake, without it.
        f.next = {f.isn[0] + 1, f.isn[1] + 1};
    }
    for (int i = 0; i < 3; ++i) {
        c.send(f, true, kPshAckFlags, 100);
        c.send(f, false, kPshAckFlags, 200);
    }
}

}  // namespace

TEST_CASE("connection mapping: a peer capture without the handshake, oriented the other way, maps reversed",
          "[connection_mapping]") {
    // The client uses the lower port: without a SYN, the peer capture takes it for the server.
    Capture first_capture, peer_capture;
    Flow a = first_capture.flow(0, "10.0.0.1", 1000, "10.0.0.2", 40000, 111111, 999999);
    Flow b = peer_capture.flow(0, "10.0.0.1", 1000, "10.0.0.2", 40000, 111111, 999999);
    exchange(first_capture, a, true);
    exchange(peer_capture, b, false);
    const AnalysisSession first(std::move(first_capture.table));
    const AnalysisSession peer(std::move(peer_capture.table));
    const TcpConnection& tcp = first.model().tcp.at(0);
    const TcpConnection& peer_tcp = peer.model().tcp.at(0);
    REQUIRE(tcp.client.port == 1000);
    REQUIRE(peer_tcp.client.port == 40000);  // inferred from the port numbers: reversed

    const auto candidates = map_tcp_connection(first, tcp, peer);
    REQUIRE(candidates.size() == 1);
    CHECK(candidates[0].reversed);
    CHECK(has(candidates[0].reasons, MatchReason::SequenceOverlap));
    CHECK(has(candidates[0].reasons, MatchReason::FourTuple));
    CHECK_FALSE(has(candidates[0].reasons, MatchReason::ClientIsn));

    // Packets match in the first capture's orientation: all but the handshake.
    const TcpPacketMatch m = match_packets(first.table(), tcp, peer.table(), peer_tcp, candidates[0].reversed);
    CHECK(m.directions[0].pairs.size() == 3);
    CHECK(m.directions[1].pairs.size() == 3);
    CHECK(m.directions[0].unmatched.size() == 2);  // SYN, third ACK
    CHECK(m.directions[1].unmatched.size() == 1);  // SYN/ACK
    CHECK(m.directions[0].peer_unmatched.empty());
    CHECK(m.directions[1].peer_unmatched.empty());
}

TEST_CASE("connection mapping: a reused 4-tuple with other ISNs is not a candidate, even at the same time",
          "[connection_mapping]") {
    Capture first_capture, peer_capture;
    Flow a = first_capture.flow(0, "10.0.0.1", 40000, "10.0.0.2", 80, 1000, 5000);
    Flow twin = peer_capture.flow(0, "10.0.0.1", 40000, "10.0.0.2", 80, 1000, 5000);
    Flow other = peer_capture.flow(1, "10.0.0.1", 40000, "10.0.0.2", 80, 70000, 90000);
    exchange(first_capture, a, true);
    exchange(peer_capture, other, true);  // listed first: stream numbers decide nothing
    exchange(peer_capture, twin, true);
    const AnalysisSession first(std::move(first_capture.table));
    const AnalysisSession peer(std::move(peer_capture.table));
    const auto candidates = map_tcp_connection(first, first.model().tcp.at(0), peer);
    REQUIRE(candidates.size() == 1);
    CHECK(candidates[0].tcp_stream == 0);
    CHECK(has(candidates[0].reasons, MatchReason::ClientIsn));
    CHECK(has(candidates[0].reasons, MatchReason::ServerIsn));
}

TEST_CASE("connection mapping: MPTCP keys decide, the one key a capture saw is enough, another key rules out",
          "[connection_mapping]") {
    constexpr std::uint64_t kClientKey = 0x1111222233334444ULL, kServerKey = 0x5555666677778888ULL;
    // The first capture missed the third ACK (v1: the client's key is only there).
    Capture first_capture;
    Flow a = first_capture.flow(0, "10.0.0.1", 40000, "10.0.0.2", 80, 1000, 5000);
    first_capture.send(a, true, kSynFlags, 0, {capable(1, std::nullopt, std::nullopt)});
    first_capture.send(a, false, kSynAckFlags, 0, {capable(1, kServerKey, std::nullopt)});
    // The peer capture: the full handshake of the same connection (other addresses: NAT), and at
    // the same time, on the first one's 4-tuple, a connection with another server key.
    Capture peer_capture;
    Flow other = peer_capture.flow(0, "10.0.0.1", 40000, "10.0.0.2", 80, 1000, 5000);
    Flow twin = peer_capture.flow(1, "192.168.0.1", 1234, "192.168.0.2", 8080, 1000, 5000);
    mptcp_handshake(peer_capture, other, kClientKey, kServerKey + 1);
    mptcp_handshake(peer_capture, twin, kClientKey, kServerKey);
    const AnalysisSession first(std::move(first_capture.table));
    const AnalysisSession peer(std::move(peer_capture.table));
    REQUIRE(first.model().mptcp.size() == 1);
    REQUIRE_FALSE(first.model().mptcp[0].client_key.has_value());

    const auto candidates = map_mptcp_connection(first, first.model().mptcp[0], peer);
    REQUIRE(candidates.size() == 1);  // the same ISNs and 4-tuple, but another server key: not it
    CHECK(candidates[0].peer_index == 1);
    CHECK(has(candidates[0].reasons, MatchReason::MptcpKeys));
    CHECK_FALSE(has(candidates[0].reasons, MatchReason::FourTuple));
    REQUIRE(candidates[0].subflows.size() == 1);
    CHECK(candidates[0].subflows[0].peer_tcp_stream == std::optional<std::uint32_t>(1));
}
