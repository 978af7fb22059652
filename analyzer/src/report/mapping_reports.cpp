// map-tcp and map-mptcp: the candidates in the peer capture for a connection of the first
// capture, best first, with the reasons of each (analysis/connection_mapping.hpp), the subflow
// mapping of MPTCP candidates, and the packet matching of the best candidate per subflow and
// direction (analysis/packet_matching.hpp).

#include <fmt/format.h>

#include "fields.hpp"
#include "mptcpanalyzer/report/reports.hpp"

namespace mptcpanalyzer::report {
namespace {

Value reasons_value(const std::vector<MatchReason>& reasons) {
    std::vector<Value> out;
    for (const auto r : reasons) out.emplace_back(to_string(r));
    return Value(std::move(out));
}

// The packet counts of one direction of a matched TCP connection or subflow.
struct PacketCountRow {
    std::uint32_t tcp_stream = 0;
    std::optional<std::uint32_t> peer_tcp_stream;
    DataDirection direction = DataDirection::ToServer;
    const DirectionMatch* match = nullptr;  // nullptr: no twin, every packet unmatched
    std::uint64_t packets = 0;              // of the first capture in that direction
    std::uint64_t matched() const {
        if (!match) return 0;
        // A super-segment of the first capture appears once per piece.
        std::uint64_t n = 0;
        for (std::size_t i = 0; i < match->pairs.size(); ++i) {
            if (i == 0 || match->pairs[i].row != match->pairs[i - 1].row) ++n;
        }
        return n;
    }
};

const RecordSpec<PacketCountRow>& packet_count_spec() {
    using R = PacketCountRow;
    static const RecordSpec<R> spec(
        "matched_packets",
        "The packets of one subflow (or TCP connection) and data direction matched with the best candidate's.",
        {
            {{.name = "tcp_stream", .title = "TCP stream", .type = Type::Count, .meaning = "the subflow in the first capture"},
             [](const R& r) { return Value(r.tcp_stream); }},
            {{.name = "peer_tcp_stream", .title = "Peer TCP stream", .type = Type::Count,
              .meaning = "its twin in the peer capture (null: none)", .nullable = true},
             [](const R& r) { return Value::optional(r.peer_tcp_stream); }},
            {{.name = "direction", .title = "Direction", .meaning = "to_server or to_client"},
             [](const R& r) { return Value(to_string(r.direction)); }},
            {{.name = "matched", .title = "Matched", .type = Type::Count, .unit = Unit::Packets,
              .meaning = "packets of the first capture with a twin in the peer capture"},
             [](const R& r) { return Value(r.matched()); }},
            {{.name = "unmatched", .title = "Unmatched", .type = Type::Count, .unit = Unit::Packets,
              .meaning = "packets of the first capture without a twin (lost on the path, or outside the peer capture)"},
             [](const R& r) { return Value(r.match ? std::uint64_t{r.match->unmatched.size()} : r.packets); }},
            {{.name = "peer_unmatched", .title = "Peer unmatched", .type = Type::Count, .unit = Unit::Packets,
              .meaning = "packets of the peer capture without a twin in the first"},
             [](const R& r) { return Value(r.match ? std::uint64_t{r.match->peer_unmatched.size()} : std::uint64_t{0}); }},
            {{.name = "super_segments", .title = "Super-segments", .type = Type::Count, .unit = Unit::Packets,
              .meaning = "GSO/TSO/GRO super-segments (either capture) matched to several wire-sized pieces"},
             [](const R& r) { return Value(r.match ? r.match->super_segments : std::uint64_t{0}); }},
        });
    return spec;
}

// The two directions of one first-capture TCP connection against its twin (or none).
void add_packet_counts(std::vector<PacketCountRow>& rows, const SubflowMatch& m, const Subflow* subflow) {
    for (const auto d : {TcpDirection::ClientToServer, TcpDirection::ServerToClient}) {
        PacketCountRow r;
        r.tcp_stream = m.tcp->tcp_stream;
        if (m.peer_tcp) {
            r.peer_tcp_stream = m.peer_tcp->tcp_stream;
            r.match = &m.packets.directions[static_cast<std::size_t>(d)];
        }
        r.direction = subflow ? subflow->data_direction(d)
                              : (d == TcpDirection::ClientToServer ? DataDirection::ToServer : DataDirection::ToClient);
        r.packets = m.tcp->stats(d).packets;
        rows.push_back(r);
    }
    // to_server first, whichever TCP direction carries it.
    std::stable_sort(rows.end() - 2, rows.end(),
                     [](const PacketCountRow& x, const PacketCountRow& y) { return x.direction < y.direction; });
}

Column packets_column() {
    return {.name = "packets", .title = "Packets", .type = Type::Records,
            .meaning = "the best candidate's packet matching, per subflow and direction (every packet unmatched "
                       "when there is no candidate)",
            .nested = &packet_count_spec().schema()};
}

Column first_side_column() {
    return {.name = "first_side", .title = "First capture's side",
            .meaning = "client or server: which end the first capture (-r) is nearer, from the packets matched "
                       "with the best candidate (offset-free); unknown when too little matched"};
}

std::string packets_text(const Table& t) {
    std::string out;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const RowRef r = t.row(i);
        out += fmt::format("  tcp.stream {} {}: {} matched, {} unmatched here, {} unmatched in the peer capture{}\n",
                           plain(r, "tcp_stream"), plain(r, "direction"), plain(r, "matched"), plain(r, "unmatched"),
                           plain(r, "peer_unmatched"),
                           std::get<std::uint64_t>(r["super_segments"].data)
                               ? fmt::format(", {} super-segments", plain(r, "super_segments"))
                               : "");
    }
    return out;
}

std::string reasons_text(const RowRef& r) {
    const auto& list = std::get<std::vector<Value>>(r["reasons"].data);
    std::string out;
    for (std::size_t i = 0; i < list.size(); ++i) out += (i ? ", " : "") + std::get<std::string>(list[i].data);
    return out;
}

// --- map-tcp ------------------------------------------------------------------------------------

struct TcpMatchRow {
    const TcpCandidate* candidate;
};

const RecordSpec<TcpMatchRow>& tcp_match_spec() {
    using R = TcpMatchRow;
    static const RecordSpec<R> spec(
        "tcp_match", "A TCP connection of the peer capture that may be the same connection (docs/commands.md, map-tcp).",
        {
            {{.name = "stream", .title = "Peer TCP stream", .type = Type::Count, .meaning = "its tcp.stream in the peer capture"},
             [](const R& r) { return Value(r.candidate->tcp_stream); }},
            {{.name = "score", .title = "Score", .type = Type::Integer, .meaning = "sum of the reasons' weights; higher is better"},
             [](const R& r) { return Value(std::int64_t{r.candidate->score}); }},
            {{.name = "reasons", .title = "Reasons", .type = Type::List,
              .meaning = "what agrees, strongest first: mptcp_keys, join_token, join_nonces, client_isn, server_isn, "
                         "timestamps, sequence_overlap, time_overlap, four_tuple, ports",
              .element = Type::Text},
             [](const R& r) { return reasons_value(r.candidate->reasons); }},
            {{.name = "reversed", .title = "Reversed", .type = Type::Bool,
              .meaning = "its client is the first connection's server (a handshake missing from one capture)"},
             [](const R& r) { return Value(r.candidate->reversed); }},
        });
    return spec;
}

const Schema& map_tcp_schema() {
    static const Schema root{
        "map_tcp",
        "A TCP connection of the first capture and its candidates in the peer capture.",
        {{.name = "stream", .title = "TCP stream", .type = Type::Count, .meaning = "the tcp.stream of the first capture (-r)"},
         first_side_column(),
         {.name = "matches", .title = "Matches", .type = Type::Records,
          .meaning = "the candidates in the peer capture, best first; empty: present in the first capture only",
          .nested = &tcp_match_spec().schema()},
         packets_column()},
        {{"tcp_stream", "stream", true}}};
    return root;
}

std::string map_tcp_text(const Document& d, const std::string& first_name, const std::string& peer_name) {
    const RowRef root = d.root.ref();
    const Table& matches = *root["matches"].table();
    std::string out = fmt::format("tcp.stream {} of {}: ", plain(root, "stream"), first_name);
    if (matches.rows.empty()) {
        return out + fmt::format("no counterpart in {} (present in {} only)\n", peer_name, first_name);
    }
    out += fmt::format("{} candidate{} in {}\n", matches.size(), matches.size() == 1 ? "" : "s", peer_name);
    for (std::size_t i = 0; i < matches.size(); ++i) {
        const RowRef m = matches.row(i);
        out += fmt::format("  tcp.stream {}: score {} ({}){}\n", plain(m, "stream"), plain(m, "score"), reasons_text(m),
                           std::get<bool>(m["reversed"].data) ? ", reversed" : "");
    }
    out += fmt::format("best candidate's packets (the first capture is on the {} side):\n", plain(root, "first_side"));
    return out + packets_text(*root["packets"].table());
}

// --- map-mptcp ----------------------------------------------------------------------------------

struct SubflowPairRow {
    const MptcpConnection* connection;  // first capture
    const SubflowPair* pair;
};

const RecordSpec<SubflowPairRow>& subflow_pair_spec() {
    using R = SubflowPairRow;
    static const RecordSpec<R> spec(
        "subflow_match", "A subflow of the first capture's connection and its twin among the candidate's subflows.",
        {
            {{.name = "tcp_stream", .title = "TCP stream", .type = Type::Count, .meaning = "the subflow in the first capture"},
             [](const R& r) { return Value(r.connection->subflows[r.pair->subflow].tcp_stream); }},
            {{.name = "peer_tcp_stream", .title = "Peer TCP stream", .type = Type::Count,
              .meaning = "its twin in the peer capture (null: none among the candidate's subflows)", .nullable = true},
             [](const R& r) { return Value::optional(r.pair->peer_tcp_stream); }},
            {{.name = "score", .title = "Score", .type = Type::Integer, .meaning = "sum of the reasons' weights (0: no twin)"},
             [](const R& r) { return Value(std::int64_t{r.pair->score}); }},
            {{.name = "reasons", .title = "Reasons", .type = Type::List, .meaning = "what agrees, as in map-tcp",
              .element = Type::Text},
             [](const R& r) { return reasons_value(r.pair->reasons); }},
            {{.name = "reversed", .title = "Reversed", .type = Type::Bool,
              .meaning = "the twin's client is the subflow's server"},
             [](const R& r) { return Value(r.pair->reversed); }},
        });
    return spec;
}

struct MptcpMatchRow {
    const MptcpConnection* connection;  // first capture
    const MptcpCandidate* candidate;
};

const RecordSpec<MptcpMatchRow>& mptcp_match_spec() {
    using R = MptcpMatchRow;
    static const RecordSpec<R> spec(
        "mptcp_match",
        "An MPTCP connection of the peer capture that may be the same connection (docs/commands.md, map-mptcp).",
        {
            {{.name = "stream", .title = "Peer MPTCP stream", .type = Type::Count,
              .meaning = "its mptcp.stream in the peer capture (null: Wireshark gave none)", .nullable = true},
             [](const R& r) { return stream_value(r.candidate->mptcp_stream); }},
            {{.name = "score", .title = "Score", .type = Type::Integer,
              .meaning = "the connection's reasons' weights plus its subflow matches' scores; higher is better"},
             [](const R& r) { return Value(std::int64_t{r.candidate->score}); }},
            {{.name = "reasons", .title = "Reasons", .type = Type::List,
              .meaning = "what agrees on the connection or any of its subflows, strongest first (as in map-tcp)",
              .element = Type::Text},
             [](const R& r) { return reasons_value(r.candidate->reasons); }},
            {{.name = "subflows", .title = "Subflows", .type = Type::Records,
              .meaning = "one per subflow of the first connection, in its order", .nested = &subflow_pair_spec().schema()},
             [](const R& r) {
                 std::vector<SubflowPairRow> rows;
                 for (const auto& p : r.candidate->subflows) rows.push_back({r.connection, &p});
                 return Value(subflow_pair_spec().table(rows));
             }},
        },
        {{"peer_mptcp_stream", "stream", true}});
    return spec;
}

const Schema& map_mptcp_schema() {
    static const Schema root{
        "map_mptcp",
        "An MPTCP connection of the first capture, its candidates in the peer capture and its subflows' twins.",
        {{.name = "stream", .title = "MPTCP stream", .type = Type::Count, .meaning = "the mptcp.stream of the first capture (-r)"},
         first_side_column(),
         {.name = "matches", .title = "Matches", .type = Type::Records,
          .meaning = "the candidates in the peer capture, best first; empty: present in the first capture only",
          .nested = &mptcp_match_spec().schema()},
         {.name = "peer_only_subflows", .title = "Peer-only subflows", .type = Type::List,
          .meaning = "tcp.stream numbers of the best candidate's subflows no subflow of the first capture matched",
          .element = Type::Count},
         packets_column()},
        {{"mptcp_stream", "stream", true}}};
    return root;
}

std::string map_mptcp_text(const Document& d, const std::string& first_name, const std::string& peer_name) {
    const RowRef root = d.root.ref();
    const Table& matches = *root["matches"].table();
    std::string out = fmt::format("mptcp.stream {} of {}: ", plain(root, "stream"), first_name);
    if (matches.rows.empty()) {
        return out + fmt::format("no counterpart in {} (present in {} only)\n", peer_name, first_name);
    }
    out += fmt::format("{} candidate{} in {}\n", matches.size(), matches.size() == 1 ? "" : "s", peer_name);
    for (std::size_t i = 0; i < matches.size(); ++i) {
        const RowRef m = matches.row(i);
        out += fmt::format("  mptcp.stream {}: score {} ({})\n",
                           m["stream"].is_null() ? std::string("(none)") : plain(m, "stream"), plain(m, "score"),
                           reasons_text(m));
        const Table& subflows = *m["subflows"].table();
        for (std::size_t j = 0; j < subflows.size(); ++j) {
            const RowRef s = subflows.row(j);
            if (s["peer_tcp_stream"].is_null()) {
                out += fmt::format("    tcp.stream {} -> none\n", plain(s, "tcp_stream"));
            } else {
                out += fmt::format("    tcp.stream {} -> tcp.stream {}: score {} ({}){}\n", plain(s, "tcp_stream"),
                                   plain(s, "peer_tcp_stream"), plain(s, "score"), reasons_text(s),
                                   std::get<bool>(s["reversed"].data) ? ", reversed" : "");
            }
        }
    }
    const auto& peer_only = std::get<std::vector<Value>>(root["peer_only_subflows"].data);
    if (!peer_only.empty()) {
        out += "  subflows of the best candidate in the peer capture only: tcp.stream " + plain(root, "peer_only_subflows") + "\n";
    }
    out += fmt::format("best candidate's packets (the first capture is on the {} side):\n", plain(root, "first_side"));
    return out + packets_text(*root["packets"].table());
}

}  // namespace

