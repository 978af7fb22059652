// `mptcpanalyzer reordering -r FILE STREAM [--peer FILE]`: receiver-side head-of-line delays and
// out-of-order bytes per data direction of one MPTCP connection (report::reordering). With one
// capture each direction says whether the capture is its receiver's view (exact) or its
// sender's (an estimate); with --peer each direction is computed from the receiver's capture of
// the pair, whichever one -r names.
// The options are add_report_command's plus an optional --peer (add_report_command has no
// optional second capture, add_two_capture_command a mandatory one).

#include <memory>

#include "capture_sessions.hpp"
#include "commands.hpp"
#include "mptcpanalyzer/report/reports.hpp"
#include "report_output.hpp"

namespace mptcpanalyzer::cli {

void setup_reordering(CLI::App& app, const GlobalOptions& global) {
    struct Options {
        std::string capture;
        std::string peer;
        std::int64_t stream = -1;
        ReportOptions report;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand(
        "reordering", "Receiver-side reordering of one MPTCP connection: head-of-line delays, out-of-order bytes");
    add_capture_option(*cmd, o->capture);
    cmd->add_option("stream", o->stream, "mptcp.stream number")->required()->check(stream_number_check());
    cmd->add_option("--peer", o->peer,
                    "Capture of the same traffic at the other end: each direction is then taken from its receiver's "
                    "capture");
    add_report_options(*cmd, o->report);
    cmd->callback([o, &global] {
        if (o->peer.empty()) {
            const auto session = open_session(global, o->capture);
            write_report(o->report, o->capture, report::reordering(*session, session->mptcp(o->stream)));
            return;
        }
        const auto pair = open_capture_pair(global, o->capture, o->peer);
        write_report(o->report, {o->capture, o->peer},
                     report::reordering(*pair, pair->first().mptcp(o->stream)));
    });
}

}  // namespace mptcpanalyzer::cli
