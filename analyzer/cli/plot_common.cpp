#include "plot_common.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <glib.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <tuple>

#include "mptcpanalyzer/analysis/time_series.hpp"
#include "mptcpanalyzer/util/error.hpp"

namespace mptcpanalyzer::cli {
namespace {

PlotDefaults& defaults_storage() {
    static PlotDefaults defaults;
    return defaults;
}

// Okabe & Ito's colour-blind safe palette (vermilion left out: red marks reinjections).
constexpr std::array<const char*, 7> kPalette{"#0072b2", "#e69f00", "#009e73", "#cc79a7",
                                              "#56b4e9", "#f0e442", "#000000"};

}  // namespace

const PlotDefaults& plot_defaults() { return defaults_storage(); }
void set_plot_defaults(const PlotDefaults& defaults) { defaults_storage() = defaults; }

void add_common_plot_options(CLI::App& kind, PlotCommonOptions& o) {
    add_capture_option(kind, o.capture);
    kind.add_option("--direction", o.direction,
                    "Data direction: to_server (sent by the client), to_client, or both")
        ->check(CLI::IsMember({"to_server", "to_client", "both"}))
        ->capture_default_str();
    kind.add_option("--subflow", o.subflows, "Only this subflow (tcp.stream); repeat for several (default: all)")
        ->allow_extra_args(false)
        ->check(stream_number_check());
    kind.add_option("--title", o.title, "Plot title (shown literally)");
    kind.add_option("-o,--output", o.output,
                    "Image file whose extension picks the terminal (.png, .svg, .pdf), or '-' for text "
                    "(the default)");
    kind.add_option("--terminal", o.terminal, "png, svg, pdf or dumb (text); default: from the file name")
        ->check(CLI::IsMember({"png", "svg", "pdf", "dumb"}));
    kind.add_option("--size", o.size, "Image size WIDTHxHEIGHT in pixels (default 1024x640)");
    kind.add_flag("--display", o.display,
                  "Open the plot in a window (needs a graphical session and gnuplot-qt or x11)");
    kind.add_option("--keep-script", o.keep_script,
                    "Keep the gnuplot script (plot.gp) and its data files in this folder, to restyle them");
}

std::pair<int, int> parse_plot_size(const std::string& text) {
    int w = 0, h = 0;
    char x = 0, extra = 0;
    if (std::sscanf(text.c_str(), "%d%c%d%c", &w, &x, &h, &extra) != 3 || x != 'x' || w < 100 || h < 100 ||
        w > 10000 || h > 10000) {
        throw Error(ExitCode::Usage, "--size '" + text + "': expected WIDTHxHEIGHT in pixels, 100 to 10000");
    }
    return {w, h};
}

PlotOutput resolve_plot_output(const PlotCommonOptions& o, const PlotDefaults& defaults) {
    PlotOutput out;
    out.width = defaults.width;
    out.height = defaults.height;
    if (!o.size.empty()) std::tie(out.width, out.height) = parse_plot_size(o.size);
    out.font = defaults.font;
    out.point_size = defaults.point_size;
    out.line_width = defaults.line_width;
    out.keep_script = o.keep_script;
    out.display = o.display;
    if (o.display) {
        if (!o.output.empty() || !o.terminal.empty()) {
            throw Error(ExitCode::Usage, "--display opens a window: it cannot be combined with -o or --terminal");
        }
        const char* x = g_getenv("DISPLAY");
        const char* w = g_getenv("WAYLAND_DISPLAY");
        if (!(x && *x) && !(w && *w)) {
            throw Error(ExitCode::Environment,
                        "--display needs a graphical session, but $DISPLAY and $WAYLAND_DISPLAY are unset; "
                        "write an image instead (-o FILE.png|.svg|.pdf, or -o - for text)");
        }
        return out;
    }
    out.path = o.output.empty() ? "-" : o.output;
    out.terminal = !o.terminal.empty() ? o.terminal : defaults.terminal;
    // A default terminal from the configuration applies only when the file name does not say;
    // text on standard output stays text.
    if (o.terminal.empty()) {
        const std::string ext = std::filesystem::path(out.path).extension().string();
        if (out.path == "-" || ext == ".png" || ext == ".svg" || ext == ".pdf") out.terminal.clear();
    }
    if (out.path == "-" && !out.terminal.empty() && out.terminal != "dumb") {
        throw Error(ExitCode::Usage, "--terminal " + out.terminal + " writes an image: give its file with -o FILE");
    }
    return out;
}

bool wants_direction(const PlotCommonOptions& o, DataDirection d) { return o.direction == "both" || o.direction == to_string(d); }

bool wants_direction(const PlotCommonOptions& o, TcpDirection d) {
    return wants_direction(o, d == TcpDirection::ClientToServer ? DataDirection::ToServer : DataDirection::ToClient);
}

std::vector<DataDirection> wanted_directions(const PlotCommonOptions& o) {
    std::vector<DataDirection> out;
    for (const auto d : {DataDirection::ToServer, DataDirection::ToClient})
        if (wants_direction(o, d)) out.push_back(d);
    return out;
}

std::vector<TcpDirection> wanted_tcp_directions(const PlotCommonOptions& o) {
    std::vector<TcpDirection> out;
    for (const auto d : {TcpDirection::ClientToServer, TcpDirection::ServerToClient})
        if (wants_direction(o, d)) out.push_back(d);
    return out;
}

MptcpPlot open_mptcp_plot(const StreamPlotOptions& o, const GlobalOptions& global) {
    PlotOutput output = resolve_plot_output(o.common);
    auto kept = open_session(global, o.common.capture);
    const MptcpConnection& m = kept->mptcp(o.stream);
    auto subflows = selected_subflows(o.common, m);
    const std::int64_t start = kept->first_ns(m);
    return MptcpPlot{std::move(output), kept, *kept, m, std::move(subflows), start};
}

TcpPlot open_tcp_plot(const StreamPlotOptions& o, const GlobalOptions& global, const char* kind) {
    refuse_subflow_option(o.common, kind);
    PlotOutput output = resolve_plot_output(o.common);
    auto kept = open_session(global, o.common.capture);
    const TcpConnection& t = kept->tcp(o.stream);
    return TcpPlot{std::move(output), kept, *kept, t, t.first_ns()};
}

std::vector<std::size_t> selected_subflows(const PlotCommonOptions& o, const MptcpConnection& m) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < m.subflows.size(); ++i) {
        if (o.subflows.empty() ||
            std::find(o.subflows.begin(), o.subflows.end(), m.subflows[i].tcp_stream) != o.subflows.end()) {
            out.push_back(i);
        }
    }
    for (auto wanted : o.subflows) {
        const bool known = std::any_of(m.subflows.begin(), m.subflows.end(),
                                       [&](const Subflow& s) { return s.tcp_stream == wanted; });
        if (!known) {
            std::vector<std::uint32_t> valid;
            for (const auto& s : m.subflows) valid.push_back(s.tcp_stream);
            throw Error(ExitCode::Usage, fmt::format("--subflow {}: not a subflow of mptcp.stream {}; its subflows: {}",
                                                     wanted, m.mptcp_stream, fmt::join(valid, ", ")));
        }
    }
    return out;
}

