#include "mptcpanalyzer/analysis/capture_pair.hpp"

#include <algorithm>
#include <limits>

namespace mptcpanalyzer {
namespace {

// Minimum of (peer - first) over the packets matched in `towards_peer` direction(s) and of
// (first - peer) in the other: see CaptureSide. `to_server[i]` says whether TCP direction i of
// match `m` carries packets towards the (MPTCP) server.
struct SideMinima {
    std::int64_t to_server = std::numeric_limits<std::int64_t>::max();  // min(peer - first), towards the server
    std::int64_t to_client = std::numeric_limits<std::int64_t>::max();  // min(first - peer), towards the client
    void add(const PacketTable& first, const PacketTable& peer, const TcpPacketMatch& m,
             const std::array<bool, 2>& towards_server) {
        for (int d = 0; d < 2; ++d) {
            for (const auto& p : m.directions[static_cast<std::size_t>(d)].pairs) {
                const std::int64_t diff = peer.columns().time_ns[p.peer_row] - first.columns().time_ns[p.row];
                if (towards_server[static_cast<std::size_t>(d)]) {
                    to_server = std::min(to_server, diff);
                } else {
                    to_client = std::min(to_client, -diff);
                }
            }
        }
    }
    CaptureSide side() const {
        constexpr auto none = std::numeric_limits<std::int64_t>::max();
        if (to_server == none || to_client == none) return CaptureSide::Unknown;
        // Each minimum is a one-way delay plus or minus the clock offset: their sum is the
        // shortest round trip between the two capture points, offset-free.
        const std::int64_t round_trip = to_server + to_client;
        if (round_trip > 0) return CaptureSide::Client;
        if (round_trip < 0) return CaptureSide::Server;
        return CaptureSide::Unknown;
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
            SideMinima minima;
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
    SideMinima minima;
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
