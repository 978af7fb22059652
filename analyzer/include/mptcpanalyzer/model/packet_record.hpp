#pragma once
// PacketRecord: everything the analyses need to know about one TCP segment, as plain data.
// The capture reader and the Wireshark plugin both produce these (through the same
// RecordBuilder); nothing downstream of this header depends on libwireshark.

#include <array>
#include <cstdint>
#include <vector>

#include "mptcpanalyzer/model/ip_address.hpp"
#include "mptcpanalyzer/model/packet_schema.hpp"

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

using MptcpHmac = std::array<std::uint8_t, 20>;
using MptcpAddressIds = std::vector<std::uint8_t>;

// One MPTCP option (TCP option kind 30) of a segment. A segment can carry several
// (MP_CAPABLE + DSS, ADD_ADDR + DSS, ...). The fields and their meaning are declared once in
// MPTCP_OPTION_FIELDS (packet_schema.hpp), from which the cache's encoding follows too.
struct MptcpOption {
#define MPTCP_OPTION_FIELD(name, type, initial, meaning) type name = initial;
    MPTCP_OPTION_FIELDS(MPTCP_OPTION_FIELD)
#undef MPTCP_OPTION_FIELD
};

struct PacketRecord {
    static constexpr std::int64_t kUnknownMptcpStream = -1;
    static constexpr std::uint32_t kNoInterface = 0xffffffffU;

    // The fixed-width facts (frame_number, time_ns, ports, sequence numbers, ...) are declared
    // once, with their meaning, in MPTCP_PACKET_RECORD_COLUMNS (packet_schema.hpp): the packet
    // table's columns and the cache follow from the same lines.
#define MPTCP_RECORD_FIELD(name, column_type, record_type, initial, meaning) record_type name = initial;
    MPTCP_PACKET_RECORD_COLUMNS(MPTCP_RECORD_FIELD)
#undef MPTCP_RECORD_FIELD

    IpAddress src;
    IpAddress dst;

    bool has_timestamps = false;       // tsval and tsecr are valid
    bool options_unavailable = false;  // header not found in the captured bytes (e.g. cut off)
    bool has_payload_sum = false;      // payload_sum is valid

    // Every MPTCP option of the segment, in wire order.
    std::vector<MptcpOption> mptcp_options;

    bool has_flag(std::uint16_t f) const { return (flags & f) != 0; }
};

}  // namespace mptcpanalyzer
