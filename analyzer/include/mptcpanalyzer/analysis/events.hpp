#pragma once
// The MPTCP timeline: every control event seen on the subflows of a connection (MP_CAPABLE,
// MP_JOIN with its HMAC verdict, ADD_ADDR, REMOVE_ADDR, MP_PRIO, MP_FAIL, MP_FASTCLOSE,
// MP_TCPRST, DATA_FIN, fallback, infinite mapping), in capture order.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mptcpanalyzer/analysis/mptcp_data.hpp"
#include "mptcpanalyzer/model/connections.hpp"

namespace mptcpanalyzer {

// A detail's value, typed: how it is shown (yes/no, hex digits) is the report layer's business.
struct EventValue {
    enum class Kind : std::uint8_t {
        Flag,    // a protocol flag
        Number,  // a count, id, port, raw DSN, frame number
        Key,     // a 64-bit MPTCP key
        Token,   // a 32-bit token
        Name,    // a stable snake_case name (handshake step, verdict, reason) or an address
    };
    Kind kind = Kind::Number;
    std::uint64_t number = 0;  // Flag (0/1), Number, Key, Token
    std::string name;          // Name

    static EventValue flag(bool v) { return {Kind::Flag, v ? 1U : 0U, {}}; }
    static EventValue count(std::uint64_t v) { return {Kind::Number, v, {}}; }
    static EventValue key(std::uint64_t v) { return {Kind::Key, v, {}}; }
    static EventValue token(std::uint32_t v) { return {Kind::Token, v, {}}; }
    static EventValue named(std::string v) { return {Kind::Name, 0, std::move(v)}; }
    bool operator==(const EventValue&) const = default;
};

// One event, or the repetitions of one: the same kind, sent by the same end on the same subflow
// with the same content as the last event of that kind there (a retransmitted DATA_FIN, MP_JOIN
// third ACK or infinite mapping) counts in `count` instead of making a new event.
struct MptcpEvent {
    std::int64_t time_ns = 0;         // first occurrence
    std::uint32_t frame = 0;
    std::uint32_t count = 1;          // occurrences
    std::int64_t last_time_ns = 0;    // last occurrence (the first when count is 1)
    std::uint32_t last_frame = 0;
    std::uint32_t tcp_stream = 0;
    std::int64_t mptcp_stream = -1;   // -1: an unattached subflow
    std::string kind;                 // stable snake_case: mp_capable, mp_join, add_addr, ...
    std::string sender;               // "client" or "server": the MPTCP endpoint that sent it
    // The option's DSN field (DSS mapping of data_fin and infinite_mapping, MP_FAIL's DSN):
    // relative to the initial DSN of the direction it belongs to (the first data byte is 1),
    // when the connection is known, and as on the wire.
    std::optional<std::uint64_t> dsn;
    std::optional<std::uint64_t> raw_dsn;
    std::vector<std::pair<std::string, EventValue>> details;  // ordered

    // Same event content (everything but times, frames and count).
    bool same_content(const MptcpEvent& other) const;
};

// The data-level view of a connection, for the checksum verdicts (an AnalysisSession passes the
// one it keeps).
using ConnectionDataSource = std::function<const ConnectionData&(const MptcpConnection&)>;

// Events of `connection`, or of every MPTCP connection and unattached subflow when null, by
// frame of their first occurrence.
std::vector<MptcpEvent> mptcp_events(const PacketTable& table, const ConnectionModel& model,
                                     const MptcpConnection* connection, const ConnectionDataSource& data);
// The same, mapping each connection's data itself.
std::vector<MptcpEvent> mptcp_events(const PacketTable& table, const ConnectionModel& model,
                                     const MptcpConnection* connection);

}  // namespace mptcpanalyzer
