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

// An event and the time base of its capture (relative times count from it).
struct EventRow {
    const MptcpEvent* event;
    std::int64_t base_ns;
};

const RecordSpec<EventRow>& event_spec() {
    using R = EventRow;
    static const RecordSpec<R> spec(
        "event", "One MPTCP control event, or the repetitions of one (count).",
        {
            {{.name = "time_ns", .title = "Time", .type = Type::Integer, .unit = Unit::Timestamp,
              .meaning = "capture time (of the first occurrence)"},
             [](const R& r) { return Value(r.event->time_ns); }},
            {{.name = "relative_ns", .title = "Relative time", .type = Type::Integer, .unit = Unit::Duration,
              .meaning = "time since the report's time base (time_base_frame), as Wireshark's frame.time_relative"},
             [](const R& r) { return Value(r.event->time_ns - r.base_ns); }},
            {{.name = "frame", .title = "Frame", .type = Type::Count, .unit = Unit::Frame,
              .meaning = "where (the first occurrence)"},
             [](const R& r) { return Value(r.event->frame); }},
            {{.name = "count", .title = "Count", .type = Type::Count,
              .meaning = "occurrences: repetitions (same kind, sender, subflow and content as the last such event) "
                         "are counted, not listed"},
             [](const R& r) { return Value(r.event->count); }},
            {{.name = "last_frame", .title = "Last frame", .type = Type::Count, .unit = Unit::Frame,
              .meaning = "the last occurrence (frame when count is 1)"},
             [](const R& r) { return Value(r.event->last_frame); }},
            {{.name = "last_time_ns", .title = "Last time", .type = Type::Integer, .unit = Unit::Timestamp,
              .meaning = "capture time of the last occurrence"},
             [](const R& r) { return Value(r.event->last_time_ns); }},
            {{.name = "mptcp_stream", .title = "MPTCP stream", .type = Type::Count,
              .meaning = "its connection (null: an unattached subflow)", .nullable = true},
             [](const R& r) { return stream_value(r.event->mptcp_stream); }},
            {{.name = "tcp_stream", .title = "TCP stream", .type = Type::Count, .meaning = "the subflow"},
             [](const R& r) { return Value(r.event->tcp_stream); }},
            {{.name = "kind", .title = "Kind",
              .meaning = "mp_capable, mp_join, add_addr, remove_addr, mp_prio, mp_fail, mp_fastclose, mp_tcprst, "
                         "data_fin, infinite_mapping, checksum_failure, fallback"},
             [](const R& r) { return Value(r.event->kind); }},
            {{.name = "sender", .title = "Sender",
              .meaning = "the MPTCP endpoint that sent it: client or server (fallback: the end whose segment shows it)",
              .nullable = true},
             [](const R& r) { return r.event->sender.empty() ? Value() : Value(r.event->sender); }},
            {{.name = "dsn", .title = "DSN", .type = Type::Unsigned, .unit = Unit::Dsn,
              .meaning = "the option's DSN (data_fin, infinite_mapping: the DSS mapping's; mp_fail: the failed data's, "
                         "of the other end's direction), relative to that direction's initial DSN",
              .nullable = true},
             [](const R& r) { return Value::optional(r.event->dsn); }},
            {{.name = "raw_dsn", .title = "Raw DSN", .type = Type::Unsigned,
              .meaning = "the same DSN as on the wire (JSON only)", .nullable = true, .csv = false},
             [](const R& r) { return Value::optional(r.event->raw_dsn); }},
            {{.name = "details", .title = "Details", .type = Type::Details,
              .meaning = "the kind's fields: keys and tokens in hex, flags yes/no (docs/commands.md)"},
             [](const R& r) {
                 Value::Details d;
                 for (const auto& [k, v] : r.event->details) d.emplace_back(k, detail_text(v));
                 if (const char* m = meaning_of(r.event->kind)) d.emplace_back("meaning", m);
                 return Value(std::move(d));
             }},
        });
    return spec;
}

const Schema& events_root_schema() {
    static const Schema root{
        "events",
        "The MPTCP control timeline.",
        {{.name = "time_base_ns", .title = "Time base", .type = Type::Integer, .unit = Unit::Timestamp,
          .meaning = "capture time of time_base_frame, from which relative_ns counts"},
         {.name = "time_base_frame", .title = "Time base frame", .type = Type::Count, .unit = Unit::Frame,
          .meaning = "the capture's first TCP packet (frame 1 when the capture starts with one: then relative_ns is "
                     "Wireshark's frame.time_relative)"},
         {.name = "events", .title = "Events", .type = Type::Records, .meaning = "by frame of the first occurrence",
          .nested = &event_spec().schema()}}};
    return root;
}

std::string seconds_since(std::int64_t ns) { return fmt::format("{:.6f}", static_cast<double>(ns) / 1e9); }

std::string events_text(const Document& d) {
    const std::int64_t base = std::get<std::int64_t>(d.root["time_base_ns"].data);
    const std::string base_frame = plain(d.root.ref(), "time_base_frame");
    std::string out =
        base_frame == "1"
            ? "time: seconds since frame 1 (Wireshark's frame.time_relative)\n"
            : fmt::format("time: seconds since frame {}, the capture's first TCP packet (Wireshark's frame.time_relative "
                          "counts from frame 1)\n",
                          base_frame);
    return out + lines_of(d, "events", "no MPTCP event\n", [base](const RowRef& e) {
               const auto count = std::get<std::uint64_t>(e["count"].data);
               const std::string repeated =
                   count > 1 ? fmt::format(" ({}, last at frame {}, {} s)", count_of(count, "time", "times"),
                                           plain(e, "last_frame"),
                                           seconds_since(std::get<std::int64_t>(e["last_time_ns"].data) - base))
                             : std::string();
               std::string details = e["dsn"].is_null() ? std::string() : "dsn=" + plain(e, "dsn");
               const std::string rest = plain(e, "details");
               if (!rest.empty()) details += (details.empty() ? "" : " ") + rest;
               return fmt::format("{:>12} frame {:>6} mptcp.stream {} tcp.stream {}: {}{}{}{}\n",
                                  seconds_since(std::get<std::int64_t>(e["relative_ns"].data)), plain(e, "frame"),
                                  e["mptcp_stream"].is_null() ? std::string("-") : plain(e, "mptcp_stream"),
                                  plain(e, "tcp_stream"), plain(e, "kind"),
                                  e["sender"].is_null() ? std::string() : " from " + plain(e, "sender"),
                                  details.empty() ? std::string() : " " + details, repeated);
           });
}

}  // namespace

const Schema& event_schema() { return events_root_schema(); }

Document events(const AnalysisSession& session, const MptcpConnection* connection) {
    const std::vector<MptcpEvent> list = session.events(connection);
    // The time base: the first TCP packet of the capture, in capture order (frame.time_relative
    // counts from frame 1 whatever its timestamp).
    const PacketTable& table = session.table();
    const std::int64_t base = table.empty() ? 0 : table.columns().time_ns[0];
    const std::uint32_t base_frame = table.empty() ? 0 : table.columns().frame_number[0];
    std::vector<EventRow> rows;
    for (const auto& e : list) rows.push_back({&e, base});
    return {{&events_root_schema(), {Value(base), Value(base_frame), event_spec().table(rows)}}, "events", events_text};
}

}  // namespace mptcpanalyzer::report
