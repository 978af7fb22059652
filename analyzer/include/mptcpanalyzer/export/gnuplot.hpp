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
    std::string using_clause = "1:2";   // gnuplot `using`
    std::string style = "points pointtype 7 pointsize 0.4";
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
};

// Writes the script and data, runs gnuplot, moves the image into place atomically. Throws
// Error(Environment) when gnuplot is missing (naming the package; script and data are still
// written when keep_script is set), Error(Usage) for an unknown terminal, Error(Failure) when
// gnuplot fails.
void render_plot(const PlotSpec& spec, const PlotOutput& output);

}  // namespace mptcpanalyzer
