#include "analysis_context.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "mptcpanalyzer/util/error.hpp"

namespace mptcpanalyzer::cli {

AnalysisContext AnalysisContext::load(const GlobalOptions& global, const std::string& path) {
    AnalysisContext ctx;
    ctx.capture = load_capture(global, path);
    ctx.model = ConnectionModel::build(ctx.capture.table);
    return ctx;
}

const TcpConnection& AnalysisContext::tcp(std::int64_t stream) const {
    const TcpConnection* t = stream >= 0 && stream <= UINT32_MAX ? model.find_tcp(static_cast<std::uint32_t>(stream)) : nullptr;
    if (!t) {
        const auto valid = model.tcp_streams();
        throw Error(ExitCode::Usage,
                    fmt::format("no tcp.stream {} in this capture; valid: {}", stream,
                                valid.empty() ? std::string("none") : fmt::format("{}", fmt::join(valid, ", "))));
    }
    return *t;
}

const MptcpConnection& AnalysisContext::mptcp(std::int64_t stream) const {
    const MptcpConnection* m = model.find_mptcp(stream);
    if (!m || stream < 0) {
        std::vector<std::int64_t> valid;
        for (auto s : model.mptcp_streams())
            if (s >= 0) valid.push_back(s);
        throw Error(ExitCode::Usage,
                    fmt::format("no mptcp.stream {} in this capture; valid: {}", stream,
                                valid.empty() ? std::string("none (no MPTCP connection)")
                                              : fmt::format("{}", fmt::join(valid, ", "))));
    }
    return *m;
}

AnalysisContext::MptcpAnalysis AnalysisContext::analyse(const MptcpConnection& connection) const {
    MptcpAnalysis a;
    a.data = map_connection_data(capture.table, model, connection);
    a.reinjections = find_reinjections(capture.table, a.data, connection.subflows.size());
    return a;
}

}  // namespace mptcpanalyzer::cli