void refuse_subflow_option(const PlotCommonOptions& o, const char* kind) {
    if (!o.subflows.empty()) {
        throw Error(ExitCode::Usage, fmt::format("--subflow selects subflows of an MPTCP connection; {} plots one TCP "
                                                 "connection (give its tcp.stream)",
                                                 kind));
    }
}

std::string seconds_text(std::int64_t time_ns, std::int64_t start_ns) {
    return fmt::format("{:.6f}", static_cast<double>(time_ns - start_ns) / 1e9);
}

PlotSeries cdf_series(std::span<const double> values, std::string columns) {
    PlotSeries s;
    s.columns = std::move(columns);
    const auto cdf = empirical_cdf(std::vector<double>(values.begin(), values.end()));
    if (cdf.empty()) return s;
    s.rows.push_back(fmt::format("{:.6f} 0 0", cdf.front().value));
    for (const auto& p : cdf) {
        s.rows.push_back(
            fmt::format("{:.6f} {:.6f} {:.0f}", p.value, p.fraction, p.fraction * static_cast<double>(values.size())));
    }
    return s;
}

std::string subflow_label(const AnalysisSession& session, const MptcpConnection& m, std::size_t i) {
    const Subflow& sf = m.subflows[i];
    const TcpConnection* t = session.model().find_tcp(sf.tcp_stream);
    if (!t) return fmt::format("tcp.stream {}", sf.tcp_stream);
    return fmt::format("tcp.stream {} {} -> {}", sf.tcp_stream, t->client.to_string(), t->server.to_string());
}

const char* direction_label(DataDirection d) { return d == DataDirection::ToServer ? "to server" : "to client"; }
const char* direction_label(TcpDirection d) {
    return d == TcpDirection::ClientToServer ? "client to server" : "server to client";
}

std::string subflow_title(const MptcpPlot& plot, std::size_t i, DataDirection d) {
    return fmt::format("{} ({})", subflow_label(plot.session, plot.connection, i), direction_label(d));
}

std::string tcp_direction_title(const TcpConnection& t, TcpDirection d) {
    const bool from_client = d == TcpDirection::ClientToServer;
    return fmt::format("{} -> {} ({})", (from_client ? t.client : t.server).to_string(),
                       (from_client ? t.server : t.client).to_string(), direction_label(d));
}

std::string subflow_color(std::size_t subflow) { return kPalette[subflow % kPalette.size()]; }

char subflow_glyph(std::size_t subflow, DataDirection d) {
    return static_cast<char>((d == DataDirection::ToServer ? 'A' : 'a') + subflow % 26);
}
char aggregate_glyph(DataDirection d) { return d == DataDirection::ToServer ? '^' : '~'; }
char highlight_glyph(DataDirection d) { return d == DataDirection::ToServer ? '!' : '?'; }
char data_ack_glyph(DataDirection d) { return d == DataDirection::ToServer ? '>' : '<'; }

std::string point_style(std::size_t subflow, DataDirection d) {
    // Filled circles towards the server, filled triangles towards the client.
    return fmt::format("points pointtype {} pointsize point_size linecolor rgb '{}'",
                       d == DataDirection::ToServer ? 7 : 9, subflow_color(subflow));
}

std::string line_style(std::size_t subflow, DataDirection d) {
    return fmt::format("lines linewidth line_width dashtype {} linecolor rgb '{}'", d == DataDirection::ToServer ? 1 : 2,
                       subflow_color(subflow));
}

std::string plot_title(const PlotCommonOptions& o, const std::string& what) {
    // The file name, not its folder: titles stay short enough to read.
    return o.title.empty() ? std::filesystem::path(o.capture).filename().string() + ": " + what : o.title;
}

}  // namespace mptcpanalyzer::cli
