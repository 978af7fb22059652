#include "mptcpanalyzer/analysis/connection_mapping.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <unordered_map>

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

// A range of a 32-bit circular space (sequence numbers, TSvals): `extent` values from `start`.
// Connections cover far less than 2^31 of either, so differences are read as signed.
struct CircularRange {
    std::uint32_t start = 0;
    std::uint32_t extent = 0;  // values covered after start (>= 1 once anything was added)
    bool set = false;

    void add(std::uint32_t from, std::uint32_t length) {
        if (length == 0) length = 1;
        if (!set) {
            start = from;
            extent = length;
            set = true;
            return;
        }
        const auto offset = static_cast<std::int32_t>(from - start);
        if (offset < 0) {
            // Extends the range backwards (a retransmission or reordering before the first seen).
            start = from;
            extent += static_cast<std::uint32_t>(-offset);
            extent = std::max(extent, length);
        } else {
            extent = std::max(extent, static_cast<std::uint32_t>(offset) + length);
        }
    }
    bool overlaps(const CircularRange& o) const {
        if (!set || !o.set) return false;
        const auto d = static_cast<std::int32_t>(o.start - start);
        return d >= 0 ? static_cast<std::uint32_t>(d) < extent : static_cast<std::uint32_t>(-d) < o.extent;
    }
};

// What identifies one TCP connection across captures, read once from its rows.
struct TcpTraits {
    const TcpConnection* tcp = nullptr;
    std::optional<std::uint32_t> client_isn;  // SYN without ACK
    std::optional<std::uint32_t> server_isn;  // SYN/ACK
    std::array<CircularRange, 2> tsval;       // by TcpDirection
    std::array<CircularRange, 2> seq;         // by TcpDirection: sequence space of its segments
    // MP_JOIN: the token of the SYN, the nonces of the SYN (client's) and SYN/ACK (server's).
    std::optional<std::uint32_t> join_token;
    std::optional<std::uint32_t> client_nonce;
    std::optional<std::uint32_t> server_nonce;
};

TcpTraits traits_of(const PacketTable& table, const TcpConnection& c) {
    TcpTraits out;
    out.tcp = &c;
    const auto& col = table.columns();
    const auto& side = table.side_options();
    const auto join_bit = 1U << static_cast<unsigned>(MptcpSubtype::Join);
    for (const auto row : c.rows) {
        const std::uint16_t f = col.flags[row];
        const auto d = static_cast<std::size_t>(c.direction_of(table, row));
        const bool syn = f & tcp_flag::kSyn;
        if (syn) {
            if (f & tcp_flag::kAck) {
                if (!out.server_isn) out.server_isn = col.seq_raw[row];
            } else if (!out.client_isn) {
                out.client_isn = col.seq_raw[row];
            }
            if (col.mptcp_subtypes[row] & join_bit) {
                // The side list is in row order: the row's options by binary search.
                const auto lo = std::lower_bound(side.begin(), side.end(), row,
                                                 [](const SideOption& s, std::uint32_t r) { return s.row < r; });
                for (auto it = lo; it != side.end() && it->row == row; ++it) {
                    const MptcpOption& o = it->option;
                    if (o.subtype != MptcpSubtype::Join) continue;
                    if (f & tcp_flag::kAck) {
                        if (o.has_nonce && !out.server_nonce) out.server_nonce = o.nonce;
                    } else {
                        if (o.has_token && !out.join_token) out.join_token = o.token;
                        if (o.has_nonce && !out.client_nonce) out.client_nonce = o.nonce;
                    }
                }
            }
        }
        if (col.misc[row] & row_bit::kTimestamps) out.tsval[d].add(col.tsval[row], 1);
        const std::uint32_t length = col.payload_length[row] + (syn ? 1U : 0U) + ((f & tcp_flag::kFin) ? 1U : 0U);
        if (length > 0) out.seq[d].add(col.seq_raw[row], length);
    }
    return out;
}

void add(std::vector<MatchReason>& reasons, int& score, MatchReason r) {
    reasons.push_back(r);
    score += weight(r);
}

TcpDirection flip(TcpDirection d, bool reversed) {
    if (!reversed) return d;
    return d == TcpDirection::ClientToServer ? TcpDirection::ServerToClient : TcpDirection::ClientToServer;
}

// Every direction where both have values overlaps, and at least one does.
bool ranges_agree(const std::array<CircularRange, 2>& a, const std::array<CircularRange, 2>& b, bool reversed) {
    bool any = false;
    for (const auto d : {TcpDirection::ClientToServer, TcpDirection::ServerToClient}) {
        const CircularRange& x = a[static_cast<std::size_t>(d)];
        const CircularRange& y = b[static_cast<std::size_t>(flip(d, reversed))];
        if (!x.set || !y.set) continue;
        if (!x.overlaps(y)) return false;
        any = true;
    }
    return any;
}

