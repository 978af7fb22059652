// qualify-reinjections and summary-extended: what each reinjection bought and what each subflow
// delivered, from two captures of one MPTCP connection (analysis/reinjection_qualification.hpp,
// analysis/extended_summary.hpp).

#include <fmt/format.h>

#include "fields.hpp"
#include "mptcpanalyzer/analysis/extended_summary.hpp"
#include "mptcpanalyzer/analysis/reinjection_qualification.hpp"
#include "mptcpanalyzer/report/reports.hpp"

namespace mptcpanalyzer::report {
namespace {

const char* capture_name(bool first) { return first ? "first" : "peer"; }

Value optional_ns(const std::optional<std::int64_t>& v) { return v ? Value(*v) : Value(); }

double seconds(const Value& v) { return static_cast<double>(std::get<std::int64_t>(v.data)) / 1e9; }

// --- qualify-reinjections ----------------------------------------------------------------------

// A reinjection or one of its originals, in the sender's capture.
struct CopyRow {
    const AnalysisSession* sender;
    const MptcpConnection* sender_connection;
    const CopyArrival* copy;
    const DataSegment& seg() const { return sender->analysis(*sender_connection).data.segments[copy->segment]; }
    std::uint32_t frame() const { return sender->table().columns().frame_number[seg().row]; }
    std::uint32_t tcp_stream() const { return sender_connection->subflows[seg().subflow].tcp_stream; }
};

struct QualifiedRow {
    CopyRow copy;
    const QualifiedReinjection* q;
};

template <class R, class Get>
std::vector<Field<R>> copy_fields(Get get) {
    return {
        {{.name = "frame", .title = "Frame", .type = Type::Count, .unit = Unit::Frame,
          .meaning = "its frame in the sender's capture (`capture`)"},
         [get](const R& r) { return Value(get(r).frame()); }},
        {{.name = "tcp_stream", .title = "TCP stream", .type = Type::Count,
          .meaning = "the subflow that carried it, in the sender's capture"},
         [get](const R& r) { return Value(get(r).tcp_stream()); }},
        {{.name = "arrival_ns", .title = "Arrival (s)", .type = Type::Integer, .unit = Unit::Duration,
          .meaning = "when its twin was captured at the receiver, since the receiver connection's first packet "
                     "(null: it never arrived)",
          .nullable = true},
         [get](const R& r) { return optional_ns(get(r).copy->arrival_ns); }},
        {{.name = "arrival_frame", .title = "Arrival frame", .type = Type::Count, .unit = Unit::Frame,
          .meaning = "its twin's frame in the receiver's capture (null: it never arrived)", .nullable = true},
         [get](const R& r) { return Value::optional(get(r).copy->receiver_frame); }},
    };
}

const RecordSpec<CopyRow>& original_arrival_spec() {
    static const RecordSpec<CopyRow> spec(
        "original_arrival", "An earlier transmission, on another subflow, of reinjected data, followed to the receiver.",
        copy_fields<CopyRow>([](const CopyRow& c) { return c; }));
    return spec;
}

const RecordSpec<QualifiedRow>& qualified_spec() {
    using R = QualifiedRow;
    const auto copy = [](const R& r) { return r.copy; };
    const auto fields = copy_fields<R>(copy);
    static const RecordSpec<R> spec(
        "qualified_reinjection",
        "A reinjection followed to the receiver with all its originals, and what it bought (docs/commands.md, "
        "\"qualify-reinjections\").",
        std::vector<Field<R>>{
            fields[0],
            {{.name = "capture", .title = "Capture",
              .meaning = "which capture its frame numbers refer to: first (-r) or peer (--peer), the sender's"},
             [](const R& r) { return Value(capture_name(r.q->sender_is_first)); }},
            {{.name = "direction", .title = "Direction", .meaning = "to_server or to_client"},
             [](const R& r) { return Value(to_string(r.q->direction)); }},
            fields[1],
            {{.name = "dsn", .title = "DSN", .type = Type::Unsigned, .unit = Unit::Dsn,
              .meaning = "relative DSN of the first reinjected byte (the sender's; the first data byte is 1)"},
             [](const R& r) { return Value(r.q->dsn_start); }},
            {{.name = "dsn_end", .title = "DSN end", .type = Type::Unsigned, .unit = Unit::Dsn,
              .meaning = "relative DSN after the last reinjected byte"},
             [](const R& r) { return Value(r.q->dsn_end); }},
            {{.name = "bytes", .title = "Bytes", .type = Type::Unsigned, .unit = Unit::Bytes,
              .meaning = "its reinjected bytes (list-reinjections' reinjected_bytes)"},
             [](const R& r) { return Value(r.q->reinjection->reinjected_bytes); }},
                   fields[2],
                   fields[3],
                   {{.name = "originals", .title = "Originals", .type = Type::Records,
                     .meaning = "the earlier transmissions of its reinjected bytes on other subflows, each followed "
                                "to the receiver",
                     .nested = &original_arrival_spec().schema(),
                     .expand = {{"original_frames", "frame", "Original frames"},
                                {"original_arrivals_ns", "arrival_ns", "Original arrivals"}}},
                    [](const R& r) {
                        std::vector<CopyRow> rows;
                        for (const auto& o : r.q->originals) rows.push_back({r.copy.sender, r.copy.sender_connection, &o});
                        return Value(original_arrival_spec().table(rows));
                    }},
                   {{.name = "originals_delivered_ns", .title = "Originals delivered (s)", .type = Type::Integer,
                     .unit = Unit::Duration,
                     .meaning = "when the originals that arrived had brought every reinjected byte to the receiver, "
                                "as arrival_ns (null: they never did)",
                     .nullable = true},
                    [](const R& r) { return optional_ns(r.q->originals_delivered_ns); }},
                   {{.name = "classification", .title = "Classification",
                     .meaning = "useful (its copy arrived before the originals delivered the bytes, or they never "
                                "did), redundant (the originals delivered them first, or only they arrived), lost "
                                "(no copy arrived)"},
                    [](const R& r) { return Value(to_string(r.q->outcome)); }},
                   {{.name = "gain_ns", .title = "Gain (s)", .type = Type::Integer, .unit = Unit::Duration,
                     .meaning = "originals_delivered_ns - arrival_ns: positive is time gained, negative time the "
                                "copy came too late (null when either is null)",
                     .nullable = true},
                    [](const R& r) { return optional_ns(r.q->gain_ns); }},
                   {{.name = "data_ack_ns", .title = "DATA_ACK (s)", .type = Type::Integer, .unit = Unit::Duration,
                     .meaning = "when the receiver sent its first cumulative DATA_ACK covering the reinjected bytes, "
                                "as arrival_ns (null: none captured)",
                     .nullable = true},
                    [](const R& r) { return optional_ns(r.q->data_ack_ns); }},
                   {{.name = "data_ack_sooner", .title = "DATA_ACK sooner", .type = Type::Bool,
                     .meaning = "useful, and that DATA_ACK left before the originals delivered the bytes"},
                    [](const R& r) { return Value(r.q->data_ack_sooner); }},
        });
    return spec;
}

const RecordSpec<const DirectionQualification*>& qualification_totals_spec() {
    using R = const DirectionQualification*;
    const auto count = [](const char* name, const char* title, const char* meaning, OutcomeTotals DirectionQualification::*m) {
        return Field<R>{{.name = name, .title = title, .type = Type::Count, .meaning = meaning},
                        [m](R d) { return Value((d->*m).count); }};
    };
    const auto bytes = [](const char* name, const char* title, const char* meaning, OutcomeTotals DirectionQualification::*m) {
        return Field<R>{{.name = name, .title = title, .type = Type::Unsigned, .unit = Unit::Bytes, .meaning = meaning},
                        [m](R d) { return Value((d->*m).bytes); }};
    };
    static const RecordSpec<R> spec(
        "reinjection_outcomes", "The reinjections of one data direction by classification.",
        {
            {{.name = "sender_capture", .title = "Sender's capture",
              .meaning = "the capture that saw this direction's data leave: first (-r) or peer (--peer)"},
             [](R d) { return Value(capture_name(d->sender_is_first)); }},
            count("useful", "Useful", "reinjections classified useful", &DirectionQualification::useful),
            bytes("useful_bytes", "Useful bytes", "their reinjected bytes", &DirectionQualification::useful),
            count("redundant", "Redundant", "reinjections classified redundant", &DirectionQualification::redundant),
            bytes("redundant_bytes", "Redundant bytes", "their reinjected bytes", &DirectionQualification::redundant),
            count("lost", "Lost", "reinjections classified lost", &DirectionQualification::lost),
            bytes("lost_bytes", "Lost bytes", "their reinjected bytes", &DirectionQualification::lost),
            {{.name = "gained_ns", .title = "Gained (s)", .type = Type::Integer, .unit = Unit::Duration,
              .meaning = "sum of gain_ns over the useful reinjections whose originals arrived"},
             [](R d) { return Value(d->gained_ns); }},
            {{.name = "late_ns", .title = "Late by (s)", .type = Type::Integer, .unit = Unit::Duration,
              .meaning = "sum of -gain_ns over the redundant reinjections that arrived"},
             [](R d) { return Value(d->late_ns); }},
            {{.name = "data_ack_sooner", .title = "DATA_ACK sooner", .type = Type::Count,
              .meaning = "reinjections with data_ack_sooner"},
             [](R d) { return Value(d->data_ack_sooner); }},
        });
    return spec;
}

const Schema& qualification_summary_schema() {
    static const Schema schema{
        "reinjection_summary",
        "Per data direction, the reinjections by classification.",
        {{.name = "to_server", .title = "To server", .type = Type::Record, .meaning = "data towards the server",
          .nested = &qualification_totals_spec().schema(), .csv = false},
         {.name = "to_client", .title = "To client", .type = Type::Record, .meaning = "data towards the client",
          .nested = &qualification_totals_spec().schema(), .csv = false}}};
    return schema;
}

// The pairing's identification, first in both reports' root.
std::vector<Column> pairing_columns() {
    return {{.name = "mptcp_stream", .title = "MPTCP stream", .type = Type::Count,
             .meaning = "the connection's mptcp.stream in the first capture (-r)", .nullable = true},
            {.name = "peer_mptcp_stream", .title = "Peer MPTCP stream", .type = Type::Count,
             .meaning = "its twin's mptcp.stream in the peer capture (--peer)", .nullable = true},
            {.name = "first_side", .title = "First capture's side",
             .meaning = "where the first capture was taken: client, server or unknown (then it is taken as the "
                        "sender's side of both directions)"}};
}

std::vector<Value> pairing_values(const MptcpConnection& connection, const MptcpPairing& pairing) {
    return {stream_value(connection.mptcp_stream), stream_value(pairing.peer->mptcp_stream),
            Value(to_string(pairing.first_side))};
}

const Schema& qualify_root_schema() {
    static const Schema schema = [] {
        Schema s{"qualify_reinjections", "What each reinjection of an MPTCP connection bought, from two captures.",
                 pairing_columns()};
        s.columns.push_back({.name = "reinjections", .title = "Reinjections", .type = Type::Records,
                             .meaning = "to_server first, then the sender's capture order",
                             .nested = &qualified_spec().schema()});
        s.columns.push_back({.name = "summary", .title = "Summary", .type = Type::Record,
                             .meaning = "per data direction, the reinjections by classification",
                             .nested = &qualification_summary_schema(), .csv = false});
        s.csv_carry = {{"mptcp_stream", "mptcp_stream", true}};
        return s;
    }();
    return schema;
}

std::string qualify_text(const Document& d) {
    const RowRef root = d.root.ref();
    std::string out = fmt::format("mptcp.stream {} (first capture, {} side) and mptcp.stream {} (peer capture)\n",
                                  plain(root, "mptcp_stream"), plain(root, "first_side"),
                                  plain(root, "peer_mptcp_stream"));
    const Table& rows = *root["reinjections"].table();
    if (rows.rows.empty()) out += "  no reinjection\n";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const RowRef r = rows.row(i);
        std::string when = r["arrival_ns"].is_null() ? std::string("never arrived")
                                                     : fmt::format("arrived at {:.6f} s", seconds(r["arrival_ns"]));
        std::string originals = r["originals_delivered_ns"].is_null()
                                    ? std::string("originals never delivered it")
                                    : fmt::format("originals at {:.6f} s", seconds(r["originals_delivered_ns"]));
        std::string gain = r["gain_ns"].is_null() ? std::string() : fmt::format(", gain {:+.6f} s", seconds(r["gain_ns"]));
        out += fmt::format("  {}: frame {} ({} capture, tcp.stream {}) DSN {}-{} ({}): {}; {}, {}{}{}\n",
                           plain(r, "direction"), plain(r, "frame"), plain(r, "capture"), plain(r, "tcp_stream"),
                           plain(r, "dsn"), plain(r, "dsn_end"), byte_count(std::get<std::uint64_t>(r["bytes"].data)),
                           plain(r, "classification"), when, originals, gain,
                           std::get<bool>(r["data_ack_sooner"].data) ? ", DATA_ACK sooner" : "");
    }
    const RowRef summary = root["summary"].record()->ref();
    for (const char* dir : {"to_server", "to_client"}) {
        const RowRef t = summary[dir].record()->ref();
        out += fmt::format("  {} (sender: {} capture): {} useful ({}), {} redundant ({}), {} lost ({}); gained {:.6f} s, "
                           "late by {:.6f} s, DATA_ACK sooner {}\n",
                           dir, plain(t, "sender_capture"), plain(t, "useful"),
                           byte_count(std::get<std::uint64_t>(t["useful_bytes"].data)), plain(t, "redundant"),
                           byte_count(std::get<std::uint64_t>(t["redundant_bytes"].data)), plain(t, "lost"),
                           byte_count(std::get<std::uint64_t>(t["lost_bytes"].data)), seconds(t["gained_ns"]),
                           seconds(t["late_ns"]), plain(t, "data_ack_sooner"));
    }
    return out;
}

// --- summary-extended --------------------------------------------------------------------------

const RecordSpec<const SubflowTransfer*>& subflow_transfer_spec() {
    using R = const SubflowTransfer*;
    const auto paired_bytes = [](const char* name, const char* title, const char* meaning, std::uint64_t SubflowTransfer::*m) {
        return Field<R>{{.name = name, .title = title, .type = Type::Unsigned, .unit = Unit::Bytes, .meaning = meaning,
                         .nullable = true},
                        [m](R t) { return t->paired ? Value(t->*m) : Value(); }};
    };
    const auto bytes = [](const char* name, const char* title, const char* meaning, std::uint64_t SubflowTransfer::*m) {
        return Field<R>{{.name = name, .title = title, .type = Type::Unsigned, .unit = Unit::Bytes, .meaning = meaning},
                        [m](R t) { return Value(t->*m); }};
    };
    static const RecordSpec<R> spec(
        "subflow_transfer", "What one subflow carried in one data direction, seen from both ends.",
        {
            {{.name = "tcp_stream", .title = "TCP stream", .type = Type::Count,
              .meaning = "the subflow's tcp.stream in the first capture (null: only the peer capture holds it)",
              .nullable = true},
             [](R t) { return Value::optional(t->tcp_stream); }},
            {{.name = "peer_tcp_stream", .title = "Peer TCP stream", .type = Type::Count,
              .meaning = "its twin's tcp.stream in the peer capture (null: only the first capture holds it)",
              .nullable = true},
             [](R t) { return Value::optional(t->peer_tcp_stream); }},
            paired_bytes("sent_bytes", "Sent", "payload bytes the sender's capture saw leave on it (null: unpaired)",
                         &SubflowTransfer::sent_bytes),
            paired_bytes("arrived_bytes", "Arrived", "payload bytes of their twins in the receiver's capture",
                         &SubflowTransfer::arrived_bytes),
            paired_bytes("lost_bytes", "Lost", "payload bytes sent without a twin at the receiver",
                         &SubflowTransfer::lost_bytes),
            bytes("arrived_first_bytes", "Arrived first",
                  "DSN bytes it brought to the receiver before any other copy (its goodput contribution)",
                  &SubflowTransfer::arrived_first_bytes),
            bytes("redundant_bytes", "Redundant", "data bytes that arrived on it after another copy of them",
                  &SubflowTransfer::redundant_bytes),
        });
    return spec;
}

const RecordSpec<const DirectionTransfer*>& direction_transfer_spec() {
    using R = const DirectionTransfer*;
    const auto bytes = [](const char* name, const char* title, const char* meaning, std::uint64_t DirectionTransfer::*m) {
        return Field<R>{{.name = name, .title = title, .type = Type::Unsigned, .unit = Unit::Bytes, .meaning = meaning},
                        [m](R t) { return Value(t->*m); }};
    };
    static const RecordSpec<R> spec(
        "direction_transfer", "One data direction of an MPTCP connection, seen from both ends.",
        {
            {{.name = "direction", .title = "Direction", .meaning = "to_server or to_client"},
             [](R t) { return Value(to_string(t->direction)); }},
            {{.name = "sender_capture", .title = "Sender's capture",
              .meaning = "the capture that saw this direction's data leave: first (-r) or peer (--peer)"},
             [](R t) { return Value(capture_name(t->sender_is_first)); }},
            bytes("sent_bytes", "Sent", "sum over the paired subflows", &DirectionTransfer::sent_bytes),
            bytes("arrived_bytes", "Arrived", "sum over the paired subflows", &DirectionTransfer::arrived_bytes),
            bytes("lost_bytes", "Lost", "sum over the paired subflows", &DirectionTransfer::lost_bytes),
            bytes("arrived_first_bytes", "Arrived first",
                  "sum over the subflows: the application bytes the receiver got", &DirectionTransfer::arrived_first_bytes),
            bytes("redundant_bytes", "Redundant", "sum over the subflows", &DirectionTransfer::redundant_bytes),
            bytes("receiver_application_bytes", "Receiver's application bytes",
                  "the receiver capture's own count (mptcp-summary's application_bytes there): equals arrived_first_bytes",
                  &DirectionTransfer::receiver_application_bytes),
            {{.name = "subflows", .title = "Subflows", .type = Type::Records,
              .meaning = "the first capture's subflows in order, then those only the peer capture holds",
              .nested = &subflow_transfer_spec().schema()},
             [](R t) {
                 std::vector<const SubflowTransfer*> rows;
                 for (const auto& s : t->subflows) rows.push_back(&s);
                 return Value(subflow_transfer_spec().table(rows));
             }},
        },
        {{"direction", "direction", true}, {"sender_capture", "sender_capture", true}});
    return spec;
}

const Schema& extended_root_schema() {
    static const Schema schema = [] {
        Schema s{"summary_extended",
                 "What each subflow of an MPTCP connection sent, delivered, lost and contributed, from two captures.",
                 pairing_columns()};
        s.columns.push_back({.name = "directions", .title = "Directions", .type = Type::Records,
                             .meaning = "to_server, then to_client", .nested = &direction_transfer_spec().schema()});
        s.csv_carry = {{"mptcp_stream", "mptcp_stream", true}};
        return s;
    }();
    return schema;
}

std::string optional_bytes(const RowRef& r, const char* column) {
    return r[column].is_null() ? std::string("?") : plain(r, column);
}

std::string extended_text(const Document& d) {
    const RowRef root = d.root.ref();
    std::string out = fmt::format("mptcp.stream {} (first capture, {} side) and mptcp.stream {} (peer capture)\n",
                                  plain(root, "mptcp_stream"), plain(root, "first_side"),
                                  plain(root, "peer_mptcp_stream"));
    const Table& dirs = *root["directions"].table();
    for (std::size_t i = 0; i < dirs.size(); ++i) {
        const RowRef r = dirs.row(i);
        out += fmt::format("  {} (sender: {} capture), in bytes: sent {}, arrived {}, lost {}; arrived first {} "
                           "(receiver's application bytes {}), redundant {}\n",
                           plain(r, "direction"), plain(r, "sender_capture"), plain(r, "sent_bytes"),
                           plain(r, "arrived_bytes"), plain(r, "lost_bytes"), plain(r, "arrived_first_bytes"),
                           plain(r, "receiver_application_bytes"), plain(r, "redundant_bytes"));
        const Table& subflows = *r["subflows"].table();
        for (std::size_t j = 0; j < subflows.size(); ++j) {
            const RowRef s = subflows.row(j);
            out += fmt::format("    tcp.stream {} (peer {}): sent {}, arrived {}, lost {}, arrived first {}, redundant {}\n",
                               s["tcp_stream"].is_null() ? std::string("-") : plain(s, "tcp_stream"),
                               s["peer_tcp_stream"].is_null() ? std::string("-") : plain(s, "peer_tcp_stream"),
                               optional_bytes(s, "sent_bytes"), optional_bytes(s, "arrived_bytes"),
                               optional_bytes(s, "lost_bytes"), plain(s, "arrived_first_bytes"),
                               plain(s, "redundant_bytes"));
        }
    }
    return out;
}

}  // namespace

