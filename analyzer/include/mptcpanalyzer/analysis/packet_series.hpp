#pragma once
// Per-packet values of one TCP connection or MPTCP connection, as the plots need them: a
// numeric attribute of each packet (sequence number, window, DSN, DATA_ACK, ...), the DSS
// mappings as announced, and each segment's new bytes (its first transmission only). The
// names of the attributes are a fixed list, so completion can offer them.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "mptcpanalyzer/analysis/mptcp_data.hpp"
#include "mptcpanalyzer/model/connections.hpp"

namespace mptcpanalyzer {

// A per-packet TCP attribute, values in the packet's own TCP direction.
enum class TcpAttribute : std::uint8_t {
    Seq,     // relative sequence number of the first payload byte (bytes, 64-bit, wrap-free)
    Ack,     // relative acknowledgment number (bytes), packets with ACK only
    Window,  // receive window, scaled by the handshake's window scale when both SYNs were seen
    Length,  // payload length (bytes)
    Tsval,   // TCP timestamp value (sender's clock ticks), packets with timestamps only
    Tsecr,   // TCP timestamp echo reply, packets with timestamps only
};

// An MPTCP attribute: the TCP ones on each subflow, plus data-level values.
enum class MptcpAttribute : std::uint8_t {
    Dsn,         // relative DSN of the segment's first data byte (mapped segments only)
    DataAck,     // relative DATA_ACK (acknowledging the other direction's data)
    DssLength,   // data-level length of the DSS mapping the packet announces
    DssSsn,      // relative subflow sequence number of the mapping the packet announces
    Seq, Ack, Window, Length, Tsval, Tsecr,  // as TcpAttribute, on each subflow
};

struct AttributeInfo {
    std::string_view name;   // command-line name, e.g. "seq"
    std::string_view label;  // axis label with the unit, e.g. "relative sequence number (bytes)"
};

std::span<const std::string_view> tcp_attribute_names();
std::span<const std::string_view> mptcp_attribute_names();
std::optional<TcpAttribute> parse_tcp_attribute(std::string_view name);
std::optional<MptcpAttribute> parse_mptcp_attribute(std::string_view name);
AttributeInfo describe(TcpAttribute a);
AttributeInfo describe(MptcpAttribute a);

// One value of one packet.
struct AttributePoint {
    std::uint32_t row = 0;
    std::int64_t time_ns = 0;
    double value = 0;
};

// The window scale shift of each TCP direction (indexed by TcpDirection): applied only when both
// SYNs carried the option (RFC 7323), nullopt when the handshake was not captured.
std::array<std::optional<int>, 2> window_scales(const PacketTable& table, const TcpConnection& connection);

// Values of `attribute` for the packets of `connection` in TCP direction `direction`, in capture
// order; packets where the attribute does not exist (no ACK flag, no timestamps) are skipped.
std::vector<AttributePoint> tcp_attribute_series(const PacketTable& table, const TcpConnection& connection,
                                                 TcpDirection direction, TcpAttribute attribute);

// Values of `attribute` for the packets of subflow `subflow` sent in data direction `direction`
// (towards the MPTCP server or client). DataAck values are relative to the acknowledged
// direction's base; Dsn values to this direction's.
std::vector<AttributePoint> mptcp_attribute_series(const PacketTable& table, const ConnectionModel& model,
                                                   const MptcpConnection& connection, const ConnectionData& data,
                                                   std::size_t subflow, DataDirection direction,
                                                   MptcpAttribute attribute);

// The data direction of a row of a subflow (the direction its packet travels).
DataDirection data_direction_of(const PacketTable& table, const TcpConnection& subflow_connection,
                                const Subflow& subflow, std::uint32_t row);

// A DSS mapping as a packet announced it: data-level range [dsn, dsn + length) mapped onto
// the subflow. Linux repeats a mapping on every segment it covers; consecutive repeats on a
// subflow are listed once, at the first announcement.
struct DssMapping {
    std::uint32_t row = 0;
    std::uint16_t subflow = 0;
    DataDirection direction = DataDirection::ToServer;
    std::uint64_t relative_dsn = 0;  // relative to the direction's base (ConnectionData::base)
    std::uint32_t subflow_seq = 0;   // relative subflow sequence number
    std::uint32_t length = 0;        // data-level length; 0 = infinite mapping (fallback)
};

std::vector<DssMapping> dss_mappings(const PacketTable& table, const ConnectionModel& model,
                                     const MptcpConnection& connection, const ConnectionData& data);

// Each data segment's new bytes: those of its DSN range no earlier segment (on any subflow)
// carried. Parallel to data.segments; per direction they add up to data.application_bytes().
std::vector<std::uint64_t> new_data_bytes(const ConnectionData& data);

// Payload of each packet of one TCP direction, in capture order: all bytes (throughput), or
// only the sequence space not seen before in the capture (goodput).
std::vector<std::pair<std::uint32_t, std::uint64_t>> tcp_payload_bytes(const PacketTable& table,
                                                                       const TcpConnection& connection,
                                                                       TcpDirection direction, bool new_only);

}  // namespace mptcpanalyzer
