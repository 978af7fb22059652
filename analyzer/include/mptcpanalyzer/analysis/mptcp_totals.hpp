#pragma once
// The totals of an MPTCP connection (mptcp-summary, the Wireshark plugin's overview) streamed
// in one pass over its subflows' rows, keeping no per-segment state: the same byte kinds as
// find_reinjections (analysis/reinjections.hpp) and the same DSN mapping as map_connection_data,
// with the listings (which segment reinjected which) left out. What stays in memory is one
// SequenceCoverage per subflow and TCP direction and, per data direction, the DSN space covered
// so far in maximal runs of the same set of carrier subflows (DsnCarriers): it grows with the
// connection's holes and with how its data alternates between subflows, not with its segments.

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "mptcpanalyzer/analysis/summaries.hpp"
#include "mptcpanalyzer/model/sequence_coverage.hpp"

namespace mptcpanalyzer {

// The DSN space one data direction's segments covered, each byte with the set of subflows that
// carried it so far: what decides a byte's kind in find_reinjections (carried before by this
// subflow: MPTCP-retransmitted; only by others: reinjected; by none: new). Adjacent runs with
// the same set are one run, so in-order data on one subflow is one run however long.
class DsnCarriers {
public:
    // Subflows are told apart by a 64-bit set: connections with more take the listing path.
    static constexpr std::size_t kMaxSubflows = 64;

    struct Kinds {
        std::uint64_t new_bytes = 0;
        std::uint64_t reinjected_bytes = 0;
        std::uint64_t mptcp_retransmitted_bytes = 0;
    };

    // Classifies the bytes [start, start + length) carried by `subflow` (< kMaxSubflows),
    // leaving out the offsets `tcp_part` (ascending ranges into the segment: its
    // TCP-retransmitted bytes, which have their own kind), then records the subflow as a
    // carrier of the whole range.
    Kinds carry(std::uint64_t start, std::uint32_t length, std::size_t subflow,
                const std::vector<SequenceCoverage::Range>& tcp_part);

    // DSN space covered by at least one segment (ConnectionData::application_bytes).
    std::uint64_t covered_bytes() const;
    // Runs kept (what the memory grows with).
    std::size_t runs() const { return runs_.size(); }

private:
    struct Run {
        std::uint64_t end = 0;
        std::uint64_t carriers = 0;  // bit i: subflow i carried these bytes
    };
    void split_at(std::uint64_t at);
    std::map<std::uint64_t, Run> runs_;  // by start; disjoint, maximal
};

struct MptcpTotals {
    MptcpSummary summary;
    std::size_t checksums_verified = 0;  // DSS checksums that match
    std::size_t checksum_failures = 0;   // DSS checksums that do not match
    std::size_t reinjections = 0;        // segments with reinjected bytes (list-reinjections' count)
};

// nullopt when the connection has more than DsnCarriers::kMaxSubflows subflows (the caller then
// derives the totals from the full analysis).
std::optional<MptcpTotals> stream_mptcp_totals(const PacketTable& table, const ConnectionModel& model,
                                               const MptcpConnection& connection);

}  // namespace mptcpanalyzer
