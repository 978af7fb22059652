// `mptcpanalyzer tcp-summary -r FILE STREAM` and `mptcp-summary -r FILE STREAM`: per direction,
// bytes on the wire (payload, retransmissions included), unique bytes (sequence or DSN range),
// duration, rates, retransmitted and reinjected bytes, and each subflow's contribution
// (report::tcp_summary, report::mptcp_summary).

#include "commands.hpp"
#include "mptcpanalyzer/report/reports.hpp"
#include "report_output.hpp"

namespace mptcpanalyzer::cli {

void setup_summaries(CLI::App& app, const GlobalOptions& global) {
    add_report_command(app, global,
                       {"tcp-summary", "Per-direction statistics of one TCP connection", StreamArgument::Tcp,
                        [](const AnalysisSession& s, std::optional<std::int64_t> stream) {
                            return report::tcp_summary(s, s.tcp(*stream));
                        }});
    add_report_command(app, global,
                       {"mptcp-summary", "Per-direction statistics and subflow contributions of one MPTCP connection",
                        StreamArgument::Mptcp, [](const AnalysisSession& s, std::optional<std::int64_t> stream) {
                            return report::mptcp_summary(s, s.mptcp(*stream));
                        }});
}

}  // namespace mptcpanalyzer::cli
