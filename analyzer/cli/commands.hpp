#pragma once
// One file per command (CLI11 subcom_in_files style): each `setup_x` adds its subcommand and
// wires its callback to `run_x`. main.cpp only calls these.

#include <CLI/CLI.hpp>

#include "common_options.hpp"

namespace mptcpanalyzer::cli {

void setup_export(CLI::App& app, const GlobalOptions& global);
void setup_cache(CLI::App& app, const GlobalOptions& global);
void setup_version(CLI::App& app, const GlobalOptions& global);
void setup_checkhealth(CLI::App& app, const GlobalOptions& global);
void setup_list_tcp(CLI::App& app, const GlobalOptions& global);
void setup_list_mptcp(CLI::App& app, const GlobalOptions& global);  // and list-subflows
void setup_summaries(CLI::App& app, const GlobalOptions& global);   // tcp-summary, mptcp-summary
void setup_list_reinjections(CLI::App& app, const GlobalOptions& global);
void setup_list_mptcp_retransmissions(CLI::App& app, const GlobalOptions& global);
void setup_events(CLI::App& app, const GlobalOptions& global);
void setup_map(CLI::App& app, const GlobalOptions& global);  // map-tcp, map-mptcp (two captures)
void setup_columns(CLI::App& app);  // the report columns, documented
void setup_plot(CLI::App& app, const GlobalOptions& global);
void setup_config(CLI::App& app, const GlobalOptions& global);  // config show
struct PluginRegistry;
void setup_plugins(CLI::App& app, const GlobalOptions& global, const PluginRegistry& plugins);

}  // namespace mptcpanalyzer::cli
