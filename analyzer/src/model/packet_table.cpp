#include "mptcpanalyzer/model/packet_table.hpp"
#include "mptcpanalyzer/util/mapped_file.hpp"

#include <algorithm>

namespace mptcpanalyzer {

std::size_t PacketTable::AddressHash::operator()(const IpAddress& a) const noexcept {
    std::uint64_t h = 1469598103934665603ULL ^ a.family;
    for (auto b : a.bytes) h = (h ^ b) * 1099511628211ULL;
    return static_cast<std::size_t>(h);
}

std::uint32_t PacketTable::intern(const IpAddress& address) {
    auto [it, inserted] = address_index_.try_emplace(address, static_cast<std::uint32_t>(addresses_.size()));
    if (inserted) addresses_.push_back(address);
    return it->second;
}

void PacketTable::append(const PacketRecord& r) {
    auto& c = columns_;
    const auto row = static_cast<std::uint32_t>(rows_appended());
    const std::uint32_t src = intern(r.src);
    const std::uint32_t dst = intern(r.dst);
#define MPTCP_STORE_FIELD(name, column_type, ...) c.name.push_back(static_cast<column_type>(r.name));
    MPTCP_PACKET_RECORD_COLUMNS(MPTCP_STORE_FIELD)
#undef MPTCP_STORE_FIELD
    c.src.push_back(src);
    c.dst.push_back(dst);
    c.misc.push_back(static_cast<std::uint8_t>((r.has_timestamps ? row_bit::kTimestamps : 0) |
                                               (r.options_unavailable ? row_bit::kOptionsUnavailable : 0) |
                                               (r.has_payload_sum ? row_bit::kPayloadSum : 0)));

    // Relative sequence numbers, per tcp.stream and direction, as Wireshark derives them on its
    // first pass: the base of a direction is its SYN's seq, else its first seq - 1; the base of
    // the reverse direction is guessed from the first ACK (ack - 1) while unknown; a SYN seen
    // later replaces a guessed base (as tshark shows for a SYN/ACK after an odd early ACK).
    if (streams_.size() <= r.tcp_stream) streams_.resize(std::size_t{r.tcp_stream} + 1);
    StreamState& st = streams_[r.tcp_stream];
    if (!st.known) {
        st.known = true;
        st.first_src = src;
        st.first_sport = r.sport;
    }
    const int fwd = (src == st.first_src && r.sport == st.first_sport) ? 0 : 1;
    SequenceBase& fb = st.base[fwd];
    SequenceBase& rb = st.base[1 - fwd];
    if (r.has_flag(tcp_flag::kSyn) && !fb.from_syn) {
        fb = SequenceBase{true, true, r.seq_raw};
    } else if (!fb.set) {
        fb = SequenceBase{true, false, r.seq_raw - 1};
    }
    if (!rb.set && r.has_flag(tcp_flag::kAck)) {
        rb = SequenceBase{true, false, r.ack_raw - 1};
    }
    c.seq_relative.push_back(r.seq_raw - fb.base);
    c.ack_relative.push_back(r.has_flag(tcp_flag::kAck) && rb.set ? r.ack_raw - rb.base : 0);

    std::uint16_t subtypes = 0;
    std::uint8_t dss_bits = 0, dss_position = 0, dss_flags = 0, dss_len = 0;
    std::uint64_t data_ack = 0, dsn = 0;
    std::uint32_t ssn = 0;
    std::uint16_t dll = 0, csum = 0;
    for (std::size_t i = 0; i < r.mptcp_options.size(); ++i) {
        const MptcpOption& m = r.mptcp_options[i];
        subtypes = static_cast<std::uint16_t>(subtypes | (1U << static_cast<unsigned>(m.subtype)));
        if (m.subtype == MptcpSubtype::Dss && !(dss_bits & dss_bit::kPresent)) {
            dss_bits = static_cast<std::uint8_t>(
                dss_bit::kPresent | (m.has_data_ack ? dss_bit::kDataAck : 0) |
                (m.data_ack_8 ? dss_bit::kDataAck8 : 0) | (m.has_mapping ? dss_bit::kMapping : 0) |
                (m.dsn_8 ? dss_bit::kDsn8 : 0) | (m.has_checksum ? dss_bit::kChecksum : 0) |
                (m.data_fin ? dss_bit::kDataFin : 0) | (m.truncated ? dss_bit::kTruncated : 0));
            dss_position = static_cast<std::uint8_t>(i);
            dss_flags = m.flags;
            dss_len = m.length;
            data_ack = m.data_ack;
            dsn = m.dsn;
            ssn = m.subflow_seq;
            dll = m.data_level_length;
            csum = m.checksum;
        } else {
            side_options_.push_back(SideOption{row, static_cast<std::uint8_t>(i), m});
        }
    }
    c.mptcp_subtypes.push_back(subtypes);
    c.dss_bits.push_back(dss_bits);
    c.dss_position.push_back(dss_position);
    c.dss_flags.push_back(dss_flags);
    c.dss_data_ack.push_back(data_ack);
    c.dss_dsn.push_back(dsn);
    c.dss_subflow_seq.push_back(ssn);
    c.dss_length.push_back(dll);
    c.dss_checksum.push_back(csum);
    c.dss_option_length.push_back(dss_len);
}

PacketRecord PacketTable::record(std::size_t row) const {
    PacketRecord r;
    record_into(row, r);
    return r;
}

void PacketTable::record_into(std::size_t row, PacketRecord& r) const {
    const auto& c = columns_;
    r.mptcp_options.clear();
#define MPTCP_LOAD_FIELD(name, ...) r.name = c.name[row];
    MPTCP_PACKET_RECORD_COLUMNS(MPTCP_LOAD_FIELD)
#undef MPTCP_LOAD_FIELD
    r.src = addresses_[c.src[row]];
    r.dst = addresses_[c.dst[row]];
    r.has_timestamps = (c.misc[row] & row_bit::kTimestamps) != 0;
    r.options_unavailable = (c.misc[row] & row_bit::kOptionsUnavailable) != 0;
    r.has_payload_sum = (c.misc[row] & row_bit::kPayloadSum) != 0;

    // Side options of this row: side_options_ is sorted by row (appended in order).
    auto lo = std::lower_bound(side_options_.begin(), side_options_.end(), row,
                               [](const SideOption& s, std::size_t rw) { return s.row < rw; });
    for (auto it = lo; it != side_options_.end() && it->row == row; ++it) r.mptcp_options.push_back(it->option);
    const std::uint8_t bits = c.dss_bits[row];
    if (bits & dss_bit::kPresent) {
        MptcpOption m;
        m.subtype = MptcpSubtype::Dss;
        m.length = c.dss_option_length[row];
        m.flags = c.dss_flags[row];
        m.has_data_ack = bits & dss_bit::kDataAck;
        m.data_ack_8 = bits & dss_bit::kDataAck8;
        m.has_mapping = bits & dss_bit::kMapping;
        m.dsn_8 = bits & dss_bit::kDsn8;
        m.has_checksum = bits & dss_bit::kChecksum;
        m.data_fin = bits & dss_bit::kDataFin;
        m.truncated = bits & dss_bit::kTruncated;
        m.data_ack = c.dss_data_ack[row];
        m.dsn = c.dss_dsn[row];
        m.subflow_seq = c.dss_subflow_seq[row];
        m.data_level_length = c.dss_length[row];
        m.checksum = c.dss_checksum[row];
        const std::size_t pos = std::min<std::size_t>(c.dss_position[row], r.mptcp_options.size());
        r.mptcp_options.insert(r.mptcp_options.begin() + static_cast<std::ptrdiff_t>(pos), std::move(m));
    }
}

std::span<const PacketTable::ColumnInfo> PacketTable::column_infos() {
#define MPTCP_RECORD_COLUMN_INFO(name, column_type, record_type, initial, meaning) \
    ColumnInfo{#name, sizeof(column_type), true, meaning},
#define MPTCP_DERIVED_COLUMN_INFO(name, column_type, meaning) ColumnInfo{#name, sizeof(column_type), false, meaning},
    static constexpr ColumnInfo kInfos[] = {MPTCP_PACKET_RECORD_COLUMNS(MPTCP_RECORD_COLUMN_INFO)
                                                MPTCP_PACKET_DERIVED_COLUMNS(MPTCP_DERIVED_COLUMN_INFO)};
#undef MPTCP_RECORD_COLUMN_INFO
#undef MPTCP_DERIVED_COLUMN_INFO
    return kInfos;
}

std::string PacketTable::interface_name(std::uint32_t id) const {
    return id < interface_names_.size() ? interface_names_[id] : std::string{};
}

std::size_t PacketTable::memory_bytes() const {
    std::size_t total = 0;
    columns_.for_each([&](const auto& column) { total += column.allocated_bytes(); });
    total += addresses_.capacity() * sizeof(IpAddress);
    total += side_options_.capacity() * sizeof(SideOption);
    for (const auto& s : side_options_) total += s.option.address_ids.capacity();
    total += streams_.capacity() * sizeof(StreamState);
    return total;
}

void PacketTable::reserve(std::size_t rows) {
    columns_.for_each([rows](auto& v) { v.reserve(rows); });
}

void PacketTable::finish_appending() {
    streams_.clear();
    streams_.shrink_to_fit();
}

bool PacketTable::validate() const {
    const std::size_t n = size();
    bool ok = true;
    columns_.for_each([&](const auto& column) { ok = ok && column.size() == n; });
    if (!ok) return false;
    const auto naddr = addresses_.size();
    ResidentRelease release;  // a loaded table's columns are mapped: keep a window resident
    for (std::size_t i = 0; i < n; ++i) {
        release.tick();
        if (columns_.src[i] >= naddr || columns_.dst[i] >= naddr) return false;
    }
    std::uint32_t prev = 0;
    for (const auto& s : side_options_) {
        if (s.row >= n || s.row < prev) return false;
        prev = s.row;
    }
    for (const auto& a : addresses_) {
        if (a.family != 0 && a.family != 4 && a.family != 6) return false;
    }
    return true;
}

void PacketTable::rebuild_indexes() {
    address_index_.clear();
    for (std::uint32_t i = 0; i < addresses_.size(); ++i) address_index_.emplace(addresses_[i], i);
}

}  // namespace mptcpanalyzer
