// `mptcpanalyzer columns`: the columns of every report (name, type, unit, meaning) as Markdown,
// generated from the report descriptions themselves; docs/output-formats.md carries this output
// (tests/integration/test_golden_outputs.py checks it, tools/golden/update.py rewrites it).

#include <fmt/core.h>

#include "commands.hpp"
#include "mptcpanalyzer/report/render.hpp"
#include "mptcpanalyzer/report/reports.hpp"

namespace mptcpanalyzer::cli {

void setup_columns(CLI::App& app) {
    CLI::App* cmd = app.add_subcommand("columns", "Describe the columns of every report (Markdown)");
    cmd->callback([] {
        std::string out;
        for (const auto& [report_name, schema] : report::documented_schemas()) {
            out += fmt::format("{}### {}\n\n{}", out.empty() ? "" : "\n", report_name, report::markdown_columns(*schema, 4));
        }
        fmt::print("{}", out);
    });
}

}  // namespace mptcpanalyzer::cli
