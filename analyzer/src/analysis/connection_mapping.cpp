#include "mptcpanalyzer/analysis/connection_mapping.hpp"

#include <algorithm>

#include "mptcpanalyzer/model/packet_record.hpp"

namespace mptcpanalyzer {
namespace {

// Weights: a reason that identifies a connection (random 32-bit or 64-bit values chosen by the
// ends) outweighs every circumstantial one together.
int weight(MatchReason r) {
    switch (r) {
        case MatchReason::MptcpKeys: return 100;
        case MatchReason::JoinToken: return 30;
        case MatchReason::JoinNonces: return 60;
        case MatchReason::ClientIsn: return 40;
        case MatchReason::ServerIsn: return 40;
        case MatchReason::Timestamps: return 20;
        case MatchReason::SequenceOverlap: return 20;
        case MatchReason::TimeOverlap: return 2;
        case MatchReason::FourTuple: return 10;
        case MatchReason::Ports: return 3;
    }
    return 0;
}

struct Isns {
    std::optional<std::uint32_t> client;  // SYN without ACK
    std::optional<std::uint32_t> server;  // SYN/ACK
};

Isns isns_of(const PacketTable& table, const TcpConnection& c) {
    Isns out;
    const auto& col = table.columns();
    for (const auto row : c.rows) {
        const std::uint16_t f = col.flags[row];
        if (!(f & tcp_flag::kSyn)) continue;
        if (f & tcp_flag::kAck) {
            if (!out.server) out.server = col.seq_raw[row];
        } else if (!out.client) {
            out.client = col.seq_raw[row];
        }
        if (out.client && out.server) break;
    }
    return out;
}

void add(TcpCandidate& c, MatchReason r) {
    c.reasons.push_back(r);
    c.score += weight(r);
}

TcpCandidate compare_tcp(const AnalysisSession& first, const TcpConnection& a, const Isns& a_isns,
                         const AnalysisSession& peer, const TcpConnection& b) {
    TcpCandidate c;
    c.tcp_stream = b.tcp_stream;
    const Isns b_isns = isns_of(peer.table(), b);
    const bool same_client_isn = a_isns.client && b_isns.client && *a_isns.client == *b_isns.client;
    const bool same_server_isn = a_isns.server && b_isns.server && *a_isns.server == *b_isns.server;
    const bool crossed = (a_isns.client && b_isns.server && *a_isns.client == *b_isns.server) ||
                         (a_isns.server && b_isns.client && *a_isns.server == *b_isns.client);
    if (same_client_isn) add(c, MatchReason::ClientIsn);
    if (same_server_isn) add(c, MatchReason::ServerIsn);
    if (!same_client_isn && !same_server_isn && crossed) {
        c.reversed = true;
        add(c, MatchReason::ClientIsn);
    }
    const bool overlap = a.first_ns() <= b.last_ns() && b.first_ns() <= a.last_ns();
    if (overlap) add(c, MatchReason::TimeOverlap);
    if (a.client == b.client && a.server == b.server) {
        add(c, MatchReason::FourTuple);
    } else if (a.client == b.server && a.server == b.client) {
        add(c, MatchReason::FourTuple);
        if (!same_client_isn && !same_server_isn) c.reversed = true;
    } else if (a.client.port == b.client.port && a.server.port == b.server.port) {
        add(c, MatchReason::Ports);
    }
    (void)first;
    return c;
}

// Only candidates with something beyond circumstance: a reused 4-tuple at another time, or a
// mere time overlap, is not the same connection.
bool credible(const TcpCandidate& c) {
    return std::any_of(c.reasons.begin(), c.reasons.end(), [](MatchReason r) {
        return r != MatchReason::TimeOverlap && r != MatchReason::Ports;
    });
}

template <class Candidate>
void sort_best_first(std::vector<Candidate>& v, auto stream_of) {
    std::sort(v.begin(), v.end(), [&](const Candidate& x, const Candidate& y) {
        if (x.score != y.score) return x.score > y.score;
        return stream_of(x) < stream_of(y);
    });
}

}  // namespace

const char* to_string(MatchReason r) {
    switch (r) {
        case MatchReason::MptcpKeys: return "mptcp_keys";
        case MatchReason::JoinToken: return "join_token";
        case MatchReason::JoinNonces: return "join_nonces";
        case MatchReason::ClientIsn: return "client_isn";
        case MatchReason::ServerIsn: return "server_isn";
        case MatchReason::Timestamps: return "timestamps";
        case MatchReason::SequenceOverlap: return "sequence_overlap";
        case MatchReason::TimeOverlap: return "time_overlap";
        case MatchReason::FourTuple: return "four_tuple";
        case MatchReason::Ports: return "ports";
    }
    return "unknown";
}

std::vector<TcpCandidate> map_tcp_connection(const AnalysisSession& first, const TcpConnection& connection,
                                             const AnalysisSession& peer) {
    std::vector<TcpCandidate> out;
    const Isns a_isns = isns_of(first.table(), connection);
    for (const TcpConnection& b : peer.model().tcp) {
        TcpCandidate c = compare_tcp(first, connection, a_isns, peer, b);
        if (c.score > 0 && credible(c)) out.push_back(std::move(c));
    }
    sort_best_first(out, [](const TcpCandidate& c) { return c.tcp_stream; });
    return out;
}

std::vector<MptcpCandidate> map_mptcp_connection(const AnalysisSession& first, const MptcpConnection& connection,
                                                 const AnalysisSession& peer) {
    std::vector<MptcpCandidate> out;
    const ConnectionModel& peer_model = peer.model();
    for (std::size_t j = 0; j < peer_model.mptcp.size(); ++j) {
        const MptcpConnection& b = peer_model.mptcp[j];
        MptcpCandidate c;
        c.mptcp_stream = b.mptcp_stream;
        c.peer_index = j;
        const bool client_key = connection.client_key && b.client_key && *connection.client_key == *b.client_key;
        const bool server_key = connection.server_key && b.server_key && *connection.server_key == *b.server_key;
        if (client_key || server_key) {
            c.reasons.push_back(MatchReason::MptcpKeys);
            c.score += weight(MatchReason::MptcpKeys);
        }
        // Subflows: each subflow of the first connection with its best twin among b's.
        std::vector<bool> used(b.subflows.size(), false);
        for (std::size_t i = 0; i < connection.subflows.size(); ++i) {
            SubflowPair pair;
            pair.subflow = i;
            const TcpConnection* a_tcp = first.model().find_tcp(connection.subflows[i].tcp_stream);
            if (a_tcp) {
                const Isns a_isns = isns_of(first.table(), *a_tcp);
                std::optional<TcpCandidate> best;
                std::size_t best_k = 0;
                for (std::size_t k = 0; k < b.subflows.size(); ++k) {
                    if (used[k]) continue;
                    const TcpConnection* b_tcp = peer_model.find_tcp(b.subflows[k].tcp_stream);
                    if (!b_tcp) continue;
                    TcpCandidate t = compare_tcp(first, *a_tcp, a_isns, peer, *b_tcp);
                    if (t.score <= 0 || !credible(t)) continue;
                    if (!best || t.score > best->score) {
                        best = std::move(t);
                        best_k = k;
                    }
                }
                if (best) {
                    used[best_k] = true;
                    pair.peer_subflow = best_k;
                    pair.peer_tcp_stream = best->tcp_stream;
                    pair.score = best->score;
                    pair.reasons = best->reasons;
                    pair.reversed = best->reversed;
                }
            }
            c.subflows.push_back(std::move(pair));
        }
        // Without keys, the subflows' own evidence decides (a capture that missed the handshake).
        if (c.reasons.empty()) {
            int subflow_score = 0;
            for (const auto& p : c.subflows) subflow_score += p.score;
            if (subflow_score == 0) continue;
            c.score = subflow_score;
        }
        out.push_back(std::move(c));
    }
    sort_best_first(out, [](const MptcpCandidate& c) { return c.mptcp_stream; });
    return out;
}

}  // namespace mptcpanalyzer
