// `mptcpanalyzer tcp-summary -r FILE STREAM` and `mptcp-summary -r FILE STREAM`: per direction,
// bytes on the wire (payload, everything resent included), unique bytes (sequence space or DSN
// range covered), duration, rates; TCP-retransmitted bytes and capture holes (tcp-summary); new,
// reinjected, MPTCP-retransmitted, TCP-retransmitted and unmapped bytes per subflow
// (mptcp-summary) (report::tcp_summary, report::mptcp_summary).

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
