// `mptcpanalyzer list-reinjections -r FILE [STREAM]`: every data segment with reinjected bytes
// (data carried before only by other subflows of its connection, analysis/reinjections.hpp),
// with the original transmissions, the delay since the first, and the reverse links
// (report::list_reinjections).

#include "commands.hpp"
#include "mptcpanalyzer/report/reports.hpp"
#include "report_output.hpp"

namespace mptcpanalyzer::cli {

void setup_list_reinjections(CLI::App& app, const GlobalOptions& global) {
    add_report_command(app, global,
                       {"list-reinjections", "List the data reinjected on another subflow", StreamArgument::OptionalMptcp,
                        [](const AnalysisSession& s, std::optional<std::int64_t> stream) {
                            return report::list_reinjections(s, stream ? &s.mptcp(*stream) : nullptr);
                        }});
}

}  // namespace mptcpanalyzer::cli
