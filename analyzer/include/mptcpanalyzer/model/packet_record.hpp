#pragma once
// PacketRecord: everything the analyses need to know about one TCP segment, as plain data.
// The capture reader and the Wireshark plugin both produce these (through the same
// RecordBuilder); nothing downstream of this header depends on libwireshark.

#include <array>
#include <cstdint>
#include <vector>

#include "mptcpanalyzer/model/ip_address.hpp"

namespace mptcpanalyzer {

// TCP header flag bits, as on the wire (low 12 bits of the flags field).
namespace tcp_flag {
inline constexpr std::uint16_t kFin = 0x001;
inline constexpr std::uint16_t kSyn = 0x002;
inline constexpr std::uint16_t kRst = 0x004;
inline constexpr std::uint16_t kPsh = 0x008;
inline constexpr std::uint16_t kAck = 0x010;
inline constexpr std::uint16_t kUrg = 0x020;
inline constexpr std::uint16_t kEce = 0x040;
inline constexpr std::uint16_t kCwr = 0x080;
inline constexpr std::uint16_t kAe = 0x100;
}  // namespace tcp_flag

enum class MptcpSubtype : std::uint8_t {
    Capable = 0,
    Join = 1,
    Dss = 2,
    AddAddr = 3,
    RemoveAddr = 4,
    Prio = 5,
    Fail = 6,
    FastClose = 7,
    TcpRst = 8,
    Experimental = 15,
};

// One MPTCP option (TCP option kind 30) of a segment. A segment can carry several
// (MP_CAPABLE + DSS, ADD_ADDR + DSS, ...). Only the fields of `subtype` are meaningful;
// `has_*` flags say which optional parts were present on the wire.
struct MptcpOption {
    MptcpSubtype subtype = MptcpSubtype::Capable;
    std::uint8_t length = 0;      // the option's length byte
    std::uint8_t flags = 0;       // subtype-specific flag byte(s) as on the wire (see docs/output-formats.md)
    std::uint8_t version = 0;     // MP_CAPABLE: protocol version (0 or 1)
    std::uint8_t address_id = 0;  // MP_JOIN, ADD_ADDR, MP_PRIO (v0 with id)
    bool has_address_id = false;  // MP_PRIO carries an id only in v0
    bool backup = false;          // MP_JOIN B bit, MP_PRIO B bit
    bool truncated = false;       // the option was cut by the snapshot length or malformed

    // MP_CAPABLE keys; MP_FASTCLOSE puts the receiver's key in receiver_key.
    bool has_sender_key = false;
    bool has_receiver_key = false;
    std::uint64_t sender_key = 0;
    std::uint64_t receiver_key = 0;

    // MP_JOIN: receiver token (SYN), sender nonce (SYN, SYN/ACK), HMAC (8 bytes on SYN/ACK,
    // 20 bytes on the third ACK).
    bool has_token = false;
    std::uint32_t token = 0;
    bool has_nonce = false;
    std::uint32_t nonce = 0;
    std::uint8_t hmac_length = 0;
    std::array<std::uint8_t, 20> hmac{};

    // DSS (and the data-level length / checksum of a v1 MP_CAPABLE carrying data).
    bool has_data_ack = false;
    bool data_ack_8 = false;  // DATA_ACK is 8 bytes on the wire
    std::uint64_t data_ack = 0;
    bool has_mapping = false;
    bool dsn_8 = false;  // DSN is 8 bytes on the wire
    std::uint64_t dsn = 0;  // also MP_FAIL's DSN
    std::uint32_t subflow_seq = 0;
    std::uint16_t data_level_length = 0;
    bool has_checksum = false;
    std::uint16_t checksum = 0;
    bool data_fin = false;

    // ADD_ADDR (echo is the E bit; v0 has no echo and no HMAC).
    bool echo = false;
    IpAddress address;
    bool has_port = false;
    std::uint16_t port = 0;

    // REMOVE_ADDR: the address ids, in wire order.
    std::vector<std::uint8_t> address_ids;

    // MP_TCPRST: flags are in `flags`, the reason code here.
    std::uint8_t reason = 0;
};

struct PacketRecord {
    static constexpr std::int64_t kUnknownMptcpStream = -1;
    static constexpr std::uint32_t kNoInterface = 0xffffffffU;

    std::uint32_t frame_number = 0;
    std::int64_t time_ns = 0;  // capture time, nanoseconds since the Unix epoch
    std::uint32_t interface_id = kNoInterface;

    IpAddress src;
    IpAddress dst;
    std::uint16_t sport = 0;
    std::uint16_t dport = 0;

    std::uint32_t tcp_stream = 0;  // Wireshark's tcp.stream
    std::uint32_t seq_raw = 0;
    std::uint32_t ack_raw = 0;
    std::uint32_t payload_length = 0;
    std::uint16_t flags = 0;
    std::uint16_t window_raw = 0;  // window field as on the wire (unscaled)

    // TCP options we parse ourselves. -1 / false when absent.
    bool has_timestamps = false;
    std::uint32_t tsval = 0;
    std::uint32_t tsecr = 0;
    std::int8_t window_scale = -1;  // shift count of a window-scale option (SYN only)
    std::uint16_t mss = 0;          // 0 when no MSS option
    bool options_unavailable = false;  // header not found in the captured bytes (e.g. cut off)

    // Ones' complement sum (RFC 1071, folded, not inverted) of the TCP payload, computed only for
    // segments carrying a DSS checksum and captured whole: it lets us verify DSS checksums.
    bool has_payload_sum = false;
    std::uint16_t payload_sum = 0;

    // Wireshark's mptcp.stream, or kUnknownMptcpStream when Wireshark did not attach the
    // segment to an MPTCP connection (plain TCP, or before it knows the connection).
    std::int64_t mptcp_stream = kUnknownMptcpStream;
    std::vector<MptcpOption> mptcp_options;

    bool has_flag(std::uint16_t f) const { return (flags & f) != 0; }
};

}  // namespace mptcpanalyzer
