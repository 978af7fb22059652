// events: the MPTCP control timeline.

#include <fmt/format.h>

#include "fields.hpp"
#include "mptcpanalyzer/report/reports.hpp"

namespace mptcpanalyzer::report {
namespace {

// What an event means, for the kinds whose name alone does not say it.
const char* meaning_of(const std::string& kind) {
    if (kind == "mp_fail") return "the receiver detected a DSS checksum failure";
    if (kind == "checksum_failure") return "the DSS checksum does not match the mapping's data as captured";
    return nullptr;
}

std::string detail_text(const EventValue& v) {
    switch (v.kind) {
        case EventValue::Kind::Flag: return v.number ? "yes" : "no";
        case EventValue::Kind::Number: return std::to_string(v.number);
        case EventValue::Kind::Key: return fmt::format("{:016x}", v.number);
        case EventValue::Kind::Token: return fmt::format("{:08x}", v.number);
        case EventValue::Kind::Name: return v.name;
    }
    return v.name;
}

const RecordSpec<const MptcpEvent*>& event_spec() {
    using R = const MptcpEvent*;
    static const RecordSpec<R> spec(
        "event", "One MPTCP control event.",
        {
            {{.name = "time_ns", .title = "Time", .type = Type::Integer, .unit = Unit::Timestamp,
              .meaning = "capture time"},
             [](R e) { return Value(e->time_ns); }},
            {{.name = "frame", .title = "Frame", .type = Type::Count, .unit = Unit::Frame, .meaning = "where"},
             [](R e) { return Value(e->frame); }},
            {{.name = "mptcp_stream", .title = "MPTCP stream", .type = Type::Count,
              .meaning = "its connection (null: an unattached subflow)", .nullable = true},
             [](R e) { return stream_value(e->mptcp_stream); }},
            {{.name = "tcp_stream", .title = "TCP stream", .type = Type::Count, .meaning = "the subflow"},
             [](R e) { return Value(e->tcp_stream); }},
            {{.name = "kind", .title = "Kind",
              .meaning = "mp_capable, mp_join, add_addr, remove_addr, mp_prio, mp_fail, mp_fastclose, mp_tcprst, "
                         "data_fin, infinite_mapping, checksum_failure, fallback"},
             [](R e) { return Value(e->kind); }},
            {{.name = "sender", .title = "Sender", .meaning = "the MPTCP endpoint that sent it: client or server",
              .nullable = true},
             [](R e) { return e->sender.empty() ? Value() : Value(e->sender); }},
            {{.name = "details", .title = "Details", .type = Type::Details,
              .meaning = "the kind's fields: keys and tokens in hex, flags yes/no (docs/commands.md)"},
             [](R e) {
                 Value::Details d;
                 for (const auto& [k, v] : e->details) d.emplace_back(k, detail_text(v));
                 if (const char* m = meaning_of(e->kind)) d.emplace_back("meaning", m);
                 return Value(std::move(d));
             }},
        });
    return spec;
}

std::string events_text(const Document& d) {
    const Table& t = *d.root["events"].table();
    // Times since the first event.
    const std::int64_t t0 = t.rows.empty() ? 0 : std::get<std::int64_t>(t.row(0)["time_ns"].data);
    return lines_of(d, "events", "no MPTCP event\n", [t0](const RowRef& e) {
        return fmt::format("{:>12.6f} frame {:>6} mptcp.stream {} tcp.stream {}: {}{} {}\n",
                           static_cast<double>(std::get<std::int64_t>(e["time_ns"].data) - t0) / 1e9, plain(e, "frame"),
                           e["mptcp_stream"].is_null() ? std::string("-") : plain(e, "mptcp_stream"),
                           plain(e, "tcp_stream"), plain(e, "kind"),
                           e["sender"].is_null() ? std::string() : " from " + plain(e, "sender"), plain(e, "details"));
    });
}

}  // namespace

const Schema& event_schema() { return event_spec().schema(); }

Document events(const AnalysisSession& session, const MptcpConnection* connection) {
    static const Schema root{"events",
                             "The MPTCP control timeline.",
                             {{.name = "events", .title = "Events", .type = Type::Records, .meaning = "by frame",
                               .nested = &event_spec().schema()}}};
    const std::vector<MptcpEvent> list = session.events(connection);
    std::vector<const MptcpEvent*> rows;
    for (const auto& e : list) rows.push_back(&e);
    return {{&root, {event_spec().table(rows)}}, "events", events_text};
}

}  // namespace mptcpanalyzer::report
