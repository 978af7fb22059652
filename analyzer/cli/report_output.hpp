#pragma once
// The three renderings of a command's result: human text (default), --json, --csv. A command
// builds all three from the same analysis; this writes the one asked for, atomically to a file
// or to stdout.

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

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

// A flat table for --csv: one header, rows of already formatted cells.
struct CsvTable {
    std::vector<std::string> columns;
    std::vector<std::vector<std::string>> rows;
};

// `input` is the capture the report comes from: the output must not overwrite it.
void write_report(const ReportOptions& options, const std::string& input, const nlohmann::ordered_json& json,
                  const CsvTable& csv, const std::string& text);

// Fixed formats, so outputs are stable: integers as is, ratios with 6 decimals, rates with 3.
std::string fmt_ratio(double v);
std::string fmt_rate(double v);
// Human text: "1.50 MB" style with exact bytes available in JSON/CSV.
std::string human_bytes(std::uint64_t bytes);
std::string human_rate(double bits_per_second);
std::string human_duration(std::int64_t ns);

}  // namespace mptcpanalyzer::cli
