#include "mptcpanalyzer/analysis/mptcp_data.hpp"

#include <algorithm>
#include <deque>

#include "mptcpanalyzer/model/tcp_option_parser.hpp"
#include "mptcpanalyzer/util/mapped_file.hpp"

namespace mptcpanalyzer {


std::uint64_t extend_dsn(std::uint64_t raw, bool eight_bytes, std::optional<std::uint64_t> last) {
    if (eight_bytes || !last) return raw;
    // The DSN space wraps modulo 2^64 (an IDSN is an arbitrary hash): take the value with the
    // same low 32 bits nearest to `last`, in wrapping arithmetic, as Linux does.
    const auto delta = static_cast<std::int32_t>(static_cast<std::uint32_t>(raw) - static_cast<std::uint32_t>(*last));
    return *last + static_cast<std::uint64_t>(static_cast<std::int64_t>(delta));
}

std::uint64_t ConnectionData::application_bytes(DataDirection d) const {
    // The DSN space covered by data (union of the segments' ranges, in relative DSNs, which do
    // not wrap within a connection). A union, not max - min: one corrupted DSN must not turn
    // into exabytes of "application data".
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
    for (const auto& s : segments) {
        if (s.direction != d || s.length == 0) continue;
        const std::uint64_t start = relative(d, s.dsn);
        ranges.emplace_back(start, start + s.length);
    }
    std::sort(ranges.begin(), ranges.end());
    std::uint64_t total = 0, end = 0;
    bool any = false;
    for (const auto& [s, e] : ranges) {
        if (!any || s >= end) {
            total += e - s;
            end = e;
            any = true;
        } else if (e > end) {
            total += e - end;
            end = e;
        }
    }
    return total;
}

namespace {

struct Mapping {
    std::uint32_t ssn = 0;  // relative subflow sequence number of the mapping's first byte
    std::uint64_t dsn = 0;
    std::uint32_t length = 0;
};

// Mappings stay usable for later segments (a mapping may cover several); a bounded history is
// enough because retransmitted data carries its mapping again.
constexpr std::size_t kMappingHistory = 512;
constexpr std::uint32_t kInfinite = 0xffffffffU;

// A DSS checksum being verified: the pseudo-header's sum plus each segment's payload sum as the
// mapping's data arrives (a block starting at an odd offset contributes its sum byte-swapped).
struct PendingChecksum {
    bool active = false;
    std::uint32_t row = 0;
    std::uint32_t ssn = 0;
    std::uint32_t length = 0;
    std::uint32_t covered = 0;
    std::uint64_t sum = 0;
};

std::uint64_t pseudo_header_sum(std::uint64_t dsn, std::uint32_t ssn, std::uint16_t length, std::uint16_t checksum) {
    std::array<std::uint8_t, 16> h{};
    for (int i = 0; i < 8; ++i) h[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(dsn >> (56 - 8 * i));
    for (int i = 0; i < 4; ++i) h[static_cast<std::size_t>(8 + i)] = static_cast<std::uint8_t>(ssn >> (24 - 8 * i));
    h[12] = static_cast<std::uint8_t>(length >> 8);
    h[13] = static_cast<std::uint8_t>(length);
    h[14] = static_cast<std::uint8_t>(checksum >> 8);
    h[15] = static_cast<std::uint8_t>(checksum);
    return ones_complement_sum(h);
}

std::uint16_t fold(std::uint64_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(sum);
}

}  // namespace

DsnBases known_bases(const MptcpConnection& m) {
    // Sender's IDSN: the client's for data to the server, the server's for data to the client.
    DsnBases b;
    if (m.client_key) {
        b.base[0] = m.client_derived.idsn;
        b.from_key[0] = true;
    }
    if (m.server_key) {
        b.base[1] = m.server_derived.idsn;
        b.from_key[1] = true;
    }
    return b;
}

DsnBases scan_connection_data(const PacketTable& table, const ConnectionModel& model, const MptcpConnection& m,
                              ConnectionDataSink& sink) {
    const auto& c = table.columns();
    DsnBases out = known_bases(m);
    // The subflows' row lists (each ascending) merged into capture order, without building the
    // merged list: a heap of each list's next row.
    struct Cursor {
        std::uint32_t row;
        std::uint16_t subflow;
        std::size_t next;
        const TcpConnection* conn;
    };
    std::vector<Cursor> heap;
    for (std::size_t i = 0; i < m.subflows.size(); ++i) {
        const TcpConnection* conn = model.find_tcp(m.subflows[i].tcp_stream);
        if (!conn || conn->rows.empty()) continue;
        heap.push_back({conn->rows.front(), static_cast<std::uint16_t>(i), 1, conn});
    }
    const auto later = [](const Cursor& a, const Cursor& b) { return a.row > b.row; };
    std::make_heap(heap.begin(), heap.end(), later);

    std::array<std::optional<std::uint64_t>, 2> last{};
    for (std::size_t d = 0; d < 2; ++d)
        if (out.from_key[d]) last[d] = out.base[d];
    // Mappings per (subflow, TCP direction).
    std::vector<std::array<std::deque<Mapping>, 2>> mappings(m.subflows.size());
    std::vector<std::array<PendingChecksum, 2>> pending(m.subflows.size());
    // Without the sender's key, relative DSNs count from the lowest DSN seen, found in wrapping
    // arithmetic around the first one (the DSN space may wrap past 2^64 within the capture).
    std::array<std::optional<std::uint64_t>, 2> first{};
    std::array<std::int64_t, 2> lowest_offset{};

    // The mapped columns this pass reads do not stay resident (a connection may span the file).
    ResidentRelease release;
    while (!heap.empty()) {
        release.tick();
        std::pop_heap(heap.begin(), heap.end(), later);
        Cursor& ref = heap.back();
        const std::uint32_t row = ref.row;
        const std::uint16_t subflow = ref.subflow;
        const TcpConnection* conn = ref.conn;
        if (ref.next < conn->rows.size()) {
            ref.row = conn->rows[ref.next++];
            std::push_heap(heap.begin(), heap.end(), later);
        } else {
            heap.pop_back();
        }
        const Subflow& sf = m.subflows[subflow];
        const TcpDirection tdir = conn->direction_of(table, row);
        sink.row(row, subflow, tdir);
        const DataDirection dir = sf.data_direction(tdir);
        const std::size_t d = static_cast<std::size_t>(dir);
        auto& maps = mappings[subflow][static_cast<std::size_t>(tdir)];
        const std::uint8_t bits = c.dss_bits[row];
        if (bits & dss_bit::kPresent) {
            if (bits & dss_bit::kMapping) {
                const std::uint64_t dsn = extend_dsn(c.dss_dsn[row], bits & dss_bit::kDsn8, last[d]);
                last[d] = dsn;
                // Data-level length 0 is the infinite mapping of a fallback: it covers the rest of
                // the subflow one to one (RFC 8684 3.7).
                const std::uint32_t mlen = c.dss_length[row] > 0 ? c.dss_length[row] : kInfinite;
                maps.push_back({c.dss_subflow_seq[row], dsn, mlen});
                if (maps.size() > kMappingHistory) maps.pop_front();
                // Linux repeats a mapping's DSS on each of its segments: keep verifying it.
                PendingChecksum& cur = pending[subflow][static_cast<std::size_t>(tdir)];
                const bool same_mapping = cur.active && cur.ssn == c.dss_subflow_seq[row] && cur.length == c.dss_length[row];
                if ((bits & dss_bit::kChecksum) && c.dss_length[row] > 0 && !same_mapping) {
                    cur =
                        PendingChecksum{true, row, c.dss_subflow_seq[row], c.dss_length[row], 0,
                                        pseudo_header_sum(dsn, c.dss_subflow_seq[row], c.dss_length[row], c.dss_checksum[row])};
                }
            }
            if (bits & dss_bit::kDataAck) {
                // A DATA_ACK acknowledges the opposite data direction.
                const std::size_t od = 1 - d;
                const std::uint64_t ack = extend_dsn(c.dss_data_ack[row], bits & dss_bit::kDataAck8, last[od]);
                sink.data_ack({row, subflow, static_cast<DataDirection>(od), ack});
            }
        }
        const std::uint32_t len = c.payload_length[row];
        const std::uint32_t ssn = c.seq_relative[row];
        if ((c.mptcp_subtypes[row] & (1U << static_cast<unsigned>(MptcpSubtype::Capable))) && len > 0 &&
            out.from_key[d]) {
            // v1: the third ACK may carry data with an implicit mapping starting at IDSN + 1.
            const PacketRecord r = table.record(row);
            for (const auto& o : r.mptcp_options) {
                if (o.subtype == MptcpSubtype::Capable && o.length >= 22 && o.data_level_length > 0) {
                    maps.push_back({1, out.base[d] + 1, o.data_level_length});
                    if (o.has_checksum) {
                        pending[subflow][static_cast<std::size_t>(tdir)] = PendingChecksum{
                            true, row, 1, o.data_level_length, 0,
                            pseudo_header_sum(out.base[d] + 1, 1, o.data_level_length, o.checksum)};
                    }
                    last[d] = out.base[d] + 1;
                }
            }
        }
        if (len == 0) continue;
        if (PendingChecksum& pc = pending[subflow][static_cast<std::size_t>(tdir)]; pc.active) {
            const bool in_order = ssn == pc.ssn + pc.covered && pc.covered + len <= pc.length;
            if (!in_order || !(c.misc[row] & row_bit::kPayloadSum)) {
                pc.active = false;  // data not captured whole, or out of order: cannot verify
            } else {
                const std::uint16_t ps = c.payload_sum[row];
                pc.sum += (pc.covered & 1U) ? static_cast<std::uint16_t>((ps << 8) | (ps >> 8)) : ps;
                pc.covered += len;
                if (pc.covered == pc.length) {
                    sink.checksum({pc.row, row, subflow, dir, fold(pc.sum) == 0xffff});
                    pc.active = false;
                }
            }
        }
        const Mapping* found = nullptr;
        for (auto it = maps.rbegin(); it != maps.rend(); ++it) {
            if (static_cast<std::uint32_t>(ssn - it->ssn) < it->length) {
                found = &*it;
                break;
            }
        }
        if (!found && m.fallback != Fallback::None) {
            // Fallen back to TCP without an infinite mapping (the option was stripped): the
            // subflow's data continues one to one from its last mapping, or from the IDSN.
            if (!maps.empty()) {
                maps.back().length = kInfinite;
                found = &maps.back();
            } else if (out.from_key[d]) {
                maps.push_back({0, out.base[d], kInfinite});
                found = &maps.back();
            }
        }
        if (!found) {
            sink.unmapped(row);
            continue;
        }
        const std::uint64_t dsn = found->dsn + static_cast<std::uint32_t>(ssn - found->ssn);
        sink.segment({row, subflow, dir, dsn, len});
        if (!first[d]) first[d] = dsn;
        lowest_offset[d] = std::min(lowest_offset[d], static_cast<std::int64_t>(dsn - *first[d]));
    }
    for (std::size_t d = 0; d < 2; ++d) {
        if (!out.from_key[d] && first[d]) {
            out.base[d] = *first[d] + static_cast<std::uint64_t>(lowest_offset[d]) - 1;
        }
    }
    return out;
}

ConnectionData map_connection_data(const PacketTable& table, const ConnectionModel& model,
                                   const MptcpConnection& m) {
    struct Keep final : ConnectionDataSink {
        ConnectionData& out;
        explicit Keep(ConnectionData& o) : out(o) {}
        void segment(const DataSegment& s) override { out.segments.push_back(s); }
        void data_ack(const DataAck& a) override { out.data_acks.push_back(a); }
        void unmapped(std::uint32_t row) override { out.unmapped.push_back(row); }
        void checksum(const ChecksumCheck& c) override { out.checksums.push_back(c); }
    };
    ConnectionData out;
    Keep keep(out);
    const DsnBases bases = scan_connection_data(table, model, m, keep);
    out.base = bases.base;
    out.base_from_key = bases.from_key;
    return out;
}

}  // namespace mptcpanalyzer
