#pragma once
// What every `plot <kind>` shares: the common options (capture, direction, subflows, title,
// output and terminal, size, --display, --keep-script), the defaults they fall back on, and
// the look shared by all kinds (one colour per subflow, one point shape per direction, one
// character per subflow and direction on text terminals, time since the connection's first
// packet on the x axis). Plugin-provided plot kinds use the same
// helpers: add_common_plot_options() on their subcommand, resolve_plot_output() when they run.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
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

// The options of a built-in kind: the common ones and the connection it plots. Kinds derive
// their own options from it.
struct StreamPlotOptions {
    PlotCommonOptions common;
    std::int64_t stream = -1;
};

// Adds the subcommand `name` of a kind: the common options, the required STREAM argument
// (described by `stream_help`), and `run` called with the options when the kind is chosen.
// Returns the subcommand, for the kind's own options.
template <class Options>
CLI::App& add_plot_kind(CLI::App& plot, const GlobalOptions& global, const std::shared_ptr<Options>& options,
                        const char* name, const char* description, const char* stream_help,
                        void (*run)(const Options&, const GlobalOptions&)) {
    CLI::App* kind = plot.add_subcommand(name, description);
    add_common_plot_options(*kind, options->common);
    kind->add_option("stream", options->stream, stream_help)->required()->check(stream_number_check());
    kind->callback([options, run, &global] { run(*options, global); });
    return *kind;
}

// The output settings: command line over `defaults`. Throws Error(Usage) for a bad --size or
// --display with -o/--terminal, Error(Environment) for --display without a graphical session
// (checked here so no capture is read in vain).
PlotOutput resolve_plot_output(const PlotCommonOptions& options, const PlotDefaults& defaults = plot_defaults());

// Parses "WIDTHxHEIGHT" (100 to 10000 pixels each); Error(Usage) otherwise.
std::pair<int, int> parse_plot_size(const std::string& text);

bool wants_direction(const PlotCommonOptions& options, DataDirection direction);
bool wants_direction(const PlotCommonOptions& options, TcpDirection direction);
// The directions --direction asks for, to server (client to server) first: the order of every
// kind's series.
std::vector<DataDirection> wanted_directions(const PlotCommonOptions& options);
std::vector<TcpDirection> wanted_tcp_directions(const PlotCommonOptions& options);

// Indices (in connection.subflows) of the subflows --subflow selected, all when none was given.
// Error(Usage) naming the connection's subflows when a --subflow is not one of them.
std::vector<std::size_t> selected_subflows(const PlotCommonOptions& options, const MptcpConnection& connection);
// For kinds on one TCP connection: --subflow is refused (Error(Usage)).
void refuse_subflow_option(const PlotCommonOptions& options, const char* kind);

// What a kind on one MPTCP connection starts from, opened in the order that fails early: the
// output settings (a bad option fails before the capture is read), the session, the connection
// and the subflows --subflow selected.
struct MptcpPlot {
    PlotOutput output;
    std::shared_ptr<const AnalysisSession> kept;  // keeps `session` alive
    const AnalysisSession& session;
    const MptcpConnection& connection;
    std::vector<std::size_t> subflows;  // selected_subflows()
    std::int64_t start_ns = 0;          // the connection's first packet: time 0 on the x axis
};
MptcpPlot open_mptcp_plot(const StreamPlotOptions& options, const GlobalOptions& global);

// The same for a kind on one TCP connection (`kind` names it when --subflow is refused).
struct TcpPlot {
    PlotOutput output;
    std::shared_ptr<const AnalysisSession> kept;
    const AnalysisSession& session;
    const TcpConnection& connection;
    std::int64_t start_ns = 0;
};
TcpPlot open_tcp_plot(const StreamPlotOptions& options, const GlobalOptions& global, const char* kind);

// Seconds between `start` and `time`, as written to data files.
std::string seconds_text(std::int64_t time_ns, std::int64_t start_ns);

// A data row "time_s value...": the time since `start_ns`, then the values as {} formats them.
template <class... Values>
std::string time_row(std::int64_t time_ns, std::int64_t start_ns, const Values&... values) {
    std::string row = seconds_text(time_ns, start_ns);
    ((row += ' ', row += fmt::to_string(values)), ...);
    return row;
}

// The series of an empirical CDF of `values`: rows "value fraction cumulative_count", starting at
// fraction 0 on the smallest value so a step line rises there; no row when there is no value.
PlotSeries cdf_series(std::span<const double> values, std::string columns);

// Legend texts: "tcp.stream 3 10.0.0.1:40000 -> 10.0.0.2:80 (to server)".
std::string subflow_label(const AnalysisSession& session, const MptcpConnection& connection, std::size_t subflow);
const char* direction_label(DataDirection direction);  // "to server", "to client"
const char* direction_label(TcpDirection direction);   // "client to server", "server to client"
// "<subflow label> (<direction>)", the legend of a subflow's series.
std::string subflow_title(const MptcpPlot& plot, std::size_t subflow, DataDirection direction);
// "10.0.0.1:40000 -> 10.0.0.2:80 (client to server)", the legend of a TCP direction's series.
std::string tcp_direction_title(const TcpConnection& connection, TcpDirection direction);

// A colour per subflow (colour-blind safe palette, cycling) and a point shape per direction, so
// the same subflow looks the same in every kind.
std::string subflow_color(std::size_t subflow);
std::string point_style(std::size_t subflow, DataDirection direction);
std::string line_style(std::size_t subflow, DataDirection direction);
// Text terminals show neither colours nor dashes: each series gets a character instead (see
// docs/plots.md). A subflow's letter is its place among the connection's subflows: 'A', 'B', ...
// towards the server, 'a', 'b', ... towards the client (cycling after 26). Series that are not
// one subflow's use signs that are no letter and none of the characters gnuplot's dumb terminal
// draws lines, the border and the grid with (*#$%@&= + - | : .).
char subflow_glyph(std::size_t subflow, DataDirection direction);
char aggregate_glyph(DataDirection direction);  // all subflows, subflow switches: '^', '~'
char highlight_glyph(DataDirection direction);  // reinjections, infinite mappings: '!', '?'
char data_ack_glyph(DataDirection direction);   // DATA_ACKs: '>', '<'
inline constexpr const char* kAggregateColor = "#000000";
inline constexpr const char* kHighlightColor = "#d00000";  // reinjections

// The x label every time-based kind uses.
inline constexpr const char* kTimeLabel = "time since the connection's first packet (s)";

// The plot title: --title if given, else "<capture>: <what>".
std::string plot_title(const PlotCommonOptions& options, const std::string& what);

}  // namespace mptcpanalyzer::cli
