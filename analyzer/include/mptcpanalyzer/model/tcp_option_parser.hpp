#pragma once
// Parsing of the TCP header's option block, done by us from the raw bytes.
//
// Why not Wireshark's fields: the `tcp` tap (the fast path, no protocol tree) lacks TCP
// timestamps and most MPTCP option contents (ADD_ADDR addresses, receiver keys, HMACs...),
// and building a tree to read them costs ~65% more dissection time. The tap does give us the
// ports, raw seq/ack and header length, which locate the header in the captured bytes; the
// option block is then a few dozen bytes to decode. Pure code: no libwireshark here.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "mptcpanalyzer/model/packet_record.hpp"

namespace mptcpanalyzer {

// Finds the TCP header of the segment (sport, dport, seq, ack, header length in bytes) in
// `bytes`. Returns its offset, or nullopt when it is not there (cut off, reassembled IP).
std::optional<std::size_t> find_tcp_header(std::span<const std::uint8_t> bytes, std::uint16_t sport,
                                           std::uint16_t dport, std::uint32_t seq_raw,
                                           std::uint32_t ack_raw, std::uint8_t header_length);

// Decodes the option block (the bytes after the fixed 20-byte header, possibly cut short by the
// snapshot length) into `record`: timestamps, MSS, window scale and every MPTCP option.
// `complete` says whether the whole block was captured; a cut option is marked truncated.
void parse_tcp_options(std::span<const std::uint8_t> options, bool complete, PacketRecord& record);

// RFC 1071 ones' complement sum of `bytes` as 16-bit big-endian words (an odd last byte is
// padded with zero), folded to 16 bits and not inverted.
std::uint16_t ones_complement_sum(std::span<const std::uint8_t> bytes);

// Decodes one MPTCP option (kind, length, subtype... as on the wire). Exposed for tests.
MptcpOption parse_mptcp_option(std::span<const std::uint8_t> option);

}  // namespace mptcpanalyzer
