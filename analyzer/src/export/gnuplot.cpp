#include "mptcpanalyzer/export/gnuplot.hpp"

#include <fmt/format.h>
#include <glib.h>
#include <glib/gstdio.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "mptcpanalyzer/util/atomic_file.hpp"
#include "mptcpanalyzer/util/error.hpp"
#include "mptcpanalyzer/util/temp_directory.hpp"

namespace mptcpanalyzer {

namespace {

// One line of text as a gnuplot string expression. gnuplot's scanner reads a single-quoted
// string that opens with a doubled quote ('''a') as an empty string followed by a stray token, so
// a leading quote is a concatenated "'" instead; elsewhere '' is its escape for a quote.
std::string gnuplot_line(std::string_view line) {
    std::string out;
    for (; !line.empty() && line.front() == '\''; line.remove_prefix(1)) out += "\"'\".";
    out += "'";
    for (char ch : line) {
        if (ch == '\'') {
            out += "''";
        } else if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
            out += ' ';
        } else {
            out += ch;
        }
    }
    return out + "'";
}

}  // namespace

std::string gnuplot_string(std::string_view text) {
    std::string out;
    for (std::size_t start = 0;;) {
        const std::size_t newline = text.find('\n', start);
        out += gnuplot_line(text.substr(start, newline == std::string_view::npos ? std::string_view::npos : newline - start));
        if (newline == std::string_view::npos) return out;
        out += ".\"\\n\".";
        start = newline + 1;
    }
}

namespace {

bool has_graphical_display() {
    const char* x = g_getenv("DISPLAY");
    const char* w = g_getenv("WAYLAND_DISPLAY");
    return (x && *x) || (w && *w);
}

std::string terminal_for(const PlotOutput& o, const std::string& window_terminal) {
    const std::string font = gnuplot_string(o.font);
    if (o.display) {
        return fmt::format("{} size {},{} enhanced font {} persist", window_terminal, o.width, o.height, font);
    }
    std::string t = o.terminal;
    if (t.empty()) {
        if (o.path == "-") return fmt::format("dumb size {},{}", std::max(40, o.width / 10), std::max(15, o.height / 20));
        const std::string ext = std::filesystem::path(o.path).extension().string();
        if (ext == ".png") t = "png";
        else if (ext == ".svg") t = "svg";
        else if (ext == ".pdf") t = "pdf";
        else throw Error(ExitCode::Usage, o.path + ": unknown image type; use .png, .svg, .pdf, or --terminal");
    }
    if (t == "png") return fmt::format("pngcairo size {},{} enhanced font {}", o.width, o.height, font);
    if (t == "svg") return fmt::format("svg size {},{} fixed enhanced font {}", o.width, o.height, font);
    // pdfcairo sizes are in inches: the pixel size at 96 dpi, so a PDF has the PNG's proportions.
    if (t == "pdf") return fmt::format("pdfcairo size {:.2f}in,{:.2f}in enhanced font {}", o.width / 96.0, o.height / 96.0, font);
    if (t == "dumb") return fmt::format("dumb size {},{}", std::max(40, o.width / 10), std::max(15, o.height / 20));
    throw Error(ExitCode::Usage, "unknown terminal '" + t + "' (png, svg, pdf, dumb)");
}

// The columns a points drawing of a series takes from its `using` clause: the first two (x and y;
// a vector's start, a step's corner).
std::string point_columns(const std::string& using_clause) {
    const auto first = using_clause.find(':');
    if (first == std::string::npos) return using_clause;
    const auto second = using_clause.find(':', first + 1);
    return second == std::string::npos ? using_clause : using_clause.substr(0, second);
}

// The plot command's parts of one series: its layers (no legend entry), then the series itself.
// On a text terminal a series with a glyph is drawn as points of that character, which the
// legend shows; a series that is not points (lines, steps, vectors) keeps its drawing, without
// legend entry, under those points.
std::vector<std::string> series_parts(const PlotSeries& s, const std::string& file, bool text_terminal) {
    std::vector<std::string> parts;
    const std::string quoted = gnuplot_string(file);
    for (const auto& layer : s.layers) parts.push_back(quoted + " using " + layer.using_clause + " with " + layer.style + " notitle");
    const std::string title = " title " + gnuplot_string(s.title);
    if (!text_terminal || s.glyph == 0) {
        parts.push_back(quoted + " using " + s.using_clause + " with " + s.style + title);
        return parts;
    }
    if (!s.style.starts_with("points")) parts.push_back(quoted + " using " + s.using_clause + " with " + s.style + " notitle");
    parts.push_back(quoted + " using " + point_columns(s.using_clause) + " with points pointtype " +
                    gnuplot_string(std::string(1, s.glyph)) + title);
    return parts;
}

// A number as gnuplot reads it back exactly (shortest round-trip form).
std::string number_text(double v) { return fmt::format("{}", v == 0 ? 0.0 : v); }

void write_file(const std::filesystem::path& path, const std::string& content) {
    std::ofstream f(path, std::ios::binary);
    f << content;
    if (!f) throw Error(ExitCode::OutputFailed, path.string() + ": cannot write");
}

}  // namespace

