// `mptcpanalyzer plot <kind> -r FILE STREAM [options]`: pictures through gnuplot. Each kind lives
// in plot_<kind>.cpp; the options they share are in plot_common.hpp. Kinds and units:
// docs/plots.md.

#include "commands.hpp"
#include "plot_kinds.hpp"

namespace mptcpanalyzer::cli {

void setup_plot(CLI::App& app, const GlobalOptions& global) {
    CLI::App* plot = app.add_subcommand(
        "plot", "Plots through gnuplot (kinds: dsn, tcp-attr, mptcp-attr, dss, throughput, goodput, reinjections, "
                "interarrival, hol, buffer, owd)");
    plot->require_subcommand(1);
    setup_plot_dsn(*plot, global);
    setup_plot_attr(*plot, global);
    setup_plot_dss(*plot, global);
    setup_plot_throughput(*plot, global);
    setup_plot_reinjections(*plot, global);
    setup_plot_interarrival(*plot, global);
    setup_plot_hol(*plot, global);
    setup_plot_buffer(*plot, global);
    setup_plot_owd(*plot, global);
}

}  // namespace mptcpanalyzer::cli
