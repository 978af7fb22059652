#include "mptcpanalyzer/analysis/one_way_delays.hpp"

#include <algorithm>

namespace mptcpanalyzer {
namespace {

// One subflow (or TCP connection) of the first capture with its twin, and which of its TCP
// directions carries each data direction.
struct Leg {
    const SubflowMatch* match;
    std::array<TcpDirection, 2> tcp_direction;  // indexed by DataDirection
};

std::vector<TimedPair> timed_pairs(const CapturePair& pair, const SubflowMatch& m, TcpDirection tcp_direction,
                                   bool towards_peer) {
    std::vector<TimedPair> out;
    const auto& first_time = pair.first().table().columns().time_ns;
    const auto& peer_time = pair.peer().table().columns().time_ns;
    for (const auto& p : m.packets.directions[static_cast<std::size_t>(tcp_direction)].pairs) {
        out.push_back({first_time[p.row], peer_time[p.peer_row], towards_peer});
    }
    return out;
}

constexpr std::array<DataDirection, 2> kDirections{DataDirection::ToServer, DataDirection::ToClient};

OneWayDelays delays_of(const CapturePair& pair, const std::vector<Leg>& legs, CaptureSide pairing_side,
                       std::optional<std::int64_t> imposed) {
    OneWayDelays out;
    // The pairing's side already survives clock drift (capture_pair.cpp).
    const CaptureSide first_side = pairing_side;
    out.first_side = first_side;
    std::vector<TimedPair> all;
    for (const auto& leg : legs) {
        for (const auto dir : kDirections) {
            const auto pairs = timed_pairs(pair, *leg.match, leg.tcp_direction[static_cast<std::size_t>(dir)],
                                           first_is_sender_side(first_side, dir));
            all.insert(all.end(), pairs.begin(), pairs.end());
        }
    }
    out.clock = imposed ? imposed_clock_offset(*imposed) : estimate_clock_offset(all);
    for (const auto& leg : legs) {
        const SubflowMatch& m = *leg.match;
        for (const auto dir : kDirections) {
            DirectionDelays d;
            d.subflow = m.subflow;
            d.tcp_stream = m.tcp->tcp_stream;
            if (m.peer_tcp) d.peer_tcp_stream = m.peer_tcp->tcp_stream;
            d.direction = dir;
            d.first_is_sender = first_is_sender_side(first_side, dir);
            const TcpDirection tcp_direction = leg.tcp_direction[static_cast<std::size_t>(dir)];
            if (m.peer_tcp) {
                const DirectionMatch& dm = m.packets.directions[static_cast<std::size_t>(tcp_direction)];
                d.matched = dm.pairs.size();
                d.unmatched_sent = d.first_is_sender ? dm.unmatched.size() : dm.peer_unmatched.size();
                d.unmatched_received = d.first_is_sender ? dm.peer_unmatched.size() : dm.unmatched.size();
                std::vector<std::int64_t> delays;
                for (const auto& p : timed_pairs(pair, m, tcp_direction, d.first_is_sender)) {
                    const std::int64_t delay = corrected_delay(out.clock, p);
                    d.points.push_back({p.first_ns, delay});
                    delays.push_back(delay);
                }
                std::stable_sort(d.points.begin(), d.points.end(),
                                 [](const DelayPoint& a, const DelayPoint& b) { return a.first_ns < b.first_ns; });
                d.delay_ns = delay_distribution(delays);
            } else {
                // No twin: every packet of this direction in the first capture is unmatched.
                std::uint64_t rows = 0;
                for (const auto row : m.tcp->rows) {
                    if (m.tcp->direction_of(pair.first().table(), row) == tcp_direction) ++rows;
                }
                (d.first_is_sender ? d.unmatched_sent : d.unmatched_received) = rows;
            }
            out.directions.push_back(std::move(d));
        }
    }
    return out;
}

}  // namespace

std::optional<DelayDistribution> delay_distribution(std::vector<std::int64_t>& values) {
    if (values.empty()) return std::nullopt;
    std::sort(values.begin(), values.end());
    return DelayDistribution{values.front(), nearest_rank(values, 50), nearest_rank(values, 90),
                             nearest_rank(values, 99), values.back()};
}

OneWayDelays one_way_delays(const CapturePair& pair, const MptcpConnection& connection,
                            std::optional<std::int64_t> imposed) {
    const MptcpPairing& pairing = pair.mptcp(connection);
    std::vector<Leg> legs;
    for (const auto& m : pairing.subflows) {
        if (!m.tcp) continue;
        const Subflow& sf = connection.subflows[m.subflow];
        legs.push_back({&m, {sf.tcp_direction(DataDirection::ToServer), sf.tcp_direction(DataDirection::ToClient)}});
    }
    OneWayDelays out = delays_of(pair, legs, pairing.first_side, imposed);
    out.peer_found = pairing.peer != nullptr;
    if (pairing.peer) out.peer_mptcp_stream = pairing.peer->mptcp_stream;
    out.start_ns = pair.first().first_ns(connection);
    return out;
}

OneWayDelays one_way_delays(const CapturePair& pair, const TcpConnection& connection,
                            std::optional<std::int64_t> imposed) {
    const TcpPairing& pairing = pair.tcp(connection);
    const std::vector<Leg> legs{{&pairing.match, {TcpDirection::ClientToServer, TcpDirection::ServerToClient}}};
    OneWayDelays out = delays_of(pair, legs, pairing.first_side, imposed);
    out.peer_found = pairing.match.peer_tcp != nullptr;
    out.start_ns = connection.first_ns();
    return out;
}

}  // namespace mptcpanalyzer
