#include "mptcpanalyzer/analysis/packet_matching.hpp"

#include <algorithm>
#include <deque>
#include <tuple>
#include <unordered_map>

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

Fingerprint fingerprint_of(const PacketTable& t, std::uint32_t row) {
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
    f.dsn = c.dss_dsn[row];
    f.data_ack = c.dss_data_ack[row];
    return f;
}

}  // namespace

TcpPacketMatch match_packets(const PacketTable& first, const TcpConnection& connection, const PacketTable& peer,
                             const TcpConnection& peer_connection, bool reversed) {
    TcpPacketMatch out;
    out.reversed = reversed;
    // Peer rows by direction (in the first capture's orientation) and fingerprint, in capture order.
    std::array<std::unordered_map<Fingerprint, std::deque<std::uint32_t>, FingerprintHash>, 2> waiting;
    for (const auto row : peer_connection.rows) {
        int d = static_cast<int>(peer_connection.direction_of(peer, row));
        if (reversed) d = 1 - d;
        waiting[static_cast<std::size_t>(d)][fingerprint_of(peer, row)].push_back(row);
    }
    for (const auto row : connection.rows) {
        const auto d = static_cast<std::size_t>(connection.direction_of(first, row));
        auto& bucket = waiting[d];
        const auto it = bucket.find(fingerprint_of(first, row));
        if (it == bucket.end() || it->second.empty()) {
            out.directions[d].unmatched.push_back(row);
            continue;
        }
        out.directions[d].pairs.push_back({row, it->second.front()});
        it->second.pop_front();
    }
    for (std::size_t d = 0; d < 2; ++d) {
        auto& left = out.directions[d].peer_unmatched;
        for (const auto& [key, rows] : waiting[d]) left.insert(left.end(), rows.begin(), rows.end());
        std::sort(left.begin(), left.end());
    }
    return out;
}

}  // namespace mptcpanalyzer
