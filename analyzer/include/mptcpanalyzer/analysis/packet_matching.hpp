#pragma once
// The packets of one TCP connection seen in two captures, matched one to one (or one to several
// for GSO/TSO super-segments) by a fingerprint of what survives the path: sequence and
// acknowledgment numbers, payload length, flags, the timestamps option, the DSS fields. Never
// addresses or ports (NAT). Identical fingerprints (retransmissions without timestamps) are
// matched in capture order. A super-segment in one capture is matched to the wire-sized pieces
// that tile its byte range in the other. What is left is unmatched: lost on the path, or sent
// before or after the other capture ran.

#include <array>
#include <cstdint>
#include <vector>

#include "mptcpanalyzer/model/connections.hpp"
#include "mptcpanalyzer/model/packet_table.hpp"

namespace mptcpanalyzer {

// A packet of the first capture and its twin in the peer capture. A super-segment appears once
// per piece it was matched to (same `row` or same `peer_row` in consecutive pairs).
struct PacketPair {
    std::uint32_t row = 0;       // in the first capture's table
    std::uint32_t peer_row = 0;  // in the peer capture's table
};

// One TCP direction, named in the first capture's orientation.
struct DirectionMatch {
    std::vector<PacketPair> pairs;             // by `row`, then `peer_row`
    std::vector<std::uint32_t> unmatched;      // rows of the first capture without a twin
    std::vector<std::uint32_t> peer_unmatched; // rows of the peer capture without a twin
    std::uint64_t super_segments = 0;          // packets (either capture) matched to several pieces
};

struct TcpPacketMatch {
    std::array<DirectionMatch, 2> directions;  // indexed by the first capture's TcpDirection
    bool reversed = false;  // the peer connection's ClientToServer is the first one's ServerToClient
};

// Matches every packet of `connection` (first capture) with `peer_connection` (peer capture).
// `reversed` as in TcpCandidate. Linear in the number of packets (hash of fingerprints).
TcpPacketMatch match_packets(const PacketTable& first, const TcpConnection& connection, const PacketTable& peer,
                             const TcpConnection& peer_connection, bool reversed);

}  // namespace mptcpanalyzer
