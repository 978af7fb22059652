#pragma once
// JSON, CSV and text views of MPTCP connections and subflows, shared by list-mptcp,
// list-subflows and mptcp-summary.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "analysis_context.hpp"

namespace mptcpanalyzer::cli {

std::string hex64(std::uint64_t v);
std::string hex32(std::uint32_t v);

nlohmann::ordered_json connection_json(const AnalysisContext& ctx, const MptcpConnection& m);
nlohmann::ordered_json subflow_json(const AnalysisContext& ctx, const MptcpConnection& m, const Subflow& sf);

std::vector<std::string> subflow_csv_columns();
std::vector<std::string> subflow_csv_row(const AnalysisContext& ctx, const MptcpConnection& m, const Subflow& sf);

std::string connection_text(const AnalysisContext& ctx, const MptcpConnection& m);

// Anomalies of one tcp.stream, as JSON and as indented text lines.
nlohmann::ordered_json anomalies_json(const AnalysisContext& ctx, std::uint32_t tcp_stream);
std::string anomalies_text(const AnalysisContext& ctx, std::uint32_t tcp_stream, const std::string& indent);
std::string subflow_text(const AnalysisContext& ctx, const MptcpConnection& m, const Subflow& sf);

}  // namespace mptcpanalyzer::cli
