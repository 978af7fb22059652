#include "report_output.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "mptcpanalyzer/export/packet_export.hpp"
#include "mptcpanalyzer/util/error.hpp"
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

namespace {
std::string csv_cell(const std::string& v, char delim) {
    if (v.find_first_of(std::string{delim} + "\"\n\r") == std::string::npos) return v;
    std::string out = "\"";
    for (char ch : v) {
        if (ch == '"') out += '"';
        out += ch;
    }
    return out + "\"";
}
}  // namespace

void write_report(const ReportOptions& o, const std::string& input, const nlohmann::ordered_json& json,
                  const CsvTable& csv, const std::string& text) {
    // An explicit --text/--json/--csv wins over the configured default.
    const std::string format = o.text ? "text" : o.json ? "json" : o.csv ? "csv" : report_defaults().format;
    if (format == "csv") validate_csv_delimiter(o.delimiter);
    OutputTarget out(o.output, {input});
    std::string body;
    if (format == "json") {
        body = json.dump(2) + "\n";
    } else if (format == "csv") {
        for (std::size_t i = 0; i < csv.columns.size(); ++i) {
            if (i) body += o.delimiter;
            body += csv_cell(csv.columns[i], o.delimiter);
        }
        body += '\n';
        for (const auto& row : csv.rows) {
            for (std::size_t i = 0; i < row.size(); ++i) {
                if (i) body += o.delimiter;
                body += csv_cell(row[i], o.delimiter);
            }
            body += '\n';
        }
    } else {
        body = text;
    }
    if (!body.empty() && std::fwrite(body.data(), 1, body.size(), out.stream()) != body.size()) {
        throw Error(ExitCode::OutputFailed, out.name() + ": write failed: " + std::strerror(errno));
    }
    out.finish();
}

std::string fmt_ratio(double v) { return fmt::format("{:.6f}", v); }
std::string fmt_rate(double v) { return fmt::format("{:.3f}", v); }

std::string human_bytes(std::uint64_t b) {
    if (b < 1000) return fmt::format("{} B", b);
    if (b < 1000 * 1000) return fmt::format("{:.2f} kB", static_cast<double>(b) / 1e3);
    if (b < 1000ULL * 1000 * 1000) return fmt::format("{:.2f} MB", static_cast<double>(b) / 1e6);
    return fmt::format("{:.2f} GB", static_cast<double>(b) / 1e9);
}

std::string human_rate(double bps) {
    if (bps < 1e3) return fmt::format("{:.0f} bit/s", bps);
    if (bps < 1e6) return fmt::format("{:.2f} kbit/s", bps / 1e3);
    if (bps < 1e9) return fmt::format("{:.2f} Mbit/s", bps / 1e6);
    return fmt::format("{:.2f} Gbit/s", bps / 1e9);
}

std::string human_duration(std::int64_t ns) { return fmt::format("{:.6f} s", static_cast<double>(ns) / 1e9); }

}  // namespace mptcpanalyzer::cli
