// `mptcpanalyzer list-tcp -r FILE`: one line per TCP connection (Wireshark tcp.stream), oriented
// by its SYN, with what each direction carried and how it ended (report::list_tcp).

#include "commands.hpp"
#include "mptcpanalyzer/report/reports.hpp"
#include "report_output.hpp"

namespace mptcpanalyzer::cli {

void setup_list_tcp(CLI::App& app, const GlobalOptions& global) {
    add_report_command(app, global,
                       {"list-tcp", "List the TCP connections (one per tcp.stream)", StreamArgument::None,
                        [](const AnalysisSession& s, auto) { return report::list_tcp(s); }});
}

}  // namespace mptcpanalyzer::cli
