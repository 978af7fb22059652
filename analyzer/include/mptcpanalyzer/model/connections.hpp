#pragma once
// The connection model: TCP connections (one per Wireshark tcp.stream) oriented by their
// handshake, and MPTCP connections with their subflows, keys, tokens and fallbacks, built from
// a PacketTable by our own logic. Protocol oddities are recorded as anomalies, never thrown.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mptcpanalyzer/model/ip_address.hpp"
#include "mptcpanalyzer/model/mptcp_crypto.hpp"
#include "mptcpanalyzer/model/packet_table.hpp"

namespace mptcpanalyzer {

struct Endpoint {
    IpAddress address;
    std::uint16_t port = 0;
    // "10.0.0.1:5201", "[fd00::1]:5201"
    std::string to_string() const;
    auto operator<=>(const Endpoint&) const = default;
};

// A segment's direction within its TCP connection.
enum class TcpDirection : std::uint8_t { ClientToServer = 0, ServerToClient = 1 };
const char* to_string(TcpDirection d);

// MPTCP data direction: towards the MPTCP server (sent by the client) or towards the client.
enum class DataDirection : std::uint8_t { ToServer = 0, ToClient = 1 };
const char* to_string(DataDirection d);

// What decided which end is the client. Only `Syn` is certain; the others are inferred.
enum class Orientation : std::uint8_t { Syn, SynAck, PortNumbers, FirstPacket };
const char* to_string(Orientation o);

// How a TCP connection (or one direction of it) ended in the capture.
enum class TcpEnd : std::uint8_t { Open, HalfClosed, Fin, Rst };
const char* to_string(TcpEnd e);

struct TcpDirectionStats {
    std::uint64_t packets = 0;
    // payload_bytes = unique_bytes + retransmitted_bytes; from the first to the last captured
    // byte, the sequence space is unique_bytes + hole_bytes (model/sequence_coverage.hpp).
    std::uint64_t payload_bytes = 0;         // sum of payload lengths, retransmissions included
    std::uint64_t unique_bytes = 0;          // sequence space covered by captured payload (wrap-aware)
    std::uint64_t retransmitted_bytes = 0;   // payload bytes whose sequence space was already covered
    std::uint64_t hole_bytes = 0;            // sequence space between the first and last byte never captured
    std::int64_t first_ns = 0;
    std::int64_t last_ns = 0;
    bool syn = false;
    bool fin = false;
    bool rst = false;
};

struct TcpConnection {
    std::uint32_t tcp_stream = 0;
    Endpoint client;
    Endpoint server;
    Orientation orientation = Orientation::Syn;
    std::array<TcpDirectionStats, 2> directions{};  // indexed by TcpDirection
    std::vector<std::uint32_t> rows;                // table rows, capture order
    TcpEnd end = TcpEnd::Open;
    bool port_reused = false;                       // Wireshark split a reused 4-tuple here
    int mptcp_index = -1;                           // index in ConnectionModel::mptcp, or -1
    int subflow_index = -1;                         // index in that connection's subflows

    bool orientation_inferred() const { return orientation != Orientation::Syn; }
    // Direction of a row of this connection (compares with the client endpoint).
    TcpDirection direction_of(const PacketTable& table, std::uint32_t row) const;
    const TcpDirectionStats& stats(TcpDirection d) const { return directions[static_cast<std::size_t>(d)]; }
    std::int64_t first_ns() const;
    std::int64_t last_ns() const;
};

// Unknown: neither MP_CAPABLE nor MP_JOIN was captured on it (a subflow of a connection known
// only by Wireshark's mptcp.stream).
enum class SubflowRole : std::uint8_t { Initial, Join, Unknown };
const char* to_string(SubflowRole r);

// How a subflow was attached to its MPTCP connection.
enum class Attachment : std::uint8_t {
    MpCapable,       // the initial subflow's own handshake
    Token,           // MP_JOIN token matched a key seen in the capture
    WiresharkStream, // no usable handshake: attached by Wireshark's mptcp.stream
};
const char* to_string(Attachment a);

// Why an MPTCP connection fell back to plain TCP (RFC 8684 3.7).
enum class Fallback : std::uint8_t {
    None,
    NoMpCapableReply,   // the SYN/ACK has no MP_CAPABLE: the peer (or a middlebox) refused MPTCP
    NoMpCapableAck,     // the third ACK lacks MP_CAPABLE
    NoDss,              // data flowed without any DSS: option stripped on the path
    InfiniteMapping,    // a DSS with data-level length 0
    AfterMpFail,        // after an MP_FAIL, the only subflow in use carried data without DSS mapping
};
const char* to_string(Fallback f);

struct BackupChange {
    std::int64_t time_ns = 0;
    std::uint32_t frame = 0;
    bool backup = false;
    bool from_subflow_client = false;  // sent by the subflow's TCP client
    const char* how = "";              // "MP_JOIN" or "MP_PRIO"
};

struct Subflow {
    std::uint32_t tcp_stream = 0;
    SubflowRole role = SubflowRole::Initial;
    Attachment attachment = Attachment::MpCapable;
    bool towards_server = true;  // the subflow's TCP server is the MPTCP server
    std::optional<std::uint8_t> client_address_id;  // ids sent in the MP_JOIN SYN / SYN/ACK
    std::optional<std::uint8_t> server_address_id;
    bool backup = false;                             // at the end of the capture
    std::vector<BackupChange> backup_changes;
    std::optional<bool> hmac_valid;                  // MP_JOIN HMACs checked when keys are known
    std::optional<std::uint8_t> tcprst_reason;       // MP_TCPRST reason, when one was sent
    bool fastclose = false;                          // an MP_FASTCLOSE was sent on it

