// `plot tcp-attr -r FILE TCPSTREAM ATTRIBUTE`: a per-packet TCP value (seq, ack, window, length,
// tsval, tsecr) against time, one series per direction.
// `plot mptcp-attr -r FILE STREAM ATTRIBUTE`: the same per subflow and direction of an MPTCP
// connection, plus data-level values (dsn, data_ack, dss_length, dss_ssn).
// The attribute names are a fixed list (analysis/packet_series.hpp). Data files: one per series,
// "time_s value", in the order direction (to server first) then subflow.

#include <fmt/format.h>

#include <memory>

#include "mptcpanalyzer/analysis/packet_series.hpp"
#include "plot_common.hpp"
#include "plot_kinds.hpp"

namespace mptcpanalyzer::cli {
namespace {

struct AttrOptions {
    PlotCommonOptions common;
    std::int64_t stream = -1;
    std::string attribute;
};

std::vector<std::string> names(std::span<const std::string_view> list) { return {list.begin(), list.end()}; }

std::string value_text(double v) { return fmt::format("{:.0f}", v); }

void run_plot_tcp_attr(const AttrOptions& o, const GlobalOptions& g) {
    refuse_subflow_option(o.common, "tcp-attr");
    const PlotOutput output = resolve_plot_output(o.common);
    const TcpAttribute attribute = *parse_tcp_attribute(o.attribute);
    const auto kept = open_session(g, o.common.capture);
    const AnalysisSession& session = *kept;
    const TcpConnection& t = session.tcp(o.stream);
    const std::int64_t t0 = t.first_ns();
    const AttributeInfo info = describe(attribute);
    PlotSpec spec;
    spec.title = plot_title(o.common, fmt::format("tcp.stream {}, {}", t.tcp_stream, info.name));
    spec.xlabel = kTimeLabel;
    spec.ylabel = std::string(info.label);
    spec.extra = "set format y '%.0f'\nset xrange [0:*]\n";
    if (attribute == TcpAttribute::Window && !window_scales(session.table(), t)[0]) {
        spec.ylabel += " (unscaled: the handshake is not in the capture)";
    }
    for (const auto dir : {TcpDirection::ClientToServer, TcpDirection::ServerToClient}) {
        if (!wants_direction(o.common, dir)) continue;
        const Endpoint& from = dir == TcpDirection::ClientToServer ? t.client : t.server;
        const Endpoint& to = dir == TcpDirection::ClientToServer ? t.server : t.client;
        PlotSeries s;
        s.title = fmt::format("{} -> {} ({})", from.to_string(), to.to_string(), direction_label(dir));
        s.columns = fmt::format("time_s {}", info.name);
        const auto d = dir == TcpDirection::ClientToServer ? DataDirection::ToServer : DataDirection::ToClient;
        s.style = point_style(static_cast<std::size_t>(dir), d);
        for (const auto& p : tcp_attribute_series(session.table(), t, dir, attribute)) {
            s.rows.push_back(fmt::format("{} {}", seconds_text(p.time_ns, t0), value_text(p.value)));
        }
        spec.series.push_back(std::move(s));
    }
    render_plot(spec, output);
}

void run_plot_mptcp_attr(const AttrOptions& o, const GlobalOptions& g) {
    const PlotOutput output = resolve_plot_output(o.common);
    const MptcpAttribute attribute = *parse_mptcp_attribute(o.attribute);
    const auto kept = open_session(g, o.common.capture);
    const AnalysisSession& session = *kept;
    const MptcpConnection& m = session.mptcp(o.stream);
    const auto subflows = selected_subflows(o.common, m);
    const MptcpAnalysis& a = session.analysis(m);
    const std::int64_t t0 = session.first_ns(m);
    const AttributeInfo info = describe(attribute);
    PlotSpec spec;
    spec.title = plot_title(o.common, fmt::format("mptcp.stream {}, {} per subflow", m.mptcp_stream, info.name));
    spec.xlabel = kTimeLabel;
    spec.ylabel = std::string(info.label);
    spec.extra = "set format y '%.0f'\nset xrange [0:*]\n";
    for (const auto dir : {DataDirection::ToServer, DataDirection::ToClient}) {
        if (!wants_direction(o.common, dir)) continue;
        for (auto i : subflows) {
            PlotSeries s;
            s.title = fmt::format("{} ({})", subflow_label(session, m, i), direction_label(dir));
            s.columns = fmt::format("time_s {}", info.name);
            s.style = point_style(i, dir);
            for (const auto& p : mptcp_attribute_series(session.table(), session.model(), m, a.data, i, dir, attribute)) {
                s.rows.push_back(fmt::format("{} {}", seconds_text(p.time_ns, t0), value_text(p.value)));
            }
            spec.series.push_back(std::move(s));
        }
    }
    render_plot(spec, output);
}

}  // namespace

void setup_plot_attr(CLI::App& plot, const GlobalOptions& global) {
    auto t = std::make_shared<AttrOptions>();
    CLI::App* tcmd = plot.add_subcommand("tcp-attr", "A per-packet TCP value vs time, per direction");
    add_common_plot_options(*tcmd, t->common);
    tcmd->add_option("stream", t->stream, "tcp.stream number")->required();
    tcmd->add_option("attribute", t->attribute, "seq, ack, window, length, tsval or tsecr")
        ->required()
        ->check(CLI::IsMember(names(tcp_attribute_names())));
    tcmd->callback([t, &global] { run_plot_tcp_attr(*t, global); });

    auto m = std::make_shared<AttrOptions>();
    CLI::App* mcmd = plot.add_subcommand("mptcp-attr", "A per-packet MPTCP or TCP value vs time, per subflow");
    add_common_plot_options(*mcmd, m->common);
    mcmd->add_option("stream", m->stream, "mptcp.stream number")->required();
    mcmd->add_option("attribute", m->attribute,
                     "dsn, data_ack, dss_length, dss_ssn, seq, ack, window, length, tsval or tsecr")
        ->required()
        ->check(CLI::IsMember(names(mptcp_attribute_names())));
    mcmd->callback([m, &global] { run_plot_mptcp_attr(*m, global); });
}

}  // namespace mptcpanalyzer::cli
