#include "mptcpanalyzer/analysis/session.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <climits>

#include "mptcpanalyzer/util/error.hpp"

namespace mptcpanalyzer {

AnalysisSession::AnalysisSession(PacketTable table) : table_(std::move(table)) {}

const ConnectionModel& AnalysisSession::model() const {
    if (!model_) model_ = std::make_unique<ConnectionModel>(ConnectionModel::build(table_));
    return *model_;
}

const TcpConnection& AnalysisSession::tcp(std::int64_t stream) const {
    const ConnectionModel& m = model();
    const TcpConnection* t = stream >= 0 && stream <= UINT32_MAX ? m.find_tcp(static_cast<std::uint32_t>(stream)) : nullptr;
    if (!t) {
        const auto valid = m.tcp_streams();
        throw Error(ExitCode::Usage,
                    fmt::format("no tcp.stream {} in this capture; valid: {}", stream,
                                valid.empty() ? std::string("none") : fmt::format("{}", fmt::join(valid, ", "))));
    }
    return *t;
}

const MptcpConnection& AnalysisSession::mptcp(std::int64_t stream) const {
    const ConnectionModel& model_ref = model();
    const MptcpConnection* m = model_ref.find_mptcp(stream);
    if (!m || stream < 0) {
        std::vector<std::int64_t> valid;
        for (auto s : model_ref.mptcp_streams())
            if (s >= 0) valid.push_back(s);
        throw Error(ExitCode::Usage,
                    fmt::format("no mptcp.stream {} in this capture; valid: {}", stream,
                                valid.empty() ? std::string("none (no MPTCP connection)")
                                              : fmt::format("{}", fmt::join(valid, ", "))));
    }
    return *m;
}

const MptcpAnalysis& AnalysisSession::analysis(const MptcpConnection& connection) const {
    auto& slot = mptcp_[&connection];
    if (!slot) {
        auto a = std::make_unique<MptcpAnalysis>();
        a->data = map_connection_data(table_, model(), connection);
        a->reinjections = find_reinjections(table_, model(), connection, a->data);
        a->summary = summarize_mptcp(table_, model(), connection, a->data, a->reinjections);
        a->checksum_failures = static_cast<std::size_t>(
            std::count_if(a->data.checksums.begin(), a->data.checksums.end(), [](const ChecksumCheck& c) { return !c.valid; }));
        slot = std::move(a);
    }
    return *slot;
}

const TcpSummary& AnalysisSession::tcp_summary(const TcpConnection& connection) const {
    auto& slot = tcp_[&connection];
    if (!slot) slot = std::make_unique<TcpSummary>(summarize_tcp(connection));
    return *slot;
}

std::vector<MptcpEvent> AnalysisSession::events(const MptcpConnection* connection) const {
    return mptcp_events(table_, model(), connection, [this](const MptcpConnection& m) -> const ConnectionData& {
        return analysis(m).data;
    });
}

const TcpConnection& AnalysisSession::tcp_of(const Subflow& subflow) const {
    return *model().find_tcp(subflow.tcp_stream);
}

std::int64_t AnalysisSession::first_ns(const MptcpConnection& m) const {
    std::int64_t t0 = INT64_MAX;
    for (const auto& sf : m.subflows) t0 = std::min(t0, tcp_of(sf).first_ns());
    return t0 == INT64_MAX ? 0 : t0;
}

std::int64_t AnalysisSession::last_ns(const MptcpConnection& m) const {
    std::int64_t t1 = INT64_MIN;
    for (const auto& sf : m.subflows) t1 = std::max(t1, tcp_of(sf).last_ns());
    return t1 == INT64_MIN ? 0 : t1;
}

std::vector<const Anomaly*> AnalysisSession::anomalies_of(std::uint32_t tcp_stream) const {
    std::vector<const Anomaly*> out;
    for (const auto& a : model().anomalies)
        if (a.tcp_stream == tcp_stream) out.push_back(&a);
    return out;
}

}  // namespace mptcpanalyzer
