#pragma once
// Resent data of an MPTCP connection. Every payload byte a subflow carries in a data direction
// is exactly one of these, decided in this order:
//   1. TCP-retransmitted: its subflow sequence number was already covered on the same subflow
//      and TCP direction. The rule and the code are tcp-summary's (model/sequence_coverage.hpp),
//      so per subflow and direction the two reports count the same bytes.
//   2. unmapped: no DSS mapping covers it (ConnectionData::unmapped), so it has no DSN.
//   3. MPTCP-retransmitted: its DSN was already carried by this same subflow, under other
//      subflow sequence numbers (the MPTCP layer sent old data again on the same subflow, e.g.
//      after an MPTCP retransmission timeout or when a subflow is used again after a failure).
//   4. reinjected: its DSN was carried before only by other subflows.
//   5. new data: no subflow carried its DSN before.
// "Carried" counts every earlier transmission of the DSN, whatever its own kind. Within a
// segment the subflow-sequence offset maps linearly to the DSN offset, so one segment may hold
// bytes of several kinds and is split byte-exactly. Mixed histories follow from the order: data
// sent first on A, reinjected on B, then sent on B again under new subflow sequence numbers is
// MPTCP-retransmitted on B (B had carried it); sent on A again under new numbers, it is
// MPTCP-retransmitted on A; B retransmitting its own reinjection at the TCP level is
// TCP-retransmitted.
//
// Listed: every segment with reinjected bytes (`reinjections`, linked to the earlier copies on
// other subflows that made those bytes reinjected) and every segment with MPTCP-retransmitted
// bytes (`mptcp_retransmissions`, linked to the earlier copies on the same subflow). One pass in
// capture order over an ordered map of DSN intervals with their carriers: O(n log n), and the
// result depends on no other analysis having run.

#include <array>
#include <cstdint>
#include <map>
#include <vector>

#include "mptcpanalyzer/analysis/mptcp_data.hpp"
#include "mptcpanalyzer/model/connections.hpp"

namespace mptcpanalyzer {

// How the payload bytes of one data segment divide among the kinds above (a mapped segment has
// no unmapped bytes): new + reinjected + mptcp_retransmitted + tcp_retransmitted = its length.
struct SegmentBytes {
    std::uint64_t new_bytes = 0;
    std::uint64_t reinjected_bytes = 0;
    std::uint64_t mptcp_retransmitted_bytes = 0;
    std::uint64_t tcp_retransmitted_bytes = 0;
};

// A segment with reinjected bytes.
struct Reinjection {
    std::size_t segment = 0;             // index in ConnectionData::segments
    std::vector<std::size_t> originals;  // the earlier segments on other subflows that carried its reinjected bytes
    std::uint64_t reinjected_bytes = 0;  // == ReinjectionReport::segment_bytes[segment].reinjected_bytes
    std::int64_t delay_ns = 0;           // since the first of the originals
};

// A segment with MPTCP-retransmitted bytes (old DSNs again on the same subflow, new subflow
// sequence numbers).
struct MptcpRetransmission {
    std::size_t segment = 0;                      // index in ConnectionData::segments
    std::vector<std::size_t> earlier;             // the earlier segments on this subflow that carried those DSNs
    std::uint64_t mptcp_retransmitted_bytes = 0;  // == segment_bytes[segment].mptcp_retransmitted_bytes
    std::int64_t delay_ns = 0;                    // since the first of the earlier segments
};

// One subflow in one data direction. payload_bytes = new_bytes + reinjected_bytes +
// mptcp_retransmitted_bytes + tcp_retransmitted_bytes + unmapped_bytes.
struct SubflowDataStats {
    std::uint64_t payload_bytes = 0;              // every payload byte (the TCP direction's wire bytes)
    std::uint64_t data_bytes = 0;                 // of which in segments with a DSN mapping
    std::uint64_t new_bytes = 0;
    std::uint64_t reinjected_bytes = 0;
    std::uint64_t mptcp_retransmitted_bytes = 0;
    std::uint64_t tcp_retransmitted_bytes = 0;    // equals the TCP connection's retransmitted_bytes
    std::uint64_t unmapped_bytes = 0;             // not TCP-retransmitted, without a DSS mapping
    std::uint64_t unmapped_segments = 0;          // payload segments without a DSS mapping
    std::uint32_t reinjections = 0;               // segments with reinjected bytes
    std::uint32_t mptcp_retransmissions = 0;      // segments with MPTCP-retransmitted bytes
};

struct ReinjectionReport {
    std::vector<SegmentBytes> segment_bytes;         // [index in ConnectionData::segments]
    std::vector<Reinjection> reinjections;           // by segment order
    std::vector<MptcpRetransmission> mptcp_retransmissions;  // by segment order
    // For each segment that was later reinjected: the reinjections of it (segment indices).
    std::map<std::size_t, std::vector<std::size_t>> reinjected_in;
    // [direction][subflow]
    std::array<std::vector<SubflowDataStats>, 2> per_subflow;
};

// `data` is map_connection_data() of `connection` (a test may alter its DSNs).
ReinjectionReport find_reinjections(const PacketTable& table, const ConnectionModel& model,
                                    const MptcpConnection& connection, const ConnectionData& data);

}  // namespace mptcpanalyzer
