#pragma once
// Our own data-level arithmetic: every data segment of an MPTCP connection gets its 64-bit data
// sequence number range, from the DSS mappings (mapping DSN + (subflow seq - mapping subflow
// seq)), with 4-byte DSNs and DATA_ACKs extended to 64 bits near the last value of their
// direction, so ranges stay continuous across 2^32 wraps. Relative DSNs count from the
// sender's initial DSN (derived from its key): the first data byte is 1.
// Wireshark's mptcp.rawdsn64/mptcp.dsn are not used (wrong after a wrap, see the notes).

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "mptcpanalyzer/model/connections.hpp"

namespace mptcpanalyzer {

struct DataSegment {
    std::uint32_t row = 0;
    std::uint16_t subflow = 0;  // index in MptcpConnection::subflows
    DataDirection direction = DataDirection::ToServer;
    std::uint64_t dsn = 0;      // 64-bit DSN of the first byte
    std::uint32_t length = 0;   // payload bytes
};

struct DataAck {
    std::uint32_t row = 0;
    std::uint16_t subflow = 0;
    DataDirection direction = DataDirection::ToServer;  // direction of the data it acknowledges
    std::uint64_t ack = 0;                              // 64-bit DATA_ACK
};

// The verdict on one DSS checksum (RFC 8684 3.3.1), where the mapping's whole data was captured.
struct ChecksumCheck {
    std::uint32_t row = 0;      // the segment that carried the mapping and its checksum
    std::uint32_t last_row = 0; // the segment that completed the mapping's data
    std::uint16_t subflow = 0;
    DataDirection direction = DataDirection::ToServer;
    bool valid = false;
};

struct ConnectionData {
    std::vector<DataSegment> segments;     // capture order
    std::vector<DataAck> data_acks;        // capture order
    std::vector<std::uint32_t> unmapped;   // rows with payload that no mapping covers
    std::vector<ChecksumCheck> checksums;  // DSS checksums we could verify, capture order
    // The base of relative DSNs per direction: the sender's initial DSN when its key is known,
    // else one below the lowest DSN seen. Relative DSNs (wrapping subtraction) are what ranges
    // and comparisons use: absolute ones may wrap past 2^64.
    std::array<std::uint64_t, 2> base{};
    std::array<bool, 2> base_from_key{};

    std::uint64_t relative(DataDirection d, std::uint64_t dsn) const { return dsn - base[static_cast<std::size_t>(d)]; }
    // Unique application bytes (DSN space covered by data, holes excluded) per direction.
    std::uint64_t application_bytes(DataDirection d) const;
};

// Extends a DSN or DATA_ACK that may be 4 bytes to 64 bits, near `last` (nullopt: no reference).
std::uint64_t extend_dsn(std::uint64_t raw, bool eight_bytes, std::optional<std::uint64_t> last);

ConnectionData map_connection_data(const PacketTable& table, const ConnectionModel& model,
                                   const MptcpConnection& connection);

// What map_connection_data finds, handed over as it is found instead of kept: the same pass in
// capture order over the subflows' rows (merged from their per-connection row lists), so an
// analysis that needs only totals holds no per-segment state. For every row of a subflow,
// row() comes first, then at most one of segment() or unmapped() (payload rows only), with any
// data_ack() and checksum() the row yields. DataSegment::dsn is absolute: relative DSNs need
// the base, known at the start only when the sender's key is (see scan_connection_data).
class ConnectionDataSink {
public:
    virtual ~ConnectionDataSink() = default;
    virtual void row(std::uint32_t /*row*/, std::uint16_t /*subflow*/, TcpDirection /*direction*/) {}
    virtual void segment(const DataSegment& /*segment*/) {}
    virtual void data_ack(const DataAck& /*ack*/) {}
    virtual void unmapped(std::uint32_t /*row*/) {}
    virtual void checksum(const ChecksumCheck& /*check*/) {}
};

// The bases of relative DSNs as map_connection_data sets ConnectionData::base and
// base_from_key. Those from keys are known before the pass (`known_bases`), the others only
// after it.
struct DsnBases {
    std::array<std::uint64_t, 2> base{};
    std::array<bool, 2> from_key{};
};
DsnBases known_bases(const MptcpConnection& connection);

// Runs the pass, feeding `sink`, and returns the final bases (map_connection_data is this pass
// with a sink that keeps everything).
DsnBases scan_connection_data(const PacketTable& table, const ConnectionModel& model,
                              const MptcpConnection& connection, ConnectionDataSink& sink);

}  // namespace mptcpanalyzer
