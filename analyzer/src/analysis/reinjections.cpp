#include "mptcpanalyzer/analysis/reinjections.hpp"

#include <algorithm>
#include <iterator>

namespace mptcpanalyzer {
namespace {

// A run of DSN space [start, end) and every segment that carried all of it.
struct Interval {
    std::uint64_t end = 0;
    std::vector<std::size_t> carriers;  // segment indices, in order of transmission
};

using IntervalMap = std::map<std::uint64_t, Interval>;  // keyed by start

// Splits the interval containing `at` (if any) so that an interval starts exactly at `at`.
void split_at(IntervalMap& map, std::uint64_t at) {
    auto it = map.upper_bound(at);
    if (it == map.begin()) return;
    --it;
    if (it->first < at && it->second.end > at) {
        Interval right{it->second.end, it->second.carriers};
        it->second.end = at;
        map.emplace(at, std::move(right));
    }
}

}  // namespace

ReinjectionReport find_reinjections(const PacketTable& table, const ConnectionData& data, std::size_t subflow_count) {
    const auto& time = table.columns().time_ns;
    ReinjectionReport report;
    for (auto& v : report.per_subflow) v.assign(subflow_count, SubflowDataStats{});
    std::array<IntervalMap, 2> maps;

    for (std::size_t i = 0; i < data.segments.size(); ++i) {
        const DataSegment& seg = data.segments[i];
        if (seg.length == 0) continue;
        const auto d = static_cast<std::size_t>(seg.direction);
        IntervalMap& map = maps[d];
        const std::uint64_t s = data.relative(seg.direction, seg.dsn), e = s + seg.length;
        split_at(map, s);
        split_at(map, e);

        std::vector<std::size_t> originals;
        std::uint64_t other_bytes = 0, same_only_bytes = 0;
        bool own_retransmission = false;
        std::uint64_t cursor = s;
        std::vector<std::pair<std::uint64_t, std::uint64_t>> gaps;
        for (auto it = map.lower_bound(s); it != map.end() && it->first < e; ++it) {
            if (it->first > cursor) gaps.emplace_back(cursor, it->first);
            const std::uint64_t len = it->second.end - it->first;
            // Every earlier copy on another subflow is an original. Bytes its own subflow already
            // carried count as retransmitted there (the segment is then also a TCP
            // retransmission), the others as reinjected.
            bool same = false;
            for (auto carrier : it->second.carriers) {
                if (data.segments[carrier].subflow == seg.subflow) {
                    same = true;
                } else {
                    originals.push_back(carrier);
                }
            }
            if (same) {
                same_only_bytes += len;
                own_retransmission = true;
            } else if (!it->second.carriers.empty()) {
                other_bytes += len;
            }
            it->second.carriers.push_back(i);
            cursor = it->second.end;
        }
        if (cursor < e) gaps.emplace_back(cursor, e);
        for (const auto& [gs, ge] : gaps) map.emplace(gs, Interval{ge, {i}});

        SubflowDataStats& st = report.per_subflow[d][seg.subflow];
        st.data_bytes += seg.length;
        st.reinjected_bytes += other_bytes;
        st.retransmitted_bytes += same_only_bytes;
        st.new_bytes += seg.length - other_bytes - same_only_bytes;
        if (!originals.empty()) {
            std::sort(originals.begin(), originals.end());
            originals.erase(std::unique(originals.begin(), originals.end()), originals.end());
            ++st.reinjections;
            Reinjection r;
            r.segment = i;
            r.reinjected_bytes = other_bytes;
            r.retransmission_on_own_subflow = own_retransmission;
            r.delay_ns = time[seg.row] - time[data.segments[originals.front()].row];
            for (auto o : originals) report.reinjected_in[o].push_back(i);
            r.originals = std::move(originals);
            report.reinjections.push_back(std::move(r));
        }
    }
    return report;
}

}  // namespace mptcpanalyzer
