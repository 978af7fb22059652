#pragma once
// One-way delays between two captures of the same traffic (owd, plot owd): per subflow (or plain
// TCP connection) and data direction, the packets travelling that way (pure ACKs included)
// matched between the sender's side capture and the receiver's side one, their delays once the
// clock offset (clock_offset.hpp) is removed, and what is left unmatched on each side.
//
// Which capture is the sender's side of a direction comes from the pairing
// (first_is_sender_side); the offset is estimated from every matched packet of the connection's
// subflows in both directions, or imposed.

#include <cstdint>
#include <optional>
#include <vector>

#include "mptcpanalyzer/analysis/capture_pair.hpp"
#include "mptcpanalyzer/analysis/clock_offset.hpp"
#include "mptcpanalyzer/analysis/order_statistics.hpp"

namespace mptcpanalyzer {

// Nearest-rank percentiles (order_statistics.hpp): always one of the measured delays.
struct DelayDistribution {
    std::int64_t min = 0;
    std::int64_t p50 = 0;
    std::int64_t p90 = 0;
    std::int64_t p99 = 0;
    std::int64_t max = 0;
};
// Of `values` (sorted in place); nothing when empty.
std::optional<DelayDistribution> delay_distribution(std::vector<std::int64_t>& values);

// One matched packet: when the sender's side capture saw it (first capture's clock), and its
// corrected one-way delay.
struct DelayPoint {
    std::int64_t first_ns = 0;  // its time in the first capture
    std::int64_t delay_ns = 0;
};

struct DirectionDelays {
    std::size_t subflow = 0;                    // index in the first connection's subflows (0 for TCP)
    std::uint32_t tcp_stream = 0;               // in the first capture
    std::optional<std::uint32_t> peer_tcp_stream;
    DataDirection direction = DataDirection::ToServer;
    bool first_is_sender = true;  // the first capture is this direction's sender's side
    // Packet pairs (a super-segment counts once per piece it was matched to).
    std::uint64_t matched = 0;
    // Sender's side packets without a twin at the receiver's side: lost on the path, or sent
    // after the receiver's capture stopped (or before it started).
    std::uint64_t unmatched_sent = 0;
    // Receiver's side packets without a twin at the sender's side (outside the sender's capture).
    std::uint64_t unmatched_received = 0;
    std::optional<DelayDistribution> delay_ns;  // nothing when nothing matched
    std::vector<DelayPoint> points;             // by first capture time
};

struct OneWayDelays {
    ClockOffset clock;
    CaptureSide first_side = CaptureSide::Unknown;
    bool peer_found = false;  // the connection has a twin in the peer capture
    std::int64_t peer_mptcp_stream = -1;
    std::int64_t start_ns = 0;  // the connection's first packet in the first capture
    std::vector<DirectionDelays> directions;  // per subflow in the connection's order, to_server then to_client
};

// `imposed_offset_ns`: --clock-offset (else estimated).
OneWayDelays one_way_delays(const CapturePair& pair, const MptcpConnection& connection,
                            std::optional<std::int64_t> imposed_offset_ns);
// A plain TCP connection: data directions are its client to server (to_server) and back.
OneWayDelays one_way_delays(const CapturePair& pair, const TcpConnection& connection,
                            std::optional<std::int64_t> imposed_offset_ns);

}  // namespace mptcpanalyzer