// `b` as the twin of `a` in one orientation (`reversed`: b's client is a's server). Empty
// reasons: b is not a's twin in that orientation (or nothing says it is).
TcpCandidate compare_oriented(const TcpTraits& a, const TcpTraits& b, bool reversed) {
    TcpCandidate c;
    c.tcp_stream = b.tcp->tcp_stream;
    c.reversed = reversed;
    const auto& b_client_isn = reversed ? b.server_isn : b.client_isn;
    const auto& b_server_isn = reversed ? b.client_isn : b.server_isn;
    // Handshakes seen in both captures decide: different ISNs are another connection (a reused
    // 4-tuple), whatever else agrees.
    if (a.client_isn && b_client_isn && *a.client_isn != *b_client_isn) return {};
    if (a.server_isn && b_server_isn && *a.server_isn != *b_server_isn) return {};
    const bool client_isn = a.client_isn && b_client_isn;
    const bool server_isn = a.server_isn && b_server_isn;
    // MP_JOIN nonces are random per subflow and per end; a different one is another subflow.
    const auto& b_client_nonce = reversed ? b.server_nonce : b.client_nonce;
    const auto& b_server_nonce = reversed ? b.client_nonce : b.server_nonce;
    if (a.client_nonce && b_client_nonce && *a.client_nonce != *b_client_nonce) return {};
    if (a.server_nonce && b_server_nonce && *a.server_nonce != *b_server_nonce) return {};
    const bool nonces = (a.client_nonce && b_client_nonce) || (a.server_nonce && b_server_nonce);
    const bool token = !reversed && a.join_token && b.join_token && *a.join_token == *b.join_token;

    if (nonces) add(c.reasons, c.score, MatchReason::JoinNonces);
    if (token) add(c.reasons, c.score, MatchReason::JoinToken);
    if (client_isn) add(c.reasons, c.score, MatchReason::ClientIsn);
    if (server_isn) add(c.reasons, c.score, MatchReason::ServerIsn);
    if (ranges_agree(a.tsval, b.tsval, reversed)) add(c.reasons, c.score, MatchReason::Timestamps);
    // Without a handshake in both captures, the sequence space the two cover is the evidence.
    if (!client_isn && !server_isn && ranges_agree(a.seq, b.seq, reversed)) {
        add(c.reasons, c.score, MatchReason::SequenceOverlap);
    }
    const TcpConnection& x = *a.tcp;
    const TcpConnection& y = *b.tcp;
    if (x.first_ns() <= y.last_ns() && y.first_ns() <= x.last_ns()) add(c.reasons, c.score, MatchReason::TimeOverlap);
    const Endpoint& y_client = reversed ? y.server : y.client;
    const Endpoint& y_server = reversed ? y.client : y.server;
    if (x.client == y_client && x.server == y_server) {
        add(c.reasons, c.score, MatchReason::FourTuple);
    } else if (x.client.port == y_client.port && x.server.port == y_server.port) {
        add(c.reasons, c.score, MatchReason::Ports);
    }
    std::sort(c.reasons.begin(), c.reasons.end());
    return c;
}

// Only candidates with something beyond circumstance: a mere time overlap or equal ports is not
// the same connection.
bool credible(const std::vector<MatchReason>& reasons) {
    return std::any_of(reasons.begin(), reasons.end(),
                       [](MatchReason r) { return r != MatchReason::TimeOverlap && r != MatchReason::Ports; });
}

// The better orientation of `b` as `a`'s twin, or nullopt when it is not credible in either.
std::optional<TcpCandidate> compare_tcp(const TcpTraits& a, const TcpTraits& b) {
    TcpCandidate same = compare_oriented(a, b, false);
    TcpCandidate crossed = compare_oriented(a, b, true);
    TcpCandidate& best = crossed.score > same.score ? crossed : same;
    if (best.score <= 0 || !credible(best.reasons)) return std::nullopt;
    return std::move(best);
}

template <class Candidate>
void sort_best_first(std::vector<Candidate>& v, auto stream_of) {
    std::sort(v.begin(), v.end(), [&](const Candidate& x, const Candidate& y) {
        if (x.score != y.score) return x.score > y.score;
        return stream_of(x) < stream_of(y);
    });
}

// An unordered 4-tuple, the same whichever end is taken as the client.
std::pair<Endpoint, Endpoint> tuple_key(const TcpConnection& c) {
    return c.client < c.server ? std::make_pair(c.client, c.server) : std::make_pair(c.server, c.client);
}

