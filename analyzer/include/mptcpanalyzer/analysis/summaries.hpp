#pragma once
// Per-connection summaries: what each direction carried on the wire and at the data level,
// and each subflow's contribution. All numbers are integers (bytes, ns) except shares/rates.

#include <cstdint>
#include <string>
#include <vector>

#include "mptcpanalyzer/analysis/mptcp_data.hpp"
#include "mptcpanalyzer/analysis/reinjections.hpp"
#include "mptcpanalyzer/model/connections.hpp"

namespace mptcpanalyzer {

struct Rate {
    double bytes_per_second = 0;  // 0 when the duration is 0
    double bits_per_second = 0;
    static Rate of(std::uint64_t bytes, std::int64_t duration_ns);
};

struct TcpDirectionSummary {
    TcpDirection direction = TcpDirection::ClientToServer;
    Endpoint from;
    Endpoint to;
    TcpDirectionStats stats;
    std::int64_t duration_ns = 0;
    Rate wire_rate;      // payload bytes (with retransmissions) / duration
    Rate unique_rate;    // unique bytes / duration
};

struct TcpSummary {
    const TcpConnection* connection = nullptr;
    std::array<TcpDirectionSummary, 2> directions;
};

TcpSummary summarize_tcp(const TcpConnection& connection);

// The kinds of bytes (new, reinjected, MPTCP-retransmitted, TCP-retransmitted, unmapped) are
// defined in analysis/reinjections.hpp; they add up to the wire bytes, per subflow and per
// direction.
struct SubflowContribution {
    std::uint32_t tcp_stream = 0;
    std::uint64_t wire_bytes = 0;                 // payload bytes on this subflow in this direction
    std::uint64_t data_bytes = 0;                 // of which in segments mapped to DSNs
    std::uint64_t new_bytes = 0;                  // carried first by this subflow
    std::uint64_t reinjected_bytes = 0;           // carried before only by other subflows
    std::uint64_t mptcp_retransmitted_bytes = 0;  // carried before by this subflow, new subflow sequence numbers
    std::uint64_t tcp_retransmitted_bytes = 0;    // the TCP connection's retransmitted_bytes (tcp-summary)
    std::uint64_t unmapped_bytes = 0;             // not TCP-retransmitted, without a DSS mapping
    std::uint32_t reinjections = 0;               // segments with reinjected bytes
    std::uint32_t mptcp_retransmissions = 0;      // segments with MPTCP-retransmitted bytes
    double share_of_wire = 0;                     // wire_bytes / direction's wire bytes
    double share_of_unique = 0;                   // new_bytes / direction's application bytes
};

struct MptcpDirectionSummary {
    DataDirection direction = DataDirection::ToServer;
    std::uint64_t wire_bytes = 0;          // sum of payload over all subflows
    std::uint64_t application_bytes = 0;   // unique DSN range
    // Sums of the subflows' figures.
    std::uint64_t new_bytes = 0;
    std::uint64_t reinjected_bytes = 0;
    std::uint64_t mptcp_retransmitted_bytes = 0;
    std::uint64_t tcp_retransmitted_bytes = 0;
    std::uint64_t unmapped_bytes = 0;
    std::uint64_t unmapped_segments = 0;
    std::int64_t first_ns = 0;
    std::int64_t last_ns = 0;
    std::int64_t duration_ns = 0;
    Rate wire_rate;
    Rate application_rate;
    std::vector<SubflowContribution> subflows;  // in the connection's subflow order
};

struct MptcpSummary {
    const MptcpConnection* connection = nullptr;
    std::array<MptcpDirectionSummary, 2> directions;
};

MptcpSummary summarize_mptcp(const ConnectionModel& model, const MptcpConnection& connection,
                             const ConnectionData& data, const ReinjectionReport& reinjections);
// The same from what it reads of them: each direction's application bytes and the per-subflow
// byte kinds ([data direction][subflow], ReinjectionReport::per_subflow).
MptcpSummary summarize_mptcp(const ConnectionModel& model, const MptcpConnection& connection,
                             const std::array<std::uint64_t, 2>& application_bytes,
                             const std::array<std::vector<SubflowDataStats>, 2>& per_subflow);

}  // namespace mptcpanalyzer
