#pragma once
// The options every report command shares (--text, --json, --csv, -o, -d) and the one place a
// report reaches its output: the renderers of report/render.hpp, then an OutputTarget.

#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common_options.hpp"
#include "mptcpanalyzer/analysis/capture_pair.hpp"
#include "mptcpanalyzer/analysis/session.hpp"
#include "mptcpanalyzer/report/report.hpp"

namespace mptcpanalyzer::cli {

struct ReportOptions {
    bool text = false;
    bool json = false;
    bool csv = false;  // none of the three: report_defaults().format
    std::string output = "-";
    char delimiter = ',';
};

// What the configuration file sets (output.format, output.csv_delimiter); set once at startup,
// before the commands are set up.
struct ReportDefaults {
    std::string format = "text";  // text, json or csv
    char delimiter = ',';
};
void set_report_defaults(const ReportDefaults& defaults);
const ReportDefaults& report_defaults();

void add_report_options(CLI::App& command, ReportOptions& options);

// Renders `document` in the asked format (only that one), atomically to a file or to stdout.
// `input` is the capture the report comes from: the output must not overwrite it.
void write_report(const ReportOptions& options, const std::string& input, const report::Document& document);
// The same for a report made from several captures: the output may overwrite none of them.
void write_report(const ReportOptions& options, const std::vector<std::string>& inputs, const report::Document& document);

// A report command: `NAME -r FILE [STREAM] [--text|--json|--csv] [-o OUT] [-d DELIM]`, whose
// document `build` makes from the capture's analysis session (capture_sessions.hpp).
enum class StreamArgument { None, Tcp, Mptcp, OptionalMptcp };
struct ReportCommand {
    const char* name;
    const char* description;
    StreamArgument stream;
    // `stream` is the resolved connection's number when the command takes one.
    std::function<report::Document(const AnalysisSession& session, std::optional<std::int64_t> stream)> build;
};
CLI::App* add_report_command(CLI::App& app, const GlobalOptions& global, ReportCommand command);

// A two-capture report command: `NAME -r FILE --peer FILE STREAM [--clock-offset NS]
// [--text|--json|--csv] [-o OUT] [-d DELIM]`; STREAM is a connection of the first capture
// (StreamArgument::Tcp or Mptcp). `clock_offset` adds --clock-offset.
struct TwoCaptureOptions {
    // --clock-offset NS: the peer capture's clock minus the first one's, imposed instead of
    // estimated (analysis/clock_offset.hpp).
    std::optional<std::int64_t> clock_offset_ns;
    // --tcp (commands with TwoCaptureCommand::tcp_option): STREAM is a tcp.stream, not an mptcp.stream.
    bool tcp = false;
};
struct TwoCaptureCommand {
    const char* name;
    const char* description;
    StreamArgument stream;
    bool clock_offset;
    std::function<report::Document(const CapturePair& pair, std::int64_t stream, const TwoCaptureOptions& options)> build;
    // Adds --tcp: an Mptcp command then also takes a plain TCP connection's tcp.stream.
    bool tcp_option = false;
};
CLI::App* add_two_capture_command(CLI::App& app, const GlobalOptions& global, TwoCaptureCommand command);

}  // namespace mptcpanalyzer::cli
