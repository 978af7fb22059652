// `plot tcp-attr -r FILE TCPSTREAM ATTRIBUTE`: a per-packet TCP value (seq, ack, window, length,
// tsval, tsecr) against time, one series per direction.
// `plot mptcp-attr -r FILE STREAM ATTRIBUTE`: the same per subflow and direction of an MPTCP
// connection, plus data-level values (dsn, data_ack, dss_length, dss_ssn).
// The attribute names are a fixed list (analysis/packet_series.hpp). Data files: one per series,
// "time_s value", in the order direction (to server first) then subflow. Byte values tick with
// SI prefixes (2.5 M); timestamps, in clock ticks, with whole numbers.

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "mptcpanalyzer/analysis/packet_series.hpp"
#include "plot_common.hpp"
#include "plot_kinds.hpp"

namespace mptcpanalyzer::cli {
namespace {

struct AttrOptions : StreamPlotOptions {
    std::string attribute;
};

std::vector<std::string> names(std::span<const std::string_view> list) { return {list.begin(), list.end()}; }

// The rows "time_s value" of one series: attribute values are whole numbers.
std::vector<std::string> value_rows(const std::vector<AttributePoint>& points, std::int64_t start_ns) {
    std::vector<std::string> rows;
    rows.reserve(points.size());
    for (const auto& p : points) rows.push_back(time_row(p.time_ns, start_ns, fmt::format("{:.0f}", p.value)));
    return rows;
}

// Both kinds draw values against time, one series per direction (and subflow).
PlotSpec attribute_spec(const PlotCommonOptions& o, const std::string& what, const AttributeInfo& info, bool bytes) {
    PlotSpec spec;
    spec.title = plot_title(o, what);
    spec.xlabel = kTimeLabel;
    spec.ylabel = std::string(info.label);
    spec.extra = "set xrange [0:*]\n";
    spec.y_axis.numbers = bytes ? AxisNumbers::SiPrefixed : AxisNumbers::Integer;
    return spec;
}

// The y axis spans every value drawn.
void span_values(PlotAxis& axis, const std::vector<AttributePoint>& points, bool& first) {
    for (const auto& p : points) {
        axis.low = first ? p.value : std::min(axis.low, p.value);
        axis.high = first ? p.value : std::max(axis.high, p.value);
        first = false;
    }
}

bool in_bytes(TcpAttribute a) { return a != TcpAttribute::Tsval && a != TcpAttribute::Tsecr; }

void run_plot_tcp_attr(const AttrOptions& o, const GlobalOptions& g) {
    const TcpAttribute attribute = *parse_tcp_attribute(o.attribute);
    const TcpPlot p = open_tcp_plot(o, g, "tcp-attr");
    const TcpConnection& t = p.connection;
    const AttributeInfo info = describe(attribute);
    PlotSpec spec =
        attribute_spec(o.common, fmt::format("tcp.stream {}, {}", t.tcp_stream, info.name), info, in_bytes(attribute));
    bool first = true;
    if (attribute == TcpAttribute::Window && !window_scales(p.session.table(), t)[0]) {
        spec.ylabel += " (unscaled: the handshake is not in the capture)";
    }
    for (const auto dir : wanted_tcp_directions(o.common)) {
        PlotSeries s;
        s.title = tcp_direction_title(t, dir);
        s.columns = fmt::format("time_s {}", info.name);
        const auto d = dir == TcpDirection::ClientToServer ? DataDirection::ToServer : DataDirection::ToClient;
        s.style = point_style(static_cast<std::size_t>(dir), d);
        s.glyph = subflow_glyph(0, d);
        const auto points = tcp_attribute_series(p.session.table(), t, dir, attribute);
        span_values(spec.y_axis, points, first);
        s.rows = value_rows(points, p.start_ns);
        spec.series.push_back(std::move(s));
    }
    render_plot(spec, p.output);
}

void run_plot_mptcp_attr(const AttrOptions& o, const GlobalOptions& g) {
    const MptcpAttribute attribute = *parse_mptcp_attribute(o.attribute);
    const MptcpPlot p = open_mptcp_plot(o, g);
    const MptcpAnalysis& a = p.session.analysis(p.connection);
    const AttributeInfo info = describe(attribute);
    const bool bytes = attribute != MptcpAttribute::Tsval && attribute != MptcpAttribute::Tsecr;
    PlotSpec spec = attribute_spec(
        o.common, fmt::format("mptcp.stream {}, {} per subflow", p.connection.mptcp_stream, info.name), info, bytes);
    bool first = true;
    for (const auto dir : wanted_directions(o.common)) {
        for (auto i : p.subflows) {
            PlotSeries s;
            s.title = subflow_title(p, i, dir);
            s.columns = fmt::format("time_s {}", info.name);
            s.style = point_style(i, dir);
            s.glyph = subflow_glyph(i, dir);
            const auto points =
                mptcp_attribute_series(p.session.table(), p.session.model(), p.connection, a.data, i, dir, attribute);
            span_values(spec.y_axis, points, first);
            s.rows = value_rows(points, p.start_ns);
            spec.series.push_back(std::move(s));
        }
    }
    render_plot(spec, p.output);
}

}  // namespace

void setup_plot_attr(CLI::App& plot, const GlobalOptions& global) {
    auto t = std::make_shared<AttrOptions>();
    add_plot_kind(plot, global, t, "tcp-attr", "A per-packet TCP value vs time, per direction", "tcp.stream number",
                  run_plot_tcp_attr)
        .add_option("attribute", t->attribute, "seq, ack, window, length, tsval or tsecr")
        ->required()
        ->check(CLI::IsMember(names(tcp_attribute_names())));

    auto m = std::make_shared<AttrOptions>();
    add_plot_kind(plot, global, m, "mptcp-attr", "A per-packet MPTCP or TCP value vs time, per subflow",
                  "mptcp.stream number", run_plot_mptcp_attr)
        .add_option("attribute", m->attribute,
                    "dsn, data_ack, dss_length, dss_ssn, seq, ack, window, length, tsval or tsecr")
        ->required()
        ->check(CLI::IsMember(names(mptcp_attribute_names())));
}

}  // namespace mptcpanalyzer::cli
