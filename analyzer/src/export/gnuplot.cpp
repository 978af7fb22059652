#include "mptcpanalyzer/export/gnuplot.hpp"

#include <fmt/format.h>
#include <glib.h>
#include <glib/gstdio.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "mptcpanalyzer/util/atomic_file.hpp"
#include "mptcpanalyzer/util/error.hpp"
#include "mptcpanalyzer/util/temp_directory.hpp"

namespace mptcpanalyzer {

std::string gnuplot_string(std::string_view text) {
    std::string out = "'";
    for (char ch : text) {
        if (ch == '\'') {
            out += "''";
        } else if (ch == '\n') {
            out += "'.\"\\n\".'";
        } else if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
            out += ' ';
        } else {
            out += ch;
        }
    }
    return out + "'";
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

void write_file(const std::filesystem::path& path, const std::string& content) {
    std::ofstream f(path, std::ios::binary);
    f << content;
    if (!f) throw Error(ExitCode::OutputFailed, path.string() + ": cannot write");
}

}  // namespace

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
        ~Cleanup() {
            std::error_code ec;
            std::filesystem::remove_all(dir, ec);
        }
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
    std::vector<std::string> parts;
    for (std::size_t i = 0; i < spec.series.size(); ++i) {
        const auto& s = spec.series[i];
        const std::string name = fmt::format("series{}.dat", i);
        std::string data;
        if (!s.columns.empty()) data += "# " + s.columns + "\n";
        for (const auto& r : s.rows) data += r + "\n";
        write_file(dir / name, data);
        if (s.rows.empty()) continue;
        const std::string file = o.keep_script.empty() ? (dir / name).string() : name;
        parts.push_back(gnuplot_string(file) + " using " + s.using_clause + " with " + s.style + " title " +
                        gnuplot_string(s.title));
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
