// `mptcpanalyzer plot <kind> -r FILE STREAM [options]`: pictures through gnuplot. Kinds:
//   dsn   MPTCP data sequence number (relative, our own 64-bit arithmetic) vs time, one series per
//         subflow and direction, reinjections marked.

#include <fmt/format.h>

#include <memory>
#include <set>

#include "analysis_context.hpp"
#include "commands.hpp"
#include "mptcpanalyzer/export/gnuplot.hpp"
#include "mptcpanalyzer/util/error.hpp"

namespace mptcpanalyzer::cli {
namespace {

struct PlotOptions {
    std::string capture;
    std::int64_t stream = -1;
    std::string direction = "both";
    std::string title;
    std::string size = "1024x640";
    PlotOutput output;
};

void parse_size(const std::string& text, PlotOutput& out) {
    int w = 0, h = 0;
    char x = 0;
    if (std::sscanf(text.c_str(), "%d%c%d", &w, &x, &h) != 3 || x != 'x' || w < 100 || h < 100 || w > 10000 || h > 10000) {
        throw Error(ExitCode::Usage, "--size '" + text + "': expected WIDTHxHEIGHT in pixels, 100 to 10000");
    }
    out.width = w;
    out.height = h;
}

void run_plot_dsn(PlotOptions o, const GlobalOptions& g) {
    parse_size(o.size, o.output);
    const AnalysisContext ctx = AnalysisContext::load(g, o.capture);
    const MptcpConnection& m = ctx.mptcp(o.stream);
    const auto a = ctx.analyse(m);
    const auto& c = ctx.capture.table.columns();
    std::int64_t t0 = INT64_MAX;
    for (const auto& sf : m.subflows) {
        if (const TcpConnection* t = ctx.model.find_tcp(sf.tcp_stream)) t0 = std::min(t0, t->first_ns());
    }
    std::set<std::size_t> reinjected;
    for (const auto& r : a.reinjections.reinjections) reinjected.insert(r.segment);

    PlotSpec spec;
    spec.title = o.title.empty() ? fmt::format("{}: mptcp.stream {} data sequence numbers", o.capture, m.mptcp_stream) : o.title;
    spec.xlabel = "time since the first packet of the connection (s)";
    spec.ylabel = "relative data sequence number (bytes)";
    spec.extra = "set format y '%.0f'\n";
    for (int d = 0; d < 2; ++d) {
        const auto dir = static_cast<DataDirection>(d);
        if (o.direction != "both" && o.direction != to_string(dir)) continue;
        for (std::size_t i = 0; i < m.subflows.size(); ++i) {
            const TcpConnection* t = ctx.model.find_tcp(m.subflows[i].tcp_stream);
            PlotSeries s;
            s.title = fmt::format("tcp.stream {} {} -> {} ({})", m.subflows[i].tcp_stream, t->client.to_string(),
                                  t->server.to_string(), dir == DataDirection::ToServer ? "to server" : "to client");
            for (std::size_t k = 0; k < a.data.segments.size(); ++k) {
                const auto& seg = a.data.segments[k];
                if (seg.direction != dir || seg.subflow != i) continue;
                s.rows.push_back(fmt::format("{:.9f} {}", static_cast<double>(c.time_ns[seg.row] - t0) / 1e9,
                                             a.data.relative(dir, seg.dsn)));
            }
            spec.series.push_back(std::move(s));
        }
        PlotSeries r;
        r.title = fmt::format("reinjections ({})", dir == DataDirection::ToServer ? "to server" : "to client");
        r.style = "points pointtype 6 pointsize 1.2 linecolor rgb 'red'";
        for (auto k : reinjected) {
            const auto& seg = a.data.segments[k];
            if (seg.direction != dir) continue;
            r.rows.push_back(fmt::format("{:.9f} {}", static_cast<double>(c.time_ns[seg.row] - t0) / 1e9,
                                         a.data.relative(dir, seg.dsn)));
        }
        spec.series.push_back(std::move(r));
    }
    render_plot(spec, o.output);
}

}  // namespace

void setup_plot(CLI::App& app, const GlobalOptions& global) {
    CLI::App* plot = app.add_subcommand("plot", "Plots through gnuplot (kinds: dsn)");
    plot->require_subcommand(1);
    auto o = std::make_shared<PlotOptions>();
    CLI::App* dsn = plot->add_subcommand("dsn", "MPTCP data sequence numbers vs time, one series per subflow");
    add_capture_option(*dsn, o->capture);
    dsn->add_option("stream", o->stream, "mptcp.stream number")->required();
    dsn->add_option("--direction", o->direction, "Data direction")
        ->check(CLI::IsMember({"to_server", "to_client", "both"}))
        ->capture_default_str();
    dsn->add_option("-o,--output", o->output.path, "Image file (.png, .svg, .pdf) or '-' for text")->capture_default_str();
    dsn->add_option("--terminal", o->output.terminal, "png, svg, pdf or dumb (default: from the file name)")
        ->check(CLI::IsMember({"png", "svg", "pdf", "dumb"}));
    dsn->add_option("--title", o->title, "Plot title (shown literally)");
    dsn->add_option("--size", o->size, "Image size WIDTHxHEIGHT in pixels")->capture_default_str();
    dsn->add_option("--keep-script", o->output.keep_script, "Keep the gnuplot script and data files in this folder");
    dsn->callback([o, &global] { run_plot_dsn(*o, global); });
}

}  // namespace mptcpanalyzer::cli
