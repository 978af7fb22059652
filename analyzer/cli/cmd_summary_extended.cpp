// `mptcpanalyzer summary-extended -r A --peer B STREAM`: per data direction and subflow of an
// MPTCP connection, what the sender sent, what arrived, what was lost, what arrived first (the
// subflow's goodput contribution) and what was redundant (analysis/extended_summary.hpp,
// report::summary_extended).

#include "commands.hpp"
#include "mptcpanalyzer/report/reports.hpp"
#include "report_output.hpp"

namespace mptcpanalyzer::cli {

void setup_summary_extended(CLI::App& app, const GlobalOptions& global) {
    add_two_capture_command(app, global,
                            {"summary-extended",
                             "Per subflow: bytes sent, arrived, lost, arrived first (goodput) and redundant, from both ends",
                             StreamArgument::Mptcp, false,
                             [](const CapturePair& pair, std::int64_t stream, const TwoCaptureOptions&) {
                                 return report::summary_extended(pair, pair.first().mptcp(stream));
                             }});
}

}  // namespace mptcpanalyzer::cli
