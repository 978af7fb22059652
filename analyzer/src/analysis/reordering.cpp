#include "mptcpanalyzer/analysis/reordering.hpp"

#include <algorithm>
#include <deque>
#include <iterator>
#include <map>

#include "mptcpanalyzer/analysis/order_statistics.hpp"

namespace mptcpanalyzer {

const char* to_string(Vantage v) {
    switch (v) {
        case Vantage::Receiver: return "receiver";
        case Vantage::Sender: return "sender";
        case Vantage::Unknown: break;
    }
    return "unknown";
}

namespace {

// +1: the capture is near the subflow's TCP client, -1: near its TCP server, 0: cannot tell
// (no complete handshake, or equal gaps).
int handshake_vote(const PacketTable& table, const TcpConnection& tcp) {
    const auto& c = table.columns();
    std::optional<std::int64_t> syn, synack, ack;
    for (const std::uint32_t row : tcp.rows) {
        const std::uint16_t flags = c.flags[row];
        const bool from_client = tcp.direction_of(table, row) == TcpDirection::ClientToServer;
        const bool is_syn = (flags & tcp_flag::kSyn) != 0, is_ack = (flags & tcp_flag::kAck) != 0;
        if (!syn) {
            if (from_client && is_syn && !is_ack) syn = c.time_ns[row];
        } else if (!synack) {
            if (!from_client && is_syn && is_ack) synack = c.time_ns[row];
        } else if (from_client && is_ack && !is_syn) {
            ack = c.time_ns[row];
            break;
        }
    }
    if (!ack) return 0;
    const std::int64_t round_trip_side = *synack - *syn, turnaround_side = *ack - *synack;
    return round_trip_side > turnaround_side ? 1 : round_trip_side < turnaround_side ? -1 : 0;
}

}  // namespace

namespace {

// The shortest time, over the segments of one TCP direction that consume sequence space
// (payload or FIN), from the segment to the first ACK of the other direction covering it.
// nullopt when none was acknowledged in the capture.
std::optional<std::int64_t> shortest_ack_gap(const PacketTable& table, const TcpConnection& tcp, TcpDirection data) {
    const auto& c = table.columns();
    std::deque<std::pair<std::uint32_t, std::int64_t>> pending;  // sequence end, time
    std::optional<std::int64_t> shortest;
    for (const std::uint32_t row : tcp.rows) {
        const std::uint16_t flags = c.flags[row];
        if (tcp.direction_of(table, row) == data) {
            const std::uint32_t span = c.payload_length[row] + ((flags & tcp_flag::kFin) ? 1U : 0U);
            if (span > 0 && !(flags & tcp_flag::kSyn)) pending.emplace_back(c.seq_raw[row] + span, c.time_ns[row]);
        } else if (flags & tcp_flag::kAck) {
            // Covered: the ACK is at or past the segment's end (modulo 2^32).
            while (!pending.empty() && static_cast<std::int32_t>(c.ack_raw[row] - pending.front().first) >= 0) {
                const std::int64_t gap = c.time_ns[row] - pending.front().second;
                if (!shortest || gap < *shortest) shortest = gap;
                pending.pop_front();
            }
        }
    }
    return shortest;
}

}  // namespace

Vantage capture_vantage(const PacketTable& table, const ConnectionModel& model, const MptcpConnection& connection,
                        DataDirection direction) {
    // Where segments arrive, their ACK leaves a few microseconds later; where they leave, it
    // comes back a round trip later. The direction acknowledged sooner is the one arriving.
    std::array<std::optional<std::int64_t>, 2> ack_gap;  // by DataDirection
    int near_mptcp_client = 0;  // handshake votes: > 0 near the MPTCP client, < 0 near the server
    for (const Subflow& s : connection.subflows) {
        const TcpConnection* tcp = model.find_tcp(s.tcp_stream);
        if (!tcp) continue;
        for (const DataDirection d : {DataDirection::ToServer, DataDirection::ToClient}) {
            const auto gap = shortest_ack_gap(table, *tcp, s.tcp_direction(d));
            auto& best = ack_gap[static_cast<std::size_t>(d)];
            if (gap && (!best || *gap < *best)) best = gap;
        }
        // The subflow's TCP client is the MPTCP client when the subflow opens towards the server.
        const int vote = handshake_vote(table, *tcp);
        near_mptcp_client += s.towards_server ? vote : -vote;
    }
    bool at_client = false;
    if (ack_gap[0] && ack_gap[1] && *ack_gap[0] != *ack_gap[1]) {
        at_client = *ack_gap[1] < *ack_gap[0];  // data towards the client is acknowledged sooner
    } else if (near_mptcp_client != 0) {
        at_client = near_mptcp_client > 0;
    } else {
        return Vantage::Unknown;
    }
    // Data towards the client arrives at the client's end.
    return at_client == (direction == DataDirection::ToClient) ? Vantage::Receiver : Vantage::Sender;
}

namespace {

// A held piece of a segment's new bytes: [start, end) in relative DSNs.
struct Held {
    std::uint64_t end = 0;
    std::size_t segment = 0;  // index in DirectionReordering::segments
};

void analyse_direction(const PacketTable& table, const ConnectionData& data, DirectionReordering& out) {
    const auto& c = table.columns();
    const DataDirection d = out.direction;
    std::map<std::uint64_t, Held> held;  // disjoint, all above `next`
    std::uint64_t next = out.first_dsn;   // the in-order point
    std::uint64_t held_bytes = 0;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> pieces;
    for (const DataSegment& seg : data.segments) {
        if (seg.direction != d || seg.length == 0) continue;
        const std::int64_t t = c.time_ns[seg.row];
        const std::uint64_t start = data.relative(d, seg.dsn), end = start + seg.length;
        const std::uint64_t low = std::max(start, next);
        // The new bytes: [low, end) minus what is held.
        pieces.clear();
        if (low < end) {
            auto it = held.upper_bound(low);
            if (it != held.begin() && std::prev(it)->second.end > low) it = std::prev(it);
            std::uint64_t cursor = low;
            for (; it != held.end() && it->first < end; ++it) {
                if (it->first > cursor) pieces.emplace_back(cursor, it->first);
                cursor = std::max(cursor, it->second.end);
            }
            if (cursor < end) pieces.emplace_back(cursor, end);
        }
        std::uint64_t new_bytes = 0;
        for (const auto& [a, b] : pieces) new_bytes += b - a;
        out.duplicate_bytes += seg.length - new_bytes;
        if (new_bytes > 0) {
            const std::size_t index = out.segments.size();
            HolSegment h;
            h.row = seg.row;
            h.subflow = seg.subflow;
            h.dsn = start;
            h.length = seg.length;
            h.new_bytes = static_cast<std::uint32_t>(new_bytes);
            h.arrival_ns = t;
            out.segments.push_back(h);
            if (low == next) {
                // In order on arrival: it fills the gap at the in-order point, and everything
                // held contiguously above it becomes in order now, released by this subflow.
                out.segments[index].in_order_ns = t;
                out.segments[index].released_by = seg.subflow;
                next = end;
                while (!held.empty() && held.begin()->first <= next) {
                    const auto first = held.begin();
                    HolSegment& released = out.segments[first->second.segment];
                    if (!released.in_order_ns) {
                        released.in_order_ns = t;
                        released.released_by = seg.subflow;
                    }
                    held_bytes -= first->second.end - first->first;
                    next = std::max(next, first->second.end);
                    held.erase(first);
                }
            } else {
                for (const auto& [a, b] : pieces) held.emplace(a, Held{b, index});
                held_bytes += new_bytes;
            }
        }
        out.timeline.push_back({t, seg.row, next, held_bytes});
        if (held_bytes > out.max_out_of_order_bytes) {
            out.max_out_of_order_bytes = held_bytes;
            out.max_out_of_order_ns = t;
        }
    }
    out.never_in_order_bytes = held_bytes;
}

// The sender's capture shows when segments left, not when they arrived: estimate both from the
// acknowledgments coming back. A segment arrived about when the first subflow ACK covering it
// comes back (a cumulative ACK without SACK: data behind a subflow-level loss looks late too);
// it was in order when the first DATA_ACK at or past its end comes back. Both travel the same
// way back when on the same subflow, so the difference (its HoL delay) drops the return delay;
// on different subflows it keeps their return delay difference. The segments with new bytes
// are those analyse_direction found (first transmissions, send order); their arrival, in-order
// time, releasing subflow and the timeline are replaced by the estimates.
void estimate_from_acks(const PacketTable& table, const ConnectionModel& model, const MptcpConnection& connection,
                        const ConnectionData& data, DirectionReordering& out) {
    const auto& c = table.columns();
    const DataDirection d = out.direction;
    // Subflow level: the first covering ACK of every data row of the direction.
    std::map<std::uint32_t, std::int64_t> acked_at;  // data row -> time
    for (const Subflow& s : connection.subflows) {
        const TcpConnection* tcp = model.find_tcp(s.tcp_stream);
        if (!tcp) continue;
        const TcpDirection sending = s.tcp_direction(d);
        std::deque<std::pair<std::uint32_t, std::uint32_t>> pending;  // sequence end, row
        for (const std::uint32_t row : tcp->rows) {
            if (tcp->direction_of(table, row) == sending) {
                if (c.payload_length[row] > 0) pending.emplace_back(c.seq_raw[row] + c.payload_length[row], row);
            } else if (c.flags[row] & tcp_flag::kAck) {
                while (!pending.empty() && static_cast<std::int32_t>(c.ack_raw[row] - pending.front().first) >= 0) {
                    acked_at.emplace(pending.front().second, c.time_ns[row]);
                    pending.pop_front();
                }
            }
        }
    }
    // Data level: the DATA_ACKs of the direction with their running maximum, in capture order.
    std::vector<std::pair<std::uint64_t, std::uint32_t>> data_acked;  // running max (relative), row
    for (const DataAck& a : data.data_acks) {
        if (a.direction != d) continue;
        const std::uint64_t rel = data.relative(d, a.ack);
        data_acked.emplace_back(data_acked.empty() ? rel : std::max(rel, data_acked.back().first), a.row);
    }
    struct Event {
        std::int64_t time_ns;
        std::uint32_t row;
        std::int64_t bytes;  // + arrived, - in order
    };
    std::vector<Event> events;
    for (HolSegment& h : out.segments) {
        h.in_order_ns.reset();
        const auto arrived = acked_at.find(h.row);
        const std::uint64_t end = h.dsn + h.length;
        const auto in_order = std::lower_bound(data_acked.begin(), data_acked.end(), end,
                                               [](const auto& a, std::uint64_t v) { return a.first < v; });
        if (arrived == acked_at.end()) continue;  // never acknowledged: no estimate
        h.arrival_ns = arrived->second;
        events.push_back({h.arrival_ns, h.row, static_cast<std::int64_t>(h.new_bytes)});
        if (in_order == data_acked.end()) continue;
        h.in_order_ns = std::max(h.arrival_ns, c.time_ns[in_order->second]);
        events.push_back({*h.in_order_ns, in_order->second, -static_cast<std::int64_t>(h.new_bytes)});
    }
    // Who released a segment: the one below it in DSN that arrived last (its own subflow when
    // nothing below it arrived later).
    std::vector<HolSegment*> by_dsn;
    for (HolSegment& h : out.segments)
        if (h.in_order_ns) by_dsn.push_back(&h);
    std::stable_sort(by_dsn.begin(), by_dsn.end(), [](const HolSegment* a, const HolSegment* b) { return a->dsn < b->dsn; });
    const HolSegment* latest = nullptr;
    for (HolSegment* h : by_dsn) {
        if (!latest || h->arrival_ns > latest->arrival_ns) latest = h;
        h->released_by = h->hol_delay_ns() > 0 ? latest->subflow : h->subflow;
    }
    // The timeline: held bytes after each moment something arrived or became in order.
    std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.time_ns < b.time_ns; });
    out.timeline.clear();
    out.max_out_of_order_bytes = 0;
    out.max_out_of_order_ns.reset();
    std::int64_t held = 0;
    std::size_t acked_index = 0;
    std::uint64_t in_order_point = out.first_dsn;
    for (std::size_t i = 0; i < events.size();) {
        const std::int64_t t = events[i].time_ns;
        std::uint32_t row = events[i].row;
        for (; i < events.size() && events[i].time_ns == t; ++i) {
            held += events[i].bytes;
            row = std::max(row, events[i].row);
        }
        for (; acked_index < data_acked.size() && c.time_ns[data_acked[acked_index].second] <= t; ++acked_index)
            in_order_point = std::max(in_order_point, data_acked[acked_index].first);
        const auto bytes = static_cast<std::uint64_t>(std::max<std::int64_t>(held, 0));
        out.timeline.push_back({t, row, in_order_point, bytes});
        if (bytes > out.max_out_of_order_bytes) {
            out.max_out_of_order_bytes = bytes;
            out.max_out_of_order_ns = t;
        }
    }
    out.never_in_order_bytes = 0;
    for (const HolSegment& h : out.segments)
        if (!h.in_order_ns) out.never_in_order_bytes += h.new_bytes;
}

}  // namespace

