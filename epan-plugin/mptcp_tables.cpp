#include "mptcp_tables.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <set>

#include "mptcpanalyzer/analysis/mptcp_data.hpp"
#include "mptcpanalyzer/analysis/reinjections.hpp"
#include "mptcpanalyzer/analysis/summaries.hpp"
#include "mptcpanalyzer/model/connections.hpp"

namespace mptcpanalyzer::plugin {
namespace {

using Row = std::vector<std::string>;

// Same spellings as `mptcpanalyzer list-mptcp --json` (mptcp_views.cpp), so rows compare as text.
std::string hex64(std::uint64_t v) { return fmt::format("{:016x}", v); }
std::string hex32(std::uint32_t v) { return fmt::format("{:08x}", v); }
std::string stream_text(std::int64_t s) { return s >= 0 ? std::to_string(s) : std::string(); }
std::string percent(double share) { return fmt::format("{:.2f}%", share * 100.0); }
// Exact seconds from integer nanoseconds (no rounding through a double).
std::string seconds(std::int64_t ns) {
    const char* sign = ns < 0 ? "-" : "";
    const std::uint64_t a = ns < 0 ? static_cast<std::uint64_t>(-(ns + 1)) + 1 : static_cast<std::uint64_t>(ns);
    return fmt::format("{}{}.{:09d}", sign, a / 1000000000ULL, a % 1000000000ULL);
}

std::string end_of(const TcpConnection& t, const Subflow& sf) {
    std::string e = to_string(t.end);
    if (sf.fastclose) e += "+fastclose";
    if (sf.tcprst_reason) e += fmt::format("+mp_tcprst({})", *sf.tcprst_reason);
    return e;
}

// Distinct anomaly kinds seen on the connection's subflows, sorted, comma-separated.
std::string anomalies_of(const ConnectionModel& model, const MptcpConnection& m) {
    std::set<std::string> kinds;
    for (const auto& a : model.anomalies) {
        for (const auto& sf : m.subflows) {
            if (a.tcp_stream == sf.tcp_stream) kinds.insert(a.kind);
        }
    }
    std::string out;
    for (const auto& k : kinds) out += (out.empty() ? "" : ",") + k;
    return out;
}

struct Analysed {
    const MptcpConnection* connection;
    ConnectionData data;
    ReinjectionReport reinjections;
    MptcpSummary summary;
};

std::vector<Analysed> analyse_all(const PacketTable& table, const ConnectionModel& model) {
    std::vector<Analysed> out;
    out.reserve(model.mptcp.size());
    for (const auto& m : model.mptcp) {
        Analysed a{&m, map_connection_data(table, model, m), {}, {}};
        a.reinjections = find_reinjections(table, a.data, m.subflows.size());
        a.summary = summarize_mptcp(table, model, m, a.data, a.reinjections);
        out.push_back(std::move(a));
    }
    return out;
}

const MptcpDirectionSummary& direction(const MptcpSummary& s, DataDirection d) {
    return s.directions[static_cast<int>(d)];
}

std::vector<Row> connection_rows(const PacketTable&, const ConnectionModel& model, const std::vector<Analysed>& all) {
    std::vector<Row> rows;
    for (const auto& a : all) {
        const MptcpConnection& m = *a.connection;
        const auto& up = direction(a.summary, DataDirection::ToServer);
        const auto& down = direction(a.summary, DataDirection::ToClient);
        const auto ct = m.client_token();
        const auto st = m.server_token();
        rows.push_back({stream_text(m.mptcp_stream), m.client.to_string(), m.server.to_string(),
                        m.version >= 0 ? std::to_string(m.version) : "", m.client_key ? hex64(*m.client_key) : "",
                        m.server_key ? hex64(*m.server_key) : "", ct ? hex32(*ct) : "", st ? hex32(*st) : "",
                        std::to_string(m.subflows.size()), std::to_string(up.wire_bytes),
                        std::to_string(down.wire_bytes), std::to_string(up.application_bytes),
                        std::to_string(down.application_bytes), std::to_string(a.reinjections.reinjections.size()),
                        std::to_string(up.reinjected_bytes + down.reinjected_bytes), to_string(m.fallback),
                        anomalies_of(model, m)});
    }
    return rows;
}

std::vector<Row> subflow_rows(const PacketTable&, const ConnectionModel& model, const std::vector<Analysed>& all) {
    std::vector<Row> rows;
    for (const auto& a : all) {
        const MptcpConnection& m = *a.connection;
        const auto& to_server = direction(a.summary, DataDirection::ToServer);
        const auto& to_client = direction(a.summary, DataDirection::ToClient);
        for (std::size_t i = 0; i < m.subflows.size(); ++i) {
            const Subflow& sf = m.subflows[i];
            const TcpConnection* t = model.find_tcp(sf.tcp_stream);
            if (!t) continue;
            const auto& from_client = t->stats(TcpDirection::ClientToServer);
            const auto& from_server = t->stats(TcpDirection::ServerToClient);
            const double share_up = i < to_server.subflows.size() ? to_server.subflows[i].share_of_wire : 0.0;
            const double share_down = i < to_client.subflows.size() ? to_client.subflows[i].share_of_wire : 0.0;
            std::uint64_t reinjected = 0;
            if (i < to_server.subflows.size()) reinjected += to_server.subflows[i].reinjected_bytes;
            if (i < to_client.subflows.size()) reinjected += to_client.subflows[i].reinjected_bytes;
            rows.push_back({stream_text(m.mptcp_stream), std::to_string(sf.tcp_stream), t->client.to_string(),
                            t->server.to_string(), to_string(sf.role), sf.towards_server ? "server" : "client",
                            sf.backup ? "yes" : "no", std::to_string(from_client.packets),
                            std::to_string(from_client.payload_bytes), std::to_string(from_server.packets),
                            std::to_string(from_server.payload_bytes), percent(share_up), percent(share_down),
                            std::to_string(reinjected), end_of(*t, sf)});
        }
    }
    return rows;
}

std::vector<Row> reinjection_rows(const PacketTable& table, const ConnectionModel&, const std::vector<Analysed>& all) {
    const auto& frames = table.columns().frame_number;
    std::vector<Row> rows;
    for (const auto& a : all) {
        const MptcpConnection& m = *a.connection;
        for (const auto& r : a.reinjections.reinjections) {
            const DataSegment& seg = a.data.segments[r.segment];
            const std::uint64_t start = a.data.relative(seg.direction, seg.dsn);
            std::string original_frames;
            std::string original_streams;
            for (auto o : r.originals) {
                const DataSegment& os = a.data.segments[o];
                original_frames += (original_frames.empty() ? "" : ",") + std::to_string(frames[os.row]);
                original_streams +=
                    (original_streams.empty() ? "" : ",") + std::to_string(m.subflows[os.subflow].tcp_stream);
            }
            rows.push_back({stream_text(m.mptcp_stream), to_string(seg.direction), std::to_string(frames[seg.row]),
                            std::to_string(m.subflows[seg.subflow].tcp_stream), std::to_string(start),
                            std::to_string(start + seg.length), std::to_string(seg.length),
                            std::to_string(r.reinjected_bytes), original_frames, original_streams,
                            seconds(r.delay_ns)});
        }
    }
    return rows;
}

}  // namespace

const std::vector<Column>& columns_of(View view) {
    using K = CellKind;
    static const std::vector<Column> connections = {
        {"MPTCP stream", K::Text},        {"Client", K::Text},
        {"Server", K::Text},              {"Version", K::Text},
        {"Client key", K::Text},          {"Server key", K::Text},
        {"Client token", K::Text},        {"Server token", K::Text},
        {"Subflows", K::Count},           {"Bytes to server", K::Text},
        {"Bytes to client", K::Text},     {"App bytes to server", K::Text},
        {"App bytes to client", K::Text}, {"Reinjections", K::Count},
        {"Reinjected bytes", K::Text},    {"Fallback", K::Text},
        {"Anomalies", K::Text}};
    static const std::vector<Column> subflows = {
        {"MPTCP stream", K::Text},         {"TCP stream", K::Count},         {"Client", K::Text},
        {"Server", K::Text},               {"Role", K::Text},                {"Towards", K::Text},
        {"Backup", K::Text},               {"Packets from client", K::Count}, {"Bytes from client", K::Text},
        {"Packets from server", K::Count}, {"Bytes from server", K::Text},   {"Share to server", K::Text},
        {"Share to client", K::Text},      {"Reinjected bytes", K::Text},    {"End", K::Text}};
    static const std::vector<Column> reinjections = {
        {"MPTCP stream", K::Text},     {"Direction", K::Text},       {"Frame", K::Count},
        {"TCP stream", K::Count},      {"DSN start", K::Text},       {"DSN end", K::Text},
        {"Length", K::Count},          {"Reinjected bytes", K::Count}, {"Original frames", K::Text},
        {"Original TCP streams", K::Text}, {"Delay (s)", K::Text}};
    switch (view) {
        case View::Connections: return connections;
        case View::Subflows: return subflows;
        case View::Reinjections: return reinjections;
    }
    return connections;
}

Table build_table(View view, const PacketTable& table) {
    const ConnectionModel model = ConnectionModel::build(table);
    const std::vector<Analysed> all = analyse_all(table, model);
    Table out{columns_of(view), {}};
    switch (view) {
        case View::Connections: out.rows = connection_rows(table, model, all); break;
        case View::Subflows: out.rows = subflow_rows(table, model, all); break;
        case View::Reinjections: out.rows = reinjection_rows(table, model, all); break;
    }
    return out;
}

}  // namespace mptcpanalyzer::plugin
