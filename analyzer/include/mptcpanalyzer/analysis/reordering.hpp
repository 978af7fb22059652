#pragma once
// Receiver-side reordering at the data level: for every data segment, when its bytes arrived
// and when they became in order (every earlier DSN byte present), the difference being its
// head-of-line (HoL) delay; which subflow's segment released it; and the bytes held out of
// order over time (arrived, not deliverable), whose maximum is the part of the receive buffer
// a capture can measure exactly (in-order data the application has not read yet is invisible
// to a capture).
//
// Only the receiver's capture of a direction shows arrivals. In the sender's capture (`vantage`,
// decided per direction from the capture) they are estimated from the acknowledgments coming
// back: a segment arrived about when the first subflow ACK covering it returns, and was in
// order when the first DATA_ACK past it returns (an estimate, not a measurement: the return
// paths' delay difference stays in it, and without SACK data behind a subflow loss looks late).

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "mptcpanalyzer/analysis/mptcp_data.hpp"
#include "mptcpanalyzer/model/connections.hpp"
#include "mptcpanalyzer/model/packet_table.hpp"

namespace mptcpanalyzer {

// Whose view of a data direction a capture is: where its packets arrive (receiver), where they
// leave (sender), or undecided (no subflow handshake captured, or the timings tie).
enum class Vantage : std::uint8_t { Receiver, Sender, Unknown };
const char* to_string(Vantage v);

// Which end of the connection the capture was taken at, and so whose view of `direction` it is.
// Where segments arrive, the ACK covering them leaves a few microseconds later; where they
// leave, it comes back a round trip later: the data direction whose segments (payload or FIN,
// on any subflow) are acknowledged sooner (shortest gap) is the one arriving at the capture.
// When one direction has no acknowledged segment, the subflow handshakes vote instead: near
// the TCP client SYN -> SYN/ACK is a round trip and SYN/ACK -> ACK a local turnaround, near
// the server the other way round (weaker: a SYN's processing may outlast a short round trip).
// Unknown when neither decides.
Vantage capture_vantage(const PacketTable& table, const ConnectionModel& model, const MptcpConnection& connection,
                        DataDirection direction);

// One data segment that brought new bytes (bytes below the in-order point or already held are
// duplicates: the first arrival counts).
struct HolSegment {
    std::uint32_t row = 0;
    std::uint16_t subflow = 0;        // index in MptcpConnection::subflows
    std::uint64_t dsn = 0;            // relative DSN of the segment's first byte
    std::uint32_t length = 0;         // payload bytes
    std::uint32_t new_bytes = 0;      // of which arrived for the first time, at or above the in-order point
    std::int64_t arrival_ns = 0;      // the sender's view: when its first covering subflow ACK came back
    // When its new bytes became in order (the sender's view: the first DATA_ACK past it came back); nullopt: never within the capture (an earlier byte
    // never arrived).
    std::optional<std::int64_t> in_order_ns;
    // The subflow of the segment that completed the data below it (its own subflow when it was
    // in order on arrival). Valid when in_order_ns.
    std::uint16_t released_by = 0;

    std::int64_t hol_delay_ns() const { return in_order_ns ? *in_order_ns - arrival_ns : 0; }
};

// The state after one data segment of the direction arrived (the sender's view: after each
// moment an ACK showed data arrived or in order; `row` is that ACK's).
struct ReorderingPoint {
    std::int64_t time_ns = 0;
    std::uint32_t row = 0;
    std::uint64_t in_order_dsn = 0;        // relative DSN of the next byte expected in order
    std::uint64_t out_of_order_bytes = 0;  // arrived above it, not yet deliverable
};

struct DirectionReordering {
    DataDirection direction = DataDirection::ToServer;
    Vantage vantage = Vantage::Unknown;
    std::vector<HolSegment> segments;        // segments with new bytes, capture order
    std::vector<ReorderingPoint> timeline;   // receiver: one point per data segment of the direction (duplicates too)
    std::uint64_t first_dsn = 1;             // where the in-order point starts: the first data byte
    std::uint64_t duplicate_bytes = 0;       // payload bytes that were not new
    std::uint64_t never_in_order_bytes = 0;  // new bytes still held at the end of the capture
    std::uint64_t max_out_of_order_bytes = 0;
    std::optional<std::int64_t> max_out_of_order_ns;  // first time the maximum was held (nullopt: never > 0)
};

struct ReorderingAnalysis {
    std::array<DirectionReordering, 2> directions;  // indexed by DataDirection
};

// The in-order point of each direction starts at relative DSN 1 (the first data byte; relative
// DSNs count from the sender's IDSN, or from one below the lowest DSN seen without keys) and
// advances over contiguous arrived bytes. Held bytes are kept as disjoint intervals: each
// segment costs O(log n) plus the intervals it overlaps, each interval is inserted and removed
// once, so a direction of n segments takes O(n log n).
ReorderingAnalysis analyse_reordering(const PacketTable& table, const ConnectionModel& model,
                                      const MptcpConnection& connection, const ConnectionData& data);

// Order statistics of durations: nearest-rank percentiles (the smallest value with at least p%
// of the values at or below it), exact integers. All nullopt when there is no value.
struct DurationStats {
    std::size_t count = 0;
    std::optional<std::int64_t> p50, p90, p99, max;
};
DurationStats duration_stats(std::vector<std::int64_t> values);

// What the reports show per subflow of a direction: the HoL delays of its segments with new
// bytes (suffered), and the delays of the segments it released after they had waited (caused:
// its segment was the one they waited for).
struct SubflowHol {
    std::uint16_t subflow = 0;
    std::uint64_t new_bytes = 0;
    DurationStats suffered;
    DurationStats caused;
};
struct DirectionHolSummary {
    DurationStats hol_delay;              // every segment with new bytes that became in order
    std::size_t delayed_segments = 0;     // of which with a delay > 0
    std::uint64_t delayed_bytes = 0;      // their new bytes
    std::vector<SubflowHol> subflows;     // one per subflow of the connection, in its order
};
DirectionHolSummary summarize_hol(const DirectionReordering& direction, std::size_t subflow_count);

}  // namespace mptcpanalyzer
