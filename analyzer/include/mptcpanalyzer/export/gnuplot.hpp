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

struct PlotSeries {
    std::string title;                  // legend entry
    std::vector<std::string> rows;      // data lines ("x y" ...), written to a file of their own
    std::string columns;                // what the columns are, written as a comment atop the file (trusted text)
    std::string using_clause = "1:2";   // gnuplot `using`
    // gnuplot `with` clause (trusted text). It may use the script's variables point_size and
    // line_width, set from PlotOutput so users restyle every series in one place.
    std::string style = "points pointtype 7 pointsize point_size";
};

struct PlotSpec {
    std::string title;
    std::string xlabel;
    std::string ylabel;
    std::vector<PlotSeries> series;
    std::string extra;  // trusted settings written by us (never user text)
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
