#pragma once
// The packet table's columns and the fields of an MPTCP option, declared once.
//
// From the two column lists follow:
//   - the scalar fields of PacketRecord (packet_record.hpp),
//   - PacketTable::Columns, its visiting order, reserve/validate/memory accounting, and the
//     field-for-field part of PacketTable::append and record_into (packet_table.hpp/.cpp),
//   - the cache codec: every column is written and checked by name and element width, in this
//     order (cache/table_cache.cpp; PacketTable::kSchemaVersion is part of the cache key).
// What the user sees (the `export` columns and their documentation) is a second, separate list
// in export/packet_export.cpp, because it decodes MPTCP options rather than mirroring storage.
//
// From MPTCP_OPTION_FIELDS follow MptcpOption's fields and their cache encoding (options other
// than the per-segment DSS are kept whole, in the table's side list).
//
// To add a fact every packet has: one line in MPTCP_PACKET_RECORD_COLUMNS (the record producers
// then fill the new field; everything above follows), then bump PacketTable::kSchemaVersion.
// A column the table computes itself goes in MPTCP_PACKET_DERIVED_COLUMNS and is filled in
// PacketTable::append.
//
// Columns hold trivially copyable values only. Lines are X(...) macro calls (comments must be
// /* */ inside them: a // comment would swallow the line continuation).

// X(name, column type, record field type, record field default, meaning)
// The record field and the column have the same name; append() stores the field (narrowed to the
// column type where that is smaller: mptcp_stream) and record_into() reads it back.
#define MPTCP_PACKET_RECORD_COLUMNS(X)                                                                         \
    X(frame_number, std::uint32_t, std::uint32_t, 0, "frame number in the capture, from 1")                   \
    X(time_ns, std::int64_t, std::int64_t, 0, "capture time, nanoseconds since the Unix epoch")               \
    X(interface_id, std::uint32_t, std::uint32_t, kNoInterface, "wiretap interface id, or kNoInterface")      \
    X(sport, std::uint16_t, std::uint16_t, 0, "TCP source port")                                              \
    X(dport, std::uint16_t, std::uint16_t, 0, "TCP destination port")                                         \
    X(tcp_stream, std::uint32_t, std::uint32_t, 0, "Wireshark's tcp.stream")                                  \
    X(seq_raw, std::uint32_t, std::uint32_t, 0, "sequence number as on the wire")                             \
    X(ack_raw, std::uint32_t, std::uint32_t, 0, "acknowledgment number as on the wire")                       \
    X(payload_length, std::uint32_t, std::uint32_t, 0, "TCP payload bytes")                                   \
    X(flags, std::uint16_t, std::uint16_t, 0, "TCP flag bits as on the wire (tcp_flag)")                      \
    X(window_raw, std::uint16_t, std::uint16_t, 0, "window field as on the wire (unscaled)")                  \
    X(tsval, std::uint32_t, std::uint32_t, 0, "timestamp option TSval (valid when has_timestamps)")           \
    X(tsecr, std::uint32_t, std::uint32_t, 0, "timestamp option TSecr (valid when has_timestamps)")           \
    X(window_scale, std::int8_t, std::int8_t, -1, "window-scale shift count (SYN only), -1 when absent")      \
    X(mss, std::uint16_t, std::uint16_t, 0, "MSS option value, 0 when absent")                                \
    X(payload_sum, std::uint16_t, std::uint16_t, 0,                                                           \
      "ones' complement sum (RFC 1071, folded, not inverted) of the payload, valid when has_payload_sum; "   \
      "computed only for segments with a DSS checksum captured whole, to verify it")                          \
    X(mptcp_stream, std::int32_t, std::int64_t, kUnknownMptcpStream,                                          \
      "Wireshark's mptcp.stream, or kUnknownMptcpStream when Wireshark attached none")

// X(name, column type, meaning): columns PacketTable::append computes from a record.
#define MPTCP_PACKET_DERIVED_COLUMNS(X)                                                                        \
    X(src, std::uint32_t, "source address, index into PacketTable::addresses()")                              \
    X(dst, std::uint32_t, "destination address, index into PacketTable::addresses()")                         \
    X(seq_relative, std::uint32_t, "relative sequence number (Wireshark's first-pass rule)")                  \
    X(ack_relative, std::uint32_t, "relative acknowledgment number, 0 without ACK flag")                      \
    X(misc, std::uint8_t, "row_bit: has_timestamps, options_unavailable, has_payload_sum")                    \
    X(mptcp_subtypes, std::uint16_t, "bit (1 << subtype) for every MPTCP option present")                     \
    X(dss_bits, std::uint8_t, "dss_bit: presence and flags of the segment's first DSS option")                \
    X(dss_position, std::uint8_t, "index of that DSS among the segment's MPTCP options")                      \
    X(dss_flags, std::uint8_t, "the DSS flag byte as on the wire")                                            \
    X(dss_data_ack, std::uint64_t, "DSS DATA_ACK as on the wire")                                             \
    X(dss_dsn, std::uint64_t, "DSS data sequence number as on the wire")                                      \
    X(dss_subflow_seq, std::uint32_t, "DSS relative subflow sequence number")                                 \
    X(dss_length, std::uint16_t, "DSS data-level length")                                                     \
    X(dss_checksum, std::uint16_t, "DSS checksum")                                                            \
    X(dss_option_length, std::uint8_t, "the DSS option's length byte")

