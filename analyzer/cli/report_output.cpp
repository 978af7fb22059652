#include "report_output.hpp"

#include <cerrno>
#include <cstring>

#include "mptcpanalyzer/export/packet_export.hpp"
#include "mptcpanalyzer/report/render.hpp"
#include "mptcpanalyzer/util/error.hpp"
#include "capture_sessions.hpp"
#include "output.hpp"

namespace mptcpanalyzer::cli {

namespace {
ReportDefaults& mutable_report_defaults() {
    static ReportDefaults defaults;
    return defaults;
}
}  // namespace

void set_report_defaults(const ReportDefaults& defaults) { mutable_report_defaults() = defaults; }
const ReportDefaults& report_defaults() { return mutable_report_defaults(); }

void add_report_options(CLI::App& command, ReportOptions& o) {
    o.delimiter = report_defaults().delimiter;
    auto* text = command.add_flag("--text", o.text, "Output human-readable text (the default unless output.format says otherwise)");
    auto* json = command.add_flag("--json", o.json, "Output JSON");
    auto* csv = command.add_flag("--csv", o.csv, "Output CSV (one row per item)");
    json->excludes(csv);
    text->excludes(json)->excludes(csv);
    command.add_option("-o,--output", o.output, "Output file, '-' for standard output")->capture_default_str();
    command.add_option("-d,--delimiter", o.delimiter, "CSV field delimiter (default: output.csv_delimiter, ',')");
}

void write_report(const ReportOptions& o, const std::string& input, const report::Document& document) {
    write_report(o, std::vector<std::string>{input}, document);
}

void write_report(const ReportOptions& o, const std::vector<std::string>& inputs, const report::Document& document) {
    // An explicit --text/--json/--csv wins over the configured default.
    const std::string format = o.text ? "text" : o.json ? "json" : o.csv ? "csv" : report_defaults().format;
    if (format == "csv") validate_csv_delimiter(o.delimiter);
    OutputTarget out(o.output, inputs);
    const std::string body = format == "json"  ? report::to_json(document).dump(2) + "\n"
                             : format == "csv" ? report::csv_text(report::to_csv(document), o.delimiter)
                                               : report::to_text(document);
    if (!body.empty() && std::fwrite(body.data(), 1, body.size(), out.stream()) != body.size()) {
        throw Error(ExitCode::OutputFailed, out.name() + ": write failed: " + std::strerror(errno));
    }
    out.finish();
}

CLI::App* add_report_command(CLI::App& app, const GlobalOptions& global, ReportCommand command) {
    struct Options {
        std::string capture;
        std::optional<std::int64_t> stream;
        ReportOptions report;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand(command.name, command.description);
    add_capture_option(*cmd, o->capture);
    // The descriptions start with the stream kind: completion offers the loaded capture's numbers.
    switch (command.stream) {
        case StreamArgument::None: break;
        case StreamArgument::Tcp: cmd->add_option("stream", o->stream, "tcp.stream number")->required()->check(stream_number_check()); break;
        case StreamArgument::Mptcp: cmd->add_option("stream", o->stream, "mptcp.stream number")->required()->check(stream_number_check()); break;
        case StreamArgument::OptionalMptcp:
            cmd->add_option("stream", o->stream, "mptcp.stream number (default: all connections)")
                ->check(stream_number_check());
            break;
    }
    add_report_options(*cmd, o->report);
    cmd->callback([o, &global, build = std::move(command.build)] {
        const auto session = open_session(global, o->capture);
        write_report(o->report, o->capture, build(*session, o->stream));
    });
    return cmd;
}

CLI::App* add_two_capture_command(CLI::App& app, const GlobalOptions& global, TwoCaptureCommand command) {
    struct Options {
        std::string capture;
        std::string peer;
        std::int64_t stream = -1;
        TwoCaptureOptions two;
        ReportOptions report;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand(command.name, command.description);
    add_capture_option(*cmd, o->capture);
    add_peer_option(*cmd, o->peer);
    const char* stream_help = command.stream == StreamArgument::Tcp ? "tcp.stream number (of the -r capture)"
                                                                    : "mptcp.stream number (of the -r capture)";
    cmd->add_option("stream", o->stream, stream_help)->required()->check(stream_number_check());
    if (command.clock_offset) {
        cmd->add_option("--clock-offset", o->two.clock_offset_ns,
                        "The peer capture's clock minus the first one's, in ns (default: estimated)");
    }
    if (command.tcp_option) {
        cmd->add_flag("--tcp", o->two.tcp, "STREAM is a tcp.stream: a plain TCP connection (or one subflow alone)");
    }
    add_report_options(*cmd, o->report);
    cmd->callback([o, &global, build = std::move(command.build)] {
        const auto pair = open_capture_pair(global, o->capture, o->peer);
        write_report(o->report, {o->capture, o->peer}, build(*pair, o->stream, o->two));
    });
    return cmd;
}

}  // namespace mptcpanalyzer::cli