// The peer capture's TCP connections by what identifies them (ISNs, MP_JOIN nonces, 4-tuple),
// so that a connection's candidates are found without comparing it with every peer connection.
class PeerIndex {
public:
    explicit PeerIndex(const AnalysisSession& peer) : peer_(peer) {
        const auto& tcp = peer.model().tcp;
        traits_.resize(tcp.size());
        for (std::size_t i = 0; i < tcp.size(); ++i) {
            const TcpTraits& t = traits(i);
            if (t.client_isn) by_value_.emplace(*t.client_isn, i);
            if (t.server_isn) by_value_.emplace(*t.server_isn, i);
            if (t.client_nonce) by_value_.emplace(*t.client_nonce, i);
            if (t.server_nonce) by_value_.emplace(*t.server_nonce, i);
            by_tuple_[tuple_key(tcp[i])].push_back(i);
        }
    }

    const TcpTraits& traits(std::size_t i) const {
        auto& slot = traits_[i];
        if (!slot) slot = traits_of(peer_.table(), peer_.model().tcp[i]);
        return *slot;
    }

    // Indices of the peer connections that may be `a`'s twin: those sharing an ISN, a nonce or
    // the 4-tuple; every connection when none does (no handshake, and addresses rewritten).
    std::vector<std::size_t> candidates(const TcpTraits& a) const {
        std::set<std::size_t> out;
        for (const auto& value : {a.client_isn, a.server_isn, a.client_nonce, a.server_nonce}) {
            if (!value) continue;
            const auto [lo, hi] = by_value_.equal_range(*value);
            for (auto it = lo; it != hi; ++it) out.insert(it->second);
        }
        if (const auto it = by_tuple_.find(tuple_key(*a.tcp)); it != by_tuple_.end()) {
            out.insert(it->second.begin(), it->second.end());
        }
        if (out.empty()) {
            for (std::size_t i = 0; i < traits_.size(); ++i) out.insert(i);
        }
        return {out.begin(), out.end()};
    }

private:
    const AnalysisSession& peer_;
    mutable std::vector<std::optional<TcpTraits>> traits_;
    std::unordered_multimap<std::uint32_t, std::size_t> by_value_;
    std::map<std::pair<Endpoint, Endpoint>, std::vector<std::size_t>> by_tuple_;
};

// The MPTCP keys of a connection whose initial subflow is `tcp` (none for joins and plain TCP).
struct Keys {
    std::optional<std::uint64_t> client;
    std::optional<std::uint64_t> server;
};

Keys keys_of(const ConnectionModel& model, const TcpConnection& tcp) {
    if (tcp.mptcp_index < 0 || tcp.subflow_index != 0) return {};
    const MptcpConnection& m = model.mptcp[static_cast<std::size_t>(tcp.mptcp_index)];
    if (m.subflows.empty() || m.subflows[0].role != SubflowRole::Initial) return {};
    return {m.client_key, m.server_key};
}

// Same keys (the ones both captured), different keys (a key both captured differs: another
// connection), or nothing to compare.
enum class KeyVerdict { Same, Different, Unknown };
KeyVerdict compare_keys(const Keys& a, const Keys& b) {
    bool same = false;
    for (const auto& [x, y] : {std::pair{a.client, b.client}, std::pair{a.server, b.server}}) {
        if (!x || !y) continue;
        if (*x != *y) return KeyVerdict::Different;
        same = true;
    }
    return same ? KeyVerdict::Same : KeyVerdict::Unknown;
}

// Reasons in the enum's order (strongest first), each once.
std::vector<MatchReason> ordered(std::vector<MatchReason> reasons) {
    std::sort(reasons.begin(), reasons.end());
    reasons.erase(std::unique(reasons.begin(), reasons.end()), reasons.end());
    return reasons;
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
    const PeerIndex index(peer);
    const TcpTraits a = traits_of(first.table(), connection);
    const Keys a_keys = keys_of(first.model(), connection);
    for (const std::size_t i : index.candidates(a)) {
        const TcpTraits& b = index.traits(i);
        const Keys b_keys = keys_of(peer.model(), *b.tcp);
        const KeyVerdict keys = compare_keys(a_keys, b_keys);
        if (keys == KeyVerdict::Different) continue;
        auto c = compare_tcp(a, b);
        if (!c) continue;
        if (keys == KeyVerdict::Same) {
            c->reasons.insert(c->reasons.begin(), MatchReason::MptcpKeys);
            c->score += weight(MatchReason::MptcpKeys);
        }
        out.push_back(std::move(*c));
    }
    sort_best_first(out, [](const TcpCandidate& c) { return c.tcp_stream; });
    return out;
}

