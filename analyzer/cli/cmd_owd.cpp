// `mptcpanalyzer owd -r A --peer B N [--tcp] [--clock-offset NS]`: one-way delays of one
// connection between two captures of its traffic, per subflow and data direction, with matched
// and unmatched packet counts and the clock offset between the captures estimated (or imposed)
// and removed (analysis/one_way_delays.hpp, report::one_way_delays).

#include "commands.hpp"
#include "mptcpanalyzer/analysis/one_way_delays.hpp"
#include "mptcpanalyzer/report/reports.hpp"
#include "report_output.hpp"

namespace mptcpanalyzer::cli {

void setup_owd(CLI::App& app, const GlobalOptions& global) {
    add_two_capture_command(
        app, global,
        {"owd", "One-way delays per subflow and direction between two captures, clock offset removed",
         StreamArgument::Mptcp, true,
         [](const CapturePair& pair, std::int64_t stream, const TwoCaptureOptions& o) {
             if (o.tcp) {
                 const TcpConnection& connection = pair.first().tcp(stream);
                 return report::one_way_delays(pair, connection, one_way_delays(pair, connection, o.clock_offset_ns));
             }
             const MptcpConnection& connection = pair.first().mptcp(stream);
             return report::one_way_delays(pair, connection, one_way_delays(pair, connection, o.clock_offset_ns));
         },
         true});
}

}  // namespace mptcpanalyzer::cli