Document map_tcp(const CapturePair& pair, const TcpConnection& connection) {
    const TcpPairing& pairing = pair.tcp(connection);
    std::vector<TcpMatchRow> matches;
    for (const auto& c : pairing.candidates) matches.push_back({&c});
    std::vector<PacketCountRow> packets;
    add_packet_counts(packets, pairing.match, nullptr);
    return {{&map_tcp_schema(),
             {Value(connection.tcp_stream), Value(to_string(pairing.first_side)), Value(tcp_match_spec().table(matches)),
              Value(packet_count_spec().table(packets))}},
            "matches",
            [first = pair.first_name(), peer = pair.peer_name()](const Document& d) { return map_tcp_text(d, first, peer); }};
}

Document map_mptcp(const CapturePair& pair, const MptcpConnection& connection) {
    const MptcpPairing& pairing = pair.mptcp(connection);
    std::vector<MptcpMatchRow> matches;
    for (const auto& c : pairing.candidates) matches.push_back({&connection, &c});
    std::vector<Value> peer_only;
    if (pairing.peer) {
        for (const auto k : pairing.peer_only_subflows) peer_only.emplace_back(pairing.peer->subflows[k].tcp_stream);
    }
    std::vector<PacketCountRow> packets;
    for (const auto& m : pairing.subflows) {
        if (m.tcp) add_packet_counts(packets, m, &connection.subflows[m.subflow]);
    }
    return {{&map_mptcp_schema(),
             {stream_value(connection.mptcp_stream), Value(to_string(pairing.first_side)),
              Value(mptcp_match_spec().table(matches)), Value(std::move(peer_only)),
              Value(packet_count_spec().table(packets))}},
            "matches/subflows",
            [first = pair.first_name(), peer = pair.peer_name()](const Document& d) { return map_mptcp_text(d, first, peer); }};
}

const Schema& map_tcp_report_schema() { return map_tcp_schema(); }
const Schema& map_mptcp_report_schema() { return map_mptcp_schema(); }

}  // namespace mptcpanalyzer::report
