#include "mptcp_tables.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "mptcpanalyzer/analysis/mptcp_data.hpp"
#include "mptcpanalyzer/analysis/reinjections.hpp"
#include "mptcpanalyzer/analysis/summaries.hpp"
#include "mptcpanalyzer/model/connections.hpp"

namespace mptcpanalyzer::plugin {
namespace {

using Row = std::vector<std::string>;

std::string hex32(std::uint32_t v) { return fmt::format("{:08x}", v); }
std::string or_dash(const std::string& s) { return s.empty() ? std::string("-") : s; }
std::string stream_text(std::int64_t s) { return s >= 0 ? std::to_string(s) : std::string("-"); }

// Whitespace-aligned columns; every cell is one word ("-" when empty) so scripts can split rows.
std::string format_table(const std::string& title, const std::string& filter, const Row& header,
                         const std::vector<Row>& rows, const std::string& empty_note) {
    std::vector<std::size_t> width(header.size(), 0);
    auto widen = [&](const Row& r) {
        for (std::size_t i = 0; i < r.size() && i < width.size(); ++i) width[i] = std::max(width[i], r[i].size());
    };
    widen(header);
    for (const auto& r : rows) widen(r);
    auto line = [&](const Row& r) {
        std::string out;
        for (std::size_t i = 0; i < r.size(); ++i) {
            const std::string cell = or_dash(r[i]);
            out += i + 1 == r.size() ? cell : fmt::format("{:<{}}  ", cell, width[i]);
        }
        return out + "\n";
    };
    std::string sep(80, '=');
    std::string out = sep + "\n" + title + "\n";
    out += "Filter: " + (filter.empty() ? std::string("<none>") : filter) + "\n";
    out += line(header);
    for (const auto& r : rows) out += line(r);
    if (rows.empty()) out += empty_note + "\n";
    return out + sep + "\n";
}

struct Analysed {
    const MptcpConnection* connection;
    ConnectionData data;
    ReinjectionReport reinjections;
};

std::vector<Analysed> analyse_all(const PacketTable& table, const ConnectionModel& model) {
    std::vector<Analysed> out;
    out.reserve(model.mptcp.size());
    for (const auto& m : model.mptcp) {
        Analysed a{&m, map_connection_data(table, model, m), {}};
        a.reinjections = find_reinjections(table, a.data, m.subflows.size());
        out.push_back(std::move(a));
    }
    return out;
}

std::string connections(const PacketTable& table, const ConnectionModel& model, const std::string& filter) {
    std::vector<Row> rows;
    for (const auto& a : analyse_all(table, model)) {
        const MptcpConnection& m = *a.connection;
        const MptcpSummary s = summarize_mptcp(table, model, m, a.data, a.reinjections);
        const auto& up = s.directions[static_cast<int>(DataDirection::ToServer)];
        const auto& down = s.directions[static_cast<int>(DataDirection::ToClient)];
        const auto ct = m.client_token();
        const auto st = m.server_token();
        rows.push_back({stream_text(m.mptcp_stream), m.client.to_string(), m.server.to_string(),
                        m.version >= 0 ? std::to_string(m.version) : "", ct ? hex32(*ct) : "", st ? hex32(*st) : "",
                        std::to_string(m.subflows.size()), std::to_string(up.wire_bytes),
                        std::to_string(down.wire_bytes), std::to_string(up.application_bytes),
                        std::to_string(down.application_bytes), std::to_string(a.reinjections.reinjections.size()),
                        to_string(m.fallback)});
    }
    return format_table("MPTCP Connections (mptcpanalyzer plugin)", filter,
                        {"Stream", "Client", "Server", "Version", "Client_token", "Server_token", "Subflows",
                         "Bytes_to_server", "Bytes_to_client", "App_bytes_to_server", "App_bytes_to_client",
                         "Reinjections", "Fallback"},
                        rows, "no MPTCP connection");
}

std::string subflows(const PacketTable&, const ConnectionModel& model, const std::string& filter) {
    std::vector<Row> rows;
    for (const auto& m : model.mptcp) {
        for (const auto& sf : m.subflows) {
            const TcpConnection* t = model.find_tcp(sf.tcp_stream);
            if (!t) continue;
            const auto& up = t->stats(TcpDirection::ClientToServer);
            const auto& down = t->stats(TcpDirection::ServerToClient);
            rows.push_back({stream_text(m.mptcp_stream), std::to_string(sf.tcp_stream), t->client.to_string(),
                            t->server.to_string(), to_string(sf.role), sf.towards_server ? "server" : "client",
                            sf.backup ? "1" : "0", std::to_string(up.packets), std::to_string(up.payload_bytes),
                            std::to_string(down.packets), std::to_string(down.payload_bytes), to_string(t->end)});
        }
    }
    return format_table("MPTCP Subflows (mptcpanalyzer plugin)", filter,
                        {"Stream", "Tcp_stream", "Client", "Server", "Role", "Mptcpdest", "Backup", "Packets_up",
                         "Bytes_up", "Packets_down", "Bytes_down", "End"},
                        rows, "no MPTCP subflow");
}

std::string reinjections(const PacketTable& table, const ConnectionModel& model, const std::string& filter) {
    const auto& frames = table.columns().frame_number;
    std::vector<Row> rows;
    for (const auto& a : analyse_all(table, model)) {
        const MptcpConnection& m = *a.connection;
        for (const auto& r : a.reinjections.reinjections) {
            const DataSegment& seg = a.data.segments[r.segment];
            std::string originals;
            for (auto o : r.originals) {
                if (!originals.empty()) originals += ',';
                originals += std::to_string(frames[a.data.segments[o].row]);
            }
            rows.push_back({stream_text(m.mptcp_stream), std::to_string(frames[seg.row]),
                            std::to_string(m.subflows[seg.subflow].tcp_stream), to_string(seg.direction),
                            std::to_string(a.data.relative(seg.direction, seg.dsn)), std::to_string(seg.length),
                            std::to_string(r.reinjected_bytes), originals,
                            fmt::format("{:.6f}", static_cast<double>(r.delay_ns) / 1e9)});
        }
    }
    return format_table("MPTCP Reinjections (mptcpanalyzer plugin)", filter,
                        {"Stream", "Frame", "Tcp_stream", "Direction", "Rel_dsn", "Length", "Reinjected_bytes",
                         "Original_frames", "Delay_s"},
                        rows, "no reinjection");
}

}  // namespace

std::string render(View view, const PacketTable& table, const std::string& filter) {
    const ConnectionModel model = ConnectionModel::build(table);
    switch (view) {
        case View::Connections: return connections(table, model, filter);
        case View::Subflows: return subflows(table, model, filter);
        case View::Reinjections: return reinjections(table, model, filter);
    }
    return {};
}

}  // namespace mptcpanalyzer::plugin