const Schema& qualify_reinjections_schema() { return qualify_root_schema(); }
const Schema& summary_extended_schema() { return extended_root_schema(); }

Document qualify_reinjections(const CapturePair& pair, const MptcpConnection& connection) {
    const ReinjectionQualification q = mptcpanalyzer::qualify_reinjections(pair, connection);
    const MptcpPairing& pairing = *q.pairing;
    std::vector<QualifiedRow> rows;
    for (const auto& r : q.reinjections) {
        const AnalysisSession* sender = r.sender_is_first ? &pair.first() : &pair.peer();
        const MptcpConnection* sender_connection = r.sender_is_first ? &connection : pairing.peer;
        rows.push_back({{sender, sender_connection, &r.copy}, &r});
    }
    Record summary{&qualification_summary_schema(),
                   {Value(qualification_totals_spec().record(&q.directions[0])),
                    Value(qualification_totals_spec().record(&q.directions[1]))}};
    std::vector<Value> values = pairing_values(connection, pairing);
    values.emplace_back(qualified_spec().table(rows));
    values.emplace_back(std::move(summary));
    return {{&qualify_root_schema(), std::move(values)}, "reinjections", qualify_text};
}

Document summary_extended(const CapturePair& pair, const MptcpConnection& connection) {
    const ExtendedSummary s = extended_summary(pair, connection);
    std::vector<Value> values = pairing_values(connection, *s.pairing);
    values.emplace_back(direction_transfer_spec().table(
        std::vector<const DirectionTransfer*>{&s.directions[0], &s.directions[1]}));
    return {{&extended_root_schema(), std::move(values)}, "directions/subflows", extended_text};
}

}  // namespace mptcpanalyzer::report
