#pragma once
// ReinjectionFinder: in one pass over an MPTCP connection's data segments (capture order), every
// segment whose DSN range overlaps data sent earlier on ANOTHER subflow is a reinjection, linked
// to all those earlier transmissions; overlap with earlier data on the SAME subflow only is a
// TCP retransmission, counted apart. A segment that overlaps both is listed (its originals are
// the other subflows' copies) and flagged as also a retransmission on its own subflow; its bytes
// count as retransmitted, not reinjected. Disjoint DSN intervals are kept in an ordered map, so the
// work is O(n log n) and the result does not depend on any other analysis having run.

#include <cstdint>
#include <map>
#include <vector>

#include "mptcpanalyzer/analysis/mptcp_data.hpp"

namespace mptcpanalyzer {

struct Reinjection {
    std::size_t segment = 0;                 // index in ConnectionData::segments
    std::vector<std::size_t> originals;      // earlier segments on other subflows that overlap, by row
    std::uint64_t reinjected_bytes = 0;      // bytes sent on another subflow and not before on this one
    bool retransmission_on_own_subflow = false;  // this subflow had sent some of the bytes already
    std::int64_t delay_ns = 0;               // since the first of the originals
};

struct SubflowDataStats {
    std::uint64_t data_bytes = 0;            // payload bytes with a DSN mapping
    std::uint64_t reinjected_bytes = 0;      // of which already sent on another subflow
    std::uint64_t retransmitted_bytes = 0;   // of which already sent on this subflow only
    std::uint64_t new_bytes = 0;             // of which carried first by this subflow
    std::uint32_t reinjections = 0;          // segments that are reinjections
};

struct ReinjectionReport {
    std::vector<Reinjection> reinjections;  // by segment order
    // For each segment that was later reinjected: the reinjections of it (segment indices).
    std::map<std::size_t, std::vector<std::size_t>> reinjected_in;
    // [direction][subflow]
    std::array<std::vector<SubflowDataStats>, 2> per_subflow;
};

ReinjectionReport find_reinjections(const PacketTable& table, const ConnectionData& data, std::size_t subflow_count);

}  // namespace mptcpanalyzer
