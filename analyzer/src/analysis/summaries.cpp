#include "mptcpanalyzer/analysis/summaries.hpp"

#include <algorithm>

namespace mptcpanalyzer {

Rate Rate::of(std::uint64_t bytes, std::int64_t duration_ns) {
    Rate r;
    if (duration_ns > 0) {
        r.bytes_per_second = static_cast<double>(bytes) * 1e9 / static_cast<double>(duration_ns);
        r.bits_per_second = r.bytes_per_second * 8;
    }
    return r;
}

TcpSummary summarize_tcp(const TcpConnection& conn) {
    TcpSummary s;
    s.connection = &conn;
    for (std::size_t i = 0; i < 2; ++i) {
        TcpDirectionSummary& d = s.directions[i];
        d.direction = static_cast<TcpDirection>(i);
        d.from = i == 0 ? conn.client : conn.server;
        d.to = i == 0 ? conn.server : conn.client;
        d.stats = conn.directions[i];
        d.duration_ns = d.stats.packets ? d.stats.last_ns - d.stats.first_ns : 0;
        d.wire_rate = Rate::of(d.stats.payload_bytes, d.duration_ns);
        d.unique_rate = Rate::of(d.stats.unique_bytes, d.duration_ns);
    }
    return s;
}

MptcpSummary summarize_mptcp(const ConnectionModel& model, const MptcpConnection& m,
                             const ConnectionData& data, const ReinjectionReport& reinjections) {
    return summarize_mptcp(model, m, {data.application_bytes(DataDirection::ToServer),
                                      data.application_bytes(DataDirection::ToClient)},
                           reinjections.per_subflow);
}

MptcpSummary summarize_mptcp(const ConnectionModel& model, const MptcpConnection& m,
                             const std::array<std::uint64_t, 2>& application_bytes,
                             const std::array<std::vector<SubflowDataStats>, 2>& per_subflow) {
    MptcpSummary s;
    s.connection = &m;
    for (std::size_t d = 0; d < 2; ++d) {
        MptcpDirectionSummary& ds = s.directions[d];
        ds.direction = static_cast<DataDirection>(d);
        ds.application_bytes = application_bytes[d];
        ds.subflows.resize(m.subflows.size());
        bool any = false;
        for (std::size_t i = 0; i < m.subflows.size(); ++i) {
            const Subflow& sf = m.subflows[i];
            SubflowContribution& sc = ds.subflows[i];
            sc.tcp_stream = sf.tcp_stream;
            const TcpConnection* conn = model.find_tcp(sf.tcp_stream);
            if (!conn) continue;
            const auto tdir = static_cast<std::size_t>(sf.tcp_direction(ds.direction));
            const TcpDirectionStats& st = conn->directions[tdir];
            sc.wire_bytes = st.payload_bytes;
            if (st.packets) {
                ds.first_ns = any ? std::min(ds.first_ns, st.first_ns) : st.first_ns;
                ds.last_ns = any ? std::max(ds.last_ns, st.last_ns) : st.last_ns;
                any = true;
            }
            const SubflowDataStats& rs = per_subflow[d][i];
            sc.data_bytes = rs.data_bytes;
            sc.new_bytes = rs.new_bytes;
            sc.reinjected_bytes = rs.reinjected_bytes;
            sc.mptcp_retransmitted_bytes = rs.mptcp_retransmitted_bytes;
            // The TCP connection's own figure: tcp-summary's, by construction (the analysis
            // counts the same bytes with the same SequenceCoverage).
            sc.tcp_retransmitted_bytes = st.retransmitted_bytes;
            sc.unmapped_bytes = rs.unmapped_bytes;
            sc.reinjections = rs.reinjections;
            sc.mptcp_retransmissions = rs.mptcp_retransmissions;
            ds.wire_bytes += sc.wire_bytes;
            ds.new_bytes += sc.new_bytes;
            ds.reinjected_bytes += sc.reinjected_bytes;
            ds.mptcp_retransmitted_bytes += sc.mptcp_retransmitted_bytes;
            ds.tcp_retransmitted_bytes += sc.tcp_retransmitted_bytes;
            ds.unmapped_bytes += sc.unmapped_bytes;
            ds.unmapped_segments += rs.unmapped_segments;
        }
        for (auto& sc : ds.subflows) {
            sc.share_of_wire = ds.wire_bytes ? static_cast<double>(sc.wire_bytes) / static_cast<double>(ds.wire_bytes) : 0;
            sc.share_of_unique = ds.application_bytes
                                     ? static_cast<double>(sc.new_bytes) / static_cast<double>(ds.application_bytes)
                                     : 0;
        }
        ds.duration_ns = any ? ds.last_ns - ds.first_ns : 0;
        ds.wire_rate = Rate::of(ds.wire_bytes, ds.duration_ns);
        ds.application_rate = Rate::of(ds.application_bytes, ds.duration_ns);
    }
    return s;
}

}  // namespace mptcpanalyzer
