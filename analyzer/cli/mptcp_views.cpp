#include "mptcp_views.hpp"

#include <fmt/format.h>

#include "report_output.hpp"

namespace mptcpanalyzer::cli {

std::string hex64(std::uint64_t v) { return fmt::format("{:016x}", v); }
std::string hex32(std::uint32_t v) { return fmt::format("{:08x}", v); }

namespace {

template <class T, class F>
nlohmann::ordered_json opt(const std::optional<T>& v, F f) {
    return v ? nlohmann::ordered_json(f(*v)) : nlohmann::ordered_json(nullptr);
}

std::string opt_text(const std::optional<std::uint8_t>& v) { return v ? std::to_string(*v) : std::string(); }

const TcpConnection& tcp_of(const AnalysisContext& ctx, const Subflow& sf) { return *ctx.model.find_tcp(sf.tcp_stream); }

std::string end_of(const TcpConnection& t, const Subflow& sf) {
    std::string e = to_string(t.end);
    if (sf.fastclose) e += "+fastclose";
    if (sf.tcprst_reason) e += fmt::format("+mp_tcprst({})", *sf.tcprst_reason);
    return e;
}

}  // namespace

nlohmann::ordered_json anomalies_json(const AnalysisContext& ctx, std::uint32_t tcp_stream) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& a : ctx.model.anomalies) {
        if (a.tcp_stream == tcp_stream) out.push_back({{"frame", a.frame}, {"kind", a.kind}, {"detail", a.detail}});
    }
    return out;
}

std::string anomalies_text(const AnalysisContext& ctx, std::uint32_t tcp_stream, const std::string& indent) {
    std::string out;
    for (const auto& a : ctx.model.anomalies) {
        if (a.tcp_stream == tcp_stream) out += fmt::format("{}anomaly at frame {}: {} ({})\n", indent, a.frame, a.kind, a.detail);
    }
    return out;
}

nlohmann::ordered_json subflow_json(const AnalysisContext& ctx, const MptcpConnection&, const Subflow& sf) {
    const TcpConnection& t = tcp_of(ctx, sf);
    nlohmann::ordered_json changes = nlohmann::ordered_json::array();
    for (const auto& c : sf.backup_changes) {
        changes.push_back({{"time_ns", c.time_ns}, {"frame", c.frame}, {"backup", c.backup}, {"by", c.how},
                           {"sender", c.from_subflow_client ? "subflow_client" : "subflow_server"}});
    }
    const auto& up = t.stats(TcpDirection::ClientToServer);
    const auto& down = t.stats(TcpDirection::ServerToClient);
    return {{"tcp_stream", sf.tcp_stream},
            {"client", t.client.to_string()},
            {"server", t.server.to_string()},
            {"role", to_string(sf.role)},
            {"attachment", to_string(sf.attachment)},
            {"mptcpdest", sf.towards_server ? "server" : "client"},
            {"client_address_id", opt(sf.client_address_id, [](auto v) { return int{v}; })},
            {"server_address_id", opt(sf.server_address_id, [](auto v) { return int{v}; })},
            {"backup", sf.backup},
            {"backup_changes", changes},
            {"hmac_valid", opt(sf.hmac_valid, [](auto v) { return v; })},
            {"packets_client_to_server", up.packets},
            {"packets_server_to_client", down.packets},
            {"bytes_client_to_server", up.payload_bytes},
            {"bytes_server_to_client", down.payload_bytes},
            {"first_ns", t.first_ns()},
            {"last_ns", t.last_ns()},
            {"end", end_of(t, sf)},
            {"mp_tcprst_reason", opt(sf.tcprst_reason, [](auto v) { return int{v}; })},
            {"orientation_inferred", t.orientation_inferred()},
            {"anomalies", anomalies_json(ctx, sf.tcp_stream)}};
}

nlohmann::ordered_json connection_json(const AnalysisContext& ctx, const MptcpConnection& m) {
    nlohmann::ordered_json subflows = nlohmann::ordered_json::array();
    for (const auto& sf : m.subflows) subflows.push_back(subflow_json(ctx, m, sf));
    return {{"mptcp_stream", m.mptcp_stream >= 0 ? nlohmann::ordered_json(m.mptcp_stream) : nullptr},
            {"client", m.client.to_string()},
            {"server", m.server.to_string()},
            {"version", m.version >= 0 ? nlohmann::ordered_json(m.version) : nullptr},
            {"client_key", opt(m.client_key, hex64)},
            {"client_token", opt(m.client_token(), hex32)},
            {"server_key", opt(m.server_key, hex64)},
            {"server_token", opt(m.server_token(), hex32)},
            {"checksums", m.checksums},
            {"fallback", to_string(m.fallback)},
            {"fallback_frame", m.fallback == Fallback::None ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(m.fallback_frame)},
            {"subflows", subflows}};
}

