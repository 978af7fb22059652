#pragma once
// Time series of one connection per subflow and data direction, as the plots draw them: the
// bytes each subflow carried (throughput) or carried first (goodput), the gaps between data
// packets, the reinjections and the DATA_ACKs. Which bytes count, which packets are data and in
// which direction they travel is decided here once, so every front end (plot kinds, plugins)
// counts the same way; the front ends only select, style and write.

#include <cstdint>
#include <span>
#include <vector>

#include "mptcpanalyzer/analysis/packet_series.hpp"
#include "mptcpanalyzer/analysis/session.hpp"
#include "mptcpanalyzer/analysis/time_series.hpp"

namespace mptcpanalyzer {

// Which bytes a rate counts.
enum class BytesCounted : std::uint8_t {
    Payload,    // every payload byte on the wire, retransmissions and reinjections included (throughput)
    FirstSent,  // only bytes sent for the first time: sequence space for TCP, DSN space for MPTCP (goodput)
};

// The bytes of one TCP direction, in capture order (one entry per data packet).
std::vector<TimedBytes> tcp_timed_bytes(const PacketTable& table, const TcpConnection& connection,
                                        TcpDirection direction, BytesCounted counted);

// [subflow index] -> the bytes sent in data direction `direction` on that subflow, in capture
// order. Payload: every payload byte of the subflow's TCP direction. FirstSent: each data
// segment's new DSN bytes, credited to the subflow that carried them first, so that over all
// subflows they add up to the connection's application bytes in that direction.
std::vector<std::vector<TimedBytes>> subflow_timed_bytes(const AnalysisSession& session,
                                                         const MptcpConnection& connection, DataDirection direction,
                                                         BytesCounted counted);

// Gaps between consecutive data packets (payload > 0) sent in `direction` on the given subflows
// (indices in connection.subflows), tagged by subflow index: per subflow, and across switches
// from one of these subflows to another.
InterArrivals data_packet_inter_arrivals(const AnalysisSession& session, const MptcpConnection& connection,
                                         std::span<const std::size_t> subflows, DataDirection direction);

// A data-level sequence number at a packet, relative to its direction's base (kept an integer:
// a DSN below the base wraps to a large value, which a double would round).
struct DsnPoint {
    std::uint32_t row = 0;
    std::int64_t time_ns = 0;
    std::uint64_t relative_dsn = 0;
};

// The data segments sent in `direction` on subflow `subflow` (index), in capture order, at the
// DSN of their first byte.
std::vector<DsnPoint> segment_dsn_points(const AnalysisSession& session, const MptcpConnection& connection,
                                         std::size_t subflow, DataDirection direction);

// A reinjected data segment (analysis/reinjections.hpp), where and when it was sent.
struct ReinjectionPoint {
    std::uint32_t row = 0;
    std::int64_t time_ns = 0;
    std::size_t subflow = 0;         // index of the subflow that carried the reinjection
    std::uint64_t relative_dsn = 0;  // of its first byte
    std::uint64_t bytes = 0;         // reinjected bytes (sent before on another subflow)
    std::int64_t delay_ns = 0;       // since the first transmission on another subflow
};

// The reinjections sent in `direction` on the given subflows, in the report's (capture) order.
std::vector<ReinjectionPoint> reinjection_points(const AnalysisSession& session, const MptcpConnection& connection,
                                                 std::span<const std::size_t> subflows, DataDirection direction);

// What a running total of reinjections adds up.
enum class ReinjectionMeasure : std::uint8_t { Segments, Bytes };

struct RunningTotal {
    std::int64_t time_ns = 0;
    std::uint64_t total = 0;
};

// The running total of `points` in time order (ties in the given order): one step per reinjection.
std::vector<RunningTotal> reinjections_over_time(std::span<const ReinjectionPoint> points, ReinjectionMeasure measure);

// The DATA_ACKs acknowledging `direction`'s data that were sent on the given subflows, in
// capture order.
std::vector<DsnPoint> data_ack_points(const AnalysisSession& session, const MptcpConnection& connection,
                                            std::span<const std::size_t> subflows, DataDirection direction);

}  // namespace mptcpanalyzer
