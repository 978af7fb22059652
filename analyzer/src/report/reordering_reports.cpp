// reordering: receiver-side head-of-line delays and out-of-order bytes per data direction
// (analysis/reordering.hpp), from one capture or, with a peer capture, from the receiver's
// capture of each direction.

#include <fmt/format.h>

#include <memory>

#include "fields.hpp"
#include "mptcpanalyzer/analysis/reordering.hpp"
#include "mptcpanalyzer/report/reports.hpp"

namespace mptcpanalyzer::report {
namespace {

// One data direction as computed from one capture.
struct DirectionRow {
    const AnalysisSession* session = nullptr;
    const MptcpConnection* connection = nullptr;
    std::string capture;  // "" with one capture
    std::shared_ptr<const ReorderingAnalysis> analysis;
    DataDirection direction = DataDirection::ToServer;
    DirectionHolSummary summary;
    const DirectionReordering& reordering() const { return analysis->directions[static_cast<std::size_t>(direction)]; }
};

struct SubflowHolRow {
    const DirectionRow* direction;
    const SubflowHol* hol;
};

const char* caveat_of(Vantage v) {
    switch (v) {
        case Vantage::Receiver: return nullptr;
        case Vantage::Sender:
            return "sender's view, an estimate from the ACKs coming back: a segment arrived when the first subflow "
                   "ACK covering it returned, and was in order when the first DATA_ACK past it returned (the return "
                   "paths' delay difference stays in the delays; without SACK, data behind a subflow loss looks late)";
        case Vantage::Unknown: break;
    }
    return "unknown view: the capture's end could not be decided; the figures are exact only if it is the receiver's";
}

const RecordSpec<const DurationStats*>& duration_stats_spec() {
    using R = const DurationStats*;
    const auto rank = [](const char* name, const char* meaning, std::optional<std::int64_t> DurationStats::*m) {
        return Field<R>{{.name = name, .title = name, .type = Type::Integer, .unit = Unit::Duration, .meaning = meaning,
                         .nullable = true},
                        [m](R s) { return Value::optional(s->*m); }};
    };
    static const RecordSpec<R> spec(
        "duration_stats",
        "Order statistics of head-of-line delays (nearest rank: the smallest delay with at least p% of the delays at "
        "or below it); null when there is none.",
        {
            {{.name = "segments", .title = "Segments", .type = Type::Count, .meaning = "delays counted (segments)"},
             [](R s) { return Value(static_cast<std::uint64_t>(s->count)); }},
            rank("p50", "median", &DurationStats::p50),
            rank("p90", "90th percentile", &DurationStats::p90),
            rank("p99", "99th percentile", &DurationStats::p99),
            rank("max", "largest", &DurationStats::max),
        });
    return spec;
}

Column stats_column(const char* name, const char* meaning, const char* csv_prefix) {
    return {.name = name, .title = name, .type = Type::Record, .meaning = meaning,
            .nested = &duration_stats_spec().schema(), .csv_prefix = csv_prefix};
}

const RecordSpec<SubflowHolRow>& subflow_hol_spec() {
    using R = SubflowHolRow;
    static const RecordSpec<R> spec(
        "subflow_hol", "Head-of-line delays one subflow's segments suffered and caused in one data direction.",
        {
            {{.name = "tcp_stream", .title = "TCP stream", .type = Type::Count,
              .meaning = "the subflow's tcp.stream (in the capture the direction was computed from)"},
             [](const R& r) { return Value(r.direction->connection->subflows[r.hol->subflow].tcp_stream); }},
            {{.name = "new_bytes", .title = "New bytes", .type = Type::Unsigned, .unit = Unit::Bytes,
              .meaning = "DSN bytes that arrived first on this subflow"},
             [](const R& r) { return Value(r.hol->new_bytes); }},
            {stats_column("suffered_ns", "delays of this subflow's segments with new bytes, 0 for those in order on arrival",
                          "suffered_ns_"),
             [](const R& r) { return Value(duration_stats_spec().record(&r.hol->suffered)); }},
            {stats_column("caused_ns",
                          "delays of the segments (any subflow) that waited for a segment of this subflow: it "
                          "brought the missing data that made them in order",
                          "caused_ns_"),
             [](const R& r) { return Value(duration_stats_spec().record(&r.hol->caused)); }},
        });
    return spec;
}

const RecordSpec<const DirectionRow*>& direction_spec() {
    using R = const DirectionRow*;
    const auto bytes = [](const char* name, const char* title, const char* meaning, std::uint64_t value_of(R)) {
        return Field<R>{{.name = name, .title = title, .type = Type::Unsigned, .unit = Unit::Bytes, .meaning = meaning},
                        [value_of](R d) { return Value(value_of(d)); }};
    };
    static const RecordSpec<R> spec(
        "reordering_direction", "Receiver-side reordering of one data direction.",
        {
            {{.name = "direction", .title = "Direction", .meaning = "to_server or to_client"},
             [](R d) { return Value(to_string(d->direction)); }},
            {{.name = "capture", .title = "Capture", .meaning = "with --peer: the capture this direction was computed "
                                                                  "from (the receiver's when known); null with one capture",
              .nullable = true},
             [](R d) { return d->capture.empty() ? Value() : Value(d->capture); }},
            {{.name = "mptcp_stream", .title = "MPTCP stream", .type = Type::Integer,
              .meaning = "the connection's mptcp.stream in that capture", .nullable = true},
             [](R d) { return stream_value(d->connection->mptcp_stream); }},
            {{.name = "vantage", .title = "Vantage",
              .meaning = "receiver (the capture was taken where this direction's data arrives: exact), sender (where it "
                         "leaves: an estimate) or unknown"},
             [](R d) { return Value(to_string(d->reordering().vantage)); }},
            {{.name = "caveat", .title = "Caveat", .meaning = "what the figures are when the view is not the receiver's",
              .nullable = true},
             [](R d) {
                 const char* c = caveat_of(d->reordering().vantage);
                 return c ? Value(c) : Value();
             }},
            {{.name = "segments", .title = "Segments", .type = Type::Count,
              .meaning = "data segments that brought new DSN bytes (first arrivals)"},
             [](R d) { return Value(static_cast<std::uint64_t>(d->reordering().segments.size())); }},
            bytes("new_bytes", "New bytes", "DSN bytes that arrived, each counted once",
                  [](R d) {
                      std::uint64_t n = 0;
                      for (const auto& s : d->reordering().segments) n += s.new_bytes;
                      return n;
                  }),
            bytes("duplicate_bytes", "Duplicate bytes",
                  "payload bytes below the in-order point or already held when they arrived (resent copies)",
                  [](R d) { return d->reordering().duplicate_bytes; }),
            {{.name = "delayed_segments", .title = "Delayed segments", .type = Type::Count,
              .meaning = "segments with new bytes that had to wait for earlier data (delay > 0)"},
             [](R d) { return Value(static_cast<std::uint64_t>(d->summary.delayed_segments)); }},
            bytes("delayed_bytes", "Delayed bytes", "their new bytes", [](R d) { return d->summary.delayed_bytes; }),
            bytes("never_in_order_bytes", "Never in order",
                  "new bytes still waiting at the end of the capture (earlier data never arrived in it)",
                  [](R d) { return d->reordering().never_in_order_bytes; }),
            {stats_column("hol_delay_ns",
                          "head-of-line delay of each segment with new bytes: from its arrival to when every earlier "
                          "DSN byte had arrived (0 when in order on arrival)",
                          "hol_delay_ns_"),
             [](R d) { return Value(duration_stats_spec().record(&d->summary.hol_delay)); }},
            bytes("max_out_of_order_bytes", "Max out-of-order bytes",
                  "most bytes held at once above a hole (arrived, not deliverable): the receive buffer the "
                  "reordering needed; in-order bytes the application had not read yet are invisible to a capture",
                  [](R d) { return d->reordering().max_out_of_order_bytes; }),
            {{.name = "max_out_of_order_at_ns", .title = "Max out-of-order at", .type = Type::Integer,
              .unit = Unit::Timestamp, .meaning = "when that maximum was first held; null when nothing was ever held",
              .nullable = true},
             [](R d) { return Value::optional(d->reordering().max_out_of_order_ns); }},
            {{.name = "subflows", .title = "Subflows", .type = Type::Records,
              .meaning = "per subflow of the connection (in that capture)", .nested = &subflow_hol_spec().schema()},
             [](R d) {
                 std::vector<SubflowHolRow> rows;
                 for (const auto& h : d->summary.subflows) rows.push_back({d, &h});
                 return Value(subflow_hol_spec().table(rows));
             }},
        },
        {{"direction", "direction", true},
         {"direction_vantage", "vantage", false},
         {"direction_hol_delay_p99_ns", "hol_delay_ns.p99", false},
         {"direction_max_out_of_order_bytes", "max_out_of_order_bytes", false}});
    return spec;
}

struct RootRow {
    const MptcpConnection* connection;
    const std::vector<DirectionRow>* directions;
};

const RecordSpec<RootRow>& reordering_spec() {
    static const RecordSpec<RootRow> spec(
        "reordering", "Receiver-side reordering of one MPTCP connection, per data direction.",
        {
            {{.name = "mptcp_stream", .title = "MPTCP stream", .type = Type::Integer,
              .meaning = "the connection's mptcp.stream (in the -r capture)", .nullable = true},
             [](const RootRow& r) { return stream_value(r.connection->mptcp_stream); }},
            {{.name = "directions", .title = "Directions", .type = Type::Records, .meaning = "to_server, then to_client",
              .nested = &direction_spec().schema()},
             [](const RootRow& r) {
                 std::vector<const DirectionRow*> rows;
                 for (const auto& d : *r.directions) rows.push_back(&d);
                 return Value(direction_spec().table(rows));
             }},
        },
        {{"mptcp_stream", "mptcp_stream", true}});
    return spec;
}

std::string stats_text(const RowRef& stats) {
    if (plain(stats, "segments") == "0") return "none";
    return fmt::format("p50 {}, p90 {}, p99 {}, max {}", human(stats, "p50"), human(stats, "p90"), human(stats, "p99"),
                       human(stats, "max"));
}

std::string reordering_text(const Document& d) {
    const RowRef c = d.root.ref();
    std::string out = fmt::format("mptcp.stream {}: receiver-side reordering\n",
                                  c["mptcp_stream"].is_null() ? std::string("(none)") : plain(c, "mptcp_stream"));
    const Table& dirs = *c["directions"].table();
    for (std::size_t i = 0; i < dirs.size(); ++i) {
        const RowRef r = dirs.row(i);
        out += fmt::format("  {} ({}'s view{}): {} with new data ({}), {} duplicate\n",
                           plain(r, "direction") == "to_server" ? "towards the server" : "towards the client",
                           plain(r, "vantage"), r["capture"].is_null() ? "" : ", from " + plain(r, "capture"),
                           count_of(std::get<std::uint64_t>(r["segments"].data), "segment", "segments"),
                           byte_count(std::get<std::uint64_t>(r["new_bytes"].data)),
                           byte_count(std::get<std::uint64_t>(r["duplicate_bytes"].data)));
        if (!r["caveat"].is_null()) out += fmt::format("    caveat: {}\n", plain(r, "caveat"));
        out += fmt::format("    head-of-line delay: {}; {} waited ({})\n", stats_text(r["hol_delay_ns"].record()->ref()),
                           count_of(std::get<std::uint64_t>(r["delayed_segments"].data), "segment", "segments"),
                           byte_count(std::get<std::uint64_t>(r["delayed_bytes"].data)));
        out += fmt::format("    out of order: at most {} held (the receive buffer this reordering needed; in-order data "
                           "not yet read by the application is not visible in a capture)\n",
                           byte_count(std::get<std::uint64_t>(r["max_out_of_order_bytes"].data)));
        if (plain(r, "never_in_order_bytes") != "0")
            out += fmt::format("    never in order: {}\n",
                               byte_count(std::get<std::uint64_t>(r["never_in_order_bytes"].data)));
        const Table& subflows = *r["subflows"].table();
        for (std::size_t j = 0; j < subflows.size(); ++j) {
            const RowRef s = subflows.row(j);
            out += fmt::format("    tcp.stream {}: {} new; suffered {}; caused {}\n", plain(s, "tcp_stream"),
                               byte_count(std::get<std::uint64_t>(s["new_bytes"].data)),
                               stats_text(s["suffered_ns"].record()->ref()), stats_text(s["caused_ns"].record()->ref()));
        }
    }
    return out;
}

DirectionRow direction_row(const AnalysisSession& session, const MptcpConnection& connection, std::string capture,
                           DataDirection direction) {
    DirectionRow row;
    row.session = &session;
    row.connection = &connection;
    row.capture = std::move(capture);
    row.analysis = std::make_shared<const ReorderingAnalysis>(
        analyse_reordering(session.table(), session.model(), connection, session.analysis(connection).data));
    row.direction = direction;
    row.summary = summarize_hol(row.reordering(), connection.subflows.size());
    return row;
}

// Records hold values, computed here: the rows need not outlive the document.
Document document_of(const MptcpConnection& connection, const std::vector<DirectionRow>& rows) {
    return {reordering_spec().record({&connection, &rows}), "directions/subflows", reordering_text};
}

}  // namespace

const Schema* reordering_schema() { return &reordering_spec().schema(); }

Document reordering(const AnalysisSession& session, const MptcpConnection& connection) {
    std::vector<DirectionRow> rows;
    for (const DataDirection d : {DataDirection::ToServer, DataDirection::ToClient})
        rows.push_back(direction_row(session, connection, "", d));
    return document_of(connection, rows);
}

Document reordering(const CapturePair& pair, const MptcpConnection& connection) {
    const MptcpPairing& pairing = pair.mptcp(connection);
    std::vector<DirectionRow> rows;
    for (const DataDirection d : {DataDirection::ToServer, DataDirection::ToClient}) {
        // The receiver's side is the one that is not the sender's; without a twin in the peer
        // capture, the first capture is all there is.
        const bool use_peer = pairing.peer && first_is_sender_side(pairing.first_side, d);
        rows.push_back(use_peer ? direction_row(pair.peer(), *pairing.peer, pair.peer_name(), d)
                                : direction_row(pair.first(), connection, pair.first_name(), d));
    }
    return document_of(connection, rows);
}

}  // namespace mptcpanalyzer::report
