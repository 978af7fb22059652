#pragma once
// What the connection commands share: the loaded capture, its connection model, and stream
// arguments resolved with a clear error listing the valid numbers.

#include <memory>
#include <optional>
#include <string>

#include "common_options.hpp"
#include "mptcpanalyzer/analysis/mptcp_data.hpp"
#include "mptcpanalyzer/analysis/reinjections.hpp"
#include "mptcpanalyzer/model/connections.hpp"

namespace mptcpanalyzer::cli {

struct AnalysisContext {
    ReadResult capture;
    ConnectionModel model;

    static AnalysisContext load(const GlobalOptions& global, const std::string& path);

    // Throw Error(Usage) naming the valid stream numbers when `stream` is not one.
    const TcpConnection& tcp(std::int64_t stream) const;
    const MptcpConnection& mptcp(std::int64_t stream) const;

    // Data-level view and reinjections of one MPTCP connection (computed on demand).
    struct MptcpAnalysis {
        ConnectionData data;
        ReinjectionReport reinjections;
    };
    MptcpAnalysis analyse(const MptcpConnection& connection) const;
};

}  // namespace mptcpanalyzer::cli