double axis_tick_step(double low, double high, double smallest) {
    const double span = high - low;
    if (!(span > 0)) return smallest;
    // About 8 ticks at most, on 1-2-5 steps: labels stay readable on a text terminal.
    const double raw = span / 8;
    const double decade = std::pow(10.0, std::floor(std::log10(raw)));
    double step = decade * 10;
    for (const double m : {1.0, 2.0, 5.0}) {
        if (m * decade >= raw * (1 - 1e-9)) {
            step = m * decade;
            break;
        }
    }
    return std::max(step, smallest);
}

std::string axis_settings(std::string_view name, const PlotAxis& axis) {
    if (axis.numbers == AxisNumbers::Automatic) return "";
    // Counts, bytes and bits are whole: a step below 1 would only repeat labels.
    const double step = axis_tick_step(axis.low, axis.high, 1.0);
    const double lo = std::floor(axis.low / step + 1e-9) * step;
    double hi = std::ceil(axis.high / step - 1e-9) * step;
    if (hi <= lo) hi = lo + step;
    std::string format = "%.0f";
    if (axis.numbers == AxisNumbers::SiPrefixed) {
        // The fewest decimals writing every tick's mantissa (value / 1000^prefix) exactly.
        int decimals = 0;
        for (int k = 0; k <= 100; ++k) {
            const double tick = std::fabs(lo + k * step);
            if (tick > hi + step * 1e-9) break;
            if (tick < 1) continue;
            double scale = 1;
            while (tick >= scale * 1000) scale *= 1000;
            const double mantissa = tick / scale;
            int d = 0;
            for (double shifted = mantissa; d < 3 && std::fabs(shifted - std::round(shifted)) > 1e-6; shifted *= 10) ++d;
            decimals = std::max(decimals, d);
        }
        format = fmt::format("%.{}s %c", decimals);
    }
    return fmt::format("set {0}range [{1}:{2}]\nset {0}tics {1}, {3}, {2}\nset format {0} '{4}'\n", name, number_text(lo),
                       number_text(hi), number_text(step), format);
}

std::vector<std::string> gnuplot_window_terminals() {
    std::vector<std::string> found;
    gchar* gnuplot = g_find_program_in_path("gnuplot");
    if (!gnuplot) return found;
    // gnuplot prints to standard error; no shell, no script file: one fixed expression.
    gchar* argv[] = {gnuplot, const_cast<gchar*>("-e"), const_cast<gchar*>("print GPVAL_TERMINALS"), nullptr};
    gchar* out = nullptr;
    gchar* err = nullptr;
    gint status = 0;
    const gboolean ok = g_spawn_sync(nullptr, argv, nullptr, G_SPAWN_DEFAULT, nullptr, nullptr, &out, &err, &status, nullptr);
    g_free(gnuplot);
    const std::string text = std::string(out ? out : "") + " " + (err ? err : "");
    g_free(out);
    g_free(err);
    if (!ok) return found;
    std::vector<std::string> words;
    std::string word;
    for (char ch : text + " ") {
        if (g_ascii_isspace(ch)) {
            if (!word.empty()) words.push_back(word);
            word.clear();
        } else {
            word += ch;
        }
    }
    for (const char* t : {"qt", "wxt", "x11"}) {
        if (std::find(words.begin(), words.end(), t) != words.end()) found.emplace_back(t);
    }
    return found;
}

