#include "mptcpanalyzer/analysis/packet_series.hpp"

#include <algorithm>
#include <array>

#include "mptcpanalyzer/analysis/time_series.hpp"

namespace mptcpanalyzer {
namespace {

constexpr std::array<std::string_view, 6> kTcpNames{"seq", "ack", "window", "length", "tsval", "tsecr"};
constexpr std::array<std::string_view, 10> kMptcpNames{"dsn",    "data_ack", "dss_length", "dss_ssn", "seq",
                                                       "ack",    "window",   "length",     "tsval",   "tsecr"};

// Extends 32-bit relative sequence numbers to 64 bits along a direction (nearest to the last one),
// so plots stay continuous past a 2^32 wrap. The first value is taken as is.
struct Unwrapper {
    bool started = false;
    std::int64_t last = 0;
    std::int64_t operator()(std::uint32_t v) {
        if (!started) {
            started = true;
            last = v;
            return last;
        }
        last += static_cast<std::int32_t>(v - static_cast<std::uint32_t>(last));
        return last;
    }
};

std::optional<TcpAttribute> as_tcp(MptcpAttribute a) {
    switch (a) {
        case MptcpAttribute::Seq: return TcpAttribute::Seq;
        case MptcpAttribute::Ack: return TcpAttribute::Ack;
        case MptcpAttribute::Window: return TcpAttribute::Window;
        case MptcpAttribute::Length: return TcpAttribute::Length;
        case MptcpAttribute::Tsval: return TcpAttribute::Tsval;
        case MptcpAttribute::Tsecr: return TcpAttribute::Tsecr;
        default: return std::nullopt;
    }
}

// Values of a TCP attribute for the given rows (all of one TCP direction, capture order).
std::vector<AttributePoint> tcp_values(const PacketTable& table, const std::vector<std::uint32_t>& rows,
                                       TcpAttribute attribute, std::optional<int> scale) {
    const auto& c = table.columns();
    std::vector<AttributePoint> out;
    Unwrapper seq, ack;
    for (auto row : rows) {
        const auto flags = c.flags[row];
        double value = 0;
        switch (attribute) {
            case TcpAttribute::Seq: value = static_cast<double>(seq(c.seq_relative[row])); break;
            case TcpAttribute::Ack:
                if (!(flags & tcp_flag::kAck)) continue;
                value = static_cast<double>(ack(c.ack_relative[row]));
                break;
            case TcpAttribute::Window:
                // The window of a SYN is never scaled (RFC 7323 2.2).
                value = static_cast<double>(static_cast<std::uint64_t>(c.window_raw[row])
                                            << ((flags & tcp_flag::kSyn) ? 0 : scale.value_or(0)));
                break;
            case TcpAttribute::Length: value = c.payload_length[row]; break;
            case TcpAttribute::Tsval:
                if (!(c.misc[row] & row_bit::kTimestamps)) continue;
                value = c.tsval[row];
                break;
            case TcpAttribute::Tsecr:
                if (!(c.misc[row] & row_bit::kTimestamps)) continue;
                value = c.tsecr[row];
                break;
        }
        out.push_back({row, c.time_ns[row], value});
    }
    return out;
}

}  // namespace

std::span<const std::string_view> tcp_attribute_names() { return kTcpNames; }
std::span<const std::string_view> mptcp_attribute_names() { return kMptcpNames; }

std::optional<TcpAttribute> parse_tcp_attribute(std::string_view name) {
    for (std::size_t i = 0; i < kTcpNames.size(); ++i)
        if (kTcpNames[i] == name) return static_cast<TcpAttribute>(i);
    return std::nullopt;
}

std::optional<MptcpAttribute> parse_mptcp_attribute(std::string_view name) {
    for (std::size_t i = 0; i < kMptcpNames.size(); ++i)
        if (kMptcpNames[i] == name) return static_cast<MptcpAttribute>(i);
    return std::nullopt;
}

AttributeInfo describe(TcpAttribute a) {
    switch (a) {
        case TcpAttribute::Seq: return {"seq", "relative TCP sequence number (bytes)"};
        case TcpAttribute::Ack: return {"ack", "relative TCP acknowledgment number (bytes)"};
        case TcpAttribute::Window: return {"window", "TCP receive window (bytes)"};
        case TcpAttribute::Length: return {"length", "TCP payload length (bytes)"};
        case TcpAttribute::Tsval: return {"tsval", "TCP timestamp value TSval (sender clock ticks)"};
        case TcpAttribute::Tsecr: return {"tsecr", "TCP timestamp echo reply TSecr (peer clock ticks)"};
    }
    return {"?", "?"};
}

AttributeInfo describe(MptcpAttribute a) {
    if (auto t = as_tcp(a)) return describe(*t);
    switch (a) {
        case MptcpAttribute::Dsn: return {"dsn", "relative data sequence number (bytes)"};
        case MptcpAttribute::DataAck: return {"data_ack", "relative DATA_ACK (bytes)"};
        case MptcpAttribute::DssLength: return {"dss_length", "DSS mapping data-level length (bytes)"};
        case MptcpAttribute::DssSsn: return {"dss_ssn", "DSS mapping relative subflow sequence number (bytes)"};
        default: return {"?", "?"};
    }
}

std::array<std::optional<int>, 2> window_scales(const PacketTable& table, const TcpConnection& conn) {
    const auto& c = table.columns();
    std::optional<int> syn, synack;
    for (auto row : conn.rows) {
        const auto f = c.flags[row];
        if (!(f & tcp_flag::kSyn)) continue;
        const bool from_client = conn.direction_of(table, row) == TcpDirection::ClientToServer;
        if (from_client && !(f & tcp_flag::kAck) && !syn) syn = c.window_scale[row];
        if (!from_client && (f & tcp_flag::kAck) && !synack) synack = c.window_scale[row];
    }
    if (!syn || !synack) return {std::nullopt, std::nullopt};
    // Scaling applies only when both ends sent the option; each end scales its own windows.
    if (*syn < 0 || *synack < 0) return {0, 0};
    return {std::min(*syn, 14), std::min(*synack, 14)};
}

std::vector<AttributePoint> tcp_attribute_series(const PacketTable& table, const TcpConnection& conn,
                                                 TcpDirection direction, TcpAttribute attribute) {
    std::vector<std::uint32_t> rows;
    for (auto row : conn.rows)
        if (conn.direction_of(table, row) == direction) rows.push_back(row);
    return tcp_values(table, rows, attribute, window_scales(table, conn)[static_cast<std::size_t>(direction)]);
}

DataDirection data_direction_of(const PacketTable& table, const TcpConnection& conn, const Subflow& sf,
                                std::uint32_t row) {
    return sf.data_direction(conn.direction_of(table, row));
}

std::vector<AttributePoint> mptcp_attribute_series(const PacketTable& table, const ConnectionModel& model,
                                                   const MptcpConnection& m, const ConnectionData& data,
                                                   std::size_t subflow, DataDirection direction,
                                                   MptcpAttribute attribute) {
    std::vector<AttributePoint> out;
    if (subflow >= m.subflows.size()) return out;
    const Subflow& sf = m.subflows[subflow];
    const TcpConnection* conn = model.find_tcp(sf.tcp_stream);
    if (!conn) return out;
    const auto& c = table.columns();
    if (auto tcp = as_tcp(attribute)) {
        std::vector<std::uint32_t> rows;
        for (auto row : conn->rows)
            if (data_direction_of(table, *conn, sf, row) == direction) rows.push_back(row);
        const TcpDirection tdir = sf.tcp_direction(direction);
        return tcp_values(table, rows, *tcp, window_scales(table, *conn)[static_cast<std::size_t>(tdir)]);
    }
    switch (attribute) {
        case MptcpAttribute::Dsn:
            for (const auto& s : data.segments)
                if (s.subflow == subflow && s.direction == direction)
                    out.push_back({s.row, c.time_ns[s.row], static_cast<double>(data.relative(direction, s.dsn))});
            break;
        case MptcpAttribute::DataAck:
            // A DATA_ACK travelling in `direction` acknowledges the other direction's data.
            for (const auto& a : data.data_acks)
                if (a.subflow == subflow && a.direction != direction)
                    out.push_back({a.row, c.time_ns[a.row], static_cast<double>(data.relative(a.direction, a.ack))});
            break;
        case MptcpAttribute::DssLength:
        case MptcpAttribute::DssSsn:
            for (const auto& d : dss_mappings(table, model, m, data))
                if (d.subflow == subflow && d.direction == direction)
                    out.push_back({d.row, c.time_ns[d.row],
                                   static_cast<double>(attribute == MptcpAttribute::DssLength ? d.length : d.subflow_seq)});
            break;
        default: break;
    }
    return out;
}

std::vector<DssMapping> dss_mappings(const PacketTable& table, const ConnectionModel& model,
                                     const MptcpConnection& m, const ConnectionData& data) {
    const auto& c = table.columns();
    struct RowRef {
        std::uint32_t row;
        std::uint16_t subflow;
    };
    std::vector<RowRef> rows;
    for (std::size_t i = 0; i < m.subflows.size(); ++i) {
        if (const TcpConnection* conn = model.find_tcp(m.subflows[i].tcp_stream))
            for (auto r : conn->rows) rows.push_back({r, static_cast<std::uint16_t>(i)});
    }
    std::sort(rows.begin(), rows.end(), [](const RowRef& a, const RowRef& b) { return a.row < b.row; });
    // 4-byte DSNs are extended near the previous mapping of their direction, starting from the
    // direction's base, as map_connection_data does.
    std::array<std::uint64_t, 2> last{data.base[0], data.base[1]};
    std::vector<DssMapping> out;
    // The last mapping listed per (subflow, direction): repeats of it are not listed again.
    std::vector<std::array<std::optional<DssMapping>, 2>> previous(m.subflows.size());
    for (const auto& ref : rows) {
        const std::uint8_t bits = c.dss_bits[ref.row];
        if (!(bits & dss_bit::kPresent) || !(bits & dss_bit::kMapping)) continue;
        const TcpConnection* conn = model.find_tcp(m.subflows[ref.subflow].tcp_stream);
        const DataDirection dir = data_direction_of(table, *conn, m.subflows[ref.subflow], ref.row);
        const auto d = static_cast<std::size_t>(dir);
        const std::uint64_t dsn = extend_dsn(c.dss_dsn[ref.row], bits & dss_bit::kDsn8, last[d]);
        last[d] = dsn;
        DssMapping mapping{ref.row, ref.subflow, dir, data.relative(dir, dsn), c.dss_subflow_seq[ref.row],
                           c.dss_length[ref.row]};
        auto& prev = previous[ref.subflow][d];
        if (prev && prev->relative_dsn == mapping.relative_dsn && prev->length == mapping.length &&
            prev->subflow_seq == mapping.subflow_seq) {
            continue;
        }
        prev = mapping;
        out.push_back(mapping);
    }
    return out;
}

std::vector<std::uint64_t> new_data_bytes(const ConnectionData& data) {
    std::array<ByteRangeUnion, 2> seen;
    std::vector<std::uint64_t> out;
    out.reserve(data.segments.size());
    for (const auto& s : data.segments) {
        const std::uint64_t start = data.relative(s.direction, s.dsn);
        out.push_back(seen[static_cast<std::size_t>(s.direction)].add(start, start + s.length));
    }
    return out;
}

std::vector<std::pair<std::uint32_t, std::uint64_t>> tcp_payload_bytes(const PacketTable& table,
                                                                       const TcpConnection& conn,
                                                                       TcpDirection direction, bool new_only) {
    const auto& c = table.columns();
    std::vector<std::pair<std::uint32_t, std::uint64_t>> out;
    Unwrapper seq;
    ByteRangeUnion seen;
    for (auto row : conn.rows) {
        if (conn.direction_of(table, row) != direction) continue;
        const std::uint32_t len = c.payload_length[row];
        // Data on a SYN starts one past the SYN's sequence number.
        const std::int64_t start = seq(c.seq_relative[row]) + ((c.flags[row] & tcp_flag::kSyn) ? 1 : 0);
        if (len == 0) continue;
        if (!new_only) {
            out.emplace_back(row, len);
            continue;
        }
        // Offset by 2^32 so that segments slightly before the first one stay non-negative.
        const auto s = static_cast<std::uint64_t>(start + (std::int64_t{1} << 32));
        out.emplace_back(row, seen.add(s, s + len));
    }
    return out;
}

}  // namespace mptcpanalyzer
