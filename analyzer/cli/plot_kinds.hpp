#pragma once
// The plot kinds, one file each (plot_<kind>.cpp): each adds its subcommand under `plot`.
// cmd_plot.cpp calls them all; see docs/plots.md.

#include <CLI/CLI.hpp>

#include "common_options.hpp"

namespace mptcpanalyzer::cli {

void setup_plot_dsn(CLI::App& plot, const GlobalOptions& global);
void setup_plot_attr(CLI::App& plot, const GlobalOptions& global);  // tcp-attr, mptcp-attr
void setup_plot_dss(CLI::App& plot, const GlobalOptions& global);
void setup_plot_throughput(CLI::App& plot, const GlobalOptions& global);  // throughput, goodput
void setup_plot_reinjections(CLI::App& plot, const GlobalOptions& global);
void setup_plot_interarrival(CLI::App& plot, const GlobalOptions& global);
void setup_plot_hol(CLI::App& plot, const GlobalOptions& global);
void setup_plot_buffer(CLI::App& plot, const GlobalOptions& global);
void setup_plot_owd(CLI::App& plot, const GlobalOptions& global);  // two captures: -r and --peer

}  // namespace mptcpanalyzer::cli
