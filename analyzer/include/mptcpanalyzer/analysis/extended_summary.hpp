#pragma once
// What each subflow of an MPTCP connection really delivered, from two captures of it (the
// sender's side of each data direction and the receiver's, first_is_sender_side), per subflow
// and data direction:
//   sent      payload bytes the sender's capture saw leave on the subflow (retransmissions included);
//   arrived   payload bytes of the receiver's rows that are twins of those (packet matching);
//   lost      payload bytes of the sender's rows without a twin at the receiver (dropped on the
//             path, or sent after the receiver's capture stopped): sent = arrived + lost when no
//             super-segment was split;
//   arrived_first  DSN bytes this subflow brought to the receiver before any other copy of them
//             (walking the receiver capture's data segments in arrival order): its goodput
//             contribution; over the subflows they add up to the receiver's application bytes;
//   redundant bytes of data segments that arrived on it after another copy of the same DSN
//             bytes had arrived (on any subflow): arrived_first + redundant = the receiver's
//             mapped payload on the subflow.
// sent/arrived/lost need the subflow in both captures; arrived_first/redundant need it in the
// receiver's capture only.

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "mptcpanalyzer/analysis/capture_pair.hpp"
#include "mptcpanalyzer/analysis/time_series.hpp"

namespace mptcpanalyzer {

struct SubflowTransfer {
    std::optional<std::size_t> subflow;       // index in the first connection's subflows
    std::optional<std::size_t> peer_subflow;  // index in the peer connection's subflows
    std::optional<std::uint32_t> tcp_stream;       // in the first capture
    std::optional<std::uint32_t> peer_tcp_stream;  // in the peer capture
    // Both captures hold the subflow (sent, arrived and lost are known).
    bool paired = false;
    std::uint64_t sent_bytes = 0;
    std::uint64_t arrived_bytes = 0;
    std::uint64_t lost_bytes = 0;
    std::uint64_t arrived_first_bytes = 0;
    std::uint64_t redundant_bytes = 0;
    // The arrived-first bytes at their arrival times (receiver clock, absolute): goodput series.
    std::vector<TimedBytes> arrived_first;
};

struct DirectionTransfer {
    DataDirection direction = DataDirection::ToServer;
    bool sender_is_first = true;
    // The first connection's subflows in order, then subflows only the peer capture holds.
    std::vector<SubflowTransfer> subflows;
    std::uint64_t sent_bytes = 0;     // sums over the paired subflows
    std::uint64_t arrived_bytes = 0;
    std::uint64_t lost_bytes = 0;
    std::uint64_t arrived_first_bytes = 0;  // sum over every subflow: the application bytes delivered
    std::uint64_t redundant_bytes = 0;
    // The receiver's own count (ConnectionData::application_bytes): equal to arrived_first_bytes.
    std::uint64_t receiver_application_bytes = 0;
    std::int64_t receiver_start_ns = 0;  // the receiver connection's first packet (receiver clock)
    std::int64_t receiver_end_ns = 0;    // and its last
};

struct ExtendedSummary {
    const MptcpPairing* pairing = nullptr;
    std::array<DirectionTransfer, 2> directions;  // indexed by DataDirection
};

// Throws Error(Usage) when `connection` (of the first capture) has no twin in the peer capture.
ExtendedSummary extended_summary(const CapturePair& pair, const MptcpConnection& connection);

}  // namespace mptcpanalyzer
