#pragma once
// The reports of the commands and of the Wireshark plugin, each described once (columns and the
// code computing them, in analyzer/src/report/) over an AnalysisSession. Renderers
// (report/render.hpp) turn them into text, JSON, CSV and Wireshark cells.

#include <string>
#include <vector>

#include "mptcpanalyzer/analysis/capture_pair.hpp"
#include "mptcpanalyzer/analysis/session.hpp"
#include "mptcpanalyzer/report/report.hpp"

namespace mptcpanalyzer::report {

// list-tcp: every TCP connection (tcp.stream).
Document list_tcp(const AnalysisSession& session);
// list-mptcp: every MPTCP connection with its subflows, and the unattached subflows; CSV rows
// are connections.
Document list_mptcp(const AnalysisSession& session);
// list-subflows [N]: one MPTCP connection and its subflows, or every connection (nullptr: the
// list-mptcp document); CSV rows are subflows.
Document list_subflows(const AnalysisSession& session, const MptcpConnection* connection);
// tcp-summary N: per direction of one TCP connection.
Document tcp_summary(const AnalysisSession& session, const TcpConnection& connection);
// mptcp-summary N: one MPTCP connection, per data direction, with each subflow's contribution.
Document mptcp_summary(const AnalysisSession& session, const MptcpConnection& connection);
// list-reinjections [N]: of one connection, or of all (nullptr).
Document list_reinjections(const AnalysisSession& session, const MptcpConnection* connection);
// list-mptcp-retransmissions [N]: the segments with MPTCP-retransmitted bytes (old data again on
// the same subflow under new subflow sequence numbers), of one connection or of all (nullptr).
Document list_mptcp_retransmissions(const AnalysisSession& session, const MptcpConnection* connection);
// events [N]: the MPTCP control timeline of one connection, or of all (nullptr).
Document events(const AnalysisSession& session, const MptcpConnection* connection);

// Two captures (-r FIRST --peer PEER), mapping_reports.cpp. map-tcp N: the candidates in the
// peer capture for a TCP connection of the first, best first, with the best one's packet
// matching; map-mptcp N: the same for an MPTCP connection, with each candidate's subflow mapping.
Document map_tcp(const CapturePair& pair, const TcpConnection& connection);
Document map_mptcp(const CapturePair& pair, const MptcpConnection& connection);
const Schema& map_tcp_report_schema();
const Schema& map_mptcp_report_schema();

// The Wireshark plugin's tables (Statistics > MPTCP ...; tshark -z mptcp,...).
enum class Overview { Connections, Subflows, Reinjections };
Table overview(const AnalysisSession& session, Overview which);
const Schema& overview_schema(Overview which);

// Every report's schema, by report name, for the documentation (docs/output-formats.md).
std::vector<std::pair<std::string, const Schema*>> documented_schemas();

}  // namespace mptcpanalyzer::report
