#pragma once
// Plots through gnuplot: we write the data files and a script, and run the real gnuplot on it,
// started without a shell. Every string that reaches a script (titles, legends, labels, file
// names) goes through gnuplot_string(): it appears literally and can run nothing.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace mptcpanalyzer {

// A gnuplot string expression showing `text` literally: single-quoted pieces (no backquote or
// macro substitution happens inside them, a quote is doubled), joined with "\n" for newlines;
// other control characters become spaces.
std::string gnuplot_string(std::string_view text);

// A further drawing of a series' data file, without a legend entry (e.g. the bars a marker sits on).
struct PlotLayer {
    std::string using_clause;  // gnuplot `using` (trusted text)
    std::string style;         // gnuplot `with` (trusted text)
};

struct PlotSeries {
    std::string title;                  // legend entry
    std::vector<std::string> rows;      // data lines ("x y" ...), written to a file of their own
    std::string columns;                // what the columns are, written as a comment atop the file (trusted text)
    std::string using_clause = "1:2";   // gnuplot `using`
    // gnuplot `with` clause (trusted text). It may use the script's variables point_size and
    // line_width, set from PlotOutput so users restyle every series in one place.
    std::string style = "points pointtype 7 pointsize point_size";
    std::vector<PlotLayer> layers;      // drawn first, from the same file, without a legend entry
    // The character marking this series on a text terminal (dumb), where colours and dash
    // patterns do not show: its points are drawn with it, and the legend shows it. 0 = none
    // (the series is drawn with `style` as on any terminal).
    char glyph = 0;
    // false: the data file is written (for the record) but the series is neither drawn nor listed
    // in the legend, e.g. a rate that is zero throughout.
    bool drawn = true;
};

// How an axis is ticked and its numbers written.
enum class AxisNumbers {
    Automatic,   // gnuplot's own ticks (a kind may still set a format in PlotSpec::extra)
    Integer,     // whole quantities (counts): integer steps, labels without decimals
    SiPrefixed,  // bytes, bit/s: steps of at least 1, labels with an SI prefix ("2.5 M"); the
                 // unit stays in the axis label
};

struct PlotAxis {
    AxisNumbers numbers = AxisNumbers::Automatic;
    // The extent of the data (Integer, SiPrefixed): the axis spans it from tick to tick.
    double low = 0;
    double high = 0;
};

// The tick step of an axis over [low, high]: 1, 2 or 5 x 10^n, about 5 to 9 ticks, at least
// `smallest` (1 when the span is 0).
double axis_tick_step(double low, double high, double smallest);

// The gnuplot settings (range, tics, format) of axis `name` ("x" or "y"); "" for Automatic.
// Integer and SiPrefixed axes run from the tick at or below `low` to the tick at or above
// `high` (at least one step: no data gives 0..1 with ticks 0 and 1). SiPrefixed labels use
// gnuplot's "%.Ns %c" with the fewest decimals N (0 to 3) that write every tick exactly
// (500 k, 1.0 M, 1.5 M rather than 500 k, 1 M, 2 M).
std::string axis_settings(std::string_view name, const PlotAxis& axis);

struct PlotSpec {
    std::string title;
    std::string xlabel;
    std::string ylabel;
    std::vector<PlotSeries> series;
    std::string extra;  // trusted settings written by us (never user text)
    PlotAxis y_axis;    // written after `extra`
};

struct PlotOutput {
    std::string path = "-";    // output file; its extension picks the terminal; "-" = text on stdout
    std::string terminal;      // explicit: png, svg, pdf, dumb (overrides the extension)
    int width = 1024;
    int height = 640;
    std::string keep_script;   // folder to keep the script and data files in ("" = none)
    bool display = false;      // open a window (qt, wxt or x11 terminal) instead of writing a file
    std::string font = "sans,10";  // trusted: checked by the caller (letters, digits, spaces, ',', '-')
    double point_size = 0.5;
    double line_width = 1.5;
};

// The gnuplot window terminals we can use, best first, among those this gnuplot has ("qt",
// "wxt", "x11"); empty when gnuplot is missing or has none (Debian's gnuplot-nox).
std::vector<std::string> gnuplot_window_terminals();

// Writes the script and data, runs gnuplot, moves the image into place atomically. Throws
// Error(Environment) when gnuplot is missing (naming the package; script and data are still
// written when keep_script is set) or, with `display`, when there is no graphical display
// ($DISPLAY / $WAYLAND_DISPLAY unset) or gnuplot has no window terminal (naming gnuplot-qt);
// Error(Usage) for an unknown terminal, Error(NoData) when no series has a point,
// Error(Failure) when gnuplot fails.
void render_plot(const PlotSpec& spec, const PlotOutput& output);

}  // namespace mptcpanalyzer
