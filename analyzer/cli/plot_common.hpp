#pragma once
// What every `plot <kind>` shares: the common options (capture, direction, subflows, title,
// output and terminal, size, --display, --keep-script), the defaults they fall back on, and
// the look shared by all kinds (one colour per subflow, one point shape per direction, time
// since the connection's first packet on the x axis). Plugin-provided plot kinds use the same
// helpers: add_common_plot_options() on their subcommand, resolve_plot_output() when they run.

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "capture_sessions.hpp"
#include "mptcpanalyzer/analysis/mptcp_data.hpp"
#include "mptcpanalyzer/export/gnuplot.hpp"

namespace mptcpanalyzer::cli {

// Defaults of the output options, in one place so a configuration file can set them
// (set_plot_defaults) before a command runs. Options given on the command line win.
struct PlotDefaults {
    std::string terminal;          // png, svg, pdf, dumb; "" = from the output file's extension
    int width = 1024;              // pixels (text terminal: width/10 columns)
    int height = 640;              // pixels (text terminal: height/20 lines)
    std::string font = "sans,10";  // gnuplot font "family,size"
    double point_size = 0.5;
    double line_width = 1.5;
};

const PlotDefaults& plot_defaults();
void set_plot_defaults(const PlotDefaults& defaults);

struct PlotCommonOptions {
    std::string capture;
    std::string direction = "both";       // to_server, to_client or both
    std::vector<std::uint32_t> subflows;  // --subflow TCPSTREAM, repeatable; empty = every subflow
    std::string title;                    // "" = a title naming the capture and connection
    std::string output;                   // -o; "" = not given (text on standard output)
    std::string terminal;                 // "" = PlotDefaults::terminal, then the file's extension
    std::string size;                     // "WIDTHxHEIGHT"; "" = PlotDefaults
    bool display = false;
    std::string keep_script;
};

// Adds -r/--read and the options above to a plot kind's subcommand.
void add_common_plot_options(CLI::App& kind, PlotCommonOptions& options);

// The output settings: command line over `defaults`. Throws Error(Usage) for a bad --size or
// --display with -o/--terminal, Error(Environment) for --display without a graphical session
// (checked here so no capture is read in vain).
PlotOutput resolve_plot_output(const PlotCommonOptions& options, const PlotDefaults& defaults = plot_defaults());

// Parses "WIDTHxHEIGHT" (100 to 10000 pixels each); Error(Usage) otherwise.
std::pair<int, int> parse_plot_size(const std::string& text);

bool wants_direction(const PlotCommonOptions& options, DataDirection direction);
bool wants_direction(const PlotCommonOptions& options, TcpDirection direction);

// Indices (in connection.subflows) of the subflows --subflow selected, all when none was given.
// Error(Usage) naming the connection's subflows when a --subflow is not one of them.
std::vector<std::size_t> selected_subflows(const PlotCommonOptions& options, const MptcpConnection& connection);
// For kinds on one TCP connection: --subflow is refused (Error(Usage)).
void refuse_subflow_option(const PlotCommonOptions& options, const char* kind);

// Seconds between `start` and `time`, as written to data files.
std::string seconds_text(std::int64_t time_ns, std::int64_t start_ns);

// Legend texts: "tcp.stream 3 10.0.0.1:40000 -> 10.0.0.2:80 (to server)".
std::string subflow_label(const AnalysisSession& session, const MptcpConnection& connection, std::size_t subflow);
const char* direction_label(DataDirection direction);  // "to server", "to client"
const char* direction_label(TcpDirection direction);   // "client to server", "server to client"

// A colour per subflow (colour-blind safe palette, cycling) and a point shape per direction, so
// the same subflow looks the same in every kind.
std::string subflow_color(std::size_t subflow);
std::string point_style(std::size_t subflow, DataDirection direction);
std::string line_style(std::size_t subflow, DataDirection direction);
inline constexpr const char* kAggregateColor = "#000000";
inline constexpr const char* kHighlightColor = "#d00000";  // reinjections

// The x label every time-based kind uses.
inline constexpr const char* kTimeLabel = "time since the connection's first packet (s)";

// The plot title: --title if given, else "<capture>: <what>".
std::string plot_title(const PlotCommonOptions& options, const std::string& what);

}  // namespace mptcpanalyzer::cli
