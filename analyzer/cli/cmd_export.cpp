// `mptcpanalyzer export -r FILE [-o OUT] [--format csv|json] [--delimiter C]`:
// the packet table, one row per TCP segment.

#include <memory>

#include "commands.hpp"
#include "mptcpanalyzer/export/packet_export.hpp"
#include "mptcpanalyzer/util/error.hpp"
#include "output.hpp"
#include "report_output.hpp"

namespace mptcpanalyzer::cli {
namespace {

struct ExportOptions {
    std::string capture;
    std::string output = "-";
    std::string format = "csv";
    char delimiter = ',';
};

void run_export(const ExportOptions& o, const GlobalOptions& global) {
    // Open the output first: an unwritable destination fails before minutes of dissection.
    OutputTarget out(o.output, {o.capture});
    const ReadResult result = load_capture(global, o.capture);
    // What the table needs to be read back as this capture (docs/output-formats.md); a table read
    // back keeps the libwireshark and preferences that dissected it.
    const ExportMetadata metadata{result.frames,           result.truncated,
                                  result.truncation_detail, result.file_type,
                                  result.libwireshark_version, result.wireshark_preferences};
    if (o.format == "csv") {
        write_packets_csv(result.table, out.stream(), o.delimiter, out.name(), metadata);
    } else {
        write_packets_json(result.table, out.stream(), out.name(), metadata);
    }
    out.finish();
}

}  // namespace

void setup_export(CLI::App& app, const GlobalOptions& global) {
    auto opts = std::make_shared<ExportOptions>();
    CLI::App* cmd = app.add_subcommand("export", "Write one row per TCP packet as CSV or JSON");
    add_capture_option(*cmd, opts->capture);
    cmd->add_option("-o,--output", opts->output, "Output file, '-' for standard output")->capture_default_str();
    cmd->add_option("-f,--format", opts->format, "Output format")
        ->check(CLI::IsMember({"csv", "json"}))
        ->capture_default_str();
    opts->delimiter = report_defaults().delimiter;  // output.csv_delimiter of the configuration file
    cmd->add_option("-d,--delimiter", opts->delimiter, "CSV field delimiter (default: output.csv_delimiter, ',')");
    cmd->callback([opts, &global] { run_export(*opts, global); });
}

}  // namespace mptcpanalyzer::cli
