#pragma once
// AnalysisSession: one capture's packet table, its connection model and the per-connection
// analyses, each computed on first use and kept. Every consumer asks it: the one-shot program,
// batch and shell commands (a loaded capture is never dissected or analysed twice), plots,
// third-party plugins and the Wireshark plugin. The small helpers that several analyses need
// (a subflow's data direction, a connection's first and last packet) live here once.
// Not thread-safe: one session serves one thread.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mptcpanalyzer/analysis/events.hpp"
#include "mptcpanalyzer/analysis/mptcp_data.hpp"
#include "mptcpanalyzer/analysis/mptcp_totals.hpp"
#include "mptcpanalyzer/analysis/reinjections.hpp"
#include "mptcpanalyzer/analysis/summaries.hpp"
#include "mptcpanalyzer/model/connections.hpp"
#include "mptcpanalyzer/model/packet_table.hpp"

namespace mptcpanalyzer {

// The analyses of one MPTCP connection, computed together (each needs the one before).
struct MptcpAnalysis {
    ConnectionData data;
    ReinjectionReport reinjections;
    MptcpSummary summary;
    std::size_t checksum_failures = 0;  // of data.checksums
};

class AnalysisSession {
public:
    explicit AnalysisSession(PacketTable table);
    AnalysisSession(const AnalysisSession&) = delete;
    AnalysisSession& operator=(const AnalysisSession&) = delete;

    const PacketTable& table() const { return table_; }
    const ConnectionModel& model() const;

    // Throw Error(Usage) naming the valid stream numbers when `stream` is not one.
    const TcpConnection& tcp(std::int64_t stream) const;
    const MptcpConnection& mptcp(std::int64_t stream) const;
    // The stream numbers those errors list, as text: ascending, runs of three or more
    // consecutive numbers written as ranges ("0-15, 17, 19"); "none (...)" when there is none.
    // Also what a command missing its stream argument shows.
    std::string valid_tcp_streams() const;
    std::string valid_mptcp_streams() const;

    const MptcpAnalysis& analysis(const MptcpConnection& connection) const;
    // The summary figures of a connection (mptcp-summary, the plugin's overview): taken from
    // analysis() when it was computed, else streamed without keeping the per-segment lists
    // (analysis/mptcp_totals.hpp), so a summary's memory does not grow with the segments.
    const MptcpTotals& totals(const MptcpConnection& connection) const;
    const TcpSummary& tcp_summary(const TcpConnection& connection) const;
    // Events of one connection, or of all connections and unattached subflows (nullptr).
    std::vector<MptcpEvent> events(const MptcpConnection* connection) const;

    // The TCP connection of a subflow (always known: subflows come from the model's streams).
    const TcpConnection& tcp_of(const Subflow& subflow) const;
    // First and last packet of any subflow of the connection (0 when none).
    std::int64_t first_ns(const MptcpConnection& connection) const;
    std::int64_t last_ns(const MptcpConnection& connection) const;
    // The anomalies recorded on one TCP connection, by frame.
    std::vector<const Anomaly*> anomalies_of(std::uint32_t tcp_stream) const;

private:
    PacketTable table_;
    mutable std::unique_ptr<ConnectionModel> model_;
    mutable std::map<const MptcpConnection*, std::unique_ptr<MptcpAnalysis>> mptcp_;
    mutable std::map<const MptcpConnection*, std::unique_ptr<MptcpTotals>> totals_;
    mutable std::map<const TcpConnection*, std::unique_ptr<TcpSummary>> tcp_;
};

}  // namespace mptcpanalyzer
