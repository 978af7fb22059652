#include "mptcpanalyzer/analysis/capture_pair.hpp"

#include <algorithm>
#include <limits>

#include "mptcpanalyzer/analysis/clock_offset.hpp"

namespace mptcpanalyzer {
namespace {

// The packets seen in both captures, each with the way it went if the first capture is on the
// client side (towards the server = towards the peer), and the side they show (see CaptureSide).
struct SideEvidence {
    std::vector<TimedPair> as_client;
    void add(const PacketTable& first, const PacketTable& peer, const TcpPacketMatch& m,
             const std::array<bool, 2>& towards_server) {
        const auto& first_time = first.columns().time_ns;
        const auto& peer_time = peer.columns().time_ns;
        for (std::size_t d = 0; d < 2; ++d) {
            for (const auto& p : m.directions[d].pairs) {
                as_client.push_back({first_time[p.row], peer_time[p.peer_row], towards_server[d]});
            }
        }
    }
    CaptureSide side() const {
        // Drift-free: the smallest (peer - first) towards the server plus the smallest
        // (first - peer) towards the client is the shortest round trip between the capture
        // points, positive on the client side, negative on the server side, whatever the offset.
        constexpr auto none = std::numeric_limits<std::int64_t>::max();
        std::int64_t to_server = none, to_client = none;
        for (const auto& p : as_client) {
            const std::int64_t diff = p.peer_ns - p.first_ns;
            if (p.towards_peer) {
                to_server = std::min(to_server, diff);
            } else {
                to_client = std::min(to_client, -diff);
            }
        }
        if (to_server == none || to_client == none) return CaptureSide::Unknown;
        const std::int64_t round_trip = to_server + to_client;
        CaptureSide side = round_trip > 0 ? CaptureSide::Client : round_trip < 0 ? CaptureSide::Server : CaptureSide::Unknown;
        // A clock drift larger than that round trip over the capture turns the minima around. Of
        // the two orientations, the one whose bounds some drift (up to 1000 ppm) keeps apart is
        // the true one (clock_offset.hpp, widest_round_trip_ns); the drift-free side stands when
        // neither or both fit.
        auto as_server = as_client;
        for (auto& p : as_server) p.towards_peer = !p.towards_peer;
        const std::int64_t client = widest_round_trip_ns(as_client);
        const std::int64_t server = widest_round_trip_ns(as_server);
        if (client >= 0 && server < 0) side = CaptureSide::Client;
        if (server >= 0 && client < 0) side = CaptureSide::Server;
        return side;
    }
};

}  // namespace

const char* to_string(CaptureSide s) {
    switch (s) {
        case CaptureSide::Client: return "client";
        case CaptureSide::Server: return "server";
        case CaptureSide::Unknown: return "unknown";
    }
    return "unknown";
}

bool first_is_sender_side(CaptureSide first_side, DataDirection direction) {
    if (first_side == CaptureSide::Unknown) return true;
    return (first_side == CaptureSide::Client) == (direction == DataDirection::ToServer);
}

CapturePair::CapturePair(std::shared_ptr<const AnalysisSession> first, std::string first_name,
                         std::shared_ptr<const AnalysisSession> peer, std::string peer_name)
    : first_(std::move(first)), peer_(std::move(peer)), first_name_(std::move(first_name)), peer_name_(std::move(peer_name)) {}

const TcpPairing& CapturePair::tcp(const TcpConnection& connection) const {
    auto& slot = tcp_[&connection];
    if (slot) return *slot;
    auto pairing = std::make_unique<TcpPairing>();
    pairing->candidates = map_tcp_connection(*first_, connection, *peer_);
    pairing->match.tcp = &connection;
    if (!pairing->candidates.empty()) {
        const TcpCandidate& best = pairing->candidates.front();
        pairing->match.peer_tcp = peer_->model().find_tcp(best.tcp_stream);
        if (pairing->match.peer_tcp) {
            pairing->match.packets =
                match_packets(first_->table(), connection, peer_->table(), *pairing->match.peer_tcp, best.reversed);
            SideEvidence minima;
            minima.add(first_->table(), peer_->table(), pairing->match.packets, {true, false});
            pairing->first_side = minima.side();
        }
    }
    slot = std::move(pairing);
    return *slot;
}

const MptcpPairing& CapturePair::mptcp(const MptcpConnection& connection) const {
    auto& slot = mptcp_[&connection];
    if (slot) return *slot;
    auto pairing = std::make_unique<MptcpPairing>();
    const ConnectionModel& model = first_->model();
    const ConnectionModel& peer_model = peer_->model();
    pairing->candidates = map_mptcp_connection(*first_, connection, *peer_);
    const MptcpCandidate* best = pairing->candidates.empty() ? nullptr : &pairing->candidates.front();
    if (best && best->peer_index < peer_model.mptcp.size()) pairing->peer = &peer_model.mptcp[best->peer_index];
    std::vector<bool> peer_used(pairing->peer ? pairing->peer->subflows.size() : 0, false);
    SideEvidence minima;
    for (std::size_t i = 0; i < connection.subflows.size(); ++i) {
        const Subflow& subflow = connection.subflows[i];
        SubflowMatch m;
        m.subflow = i;
        m.tcp = model.find_tcp(subflow.tcp_stream);
        const SubflowPair* sp = nullptr;
        if (best) {
            for (const auto& candidate_pair : best->subflows) {
                if (candidate_pair.subflow == i) sp = &candidate_pair;
            }
        }
        if (sp && sp->peer_tcp_stream && m.tcp) {
            m.peer_tcp = peer_model.find_tcp(*sp->peer_tcp_stream);
            m.peer_subflow = sp->peer_subflow;
            if (sp->peer_subflow && *sp->peer_subflow < peer_used.size()) peer_used[*sp->peer_subflow] = true;
        }
        if (m.peer_tcp) {
            m.packets = match_packets(first_->table(), *m.tcp, peer_->table(), *m.peer_tcp, sp->reversed);
            const bool c2s_to_server = subflow.towards_server;
            minima.add(first_->table(), peer_->table(), m.packets, {c2s_to_server, !c2s_to_server});
        }
        pairing->subflows.push_back(std::move(m));
    }
    for (std::size_t j = 0; j < peer_used.size(); ++j) {
        if (!peer_used[j]) pairing->peer_only_subflows.push_back(j);
    }
    pairing->first_side = minima.side();
    slot = std::move(pairing);
    return *slot;
}

}  // namespace mptcpanalyzer