std::vector<MptcpCandidate> map_mptcp_connection(const AnalysisSession& first, const MptcpConnection& connection,
                                                 const AnalysisSession& peer) {
    const ConnectionModel& model = first.model();
    const ConnectionModel& peer_model = peer.model();
    const PeerIndex index(peer);

    // The first connection's subflows, and the tokens its MP_JOINs name (the receiver's token:
    // of the server on subflows towards it, else of the client).
    std::vector<std::optional<TcpTraits>> a_subflows;
    for (const Subflow& s : connection.subflows) {
        const TcpConnection* t = model.find_tcp(s.tcp_stream);
        a_subflows.push_back(t ? std::optional(traits_of(first.table(), *t)) : std::nullopt);
    }
    const Keys a_keys{connection.client_key, connection.server_key};

    // Candidates: peer connections with one of the keys, or with a token the first connection's
    // joins carry, or holding a subflow that may be one of the first connection's.
    std::set<std::size_t> candidates;
    for (std::size_t j = 0; j < peer_model.mptcp.size(); ++j) {
        const MptcpConnection& b = peer_model.mptcp[j];
        if (compare_keys(a_keys, {b.client_key, b.server_key}) == KeyVerdict::Same) candidates.insert(j);
    }
    for (const auto& a : a_subflows) {
        if (!a) continue;
        for (const std::size_t i : index.candidates(*a)) {
            const int m = peer_model.tcp[i].mptcp_index;
            if (m >= 0) candidates.insert(static_cast<std::size_t>(m));
        }
    }

    std::vector<MptcpCandidate> out;
    for (const std::size_t j : candidates) {
        const MptcpConnection& b = peer_model.mptcp[j];
        const KeyVerdict keys = compare_keys(a_keys, {b.client_key, b.server_key});
        if (keys == KeyVerdict::Different) continue;
        MptcpCandidate c;
        c.mptcp_stream = b.mptcp_stream;
        c.peer_index = j;
        std::vector<MatchReason> reasons;
        if (keys == KeyVerdict::Same) add(reasons, c.score, MatchReason::MptcpKeys);

        // Every subflow pair's evidence, then the strongest pairs first, each subflow once.
        struct Scored {
            std::size_t a = 0, b = 0;
            TcpCandidate candidate;
        };
        std::vector<Scored> scored;
        for (std::size_t k = 0; k < b.subflows.size(); ++k) {
            const TcpConnection* b_tcp = peer_model.find_tcp(b.subflows[k].tcp_stream);
            if (!b_tcp) continue;
            const TcpTraits& bt = index.traits(static_cast<std::size_t>(b_tcp - peer_model.tcp.data()));
            for (std::size_t i = 0; i < a_subflows.size(); ++i) {
                if (!a_subflows[i]) continue;
                if (auto t = compare_tcp(*a_subflows[i], bt)) scored.push_back({i, k, std::move(*t)});
            }
        }
        std::stable_sort(scored.begin(), scored.end(), [](const Scored& x, const Scored& y) {
            if (x.candidate.score != y.candidate.score) return x.candidate.score > y.candidate.score;
            return std::tie(x.a, x.b) < std::tie(y.a, y.b);
        });
        c.subflows.resize(connection.subflows.size());
        for (std::size_t i = 0; i < c.subflows.size(); ++i) c.subflows[i].subflow = i;
        std::vector<bool> a_used(connection.subflows.size(), false), b_used(b.subflows.size(), false);
        int subflow_score = 0;
        for (auto& s : scored) {
            if (a_used[s.a] || b_used[s.b]) continue;
            a_used[s.a] = b_used[s.b] = true;
            SubflowPair& p = c.subflows[s.a];
            p.peer_subflow = s.b;
            p.peer_tcp_stream = s.candidate.tcp_stream;
            p.score = s.candidate.score;
            p.reasons = s.candidate.reasons;
            p.reversed = s.candidate.reversed;
            if (s.a == 0 && keys == KeyVerdict::Same && connection.subflows[0].role == SubflowRole::Initial &&
                b.subflows[s.b].role == SubflowRole::Initial) {
                p.reasons.insert(p.reasons.begin(), MatchReason::MptcpKeys);
                p.score += weight(MatchReason::MptcpKeys);
            }
            subflow_score += s.candidate.score;
            reasons.insert(reasons.end(), p.reasons.begin(), p.reasons.end());
        }
        if (!credible(reasons)) continue;
        c.score += subflow_score;
        c.reasons = ordered(std::move(reasons));
        out.push_back(std::move(c));
    }
    sort_best_first(out, [](const MptcpCandidate& c) { return c.mptcp_stream; });
    return out;
}

}  // namespace mptcpanalyzer
