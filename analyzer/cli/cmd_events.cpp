// `mptcpanalyzer events -r FILE [STREAM]`: the MPTCP control timeline of one connection, or of
// all of them, with time, frame, subflow and sender (report::events).

#include "commands.hpp"
#include "mptcpanalyzer/report/reports.hpp"
#include "report_output.hpp"

namespace mptcpanalyzer::cli {

void setup_events(CLI::App& app, const GlobalOptions& global) {
    add_report_command(app, global,
                       {"events", "The MPTCP control events (handshakes, addresses, priorities, closes)",
                        StreamArgument::OptionalMptcp, [](const AnalysisSession& s, std::optional<std::int64_t> stream) {
                            return report::events(s, stream ? &s.mptcp(*stream) : nullptr);
                        }});
}

}  // namespace mptcpanalyzer::cli
