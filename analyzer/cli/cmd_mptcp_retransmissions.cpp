// `mptcpanalyzer list-mptcp-retransmissions -r FILE [STREAM]`: every data segment that carries
// data its own subflow had already carried, under new subflow sequence numbers (an MPTCP-level
// retransmission on the same subflow, neither a TCP retransmission nor a reinjection), with the
// earlier transmissions on that subflow and the delay since the first
// (report::list_mptcp_retransmissions; the kinds: analysis/reinjections.hpp).

#include "commands.hpp"
#include "mptcpanalyzer/report/reports.hpp"
#include "report_output.hpp"

namespace mptcpanalyzer::cli {

void setup_list_mptcp_retransmissions(CLI::App& app, const GlobalOptions& global) {
    add_report_command(app, global,
                       {"list-mptcp-retransmissions",
                        "List the data sent again on the same subflow under new subflow sequence numbers",
                        StreamArgument::OptionalMptcp, [](const AnalysisSession& s, std::optional<std::int64_t> stream) {
                            return report::list_mptcp_retransmissions(s, stream ? &s.mptcp(*stream) : nullptr);
                        }});
}

}  // namespace mptcpanalyzer::cli
