#include "mptcpanalyzer/analysis/session.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <climits>

#include "mptcpanalyzer/util/error.hpp"

namespace mptcpanalyzer {
namespace {

// Ascending numbers as "0-15, 17, 19, 20": a run of three or more is a range. Long captures have
// hundreds of consecutive streams: ranges keep the message one readable line.
std::string compact_numbers(const std::vector<std::int64_t>& sorted) {
    std::string out;
    for (std::size_t i = 0; i < sorted.size();) {
        std::size_t j = i;
        while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1) ++j;
        if (!out.empty()) out += ", ";
        if (j - i >= 2) {
            out += fmt::format("{}-{}", sorted[i], sorted[j]);
        } else {
            for (std::size_t k = i; k <= j; ++k) out += fmt::format("{}{}", k == i ? "" : ", ", sorted[k]);
        }
        i = j + 1;
    }
    return out;
}

}  // namespace

AnalysisSession::AnalysisSession(PacketTable table) : table_(std::move(table)) {}

const ConnectionModel& AnalysisSession::model() const {
    if (!model_) model_ = std::make_unique<ConnectionModel>(ConnectionModel::build(table_));
    return *model_;
}

const TcpConnection& AnalysisSession::tcp(std::int64_t stream) const {
    const ConnectionModel& m = model();
    const TcpConnection* t = stream >= 0 && stream <= UINT32_MAX ? m.find_tcp(static_cast<std::uint32_t>(stream)) : nullptr;
    if (!t) throw Error(ExitCode::Usage, fmt::format("no tcp.stream {} in this capture; valid: {}", stream, valid_tcp_streams()));
    return *t;
}

const MptcpConnection& AnalysisSession::mptcp(std::int64_t stream) const {
    const ConnectionModel& model_ref = model();
    const MptcpConnection* m = model_ref.find_mptcp(stream);
    if (!m || stream < 0) {
        throw Error(ExitCode::Usage, fmt::format("no mptcp.stream {} in this capture; valid: {}", stream, valid_mptcp_streams()));
    }
    return *m;
}

std::string AnalysisSession::valid_tcp_streams() const {
    std::vector<std::int64_t> valid;
    for (auto s : model().tcp_streams()) valid.push_back(s);
    return valid.empty() ? std::string("none") : compact_numbers(valid);
}

std::string AnalysisSession::valid_mptcp_streams() const {
    std::vector<std::int64_t> valid;
    for (auto s : model().mptcp_streams())
        if (s >= 0) valid.push_back(s);  // -1: Wireshark gave the connection no number
    std::sort(valid.begin(), valid.end());
    valid.erase(std::unique(valid.begin(), valid.end()), valid.end());
    return valid.empty() ? std::string("none (no MPTCP connection)") : compact_numbers(valid);
}

const MptcpAnalysis& AnalysisSession::analysis(const MptcpConnection& connection) const {
    auto& slot = mptcp_[&connection];
    if (!slot) {
        auto a = std::make_unique<MptcpAnalysis>();
        a->data = map_connection_data(table_, model(), connection);
        a->reinjections = find_reinjections(table_, model(), connection, a->data);
        a->summary = summarize_mptcp(model(), connection, a->data, a->reinjections);
        a->checksum_failures = static_cast<std::size_t>(
            std::count_if(a->data.checksums.begin(), a->data.checksums.end(), [](const ChecksumCheck& c) { return !c.valid; }));
        slot = std::move(a);
    }
    return *slot;
}

const MptcpTotals& AnalysisSession::totals(const MptcpConnection& connection) const {
    auto& slot = totals_[&connection];
    if (slot) return *slot;
    std::optional<MptcpTotals> streamed;
    if (!mptcp_.count(&connection)) streamed = stream_mptcp_totals(table_, model(), connection);
    if (streamed) {
        slot = std::make_unique<MptcpTotals>(std::move(*streamed));
    } else {
        const MptcpAnalysis& a = analysis(connection);
        slot = std::make_unique<MptcpTotals>(
            MptcpTotals{a.summary, a.data.checksums.size() - a.checksum_failures, a.checksum_failures,
                        a.reinjections.reinjections.size()});
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