std::vector<std::string> subflow_csv_columns() {
    return {"mptcp_stream", "tcp_stream", "client", "server", "role", "attachment", "mptcpdest",
            "client_address_id", "server_address_id", "backup", "backup_changes", "hmac_valid",
            "packets_client_to_server", "packets_server_to_client", "bytes_client_to_server",
            "bytes_server_to_client", "first_ns", "last_ns", "end"};
}

std::vector<std::string> subflow_csv_row(const AnalysisContext& ctx, const MptcpConnection& m, const Subflow& sf) {
    const TcpConnection& t = tcp_of(ctx, sf);
    const auto& up = t.stats(TcpDirection::ClientToServer);
    const auto& down = t.stats(TcpDirection::ServerToClient);
    return {m.mptcp_stream >= 0 ? std::to_string(m.mptcp_stream) : "",
            std::to_string(sf.tcp_stream),
            t.client.to_string(),
            t.server.to_string(),
            to_string(sf.role),
            to_string(sf.attachment),
            sf.towards_server ? "server" : "client",
            opt_text(sf.client_address_id),
            opt_text(sf.server_address_id),
            sf.backup ? "1" : "0",
            std::to_string(sf.backup_changes.size()),
            sf.hmac_valid ? (*sf.hmac_valid ? "1" : "0") : "",
            std::to_string(up.packets),
            std::to_string(down.packets),
            std::to_string(up.payload_bytes),
            std::to_string(down.payload_bytes),
            std::to_string(t.first_ns()),
            std::to_string(t.last_ns()),
            end_of(t, sf)};
}

std::string subflow_text(const AnalysisContext& ctx, const MptcpConnection&, const Subflow& sf) {
    const TcpConnection& t = tcp_of(ctx, sf);
    const auto& up = t.stats(TcpDirection::ClientToServer);
    const auto& down = t.stats(TcpDirection::ServerToClient);
    std::string ids;
    if (sf.client_address_id || sf.server_address_id) {
        ids = fmt::format(", address ids {}/{}", opt_text(sf.client_address_id).empty() ? "-" : opt_text(sf.client_address_id),
                          opt_text(sf.server_address_id).empty() ? "-" : opt_text(sf.server_address_id));
    }
    return fmt::format("  tcp.stream {}: {} -> {} ({}, mptcpdest: {}{}{}{}) {} pkts / {} up, {} pkts / {} down, {}\n",
                       sf.tcp_stream, t.client.to_string(), t.server.to_string(), to_string(sf.role),
                       sf.towards_server ? "Server" : "Client", sf.backup ? ", backup" : "", ids,
                       sf.hmac_valid && !*sf.hmac_valid ? ", HMAC MISMATCH" : "", up.packets,
                       human_bytes(up.payload_bytes), down.packets, human_bytes(down.payload_bytes), end_of(t, sf)) +
           anomalies_text(ctx, sf.tcp_stream, "    ");
}

std::string connection_text(const AnalysisContext& ctx, const MptcpConnection& m) {
    std::string keys;
    keys += m.client_key ? fmt::format("client key {} token {}", hex64(*m.client_key), hex32(*m.client_token()))
                         : std::string("client key unknown");
    keys += m.server_key ? fmt::format(", server key {} token {}", hex64(*m.server_key), hex32(*m.server_token()))
                         : std::string(", server key unknown");
    std::string out = fmt::format(
        "mptcp.stream {}: {} -> {}, {}, {} subflow{}, {}{}{}\n",
        m.mptcp_stream >= 0 ? std::to_string(m.mptcp_stream) : std::string("(none)"), m.client.to_string(),
        m.server.to_string(), m.version >= 0 ? fmt::format("v{}", m.version) : std::string("version unknown"),
        m.subflows.size(), m.subflows.size() == 1 ? "" : "s", keys, m.checksums ? ", DSS checksums" : "",
        m.fallback != Fallback::None ? fmt::format(", FALLBACK to TCP ({}, frame {})", to_string(m.fallback), m.fallback_frame)
                                     : std::string());
    for (const auto& sf : m.subflows) out += subflow_text(ctx, m, sf);
    return out;
}

}  // namespace mptcpanalyzer::cli
