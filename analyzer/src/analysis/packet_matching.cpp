#include "mptcpanalyzer/analysis/packet_matching.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <tuple>
#include <unordered_map>

#include "mptcpanalyzer/model/packet_record.hpp"

namespace mptcpanalyzer {
namespace {

// What a segment keeps across the path (addresses and ports excluded: NAT).
struct Fingerprint {
    std::uint32_t seq = 0;
    std::uint32_t ack = 0;
    std::uint32_t length = 0;
    std::uint16_t flags = 0;
    std::uint32_t tsval = 0;
    std::uint32_t tsecr = 0;
    std::uint64_t dsn = 0;
    std::uint64_t data_ack = 0;
    bool operator==(const Fingerprint&) const = default;
};

struct FingerprintHash {
    std::size_t operator()(const Fingerprint& f) const {
        std::uint64_t h = 1469598103934665603ULL;
        const auto mix = [&h](std::uint64_t v) {
            h ^= v;
            h *= 1099511628211ULL;
        };
        mix(f.seq);
        mix(f.ack);
        mix(f.length);
        mix(f.flags);
        mix(f.tsval);
        mix(f.tsecr);
        mix(f.dsn);
        mix(f.data_ack);
        return static_cast<std::size_t>(h);
    }
};

// `with_mptcp` false leaves the DSS fields out: a middlebox that strips or rewrites MPTCP
// options (the corpus' strip_mptcp relays) leaves the TCP header and timestamps as they were.
Fingerprint fingerprint_of(const PacketTable& t, std::uint32_t row, bool with_mptcp) {
    const auto& c = t.columns();
    Fingerprint f;
    f.seq = c.seq_raw[row];
    f.ack = c.ack_raw[row];
    f.length = c.payload_length[row];
    f.flags = c.flags[row];
    if (c.misc[row] & row_bit::kTimestamps) {
        f.tsval = c.tsval[row];
        f.tsecr = c.tsecr[row];
    }
    if (with_mptcp) {
        f.dsn = c.dss_dsn[row];
        f.data_ack = c.dss_data_ack[row];
    }
    return f;
}

// The rows of one direction on both sides, and which are matched so far.
struct DirectionRows {
    std::vector<std::uint32_t> first;  // capture order
    std::vector<std::uint32_t> peer;
    std::vector<bool> first_matched;
    std::vector<bool> peer_matched;
};

// One pass of one-to-one matching by fingerprint among the rows still unmatched, identical
// fingerprints in capture order.
void match_by_fingerprint(const PacketTable& first, const PacketTable& peer, DirectionRows& rows, bool with_mptcp,
                          std::vector<PacketPair>& pairs) {
    std::unordered_map<Fingerprint, std::deque<std::size_t>, FingerprintHash> waiting;
    for (std::size_t k = 0; k < rows.peer.size(); ++k) {
        if (!rows.peer_matched[k]) waiting[fingerprint_of(peer, rows.peer[k], with_mptcp)].push_back(k);
    }
    for (std::size_t i = 0; i < rows.first.size(); ++i) {
        if (rows.first_matched[i]) continue;
        const auto it = waiting.find(fingerprint_of(first, rows.first[i], with_mptcp));
        if (it == waiting.end() || it->second.empty()) continue;
        const std::size_t k = it->second.front();
        it->second.pop_front();
        rows.first_matched[i] = true;
        rows.peer_matched[k] = true;
        pairs.push_back({rows.first[i], rows.peer[k]});
    }
}

// GSO/TSO (sender) and GRO/LRO (receiver): one capture holds a super-segment where the other
// holds the wire-sized pieces. A still unmatched data segment whose byte range is tiled exactly
// by still unmatched data segments of the other side (same acknowledgment number, consecutive
// sequence numbers, at least two of them) is matched to each piece. `big_is_first` says which
// side holds the super-segments looked for. Returns how many super-segments were matched.
std::uint64_t match_super_segments(const PacketTable& first, const PacketTable& peer, DirectionRows& rows,
                                   bool big_is_first, std::vector<PacketPair>& pairs) {
    const PacketTable& big_table = big_is_first ? first : peer;
    const PacketTable& small_table = big_is_first ? peer : first;
    const auto& big_rows = big_is_first ? rows.first : rows.peer;
    const auto& small_rows = big_is_first ? rows.peer : rows.first;
    auto& big_matched = big_is_first ? rows.first_matched : rows.peer_matched;
    auto& small_matched = big_is_first ? rows.peer_matched : rows.first_matched;
    const auto& bc = big_table.columns();
    const auto& sc = small_table.columns();

    // Unmatched pieces by (sequence number, acknowledgment number), in capture order.
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::deque<std::size_t>> pieces;
    for (std::size_t k = 0; k < small_rows.size(); ++k) {
        const std::uint32_t row = small_rows[k];
        if (small_matched[k] || sc.payload_length[row] == 0) continue;
        pieces[{sc.seq_raw[row], sc.ack_raw[row]}].push_back(k);
    }
    if (pieces.empty()) return 0;
    std::uint64_t count = 0;
    std::vector<std::size_t> tiles;
    for (std::size_t i = 0; i < big_rows.size(); ++i) {
        const std::uint32_t row = big_rows[i];
        const std::uint32_t length = bc.payload_length[row];
        if (big_matched[i] || length == 0) continue;
        const std::uint32_t ack = bc.ack_raw[row];
        const std::uint32_t end = bc.seq_raw[row] + length;
        std::uint32_t at = bc.seq_raw[row];
        std::uint32_t covered = 0;
        tiles.clear();
        while (covered < length) {
            const auto it = pieces.find({at, ack});
            if (it == pieces.end()) break;
            // The first piece in capture order that fits in what is left of the range.
            std::optional<std::size_t> fit;
            for (const std::size_t k : it->second) {
                const std::uint32_t piece = sc.payload_length[small_rows[k]];
                if (piece <= length - covered && std::find(tiles.begin(), tiles.end(), k) == tiles.end()) {
                    fit = k;
                    break;
                }
            }
            if (!fit) break;
            tiles.push_back(*fit);
            const std::uint32_t piece = sc.payload_length[small_rows[*fit]];
            covered += piece;
            at += piece;
        }
        if (covered != length || at != end || tiles.size() < 2) continue;
        big_matched[i] = true;
        for (const std::size_t k : tiles) {
            small_matched[k] = true;
            auto& queue = pieces[{sc.seq_raw[small_rows[k]], ack}];
            queue.erase(std::find(queue.begin(), queue.end(), k));
            pairs.push_back(big_is_first ? PacketPair{row, small_rows[k]} : PacketPair{small_rows[k], row});
        }
        ++count;
    }
    return count;
}

}  // namespace

TcpPacketMatch match_packets(const PacketTable& first, const TcpConnection& connection, const PacketTable& peer,
                             const TcpConnection& peer_connection, bool reversed) {
    TcpPacketMatch out;
    out.reversed = reversed;
    std::array<DirectionRows, 2> rows;
    for (const auto row : connection.rows) {
        rows[static_cast<std::size_t>(connection.direction_of(first, row))].first.push_back(row);
    }
    // Peer rows by direction in the first capture's orientation.
    for (const auto row : peer_connection.rows) {
        int d = static_cast<int>(peer_connection.direction_of(peer, row));
        if (reversed) d = 1 - d;
        rows[static_cast<std::size_t>(d)].peer.push_back(row);
    }
    for (std::size_t d = 0; d < 2; ++d) {
        DirectionRows& r = rows[d];
        DirectionMatch& m = out.directions[d];
        r.first_matched.assign(r.first.size(), false);
        r.peer_matched.assign(r.peer.size(), false);
        match_by_fingerprint(first, peer, r, true, m.pairs);
        match_by_fingerprint(first, peer, r, false, m.pairs);
        m.super_segments += match_super_segments(first, peer, r, true, m.pairs);
        m.super_segments += match_super_segments(first, peer, r, false, m.pairs);
        std::sort(m.pairs.begin(), m.pairs.end(), [](const PacketPair& x, const PacketPair& y) {
            return std::tie(x.row, x.peer_row) < std::tie(y.row, y.peer_row);
        });
        for (std::size_t i = 0; i < r.first.size(); ++i) {
            if (!r.first_matched[i]) m.unmatched.push_back(r.first[i]);
        }
        for (std::size_t k = 0; k < r.peer.size(); ++k) {
            if (!r.peer_matched[k]) m.peer_unmatched.push_back(r.peer[k]);
        }
        std::sort(m.unmatched.begin(), m.unmatched.end());
        std::sort(m.peer_unmatched.begin(), m.peer_unmatched.end());
    }
    return out;
}

}  // namespace mptcpanalyzer