    // The TCP direction of this subflow that carries data in `direction`, and back: data to the
    // MPTCP server flows client->server on a subflow whose TCP server is the MPTCP server.
    TcpDirection tcp_direction(DataDirection direction) const {
        return (direction == DataDirection::ToServer) == towards_server ? TcpDirection::ClientToServer
                                                                        : TcpDirection::ServerToClient;
    }
    DataDirection data_direction(TcpDirection direction) const {
        return (direction == TcpDirection::ClientToServer) == towards_server ? DataDirection::ToServer
                                                                             : DataDirection::ToClient;
    }
};

struct MptcpConnection {
    std::int64_t mptcp_stream = -1;  // Wireshark's mptcp.stream (-1: Wireshark gave none)
    std::uint32_t initial_tcp_stream = 0;
    int version = -1;                // 0, 1, -1 unknown
    Endpoint client;                 // of the initial subflow
    Endpoint server;
    std::optional<std::uint64_t> client_key;
    std::optional<std::uint64_t> server_key;
    KeyDerived client_derived{};     // valid when client_key
    KeyDerived server_derived{};
    bool checksums = false;          // DSS checksums negotiated
    Fallback fallback = Fallback::None;
    std::uint32_t fallback_frame = 0;
    // The end whose segment shows the fallback (valid when fallback != None): ToServer when the
    // client sent it (the third ACK without MP_CAPABLE, its data without DSS, its infinite
    // mapping), ToClient when the server did (the SYN/ACK without MP_CAPABLE, ...).
    DataDirection fallback_direction = DataDirection::ToServer;
    std::vector<Subflow> subflows;   // initial first, then joins by first packet

    std::optional<std::uint32_t> client_token() const;
    std::optional<std::uint32_t> server_token() const;
};

// A protocol oddity, recorded as data (Zeek style "weird").
struct Anomaly {
    std::uint32_t frame = 0;
    std::uint32_t tcp_stream = 0;
    std::int64_t mptcp_stream = -1;
    std::string kind;    // stable snake_case name, e.g. "missing_handshake", "unknown_join_token"
    std::string detail;  // human explanation
};

class ConnectionModel {
public:
    static ConnectionModel build(const PacketTable& table);

    std::vector<TcpConnection> tcp;      // by ascending tcp.stream
    std::vector<MptcpConnection> mptcp;  // by ascending mptcp.stream (Wireshark-less last)
    // TCP streams that carry MP_JOIN (or MPTCP options) but belong to no known connection.
    std::vector<std::uint32_t> unattached_subflows;
    std::vector<Anomaly> anomalies;      // by frame

    const TcpConnection* find_tcp(std::uint32_t tcp_stream) const;
    const MptcpConnection* find_mptcp(std::int64_t mptcp_stream) const;
    // The connection a tcp.stream is a subflow of, or nullptr.
    const MptcpConnection* mptcp_of(std::uint32_t tcp_stream) const;
    std::vector<std::uint32_t> tcp_streams() const;
    std::vector<std::int64_t> mptcp_streams() const;

private:
    std::vector<int> tcp_index_;  // tcp.stream -> index in tcp, or -1
};

}  // namespace mptcpanalyzer