ReorderingAnalysis analyse_reordering(const PacketTable& table, const ConnectionModel& model,
                                      const MptcpConnection& connection, const ConnectionData& data) {
    ReorderingAnalysis result;
    for (const DataDirection d : {DataDirection::ToServer, DataDirection::ToClient}) {
        DirectionReordering& out = result.directions[static_cast<std::size_t>(d)];
        out.direction = d;
        out.vantage = capture_vantage(table, model, connection, d);
        analyse_direction(table, data, out);
        if (out.vantage == Vantage::Sender) estimate_from_acks(table, model, connection, data, out);
    }
    return result;
}

DurationStats duration_stats(std::vector<std::int64_t> values) {
    DurationStats s;
    s.count = values.size();
    if (values.empty()) return s;
    std::sort(values.begin(), values.end());
    s.p50 = nearest_rank(values, 50);
    s.p90 = nearest_rank(values, 90);
    s.p99 = nearest_rank(values, 99);
    s.max = values.back();
    return s;
}

DirectionHolSummary summarize_hol(const DirectionReordering& direction, std::size_t subflow_count) {
    DirectionHolSummary out;
    std::vector<std::int64_t> all;
    std::vector<std::vector<std::int64_t>> suffered(subflow_count), caused(subflow_count);
    std::vector<std::uint64_t> bytes(subflow_count, 0);
    for (const HolSegment& h : direction.segments) {
        if (h.subflow < subflow_count) bytes[h.subflow] += h.new_bytes;
        if (!h.in_order_ns) continue;
        const std::int64_t delay = h.hol_delay_ns();
        all.push_back(delay);
        if (h.subflow < subflow_count) suffered[h.subflow].push_back(delay);
        if (delay > 0) {
            ++out.delayed_segments;
            out.delayed_bytes += h.new_bytes;
            if (h.released_by < subflow_count) caused[h.released_by].push_back(delay);
        }
    }
    out.hol_delay = duration_stats(std::move(all));
    for (std::size_t i = 0; i < subflow_count; ++i) {
        out.subflows.push_back({static_cast<std::uint16_t>(i), bytes[i], duration_stats(std::move(suffered[i])),
                                duration_stats(std::move(caused[i]))});
    }
    return out;
}

}  // namespace mptcpanalyzer
