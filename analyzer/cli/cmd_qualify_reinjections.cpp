// `mptcpanalyzer qualify-reinjections -r A --peer B STREAM`: every reinjection of an MPTCP
// connection followed to the receiver's capture with all its originals, classified useful,
// redundant or lost, with the time gained and whether the receiver's DATA_ACK came sooner
// (analysis/reinjection_qualification.hpp, report::qualify_reinjections).

#include "commands.hpp"
#include "mptcpanalyzer/report/reports.hpp"
#include "report_output.hpp"

namespace mptcpanalyzer::cli {

void setup_qualify_reinjections(CLI::App& app, const GlobalOptions& global) {
    add_two_capture_command(app, global,
                            {"qualify-reinjections",
                             "Classify each reinjection useful, redundant or lost from the receiver's capture",
                             StreamArgument::Mptcp, false,
                             [](const CapturePair& pair, std::int64_t stream, const TwoCaptureOptions&) {
                                 return report::qualify_reinjections(pair, pair.first().mptcp(stream));
                             }});
}

}  // namespace mptcpanalyzer::cli
