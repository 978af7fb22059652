#pragma once
// The MPTCP timeline: every control event seen on the subflows of a connection (MP_CAPABLE,
// MP_JOIN with its HMAC verdict, ADD_ADDR, REMOVE_ADDR, MP_PRIO, MP_FAIL, MP_FASTCLOSE,
// MP_TCPRST, DATA_FIN, fallback, infinite mapping), in capture order.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "mptcpanalyzer/model/connections.hpp"

namespace mptcpanalyzer {

struct MptcpEvent {
    std::int64_t time_ns = 0;
    std::uint32_t frame = 0;
    std::uint32_t tcp_stream = 0;
    std::int64_t mptcp_stream = -1;   // -1: an unattached subflow
    std::string kind;                 // stable snake_case: mp_capable, mp_join, add_addr, ...
    std::string sender;               // "client" or "server": the MPTCP endpoint that sent it
    std::vector<std::pair<std::string, std::string>> details;  // ordered key/value pairs
};

// Events of `connection`, or of every MPTCP connection and unattached subflow when null.
std::vector<MptcpEvent> mptcp_events(const PacketTable& table, const ConnectionModel& model,
                                     const MptcpConnection* connection);

}  // namespace mptcpanalyzer
