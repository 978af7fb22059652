#include "mptcpanalyzer/analysis/subflow_series.hpp"

#include <algorithm>

namespace mptcpanalyzer {
namespace {

// [subflow index] -> whether the caller selected it.
std::vector<bool> selection_mask(const MptcpConnection& connection, std::span<const std::size_t> subflows) {
    std::vector<bool> selected(connection.subflows.size(), false);
    for (auto i : subflows) selected[i] = true;
    return selected;
}

}  // namespace

std::vector<TimedBytes> tcp_timed_bytes(const PacketTable& table, const TcpConnection& connection,
                                        TcpDirection direction, BytesCounted counted) {
    const auto rows = tcp_payload_bytes(table, connection, direction, counted == BytesCounted::FirstSent);
    std::vector<TimedBytes> out;
    out.reserve(rows.size());
    for (const auto& [row, bytes] : rows) out.push_back({table.columns().time_ns[row], bytes});
    return out;
}

std::vector<std::vector<TimedBytes>> subflow_timed_bytes(const AnalysisSession& session,
                                                         const MptcpConnection& connection, DataDirection direction,
                                                         BytesCounted counted) {
    std::vector<std::vector<TimedBytes>> out(connection.subflows.size());
    if (counted == BytesCounted::Payload) {
        for (std::size_t i = 0; i < connection.subflows.size(); ++i) {
            const Subflow& sf = connection.subflows[i];
            out[i] = tcp_timed_bytes(session.table(), session.tcp_of(sf), sf.tcp_direction(direction), counted);
        }
        return out;
    }
    // New DSN bytes are counted over both directions' segments; a segment's entry says how
    // many of its bytes no earlier segment carried, on any subflow.
    const ConnectionData& data = session.analysis(connection).data;
    const std::vector<std::uint64_t> fresh = new_data_bytes(data);
    const auto& time_ns = session.table().columns().time_ns;
    for (std::size_t k = 0; k < data.segments.size(); ++k) {
        const DataSegment& seg = data.segments[k];
        if (seg.direction == direction && fresh[k] > 0) out[seg.subflow].push_back({time_ns[seg.row], fresh[k]});
    }
    return out;
}

InterArrivals data_packet_inter_arrivals(const AnalysisSession& session, const MptcpConnection& connection,
                                         std::span<const std::size_t> subflows, DataDirection direction) {
    const PacketTable& table = session.table();
    const auto& c = table.columns();
    std::vector<std::pair<std::uint32_t, std::uint32_t>> rows;  // (row, subflow index)
    for (auto i : subflows) {
        const Subflow& sf = connection.subflows[i];
        const TcpConnection& conn = session.tcp_of(sf);
        for (auto row : conn.rows) {
            if (c.payload_length[row] > 0 && data_direction_of(table, conn, sf, row) == direction) {
                rows.emplace_back(row, static_cast<std::uint32_t>(i));
            }
        }
    }
    // Capture order across subflows: a switch is a data packet on another subflow than the one before.
    std::sort(rows.begin(), rows.end());
    std::vector<TaggedTime> packets;
    packets.reserve(rows.size());
    for (const auto& [row, i] : rows) packets.push_back({c.time_ns[row], i});
    return inter_arrival_times(packets);
}

std::vector<ReinjectionPoint> reinjection_points(const AnalysisSession& session, const MptcpConnection& connection,
                                                 std::span<const std::size_t> subflows, DataDirection direction) {
    const MptcpAnalysis& a = session.analysis(connection);
    const auto& time_ns = session.table().columns().time_ns;
    const std::vector<bool> selected = selection_mask(connection, subflows);
    std::vector<ReinjectionPoint> out;
    for (const auto& r : a.reinjections.reinjections) {
        const DataSegment& seg = a.data.segments[r.segment];
        if (seg.direction != direction || !selected[seg.subflow]) continue;
        out.push_back({seg.row, time_ns[seg.row], seg.subflow, a.data.relative(direction, seg.dsn), r.reinjected_bytes,
                       r.delay_ns});
    }
    return out;
}

std::vector<RunningTotal> reinjections_over_time(std::span<const ReinjectionPoint> points, ReinjectionMeasure measure) {
    std::vector<ReinjectionPoint> by_time(points.begin(), points.end());
    // Capture order is time order unless the capture's clock stepped back.
    std::stable_sort(by_time.begin(), by_time.end(),
                     [](const ReinjectionPoint& x, const ReinjectionPoint& y) { return x.time_ns < y.time_ns; });
    std::vector<RunningTotal> out;
    out.reserve(by_time.size());
    std::uint64_t total = 0;
    for (const auto& p : by_time) {
        total += measure == ReinjectionMeasure::Bytes ? p.bytes : 1;
        out.push_back({p.time_ns, total});
    }
    return out;
}

std::vector<DsnPoint> segment_dsn_points(const AnalysisSession& session, const MptcpConnection& connection,
                                         std::size_t subflow, DataDirection direction) {
    const ConnectionData& data = session.analysis(connection).data;
    const auto& time_ns = session.table().columns().time_ns;
    std::vector<DsnPoint> out;
    for (const auto& seg : data.segments) {
        if (seg.direction != direction || seg.subflow != subflow) continue;
        out.push_back({seg.row, time_ns[seg.row], data.relative(direction, seg.dsn)});
    }
    return out;
}

std::vector<DsnPoint> data_ack_points(const AnalysisSession& session, const MptcpConnection& connection,
                                            std::span<const std::size_t> subflows, DataDirection direction) {
    const ConnectionData& data = session.analysis(connection).data;
    const auto& time_ns = session.table().columns().time_ns;
    const std::vector<bool> selected = selection_mask(connection, subflows);
    std::vector<DsnPoint> out;
    for (const auto& ack : data.data_acks) {
        if (ack.direction != direction || !selected[ack.subflow]) continue;
        out.push_back({ack.row, time_ns[ack.row], data.relative(direction, ack.ack)});
    }
    return out;
}

}  // namespace mptcpanalyzer
