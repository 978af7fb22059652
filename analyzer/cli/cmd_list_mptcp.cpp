// `mptcpanalyzer list-mptcp -r FILE` and `list-subflows -r FILE STREAM`: the MPTCP connections
// with keys, tokens, version, fallback, and each subflow's 4-tuple, role, direction
// (mptcpdest), address ids, backup flag over time, traffic and how it ended.

#include <fmt/format.h>

#include <memory>

#include "commands.hpp"
#include "mptcp_views.hpp"
#include "report_output.hpp"

namespace mptcpanalyzer::cli {
namespace {

struct ListMptcpOptions {
    std::string capture;
    ReportOptions report;
};

struct ListSubflowsOptions {
    std::string capture;
    std::int64_t stream = -1;
    ReportOptions report;
};

void run_list_mptcp(const ListMptcpOptions& o, const GlobalOptions& g) {
    const AnalysisContext ctx = AnalysisContext::load(g, o.capture);
    nlohmann::ordered_json json = {{"mptcp_connections", nlohmann::ordered_json::array()},
                                   {"unattached_subflows", ctx.model.unattached_subflows}};
    CsvTable csv{subflow_csv_columns(), {}};
    std::string text;
    for (const auto& m : ctx.model.mptcp) {
        json["mptcp_connections"].push_back(connection_json(ctx, m));
        for (const auto& sf : m.subflows) csv.rows.push_back(subflow_csv_row(ctx, m, sf));
        text += connection_text(ctx, m);
    }
    if (ctx.model.mptcp.empty()) text = "no MPTCP connection\n";
    for (auto s : ctx.model.unattached_subflows) {
        const TcpConnection* t = ctx.model.find_tcp(s);
        text += fmt::format("unattached subflow tcp.stream {}: {} -> {} (its MPTCP connection is not identifiable)\n", s,
                            t->client.to_string(), t->server.to_string());
    }
    write_report(o.report, o.capture, json, csv, text);
}

void run_list_subflows(const ListSubflowsOptions& o, const GlobalOptions& g) {
    const AnalysisContext ctx = AnalysisContext::load(g, o.capture);
    const MptcpConnection& m = ctx.mptcp(o.stream);
    const nlohmann::ordered_json json = connection_json(ctx, m);
    CsvTable csv{subflow_csv_columns(), {}};
    for (const auto& sf : m.subflows) csv.rows.push_back(subflow_csv_row(ctx, m, sf));
    write_report(o.report, o.capture, json, csv, connection_text(ctx, m));
}

}  // namespace

void setup_list_mptcp(CLI::App& app, const GlobalOptions& global) {
    auto opts = std::make_shared<ListMptcpOptions>();
    CLI::App* cmd = app.add_subcommand("list-mptcp", "List the MPTCP connections and their subflows");
    add_capture_option(*cmd, opts->capture);
    add_report_options(*cmd, opts->report);
    cmd->callback([opts, &global] { run_list_mptcp(*opts, global); });

    auto sopts = std::make_shared<ListSubflowsOptions>();
    CLI::App* sub = app.add_subcommand("list-subflows", "List the subflows of one MPTCP connection");
    add_capture_option(*sub, sopts->capture);
    sub->add_option("stream", sopts->stream, "mptcp.stream number")->required();
    add_report_options(*sub, sopts->report);
    sub->callback([sopts, &global] { run_list_subflows(*sopts, global); });
}

}  // namespace mptcpanalyzer::cli
