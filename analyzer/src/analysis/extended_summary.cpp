#include "mptcpanalyzer/analysis/extended_summary.hpp"

#include <algorithm>
#include <map>

#include "mptcpanalyzer/analysis/reinjection_qualification.hpp"

namespace mptcpanalyzer {
namespace {

// Payload bytes of `rows`, each row counted once (a super-segment appears once per piece).
std::uint64_t payload_of(const PacketTable& table, std::vector<std::uint32_t> rows) {
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    std::uint64_t total = 0;
    for (auto row : rows) total += table.columns().payload_length[row];
    return total;
}

}  // namespace

ExtendedSummary extended_summary(const CapturePair& pair, const MptcpConnection& connection) {
    ExtendedSummary out;
    const MptcpPairing& pairing = twin_or_throw(pair, connection);
    out.pairing = &pairing;
    const PacketTable& first_table = pair.first().table();
    const PacketTable& peer_table = pair.peer().table();
    for (const auto direction : {DataDirection::ToServer, DataDirection::ToClient}) {
        DirectionTransfer& dt = out.directions[static_cast<std::size_t>(direction)];
        dt.direction = direction;
        const DataDirectionSides sides = data_direction_sides(pair, connection, direction);
        dt.sender_is_first = sides.sender_is_first;

        // Where each receiver subflow's row goes in dt.subflows.
        std::map<std::size_t, std::size_t> by_receiver_subflow;
        for (const SubflowMatch& m : pairing.subflows) {
            SubflowTransfer t;
            t.subflow = m.subflow;
            t.tcp_stream = connection.subflows[m.subflow].tcp_stream;
            t.peer_subflow = m.peer_subflow;
            if (m.peer_tcp) t.peer_tcp_stream = m.peer_tcp->tcp_stream;
            if (m.peer_tcp) {
                t.paired = true;
                // DirectionMatch is indexed in the first capture's orientation.
                const auto td = static_cast<std::size_t>(connection.subflows[m.subflow].tcp_direction(direction));
                const DirectionMatch& dm = m.packets.directions[td];
                std::vector<std::uint32_t> first_rows, peer_rows;
                for (const auto& p : dm.pairs) {
                    first_rows.push_back(p.row);
                    peer_rows.push_back(p.peer_row);
                }
                if (sides.sender_is_first) {
                    t.lost_bytes = payload_of(first_table, dm.unmatched);
                    t.sent_bytes = payload_of(first_table, first_rows) + t.lost_bytes;
                    t.arrived_bytes = payload_of(peer_table, peer_rows);
                } else {
                    t.lost_bytes = payload_of(peer_table, dm.peer_unmatched);
                    t.sent_bytes = payload_of(peer_table, peer_rows) + t.lost_bytes;
                    t.arrived_bytes = payload_of(first_table, first_rows);
                }
            }
            if (sides.sender_is_first) {
                if (t.peer_subflow) by_receiver_subflow[*t.peer_subflow] = dt.subflows.size();
            } else {
                by_receiver_subflow[m.subflow] = dt.subflows.size();
            }
            dt.subflows.push_back(std::move(t));
        }
        for (const std::size_t j : pairing.peer_only_subflows) {
            SubflowTransfer t;
            t.peer_subflow = j;
            t.peer_tcp_stream = pairing.peer->subflows[j].tcp_stream;
            if (sides.sender_is_first) by_receiver_subflow[j] = dt.subflows.size();
            dt.subflows.push_back(std::move(t));
        }

        // The receiver's data segments in arrival (capture) order: the first copy of each DSN
        // byte is what the application got from that subflow.
        const MptcpAnalysis& received = sides.receiver->analysis(*sides.receiver_connection);
        const auto& time = sides.receiver->table().columns().time_ns;
        ByteRangeUnion delivered;
        for (const DataSegment& s : received.data.segments) {
            if (s.direction != direction || s.length == 0) continue;
            const auto slot = by_receiver_subflow.find(s.subflow);
            const std::uint64_t start = received.data.relative(direction, s.dsn);
            const std::uint64_t fresh = delivered.add(start, start + s.length);
            if (slot == by_receiver_subflow.end()) continue;
            SubflowTransfer& t = dt.subflows[slot->second];
            t.arrived_first_bytes += fresh;
            t.redundant_bytes += s.length - fresh;
            if (fresh) t.arrived_first.push_back({time[s.row], fresh});
        }
        for (const auto& t : dt.subflows) {
            dt.sent_bytes += t.sent_bytes;
            dt.arrived_bytes += t.arrived_bytes;
            dt.lost_bytes += t.lost_bytes;
            dt.arrived_first_bytes += t.arrived_first_bytes;
            dt.redundant_bytes += t.redundant_bytes;
        }
        dt.receiver_application_bytes = received.data.application_bytes(direction);
        dt.receiver_start_ns = sides.receiver->first_ns(*sides.receiver_connection);
        dt.receiver_end_ns = sides.receiver->last_ns(*sides.receiver_connection);
    }
    return out;
}

}  // namespace mptcpanalyzer
