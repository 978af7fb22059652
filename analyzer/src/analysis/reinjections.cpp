#include "mptcpanalyzer/analysis/reinjections.hpp"

#include <algorithm>
#include <unordered_map>

#include "mptcpanalyzer/model/sequence_coverage.hpp"

namespace mptcpanalyzer {
namespace {

using Range = SequenceCoverage::Range;

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

void sort_unique(std::vector<std::size_t>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace

ReinjectionReport find_reinjections(const PacketTable& table, const ConnectionModel& model,
                                    const MptcpConnection& connection, const ConnectionData& data) {
    const auto& c = table.columns();
    const auto& time = c.time_ns;
    ReinjectionReport report;
    for (auto& v : report.per_subflow) v.assign(connection.subflows.size(), SubflowDataStats{});

    // Kind 1, per row: the parts of each payload already covered on its subflow and TCP
    // direction, found by feeding the subflow's rows to SequenceCoverage exactly as the
    // connection model does for tcp-summary. Only rows with such parts are kept.
    std::unordered_map<std::uint32_t, std::vector<Range>> tcp_retransmitted;
    std::unordered_map<std::uint32_t, std::uint16_t> subflow_of_stream;
    for (std::size_t i = 0; i < connection.subflows.size(); ++i) {
        const Subflow& sf = connection.subflows[i];
        subflow_of_stream.emplace(sf.tcp_stream, static_cast<std::uint16_t>(i));
        const TcpConnection* conn = model.find_tcp(sf.tcp_stream);
        if (!conn) continue;
        std::array<SequenceCoverage, 2> coverage{};
        std::vector<Range> covered;
        for (auto row : conn->rows) {
            const TcpDirection tdir = conn->direction_of(table, row);
            covered.clear();
            const std::uint32_t len = c.payload_length[row];
            const std::uint64_t seen =
                coverage[static_cast<std::size_t>(tdir)].add(c.seq_raw[row], c.flags[row] & tcp_flag::kSyn, len, &covered);
            if (len == 0) continue;
            SubflowDataStats& st = report.per_subflow[static_cast<std::size_t>(sf.data_direction(tdir))][i];
            st.payload_bytes += len;
            st.tcp_retransmitted_bytes += seen;
            if (!covered.empty()) tcp_retransmitted.emplace(row, covered);
        }
    }
    static const std::vector<Range> kNone;
    const auto covered_of = [&](std::uint32_t row) -> const std::vector<Range>& {
        const auto it = tcp_retransmitted.find(row);
        return it == tcp_retransmitted.end() ? kNone : it->second;
    };

    // Unmapped payload: what TCP did not retransmit has no DSN to classify.
    for (const auto row : data.unmapped) {
        const auto it = subflow_of_stream.find(c.tcp_stream[row]);
        const TcpConnection* conn = model.find_tcp(c.tcp_stream[row]);
        if (it == subflow_of_stream.end() || !conn) continue;
        const Subflow& sf = connection.subflows[it->second];
        const std::uint32_t len = c.payload_length[row];
        SubflowDataStats& st =
            report.per_subflow[static_cast<std::size_t>(sf.data_direction(conn->direction_of(table, row)))][it->second];
        st.unmapped_bytes += bytes_outside(0, len, covered_of(row));
        ++st.unmapped_segments;
    }

    // Kinds 3-5, per mapped segment in capture order, over the DSN intervals and their carriers.
    std::array<IntervalMap, 2> maps;
    report.segment_bytes.assign(data.segments.size(), SegmentBytes{});
    for (std::size_t i = 0; i < data.segments.size(); ++i) {
        const DataSegment& seg = data.segments[i];
        if (seg.length == 0) continue;
        const auto d = static_cast<std::size_t>(seg.direction);
        IntervalMap& map = maps[d];
        const std::uint64_t s = data.relative(seg.direction, seg.dsn), e = s + seg.length;
        const std::vector<Range>& tcp_part = covered_of(seg.row);  // offsets into the segment
        SegmentBytes& bytes = report.segment_bytes[i];
        bytes.tcp_retransmitted_bytes = seg.length - bytes_outside(0, seg.length, tcp_part);
        split_at(map, s);
        split_at(map, e);

        std::vector<std::size_t> originals, earlier;
        std::uint64_t cursor = s;
        std::vector<Range> gaps;
        for (auto it = map.lower_bound(s); it != map.end() && it->first < e; ++it) {
            if (it->first > cursor) gaps.push_back({cursor, it->first});
            // The bytes of this run that TCP did not retransmit take their kind from the carriers.
            const std::uint64_t n = bytes_outside(it->first - s, it->second.end - s, tcp_part);
            auto& carriers = it->second.carriers;
            const bool same = std::any_of(carriers.begin(), carriers.end(), [&](std::size_t k) {
                return data.segments[k].subflow == seg.subflow;
            });
            if (n > 0 && same) {
                bytes.mptcp_retransmitted_bytes += n;
                for (auto k : carriers)
                    if (data.segments[k].subflow == seg.subflow) earlier.push_back(k);
            } else if (n > 0 && !carriers.empty()) {
                bytes.reinjected_bytes += n;
                originals.insert(originals.end(), carriers.begin(), carriers.end());
            } else {
                bytes.new_bytes += n;
            }
            carriers.push_back(i);
            cursor = it->second.end;
        }
        if (cursor < e) gaps.push_back({cursor, e});
        for (const auto& g : gaps) {
            bytes.new_bytes += bytes_outside(g.start - s, g.end - s, tcp_part);
            map.emplace(g.start, Interval{g.end, {i}});
        }

        SubflowDataStats& st = report.per_subflow[d][seg.subflow];
        st.data_bytes += seg.length;
        st.new_bytes += bytes.new_bytes;
        st.reinjected_bytes += bytes.reinjected_bytes;
        st.mptcp_retransmitted_bytes += bytes.mptcp_retransmitted_bytes;
        if (!originals.empty()) {
            sort_unique(originals);
            ++st.reinjections;
            for (auto o : originals) report.reinjected_in[o].push_back(i);
            report.reinjections.push_back(Reinjection{i, originals, bytes.reinjected_bytes,
                                                      time[seg.row] - time[data.segments[originals.front()].row]});
        }
        if (!earlier.empty()) {
            sort_unique(earlier);
            ++st.mptcp_retransmissions;
            report.mptcp_retransmissions.push_back(MptcpRetransmission{
                i, earlier, bytes.mptcp_retransmitted_bytes, time[seg.row] - time[data.segments[earlier.front()].row]});
        }
    }
    return report;
}

}  // namespace mptcpanalyzer
