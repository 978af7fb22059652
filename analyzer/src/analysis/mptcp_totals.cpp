#include "mptcpanalyzer/analysis/mptcp_totals.hpp"

#include <algorithm>

namespace mptcpanalyzer {
namespace {

using Range = SequenceCoverage::Range;

}  // namespace

void DsnCarriers::split_at(std::uint64_t at) {
    auto it = runs_.upper_bound(at);
    if (it == runs_.begin()) return;
    --it;
    if (it->first < at && it->second.end > at) {
        const Run right{it->second.end, it->second.carriers};
        it->second.end = at;
        runs_.emplace(at, right);
    }
}

DsnCarriers::Kinds DsnCarriers::carry(std::uint64_t s, std::uint32_t length, std::size_t subflow,
                                      const std::vector<Range>& tcp_part) {
    Kinds kinds;
    if (length == 0) return kinds;
    const std::uint64_t e = s + length;
    const std::uint64_t bit = std::uint64_t{1} << subflow;
    split_at(s);
    split_at(e);
    std::uint64_t cursor = s;
    std::vector<Range> gaps;
    for (auto it = runs_.lower_bound(s); it != runs_.end() && it->first < e; ++it) {
        if (it->first > cursor) gaps.push_back({cursor, it->first});
        // find_reinjections' rule, per run: the bytes TCP did not retransmit take their kind
        // from the run's carriers.
        const std::uint64_t n = bytes_outside(it->first - s, it->second.end - s, tcp_part);
        const std::uint64_t carriers = it->second.carriers;
        if (n > 0 && (carriers & bit)) kinds.mptcp_retransmitted_bytes += n;
        else if (n > 0 && carriers) kinds.reinjected_bytes += n;
        else kinds.new_bytes += n;
        it->second.carriers |= bit;
        cursor = it->second.end;
    }
    if (cursor < e) gaps.push_back({cursor, e});
    for (const auto& g : gaps) {
        kinds.new_bytes += bytes_outside(g.start - s, g.end - s, tcp_part);
        runs_.emplace(g.start, Run{g.end, bit});
    }
    // Keep runs maximal: join neighbours that touch and have the same carriers, from the run
    // before `s` to the one starting at `e` (nothing else changed).
    auto it = runs_.lower_bound(s);
    if (it != runs_.begin()) --it;
    while (it != runs_.end() && it->first <= e) {
        const auto next = std::next(it);
        if (next != runs_.end() && next->first == it->second.end && next->second.carriers == it->second.carriers) {
            it->second.end = next->second.end;
            runs_.erase(next);
        } else {
            it = next;
        }
    }
    return kinds;
}

std::uint64_t DsnCarriers::covered_bytes() const {
    std::uint64_t total = 0;
    for (const auto& [start, run] : runs_) total += run.end - start;
    return total;
}

std::optional<MptcpTotals> stream_mptcp_totals(const PacketTable& table, const ConnectionModel& model,
                                               const MptcpConnection& connection) {
    const std::size_t n = connection.subflows.size();
    if (n > DsnCarriers::kMaxSubflows) return std::nullopt;
    // Relative DSNs need their bases before the pass: from the keys, or else from a first pass
    // that only maps (the lowest DSN seen).
    DsnBases bases = known_bases(connection);
    if (!bases.from_key[0] || !bases.from_key[1]) {
        ConnectionDataSink ignore;
        bases = scan_connection_data(table, model, connection, ignore);
    }

    struct Count final : ConnectionDataSink {
        const PacketTable::Columns& c;
        const MptcpConnection& m;
        const DsnBases& bases;
        std::array<std::vector<SubflowDataStats>, 2> per_subflow;       // [data direction][subflow]
        std::vector<std::array<SequenceCoverage, 2>> coverage;         // [subflow][TCP direction]
        std::array<DsnCarriers, 2> carriers;                            // [data direction]
        std::vector<Range> covered;  // the current row's TCP-retransmitted parts
        std::size_t row_direction = 0;  // the current row's data direction and subflow
        std::uint16_t current_subflow = 0;
        MptcpTotals totals;

        Count(const PacketTable& t, const MptcpConnection& conn, const DsnBases& b)
            : c(t.columns()), m(conn), bases(b), coverage(conn.subflows.size()) {
            for (auto& v : per_subflow) v.assign(conn.subflows.size(), SubflowDataStats{});
        }
        // Kind 1 (TCP-retransmitted), as find_reinjections: each subflow's rows fed to its
        // SequenceCoverage in capture order, payload or not.
        void row(std::uint32_t row, std::uint16_t subflow, TcpDirection tdir) override {
            covered.clear();
            const std::uint32_t len = c.payload_length[row];
            const std::uint64_t seen = coverage[subflow][static_cast<std::size_t>(tdir)].add(
                c.seq_raw[row], c.flags[row] & tcp_flag::kSyn, len, &covered);
            row_direction = static_cast<std::size_t>(m.subflows[subflow].data_direction(tdir));
            current_subflow = subflow;
            if (len == 0) return;
            SubflowDataStats& st = per_subflow[row_direction][subflow];
            st.payload_bytes += len;
            st.tcp_retransmitted_bytes += seen;
        }
        void unmapped(std::uint32_t row) override {
            SubflowDataStats& st = per_subflow[row_direction][current_subflow];
            st.unmapped_bytes += bytes_outside(0, c.payload_length[row], covered);
            ++st.unmapped_segments;
        }
        void segment(const DataSegment& seg) override {
            if (seg.length == 0) return;
            const auto d = static_cast<std::size_t>(seg.direction);
            const DsnCarriers::Kinds k = carriers[d].carry(seg.dsn - bases.base[d], seg.length, seg.subflow, covered);
            SubflowDataStats& st = per_subflow[d][seg.subflow];
            st.data_bytes += seg.length;
            st.new_bytes += k.new_bytes;
            st.reinjected_bytes += k.reinjected_bytes;
            st.mptcp_retransmitted_bytes += k.mptcp_retransmitted_bytes;
            if (k.reinjected_bytes > 0) {
                ++st.reinjections;
                ++totals.reinjections;
            }
            if (k.mptcp_retransmitted_bytes > 0) ++st.mptcp_retransmissions;
        }
        void checksum(const ChecksumCheck& check) override {
            ++(check.valid ? totals.checksums_verified : totals.checksum_failures);
        }
    };

    Count count(table, connection, bases);
    scan_connection_data(table, model, connection, count);
    const std::array<std::uint64_t, 2> application_bytes{count.carriers[0].covered_bytes(),
                                                         count.carriers[1].covered_bytes()};
    count.totals.summary = summarize_mptcp(model, connection, application_bytes, count.per_subflow);
    return std::move(count.totals);
}

}  // namespace mptcpanalyzer
