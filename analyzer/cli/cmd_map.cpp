// `mptcpanalyzer map-tcp -r A --peer B N` and `map-mptcp -r A --peer B N`: which connection of
// capture B is connection N of capture A, candidates best first with their reasons, the subflow
// mapping for MPTCP and the best candidate's packet matching (report::map_tcp, report::map_mptcp).

#include "commands.hpp"
#include "mptcpanalyzer/report/reports.hpp"
#include "report_output.hpp"

namespace mptcpanalyzer::cli {

void setup_map(CLI::App& app, const GlobalOptions& global) {
    add_two_capture_command(app, global,
                            {"map-tcp", "The TCP connections of the peer capture that are a TCP connection of the first",
                             StreamArgument::Tcp, false,
                             [](const CapturePair& pair, std::int64_t stream, const TwoCaptureOptions&) {
                                 return report::map_tcp(pair, pair.first().tcp(stream));
                             }});
    add_two_capture_command(app, global,
                            {"map-mptcp",
                             "The MPTCP connections of the peer capture that are an MPTCP connection of the first, "
                             "with the subflow mapping",
                             StreamArgument::Mptcp, false,
                             [](const CapturePair& pair, std::int64_t stream, const TwoCaptureOptions&) {
                                 return report::map_mptcp(pair, pair.first().mptcp(stream));
                             }});
}

}  // namespace mptcpanalyzer::cli