// Every column, record columns first: the order of PacketTable::Columns::for_each and of the cache.
// X(name, column type, ...)
#define MPTCP_PACKET_COLUMNS(X)          \
    MPTCP_PACKET_RECORD_COLUMNS(X)       \
    MPTCP_PACKET_DERIVED_COLUMNS(X)

// X(name, type, default, meaning): the fields of MptcpOption, in declaration order (also the
// order of the cache's encoding). Only the fields of `subtype` are meaningful; `has_*` flags say
// which optional parts were present on the wire. Types are those the cache can encode: integers,
// bool, enums, MptcpHmac, IpAddress, MptcpAddressIds.
#define MPTCP_OPTION_FIELDS(X)                                                                                 \
    X(subtype, MptcpSubtype, MptcpSubtype::Capable, "the option's subtype")                                   \
    X(length, std::uint8_t, 0, "the option's length byte")                                                    \
    X(flags, std::uint8_t, 0, "subtype-specific flag byte(s) as on the wire (docs/output-formats.md)")       \
    X(version, std::uint8_t, 0, "MP_CAPABLE: protocol version (0 or 1)")                                      \
    X(address_id, std::uint8_t, 0, "MP_JOIN, ADD_ADDR, MP_PRIO (v0 with id)")                                 \
    X(has_address_id, bool, false, "address_id is present (MP_PRIO carries one only in v0)")                  \
    X(backup, bool, false, "MP_JOIN B bit, MP_PRIO B bit")                                                    \
    X(truncated, bool, false, "the option was cut by the snapshot length or malformed")                       \
    X(has_sender_key, bool, false, "sender_key is present")                                                   \
    X(has_receiver_key, bool, false, "receiver_key is present")                                               \
    X(sender_key, std::uint64_t, 0, "MP_CAPABLE: the sender's key")                                           \
    X(receiver_key, std::uint64_t, 0, "MP_CAPABLE: the receiver's key; MP_FASTCLOSE: the receiver's key")     \
    X(has_token, bool, false, "token is present")                                                             \
    X(token, std::uint32_t, 0, "MP_JOIN SYN: the receiver's token")                                           \
    X(has_nonce, bool, false, "nonce is present")                                                             \
    X(nonce, std::uint32_t, 0, "MP_JOIN SYN and SYN/ACK: the sender's random number")                         \
    X(hmac_length, std::uint8_t, 0, "HMAC bytes: 8 on the SYN/ACK, 20 on the third ACK, else 0")              \
    X(hmac, MptcpHmac, MptcpHmac{}, "MP_JOIN HMAC, its first hmac_length bytes")                              \
    X(has_data_ack, bool, false, "DSS: data_ack is present")                                                  \
    X(data_ack_8, bool, false, "DSS: DATA_ACK is 8 bytes on the wire")                                        \
    X(data_ack, std::uint64_t, 0, "DSS: DATA_ACK as on the wire")                                             \
    X(has_mapping, bool, false, "DSS: a mapping (dsn, subflow_seq, data_level_length) is present")            \
    X(dsn_8, bool, false, "DSS: the DSN is 8 bytes on the wire")                                              \
    X(dsn, std::uint64_t, 0, "DSS: the mapping's data sequence number as on the wire; MP_FAIL: its DSN")      \
    X(subflow_seq, std::uint32_t, 0, "DSS: the mapping's relative subflow sequence number")                   \
    X(data_level_length, std::uint16_t, 0, "DSS mapping (or v1 MP_CAPABLE with data): data-level length")     \
    X(has_checksum, bool, false, "checksum is present")                                                       \
    X(checksum, std::uint16_t, 0, "DSS (or v1 MP_CAPABLE with data): checksum")                               \
    X(data_fin, bool, false, "DSS: DATA_FIN")                                                                 \
    X(echo, bool, false, "ADD_ADDR: E bit (v1; v0 has no echo and no HMAC)")                                  \
    X(address, IpAddress, IpAddress{}, "ADD_ADDR: the address")                                               \
    X(has_port, bool, false, "port is present")                                                               \
    X(port, std::uint16_t, 0, "ADD_ADDR: the port")                                                           \
    X(address_ids, MptcpAddressIds, MptcpAddressIds{}, "REMOVE_ADDR: the address ids, in wire order")         \
    X(reason, std::uint8_t, 0, "MP_TCPRST: the reason code (its flags are in `flags`)")
