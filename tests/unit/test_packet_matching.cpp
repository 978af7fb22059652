// Packet matching across two captures of one TCP connection (analysis/packet_matching.hpp): the
// GSO/TSO/GRO rule, on synthetic tables where one capture holds a super-segment and the other
// the wire-sized pieces, built from the same flow so that only the segmentation differs.

#include <catch2/catch.hpp>

#include "mptcpanalyzer/analysis/packet_matching.hpp"
#include "mptcpanalyzer/model/connections.hpp"
#include "synthetic_records.hpp"

namespace {

// One side of the pair: a handshake, then the data segments `sizes` sent back to back by the
// client starting at the same sequence number on both sides, then the server's ACK.
struct Side {
    Capture capture;
    Flow flow;
    std::vector<std::uint32_t> data_rows;
    ConnectionModel model;

    explicit Side(const std::vector<std::uint32_t>& sizes, std::uint32_t ack_shift = 0) {
        flow = capture.flow(0, "10.0.0.1", 40000, "10.0.0.2", 80);
        capture.send(flow, true, kSynFlags, 0);
        capture.send(flow, false, kSynAckFlags, 0);
        capture.send(flow, true, kAckFlags, 0);
        for (const auto size : sizes) {
            const std::uint32_t row = capture.send(flow, true, kAckFlags, size);
            data_rows.push_back(row);
        }
        if (ack_shift) {
            // A piece acknowledging something else: not part of the same super-segment.
            auto& c = capture.table.mutable_columns();
            c.ack_raw.data()[data_rows.back()] += ack_shift;
        }
        capture.send(flow, false, kAckFlags, 0);
        model = ConnectionModel::build(capture.table);
    }
    const TcpConnection& tcp() const { return model.tcp.at(0); }
};

std::size_t count_row(const std::vector<PacketPair>& pairs, std::uint32_t row, bool peer) {
    std::size_t n = 0;
    for (const auto& p : pairs) n += (peer ? p.peer_row : p.row) == row;
    return n;
}

}  // namespace

TEST_CASE("packet matching: a super-segment in the first capture is matched to each piece tiling it",
          "[packet_matching]") {
    const Side first({2856});
    const Side peer({1428, 1428});
    const TcpPacketMatch m = match_packets(first.capture.table, first.tcp(), peer.capture.table, peer.tcp(), false);
    const DirectionMatch& up = m.directions[0];
    CHECK(up.super_segments == 1);
    CHECK(up.unmatched.empty());
    CHECK(up.peer_unmatched.empty());
    CHECK(count_row(up.pairs, first.data_rows[0], false) == 2);
    CHECK(count_row(up.pairs, peer.data_rows[0], true) == 1);
    CHECK(count_row(up.pairs, peer.data_rows[1], true) == 1);
    CHECK(m.directions[1].unmatched.empty());
    CHECK(m.directions[1].super_segments == 0);
}

TEST_CASE("packet matching: a super-segment in the peer capture is matched to the first capture's pieces",
          "[packet_matching]") {
    const Side first({1000, 1000, 856});
    const Side peer({2856});
    const TcpPacketMatch m = match_packets(first.capture.table, first.tcp(), peer.capture.table, peer.tcp(), false);
    const DirectionMatch& up = m.directions[0];
    CHECK(up.super_segments == 1);
    CHECK(up.unmatched.empty());
    CHECK(up.peer_unmatched.empty());
    CHECK(count_row(up.pairs, peer.data_rows[0], true) == 3);
    // Pairs are ordered by the first capture's row.
    REQUIRE(up.pairs.size() >= 3);
    CHECK(std::is_sorted(up.pairs.begin(), up.pairs.end(),
                         [](const PacketPair& x, const PacketPair& y) { return x.row < y.row; }));
}

TEST_CASE("packet matching: pieces that do not tile the super-segment exactly stay unmatched", "[packet_matching]") {
    SECTION("a piece missing at the end") {
        // 2856 on one side, only 1428 + 1000 on the other (the rest lost): no tiling.
        const Side first({2856});
        const Side peer({1428, 1000});
        const TcpPacketMatch m = match_packets(first.capture.table, first.tcp(), peer.capture.table, peer.tcp(), false);
        CHECK(m.directions[0].super_segments == 0);
        CHECK(m.directions[0].unmatched == std::vector<std::uint32_t>{first.data_rows[0]});
        CHECK(m.directions[0].peer_unmatched.size() == 2);
    }
    SECTION("a piece acknowledging something else") {
        const Side first({2856});
        const Side peer({1428, 1428}, 7);
        const TcpPacketMatch m = match_packets(first.capture.table, first.tcp(), peer.capture.table, peer.tcp(), false);
        CHECK(m.directions[0].super_segments == 0);
        CHECK(m.directions[0].unmatched.size() == 1);
    }
}

TEST_CASE("packet matching: segments seen unchanged in both captures are matched one to one",
          "[packet_matching]") {
    const Side first({1428, 1428});
    const Side peer({1428, 1428});
    const TcpPacketMatch m = match_packets(first.capture.table, first.tcp(), peer.capture.table, peer.tcp(), false);
    CHECK(m.directions[0].super_segments == 0);
    CHECK(m.directions[0].unmatched.empty());
    CHECK(m.directions[0].pairs.size() == first.tcp().stats(TcpDirection::ClientToServer).packets);
    for (const auto& p : m.directions[0].pairs) CHECK(p.row == p.peer_row);  // same construction, same rows
}

TEST_CASE("packet matching: pieces carry the super-segment's timestamps; a resend in smaller segments does not tile",
          "[packet_matching]") {
    const auto stamp = [](Side& side, std::uint32_t tsval) {
        auto& c = side.capture.table.mutable_columns();
        for (const auto row : side.data_rows) {
            c.misc[row] = static_cast<std::uint8_t>(c.misc[row] | row_bit::kTimestamps);
            c.tsval[row] = tsval;
            c.tsecr[row] = 7;
        }
    };
    Side first({2856});
    Side peer({1428, 1428});
    SECTION("same timestamps: offloaded pieces") {
        stamp(first, 100);
        stamp(peer, 100);
        const TcpPacketMatch m = match_packets(first.capture.table, first.tcp(), peer.capture.table, peer.tcp(), false);
        CHECK(m.directions[0].super_segments == 1);
        CHECK(m.directions[0].unmatched.empty());
    }
    SECTION("later timestamps: a retransmission of the same bytes") {
        stamp(first, 100);
        stamp(peer, 180);
        const TcpPacketMatch m = match_packets(first.capture.table, first.tcp(), peer.capture.table, peer.tcp(), false);
        CHECK(m.directions[0].super_segments == 0);
        CHECK(m.directions[0].unmatched == std::vector<std::uint32_t>{first.data_rows[0]});
        CHECK(m.directions[0].peer_unmatched.size() == 2);
    }
}