void render_plot(const PlotSpec& spec, const PlotOutput& o) {
    if (o.display && !has_graphical_display()) {
        throw Error(ExitCode::Environment,
                    "--display needs a graphical session, but $DISPLAY and $WAYLAND_DISPLAY are unset; "
                    "write an image instead (-o FILE.png|.svg|.pdf, or -o - for text)");
    }
    // The window terminal is chosen once gnuplot is known to exist (below); the script names it.
    std::string window_terminal = "qt";
    if (o.display) {
        const auto terminals = gnuplot_window_terminals();
        if (!terminals.empty()) window_terminal = terminals.front();
    }
    const std::string terminal = terminal_for(o, window_terminal);
    const std::filesystem::path work = make_temp_directory("mptcpanalyzer-plot-XXXXXX", "a temporary folder for the plot");
    struct Cleanup {
        std::filesystem::path dir;
        ~Cleanup() { release_temp_directory(dir); }
    } cleanup{work};

    const std::filesystem::path dir = o.keep_script.empty() ? work : std::filesystem::path(o.keep_script);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw Error(ExitCode::OutputFailed, o.keep_script + ": cannot create the folder: " + ec.message());

    const bool to_stdout = !o.display && o.path == "-";
    const std::filesystem::path image = work / "plot.out";
    std::string script;
    script += "# generated by mptcpanalyzer: restyle freely, then run `gnuplot plot.gp`\n";
    script += "set terminal " + terminal + "\n";
    script += fmt::format("point_size = {:.3g}\nline_width = {:.3g}\n", o.point_size, o.line_width);
    if (!to_stdout && !o.display) script += "set output " + gnuplot_string(o.keep_script.empty() ? image.string() : "plot.out") + "\n";
    // Text terminals cannot draw the rotated y label: it goes under the title instead.
    const bool text_terminal = terminal.starts_with("dumb");
    script += "set title " + gnuplot_string(text_terminal ? spec.title + "\ny: " + spec.ylabel : spec.title) + " noenhanced\n";
    script += "set xlabel " + gnuplot_string(spec.xlabel) + " noenhanced\n";
    if (!text_terminal) script += "set ylabel " + gnuplot_string(spec.ylabel) + " noenhanced\n";
    script += "set key below left noenhanced\nset grid\n";
    script += spec.extra;
    script += axis_settings("y", spec.y_axis);
    std::vector<std::string> parts;
    for (std::size_t i = 0; i < spec.series.size(); ++i) {
        const auto& s = spec.series[i];
        const std::string name = fmt::format("series{}.dat", i);
        std::string data;
        if (!s.columns.empty()) data += "# " + s.columns + "\n";
        for (const auto& r : s.rows) data += r + "\n";
        write_file(dir / name, data);
        if (s.rows.empty() || !s.drawn) continue;
        const std::string file = o.keep_script.empty() ? (dir / name).string() : name;
        for (auto& part : series_parts(s, file, text_terminal)) parts.push_back(std::move(part));
    }
    if (parts.empty()) throw Error(ExitCode::NoData, "nothing to plot: no data points for this selection");
    script += "plot ";
    for (std::size_t i = 0; i < parts.size(); ++i) script += (i ? ", \\\n     " : "") + parts[i];
    script += "\n";
    write_file(dir / "plot.gp", script);

    gchar* gnuplot = g_find_program_in_path("gnuplot");
    if (!gnuplot) {
        throw Error(ExitCode::Environment,
                    std::string("gnuplot not found: install it (apt-get install gnuplot-nox)") +
                        (o.keep_script.empty() ? "" : "; the script and data are in " + o.keep_script));
    }
    if (o.display && gnuplot_window_terminals().empty()) {
        g_free(gnuplot);
        throw Error(ExitCode::Environment,
                    std::string("--display: this gnuplot has no window terminal (qt, wxt, x11): install gnuplot-qt "
                                "(apt-get install gnuplot-qt) or write an image with -o FILE.png") +
                        (o.keep_script.empty() ? "" : "; the script and data are in " + o.keep_script));
    }
    // No shell: argv only. With --keep-script the script uses relative names, so run it there.
    gchar* argv[] = {gnuplot, const_cast<gchar*>("plot.gp"), nullptr};
    gchar* out = nullptr;
    gchar* errout = nullptr;
    GError* err = nullptr;
    gint status = 0;
    const std::string cwd = dir.string();
    // A window terminal leaves a helper process (gnuplot_qt, ...) running with the window: it must
    // not hold pipes we wait on, so gnuplot then writes its messages straight to our stderr.
    const gboolean ok =
        o.display ? g_spawn_sync(cwd.c_str(), argv, nullptr, G_SPAWN_STDOUT_TO_DEV_NULL, nullptr, nullptr, nullptr, nullptr,
                                 &status, &err)
                  : g_spawn_sync(cwd.c_str(), argv, nullptr, G_SPAWN_DEFAULT, nullptr, nullptr, &out, &errout, &status, &err);
    g_free(gnuplot);
    const std::string gout = out ? out : "", gerr = errout ? errout : "";
    g_free(out);
    g_free(errout);
    if (!ok) {
        std::string msg = err ? err->message : "unknown error";
        g_clear_error(&err);
        throw Error(ExitCode::Environment, "cannot run gnuplot: " + msg);
    }
    if (!g_spawn_check_wait_status(status, nullptr)) {
        throw Error(ExitCode::Failure, "gnuplot failed: " + gerr);
    }
    if (o.display) return;  // the window stays open (persist) after gnuplot exits
    if (to_stdout) {
        std::fwrite(gout.data(), 1, gout.size(), stdout);
        return;
    }
    const std::filesystem::path produced = o.keep_script.empty() ? image : dir / "plot.out";
    std::ifstream in(produced, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.empty()) throw Error(ExitCode::Failure, "gnuplot produced no image: " + gerr);
    AtomicFile file(o.path);
    file.write(bytes);
    file.commit();
}

}  // namespace mptcpanalyzer
