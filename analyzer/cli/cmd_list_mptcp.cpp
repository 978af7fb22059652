// `mptcpanalyzer list-mptcp -r FILE` and `list-subflows -r FILE [STREAM]`: the MPTCP connections
// with keys, tokens, version, fallback, and each subflow's 4-tuple, role, direction
// (mptcpdest), address ids, backup flag over time, traffic and how it ended
// (report::list_mptcp, report::list_subflows). As CSV, list-mptcp is one row per connection and
// list-subflows one row per subflow (of one connection, or of all without STREAM).

#include "commands.hpp"
#include "mptcpanalyzer/report/reports.hpp"
#include "report_output.hpp"

namespace mptcpanalyzer::cli {

void setup_list_mptcp(CLI::App& app, const GlobalOptions& global) {
    add_report_command(app, global,
                       {"list-mptcp", "List the MPTCP connections and their subflows (CSV: one row per connection)", StreamArgument::None,
                        [](const AnalysisSession& s, auto) { return report::list_mptcp(s); }});
    add_report_command(app, global,
                       {"list-subflows", "List the subflows of one MPTCP connection, or of all (CSV: one row per subflow)",
                        StreamArgument::OptionalMptcp, [](const AnalysisSession& s, std::optional<std::int64_t> stream) {
                            return report::list_subflows(s, stream ? &s.mptcp(*stream) : nullptr);
                        }});
}

}  // namespace mptcpanalyzer::cli
