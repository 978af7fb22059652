// list-tcp, list-mptcp, list-subflows, and the Wireshark plugin's connection and subflow tables.

#include <fmt/format.h>

#include <set>

#include "fields.hpp"
#include "mptcpanalyzer/report/reports.hpp"

namespace mptcpanalyzer::report {

std::string lines_of(const Document& d, const std::string& table, const char* none,
                     const std::function<std::string(const RowRef&)>& line) {
    const Table& t = *d.root[table].table();
    if (t.rows.empty()) return none;
    std::string out;
    for (std::size_t i = 0; i < t.size(); ++i) out += line(t.row(i));
    return out;
}

// --- anomalies ---------------------------------------------------------------------------------

const RecordSpec<const Anomaly*>& anomaly_spec() {
    static const RecordSpec<const Anomaly*> spec(
        "anomaly", "A protocol oddity seen on a TCP connection (recorded, never fatal).",
        {
            {{.name = "frame", .title = "Frame", .type = Type::Count, .unit = Unit::Frame,
              .meaning = "where it was seen"},
             [](const Anomaly* a) { return Value(a->frame); }},
            {{.name = "kind", .title = "Kind", .meaning = "stable snake_case name (docs/commands.md lists them)"},
             [](const Anomaly* a) { return Value(a->kind); }},
            {{.name = "detail", .title = "Detail", .meaning = "explanation for people"},
             [](const Anomaly* a) { return Value(a->detail); }},
        });
    return spec;
}

Table anomalies_table(const AnalysisSession& session, std::uint32_t tcp_stream) {
    return anomaly_spec().table(session.anomalies_of(tcp_stream));
}

std::string anomalies_text(const Value& anomalies, const std::string& indent) {
    std::string out;
    const Table* t = anomalies.table();
    for (std::size_t i = 0; t && i < t->size(); ++i) {
        const RowRef a = t->row(i);
        out += fmt::format("{}anomaly at frame {}: {} ({})\n", indent, plain(a, "frame"), plain(a, "kind"), plain(a, "detail"));
    }
    return out;
}

namespace {

// --- list-tcp ----------------------------------------------------------------------------------

const MptcpConnection* mptcp_of(const TcpRow& r) {
    const auto& model = r.session->model();
    return r.tcp->mptcp_index >= 0 ? &model.mptcp[static_cast<std::size_t>(r.tcp->mptcp_index)] : nullptr;
}

const TcpDirectionStats& up(const TcpConnection& t) { return t.stats(TcpDirection::ClientToServer); }

// "1 packet", "3 packets": a packet count column for people.
std::string packets_text(const RowRef& r, const std::string& column) {
    return count_of(std::get<std::uint64_t>(r[column].data), "packet", "packets");
}
const TcpDirectionStats& down(const TcpConnection& t) { return t.stats(TcpDirection::ServerToClient); }

}  // namespace

const std::vector<Field<TcpRow>>& tcp_connection_fields() {
    static const std::vector<Field<TcpRow>> fields = {
            {{.name = "tcp_stream", .title = "TCP stream", .type = Type::Count, .meaning = "Wireshark's tcp.stream"},
             [](const TcpRow& r) { return Value(r.tcp->tcp_stream); }},
            {{.name = "client", .title = "Client", .meaning = "address:port of the end that sent the SYN"},
             [](const TcpRow& r) { return Value(r.tcp->client.to_string()); }},
            {{.name = "server", .title = "Server", .meaning = "address:port of the other end"},
             [](const TcpRow& r) { return Value(r.tcp->server.to_string()); }},
            {{.name = "orientation", .title = "Orientation",
              .meaning = "what decided the client: syn (certain), syn_ack, port_numbers or first_packet (inferred)"},
             [](const TcpRow& r) { return Value(to_string(r.tcp->orientation)); }},
            {{.name = "orientation_inferred", .title = "Orientation inferred", .type = Type::Bool,
              .meaning = "the SYN was not captured: client and server are a guess"},
             [](const TcpRow& r) { return Value(r.tcp->orientation_inferred()); }},
            {{.name = "mptcp_stream", .title = "MPTCP stream", .type = Type::Count,
              .meaning = "the MPTCP connection it is a subflow of", .nullable = true},
             [](const TcpRow& r) {
                 const MptcpConnection* m = mptcp_of(r);
                 return m ? stream_value(m->mptcp_stream) : Value();
             }},
            {{.name = "packets_to_server", .title = "Packets to server", .type = Type::Unsigned, .unit = Unit::Packets,
              .meaning = "segments sent by the client"},
             [](const TcpRow& r) { return Value(up(*r.tcp).packets); }},
            {{.name = "packets_to_client", .title = "Packets to client", .type = Type::Unsigned, .unit = Unit::Packets,
              .meaning = "segments sent by the server"},
             [](const TcpRow& r) { return Value(down(*r.tcp).packets); }},
            {{.name = "bytes_to_server", .title = "Bytes to server", .type = Type::Unsigned, .unit = Unit::Bytes,
              .meaning = "TCP payload sent by the client, retransmissions included"},
             [](const TcpRow& r) { return Value(up(*r.tcp).payload_bytes); }},
            {{.name = "bytes_to_client", .title = "Bytes to client", .type = Type::Unsigned, .unit = Unit::Bytes,
              .meaning = "TCP payload sent by the server, retransmissions included"},
             [](const TcpRow& r) { return Value(down(*r.tcp).payload_bytes); }},
            {{.name = "first_ns", .title = "First packet", .type = Type::Integer, .unit = Unit::Timestamp,
              .meaning = "capture time of its first packet"},
             [](const TcpRow& r) { return Value(r.tcp->first_ns()); }},
            {{.name = "last_ns", .title = "Last packet", .type = Type::Integer, .unit = Unit::Timestamp,
              .meaning = "capture time of its last packet"},
             [](const TcpRow& r) { return Value(r.tcp->last_ns()); }},
            {{.name = "end", .title = "End", .meaning = "how it ended in the capture: open, half_closed, fin or rst"},
             [](const TcpRow& r) { return Value(to_string(r.tcp->end)); }},
            {{.name = "port_reused", .title = "Port reused", .type = Type::Bool,
              .meaning = "Wireshark started a new tcp.stream on a reused 4-tuple here"},
             [](const TcpRow& r) { return Value(r.tcp->port_reused); }},
            {{.name = "anomalies", .title = "Anomalies", .type = Type::Records, .meaning = "protocol oddities seen on it",
              .nested = &anomaly_spec().schema()},
             [](const TcpRow& r) { return Value(anomalies_table(*r.session, r.tcp->tcp_stream)); }},
    };
    return fields;
}

namespace {

const RecordSpec<TcpRow>& tcp_connection_spec() {
    static const RecordSpec<TcpRow> spec("tcp_connection",
                                         "One TCP connection (Wireshark tcp.stream), oriented by its handshake.",
                                         tcp_connection_fields());
    return spec;
}

std::string list_tcp_text(const Document& d) {
    return lines_of(d, "tcp_connections", "no TCP connection\n", [](const RowRef& r) {
        const bool inferred = std::get<bool>(r["orientation_inferred"].data);
        return fmt::format("tcp.stream {}: {} -> {}{}  {} / {} up, {} / {} down, {}{}\n", plain(r, "tcp_stream"),
                           plain(r, "client"), plain(r, "server"),
                           inferred ? fmt::format(" (orientation inferred from {})", plain(r, "orientation")) : "",
                           packets_text(r, "packets_to_server"), human(r, "bytes_to_server"),
                           packets_text(r, "packets_to_client"), human(r, "bytes_to_client"), plain(r, "end"),
                           r["mptcp_stream"].is_null() ? "" : ", mptcp.stream " + plain(r, "mptcp_stream")) +
               anomalies_text(r["anomalies"], "  ");
    });
}

const Schema& list_tcp_schema() {
    static const Schema root{"list_tcp", "The TCP connections of a capture.",
                             {{.name = "tcp_connections", .title = "TCP connections", .type = Type::Records,
                               .meaning = "one per tcp.stream, by tcp.stream", .nested = &tcp_connection_spec().schema()}}};
    return root;
}

}  // namespace

Document list_tcp(const AnalysisSession& session) {
    std::vector<TcpRow> rows;
    for (const auto& t : session.model().tcp) rows.push_back({&session, &t});
    return {{&list_tcp_schema(), {tcp_connection_spec().table(rows)}}, "tcp_connections", list_tcp_text};
}

// --- MPTCP connections and subflows ------------------------------------------------------------

namespace {

const RecordSpec<const BackupChange*>& backup_change_spec() {
    using R = const BackupChange*;
    static const RecordSpec<R> spec(
        "backup_change", "A change of a subflow's backup priority.",
        {
            {{.name = "time_ns", .title = "Time", .type = Type::Integer, .unit = Unit::Timestamp, .meaning = "when"},
             [](R c) { return Value(c->time_ns); }},
            {{.name = "frame", .title = "Frame", .type = Type::Count, .unit = Unit::Frame, .meaning = "where"},
             [](R c) { return Value(c->frame); }},
            {{.name = "backup", .title = "Backup", .type = Type::Bool, .meaning = "the new priority is backup"},
             [](R c) { return Value(c->backup); }},
            {{.name = "by", .title = "By", .meaning = "the option that said it: MP_JOIN or MP_PRIO"},
             [](R c) { return Value(c->how); }},
            {{.name = "sender", .title = "Sender", .meaning = "subflow_client or subflow_server: who sent the option"},
             [](R c) { return Value(c->from_subflow_client ? "subflow_client" : "subflow_server"); }},
        });
    return spec;
}

Value backup_changes_table(const Subflow& sf) {
    std::vector<const BackupChange*> rows;
    for (const auto& c : sf.backup_changes) rows.push_back(&c);
    return Value(backup_change_spec().table(rows));
}

}  // namespace

const std::vector<Field<SubflowRow>>& subflow_fields() {
    static const std::vector<Field<SubflowRow>> fields = {
        {{.name = "tcp_stream", .title = "TCP stream", .type = Type::Count, .meaning = "the subflow's tcp.stream"},
         [](const SubflowRow& r) { return Value(r.subflow().tcp_stream); }},
        {{.name = "client", .title = "Client", .meaning = "the subflow's TCP client (sent its SYN)"},
         [](const SubflowRow& r) { return Value(r.tcp().client.to_string()); }},
        {{.name = "server", .title = "Server", .meaning = "the subflow's TCP server"},
         [](const SubflowRow& r) { return Value(r.tcp().server.to_string()); }},
        {{.name = "role", .title = "Role", .meaning = "initial (MP_CAPABLE), join (MP_JOIN), or unknown (neither captured)"},
         [](const SubflowRow& r) { return Value(to_string(r.subflow().role)); }},
        {{.name = "attachment", .title = "Attachment",
          .meaning = "how it was tied to its connection: mp_capable, token, or wireshark_stream"},
         [](const SubflowRow& r) { return Value(to_string(r.subflow().attachment)); }},
        {{.name = "mptcpdest", .title = "Towards",
          .meaning = "the MPTCP endpoint its TCP server is: server or client (the Python tool's mptcpdest)"},
         [](const SubflowRow& r) { return Value(r.subflow().towards_server ? "server" : "client"); }},
        {{.name = "client_address_id", .title = "Client address id", .type = Type::Count,
          .meaning = "address id in the MP_JOIN SYN", .nullable = true},
         [](const SubflowRow& r) { return Value::optional(r.subflow().client_address_id); }},
        {{.name = "server_address_id", .title = "Server address id", .type = Type::Count,
          .meaning = "address id in the MP_JOIN SYN/ACK", .nullable = true},
         [](const SubflowRow& r) { return Value::optional(r.subflow().server_address_id); }},
        {{.name = "backup", .title = "Backup", .type = Type::Bool, .meaning = "backup priority at the end of the capture"},
         [](const SubflowRow& r) { return Value(r.subflow().backup); }},
        {{.name = "backup_changes", .title = "Backup changes", .type = Type::Records,
          .meaning = "every change of priority (MP_JOIN B flag, MP_PRIO)", .nested = &backup_change_spec().schema()},
         [](const SubflowRow& r) { return backup_changes_table(r.subflow()); }},
        {{.name = "hmac_valid", .title = "HMAC valid", .type = Type::Bool,
          .meaning = "the MP_JOIN HMACs match the keys (null: keys or HMACs not captured)", .nullable = true},
         [](const SubflowRow& r) { return Value::optional(r.subflow().hmac_valid); }},
        {{.name = "packets_client_to_server", .title = "Packets from client", .type = Type::Unsigned,
          .unit = Unit::Packets, .meaning = "segments sent by the subflow's TCP client"},
         [](const SubflowRow& r) { return Value(r.tcp().stats(TcpDirection::ClientToServer).packets); }},
        {{.name = "packets_server_to_client", .title = "Packets from server", .type = Type::Unsigned,
          .unit = Unit::Packets, .meaning = "segments sent by the subflow's TCP server"},
         [](const SubflowRow& r) { return Value(r.tcp().stats(TcpDirection::ServerToClient).packets); }},
        {{.name = "bytes_client_to_server", .title = "Bytes from client", .type = Type::Unsigned, .unit = Unit::Bytes,
          .meaning = "TCP payload sent by the subflow's TCP client, retransmissions included"},
         [](const SubflowRow& r) { return Value(r.tcp().stats(TcpDirection::ClientToServer).payload_bytes); }},
        {{.name = "bytes_server_to_client", .title = "Bytes from server", .type = Type::Unsigned, .unit = Unit::Bytes,
          .meaning = "TCP payload sent by the subflow's TCP server, retransmissions included"},
         [](const SubflowRow& r) { return Value(r.tcp().stats(TcpDirection::ServerToClient).payload_bytes); }},
        {{.name = "first_ns", .title = "First packet", .type = Type::Integer, .unit = Unit::Timestamp,
          .meaning = "capture time of its first packet"},
         [](const SubflowRow& r) { return Value(r.tcp().first_ns()); }},
        {{.name = "last_ns", .title = "Last packet", .type = Type::Integer, .unit = Unit::Timestamp,
          .meaning = "capture time of its last packet"},
         [](const SubflowRow& r) { return Value(r.tcp().last_ns()); }},
        {{.name = "end", .title = "End",
          .meaning = "how the TCP connection ended (open, half_closed, fin, rst), +fastclose, +mp_tcprst(reason)"},
         [](const SubflowRow& r) {
             std::string e = to_string(r.tcp().end);
             if (r.subflow().fastclose) e += "+fastclose";
             if (r.subflow().tcprst_reason) e += fmt::format("+mp_tcprst({})", *r.subflow().tcprst_reason);
             return Value(e);
         }},
        {{.name = "mp_tcprst_reason", .title = "MP_TCPRST reason", .type = Type::Count,
          .meaning = "reason code of the MP_TCPRST sent on it", .nullable = true},
         [](const SubflowRow& r) { return Value::optional(r.subflow().tcprst_reason); }},
        {{.name = "orientation_inferred", .title = "Orientation inferred", .type = Type::Bool,
          .meaning = "its SYN was not captured: client and server are a guess"},
         [](const SubflowRow& r) { return Value(r.tcp().orientation_inferred()); }},
        {{.name = "anomalies", .title = "Anomalies", .type = Type::Records, .meaning = "protocol oddities seen on it",
          .nested = &anomaly_spec().schema()},
         [](const SubflowRow& r) { return Value(anomalies_table(*r.session, r.subflow().tcp_stream)); }},
    };
    return fields;
}

namespace {

const RecordSpec<SubflowRow>& subflow_spec() {
    static const RecordSpec<SubflowRow> spec("subflow", "One subflow (a TCP connection) of an MPTCP connection.",
                                             subflow_fields());
    return spec;
}

Table subflows_table(const AnalysisSession& session, const MptcpConnection& m) {
    std::vector<SubflowRow> rows;
    for (std::size_t i = 0; i < m.subflows.size(); ++i) rows.push_back({&session, &m, i});
    return subflow_spec().table(rows);
}

std::string subflow_text(const RowRef& s) {
    std::string ids;
    if (!s["client_address_id"].is_null() || !s["server_address_id"].is_null()) {
        const auto id = [&](const char* c) { return s[c].is_null() ? std::string("-") : plain(s, c); };
        ids = fmt::format(", address ids {}/{}", id("client_address_id"), id("server_address_id"));
    }
    const Value& hmac = s["hmac_valid"];
    return fmt::format("  tcp.stream {}: {} -> {} ({}, mptcpdest: {}{}{}{}) {} / {} up, {} / {} down, {}\n",
                       plain(s, "tcp_stream"), plain(s, "client"), plain(s, "server"), plain(s, "role"),
                       plain(s, "mptcpdest"), std::get<bool>(s["backup"].data) ? ", backup" : "", ids,
                       !hmac.is_null() && !std::get<bool>(hmac.data) ? ", HMAC MISMATCH" : "",
                       packets_text(s, "packets_client_to_server"), human(s, "bytes_client_to_server"),
                       packets_text(s, "packets_server_to_client"), human(s, "bytes_server_to_client"), plain(s, "end")) +
           anomalies_text(s["anomalies"], "    ");
}

}  // namespace

const std::vector<Field<ConnectionRow>>& connection_fields() {
    using R = ConnectionRow;
    static const std::vector<Field<R>> fields = {
        {{.name = "mptcp_stream", .title = "MPTCP stream", .type = Type::Count,
          .meaning = "Wireshark's mptcp.stream (null: Wireshark attached none)", .nullable = true},
         [](const R& r) { return stream_value(r.mptcp->mptcp_stream); }},
        {{.name = "client", .title = "Client", .meaning = "the MPTCP client: the initial subflow's TCP client"},
         [](const R& r) { return Value(r.mptcp->client.to_string()); }},
        {{.name = "server", .title = "Server", .meaning = "the MPTCP server"},
         [](const R& r) { return Value(r.mptcp->server.to_string()); }},
        {{.name = "version", .title = "Version", .type = Type::Count, .meaning = "MPTCP version, 0 or 1",
          .nullable = true},
         [](const R& r) { return r.mptcp->version >= 0 ? Value(r.mptcp->version) : Value(); }},
        {{.name = "client_key", .title = "Client key", .type = Type::Hex64, .meaning = "the client's 64-bit key",
          .nullable = true},
         [](const R& r) { return Value::optional(r.mptcp->client_key); }},
        {{.name = "client_token", .title = "Client token", .type = Type::Hex32,
          .meaning = "the client's token, derived from its key", .nullable = true},
         [](const R& r) { return Value::optional(r.mptcp->client_token()); }},
        {{.name = "server_key", .title = "Server key", .type = Type::Hex64, .meaning = "the server's 64-bit key",
          .nullable = true},
         [](const R& r) { return Value::optional(r.mptcp->server_key); }},
        {{.name = "server_token", .title = "Server token", .type = Type::Hex32,
          .meaning = "the server's token, derived from its key", .nullable = true},
         [](const R& r) { return Value::optional(r.mptcp->server_token()); }},
        {{.name = "client_idsn", .title = "Client IDSN", .type = Type::Unsigned,
          .meaning = "the client's initial data sequence number, derived from its key (relative DSN 0 of data to the server)",
          .nullable = true},
         [](const R& r) { return r.mptcp->client_key ? Value(r.mptcp->client_derived.idsn) : Value(); }},
        {{.name = "server_idsn", .title = "Server IDSN", .type = Type::Unsigned,
          .meaning = "the server's initial data sequence number, derived from its key (relative DSN 0 of data to the client)",
          .nullable = true},
         [](const R& r) { return r.mptcp->server_key ? Value(r.mptcp->server_derived.idsn) : Value(); }},
        {{.name = "checksums", .title = "Checksums", .type = Type::Bool, .meaning = "DSS checksums were negotiated"},
         [](const R& r) { return Value(r.mptcp->checksums); }},
        {{.name = "fallback", .title = "Fallback",
          .meaning = "why it fell back to TCP: none, no_mp_capable_reply, no_mp_capable_ack, no_dss, infinite_mapping, "
                     "mp_fail_no_dss"},
         [](const R& r) { return Value(to_string(r.mptcp->fallback)); }},
        {{.name = "fallback_frame", .title = "Fallback frame", .type = Type::Count, .unit = Unit::Frame,
          .meaning = "where the fallback shows", .nullable = true},
         [](const R& r) { return r.mptcp->fallback == Fallback::None ? Value() : Value(r.mptcp->fallback_frame); }},
        {{.name = "fallback_by", .title = "Fallback by",
          .meaning = "the end whose segment shows the fallback: client or server (sender of the SYN/ACK or third ACK "
                     "without MP_CAPABLE, of the data without DSS, of the infinite mapping)",
          .nullable = true},
         [](const R& r) {
             if (r.mptcp->fallback == Fallback::None) return Value();
             return Value(r.mptcp->fallback_direction == DataDirection::ToServer ? "client" : "server");
         }},
        {{.name = "hmacs_checked", .title = "HMACs checked", .type = Type::Count,
          .meaning = "MP_JOIN subflows whose HMACs could be recomputed (keys and nonces captured)"},
         [](const R& r) {
             std::uint32_t n = 0;
             for (const auto& sf : r.mptcp->subflows) n += sf.hmac_valid.has_value();
             return Value(n);
         }},
        {{.name = "hmac_mismatches", .title = "HMAC mismatches", .type = Type::Count,
          .meaning = "of those, subflows whose HMACs do not match the keys"},
         [](const R& r) {
             std::uint32_t n = 0;
             for (const auto& sf : r.mptcp->subflows) n += sf.hmac_valid.has_value() && !*sf.hmac_valid;
             return Value(n);
         }},
        {{.name = "anomaly_count", .title = "Anomaly count", .type = Type::Count,
          .meaning = "anomalies recorded on its subflows (listed with each subflow)"},
         [](const R& r) {
             std::size_t n = 0;
             for (const auto& sf : r.mptcp->subflows) n += r.session->anomalies_of(sf.tcp_stream).size();
             return Value(static_cast<std::uint64_t>(n));
         }},
        {{.name = "subflows", .title = "Subflows", .type = Type::Records,
          .meaning = "initial subflow first, then joins (CSV: their number; list-subflows --csv lists them)",
          .nested = &subflow_spec().schema()},
         [](const R& r) { return Value(subflows_table(*r.session, *r.mptcp)); }},
    };
    return fields;
}

namespace {

const RecordSpec<ConnectionRow>& connection_spec() {
    static const RecordSpec<ConnectionRow> spec("mptcp_connection", "One MPTCP connection and its subflows.",
                                                connection_fields(), {{"mptcp_stream", "mptcp_stream", true}});
    return spec;
}

}  // namespace

std::string connection_text(const RowRef& c) {
    const auto key = [&](const char* who) {
        const std::string k = std::string(who) + "_key";
        return c[k].is_null() ? fmt::format("{} key unknown", who)
                              : fmt::format("{} key {} token {}", who, plain(c, k), plain(c, std::string(who) + "_token"));
    };
    const Table& subflows = *c["subflows"].table();
    std::string out = fmt::format(
        "mptcp.stream {}: {} -> {}, {}, {}, {}, {}{}{}\n",
        c["mptcp_stream"].is_null() ? std::string("(none)") : plain(c, "mptcp_stream"), plain(c, "client"),
        plain(c, "server"), c["version"].is_null() ? std::string("version unknown") : "v" + plain(c, "version"),
        count_of(subflows.size(), "subflow", "subflows"), key("client"), key("server"),
        std::get<bool>(c["checksums"].data) ? ", DSS checksums" : "",
        plain(c, "fallback") != "none"
            ? fmt::format(", FALLBACK to TCP ({}, frame {}, by the {})", plain(c, "fallback"), plain(c, "fallback_frame"),
                          plain(c, "fallback_by"))
            : std::string());
    for (std::size_t i = 0; i < subflows.size(); ++i) out += subflow_text(subflows.row(i));
    return out;
}

namespace {

const Schema& list_mptcp_schema() {
    static const Schema root{
        "list_mptcp",
        "The MPTCP connections of a capture.",
        {{.name = "mptcp_connections", .title = "MPTCP connections", .type = Type::Records,
          .meaning = "by mptcp.stream; connections Wireshark gave no number last", .nested = &connection_spec().schema()},
         {.name = "unattached_subflows", .title = "Unattached subflows", .type = Type::List,
          .meaning = "tcp.stream of MP_JOIN subflows whose connection is not identifiable", .element = Type::Count,
          .csv = false}}};
    return root;
}

// Every connection with its subflows; `csv_rows` picks what a CSV row is.
Document all_connections(const AnalysisSession& session, std::string csv_rows) {
    const Schema& root = list_mptcp_schema();
    const ConnectionModel& model = session.model();
    std::vector<ConnectionRow> rows;
    for (const auto& m : model.mptcp) rows.push_back({&session, &m});
    std::vector<Value> unattached;
    std::string unattached_text;
    for (auto s : model.unattached_subflows) {
        unattached.emplace_back(s);
        const TcpConnection* t = model.find_tcp(s);
        unattached_text += fmt::format("unattached subflow tcp.stream {}: {} -> {} (its MPTCP connection is not identifiable)\n",
                                       s, t->client.to_string(), t->server.to_string());
    }
    return {{&root, {connection_spec().table(rows), Value(std::move(unattached))}},
            std::move(csv_rows),
            [unattached_text](const Document& d) {
                const Table& t = *d.root["mptcp_connections"].table();
                std::string out = t.rows.empty() ? "no MPTCP connection\n" : "";
                for (std::size_t i = 0; i < t.size(); ++i) out += connection_text(t.row(i));
                return out + unattached_text;
            }};
}

}  // namespace

// CSV: one row per connection (its subflows are counted; list-subflows lists them).
Document list_mptcp(const AnalysisSession& session) { return all_connections(session, "mptcp_connections"); }

Document list_subflows(const AnalysisSession& session, const MptcpConnection* connection) {
    // Without a connection: every subflow of every connection, each CSV row carrying its
    // connection's mptcp_stream.
    if (!connection) return all_connections(session, "mptcp_connections/subflows");
    return {connection_spec().record({&session, connection}), "subflows",
            [](const Document& d) { return connection_text(d.root.ref()); }};
}

// --- the Wireshark plugin's connection and subflow tables --------------------------------------

namespace {

const MptcpDirectionSummary& direction_summary(const ConnectionRow& r, DataDirection d) {
    return r.session->totals(*r.mptcp).summary.directions[static_cast<std::size_t>(d)];
}

const RecordSpec<ConnectionRow>& connection_overview_spec() {
    using R = ConnectionRow;
    const auto bytes = [](const char* name, const char* title, const char* meaning, auto get) {
        return Field<R>{{.name = name, .title = title, .type = Type::Unsigned, .unit = Unit::Bytes, .meaning = meaning},
                        [get](const R& r) { return Value(get(r)); }};
    };
    static const RecordSpec<R> spec(
        "mptcp_connection_overview", "One MPTCP connection with its traffic (Wireshark: Statistics > MPTCP Connections).",
        concat(pick(connection_fields(), {"mptcp_stream", "client", "server", "version", "client_key", "server_key",
                                          "client_token", "server_token", "subflows"}),
               {
                   bytes("wire_bytes_to_server", "Bytes to server", "TCP payload towards the server on all subflows",
                         [](const R& r) { return direction_summary(r, DataDirection::ToServer).wire_bytes; }),
                   bytes("wire_bytes_to_client", "Bytes to client", "TCP payload towards the client on all subflows",
                         [](const R& r) { return direction_summary(r, DataDirection::ToClient).wire_bytes; }),
                   bytes("application_bytes_to_server", "App bytes to server", "DSN space covered towards the server",
                         [](const R& r) { return direction_summary(r, DataDirection::ToServer).application_bytes; }),
                   bytes("application_bytes_to_client", "App bytes to client", "DSN space covered towards the client",
                         [](const R& r) { return direction_summary(r, DataDirection::ToClient).application_bytes; }),
                   {{.name = "reinjections", .title = "Reinjections", .type = Type::Count,
                     .meaning = "segments with reinjected bytes (carried before only by other subflows)"},
                    [](const R& r) { return Value(r.session->totals(*r.mptcp).reinjections); }},
                   bytes("reinjected_bytes", "Reinjected bytes", "bytes carried before only by other subflows",
                         [](const R& r) {
                             return direction_summary(r, DataDirection::ToServer).reinjected_bytes +
                                    direction_summary(r, DataDirection::ToClient).reinjected_bytes;
                         }),
                   pick(connection_fields(), {"fallback"})[0],
                   {{.name = "anomalies", .title = "Anomalies", .type = Type::List,
                     .meaning = "distinct kinds of the anomalies seen on its subflows, sorted", .element = Type::Text},
                    [](const R& r) {
                        std::set<std::string> kinds;
                        for (const auto& sf : r.mptcp->subflows)
                            for (const Anomaly* a : r.session->anomalies_of(sf.tcp_stream)) kinds.insert(a->kind);
                        return Value(std::vector<Value>(kinds.begin(), kinds.end()));
                    }},
               }));
    return spec;
}

const SubflowContribution* contribution(const SubflowRow& r, DataDirection d) {
    const auto& subflows = r.session->totals(*r.mptcp).summary.directions[static_cast<std::size_t>(d)].subflows;
    return r.index < subflows.size() ? &subflows[r.index] : nullptr;
}

const RecordSpec<SubflowRow>& subflow_overview_spec() {
    using R = SubflowRow;
    const auto share = [](const char* name, const char* title, const char* meaning, DataDirection d) {
        return Field<R>{{.name = name, .title = title, .type = Type::Real, .unit = Unit::Ratio, .meaning = meaning,
                         .decimals = 6},
                        [d](const R& r) {
                            const SubflowContribution* c = contribution(r, d);
                            return Value(c ? c->share_of_wire : 0.0);
                        }};
    };
    static const RecordSpec<R> spec(
        "subflow_overview", "One subflow with its share of the traffic (Wireshark: Statistics > MPTCP Subflows).",
        concat(concat({{{.name = "mptcp_stream", .title = "MPTCP stream", .type = Type::Count,
                         .meaning = "its connection's mptcp.stream", .nullable = true},
                        [](const R& r) { return stream_value(r.mptcp->mptcp_stream); }}},
                      pick(subflow_fields(), {"tcp_stream", "client", "server", "role", "mptcpdest", "backup",
                                              "packets_client_to_server", "bytes_client_to_server",
                                              "packets_server_to_client", "bytes_server_to_client"})),
               {
                   share("share_to_server", "Share to server", "its part of the wire bytes towards the server",
                         DataDirection::ToServer),
                   share("share_to_client", "Share to client", "its part of the wire bytes towards the client",
                         DataDirection::ToClient),
                   {{.name = "reinjected_bytes", .title = "Reinjected bytes", .type = Type::Unsigned, .unit = Unit::Bytes,
                     .meaning = "bytes it carried that were first sent on another subflow"},
                    [](const R& r) {
                        std::uint64_t sum = 0;
                        for (auto d : {DataDirection::ToServer, DataDirection::ToClient})
                            if (const SubflowContribution* c = contribution(r, d)) sum += c->reinjected_bytes;
                        return Value(sum);
                    }},
                   pick(subflow_fields(), {"end"})[0],
               }));
    return spec;
}

}  // namespace

Table overview(const AnalysisSession& session, Overview which) {
    const ConnectionModel& model = session.model();
    switch (which) {
        case Overview::Connections: {
            std::vector<ConnectionRow> rows;
            for (const auto& m : model.mptcp) rows.push_back({&session, &m});
            return connection_overview_spec().table(rows);
        }
        case Overview::Subflows: {
            std::vector<SubflowRow> rows;
            for (const auto& m : model.mptcp)
                for (std::size_t i = 0; i < m.subflows.size(); ++i) rows.push_back({&session, &m, i});
            return subflow_overview_spec().table(rows);
        }
        case Overview::Reinjections: break;
    }
    return *list_reinjections(session, nullptr).root["reinjections"].table();
}

const Schema& overview_schema(Overview which) {
    switch (which) {
        case Overview::Connections: return connection_overview_spec().schema();
        case Overview::Subflows: return subflow_overview_spec().schema();
        case Overview::Reinjections: break;
    }
    return reinjection_schema();
}

std::vector<std::pair<std::string, const Schema*>> documented_schemas() {
    // The whole documents of the list reports, from their root object (list-subflows N is one
    // `mptcp_connection`; without N it is list-mptcp's document).
    return {{"list-tcp", &list_tcp_schema()},
            {"list-mptcp, list-subflows", &list_mptcp_schema()},
            {"tcp-summary", tcp_summary_schema()},
            {"mptcp-summary", mptcp_summary_schema()},
            {"list-reinjections", &reinjection_schema()},
            {"list-mptcp-retransmissions", &mptcp_retransmission_schema()},
            {"events", &event_schema()},
            {"map-tcp", &map_tcp_report_schema()},
            {"map-mptcp", &map_mptcp_report_schema()},
            {"reordering", reordering_schema()},
            {"qualify-reinjections", &qualify_reinjections_schema()},
            {"summary-extended", &summary_extended_schema()},
            {"owd", one_way_delays_schema()},
            {"Wireshark: MPTCP Connections", &connection_overview_spec().schema()},
            {"Wireshark: MPTCP Subflows", &subflow_overview_spec().schema()}};
}

}  // namespace mptcpanalyzer::report
