// tcp-summary and mptcp-summary.

#include <fmt/format.h>

#include "fields.hpp"
#include "mptcpanalyzer/report/reports.hpp"

namespace mptcpanalyzer::report {
namespace {

const RecordSpec<const Rate*>& rate_spec() {
    static const RecordSpec<const Rate*> spec(
        "rate", "Bytes over a duration (0 when the duration is 0).",
        {
            {{.name = "bytes_per_second", .title = "B/s", .type = Type::Real, .unit = Unit::BytesPerSecond,
              .meaning = "bytes per second", .decimals = 3},
             [](const Rate* r) { return Value(r->bytes_per_second); }},
            {{.name = "bits_per_second", .title = "bit/s", .type = Type::Real, .unit = Unit::BitsPerSecond,
              .meaning = "bits per second", .decimals = 3},
             [](const Rate* r) { return Value(r->bits_per_second); }},
        });
    return spec;
}

Column rate_column(const char* name, const char* meaning, const char* csv_prefix) {
    return {.name = name, .title = name, .type = Type::Record, .meaning = meaning, .nested = &rate_spec().schema(),
            .csv_prefix = csv_prefix};
}

// --- tcp-summary -----------------------------------------------------------------------------

const RecordSpec<const TcpDirectionSummary*>& tcp_direction_spec() {
    using R = const TcpDirectionSummary*;
    static const RecordSpec<R> spec(
        "tcp_direction", "What one direction of a TCP connection carried.",
        {
            {{.name = "direction", .title = "Direction", .meaning = "client_to_server or server_to_client"},
             [](R d) { return Value(to_string(d->direction)); }},
            {{.name = "from", .title = "From", .meaning = "sender address:port"},
             [](R d) { return Value(d->from.to_string()); }},
            {{.name = "to", .title = "To", .meaning = "receiver address:port"}, [](R d) { return Value(d->to.to_string()); }},
            {{.name = "packets", .title = "Packets", .type = Type::Unsigned, .unit = Unit::Packets,
              .meaning = "segments sent"},
             [](R d) { return Value(d->stats.packets); }},
            {{.name = "wire_bytes", .title = "Wire bytes", .type = Type::Unsigned, .unit = Unit::Bytes,
              .meaning = "TCP payload, retransmissions included"},
             [](R d) { return Value(d->stats.payload_bytes); }},
            {{.name = "unique_bytes", .title = "Unique bytes", .type = Type::Unsigned, .unit = Unit::Bytes,
              .meaning = "sequence space covered by captured payload, each byte once"},
             [](R d) { return Value(d->stats.unique_bytes); }},
            {{.name = "retransmitted_bytes", .title = "Retransmitted bytes", .type = Type::Unsigned, .unit = Unit::Bytes,
              .meaning = "TCP-retransmitted: payload whose sequence space earlier payload had covered "
                         "(wire_bytes = unique_bytes + retransmitted_bytes)"},
             [](R d) { return Value(d->stats.retransmitted_bytes); }},
            {{.name = "hole_bytes", .title = "Hole bytes", .type = Type::Unsigned, .unit = Unit::Bytes,
              .meaning = "sequence space between the first and last captured byte that no captured payload covered"},
             [](R d) { return Value(d->stats.hole_bytes); }},
            {{.name = "first_ns", .title = "First packet", .type = Type::Integer, .unit = Unit::Timestamp,
              .meaning = "capture time of its first segment"},
             [](R d) { return Value(d->stats.first_ns); }},
            {{.name = "last_ns", .title = "Last packet", .type = Type::Integer, .unit = Unit::Timestamp,
              .meaning = "capture time of its last segment"},
             [](R d) { return Value(d->stats.last_ns); }},
            {{.name = "duration_ns", .title = "Duration", .type = Type::Integer, .unit = Unit::Duration,
              .meaning = "last minus first segment"},
             [](R d) { return Value(d->duration_ns); }},
            {rate_column("wire_rate", "wire bytes over the duration", "wire_"),
             [](R d) { return Value(rate_spec().record(&d->wire_rate)); }},
            {rate_column("unique_rate", "unique bytes over the duration", "unique_"),
             [](R d) { return Value(rate_spec().record(&d->unique_rate)); }},
        });
    return spec;
}

const RecordSpec<TcpRow>& tcp_summary_spec() {
    static const RecordSpec<TcpRow> spec(
        "tcp_summary", "Per-direction statistics of one TCP connection.",
        concat(pick(tcp_connection_fields(), {"tcp_stream", "client", "server", "orientation", "end"}),
               {{{.name = "directions", .title = "Directions", .type = Type::Records,
                  .meaning = "client_to_server, then server_to_client", .nested = &tcp_direction_spec().schema()},
                 [](const TcpRow& r) {
                     const TcpSummary& summary = r.session->tcp_summary(*r.tcp);
                     return Value(tcp_direction_spec().table(std::vector<const TcpDirectionSummary*>{
                         &summary.directions[0], &summary.directions[1]}));
                 }}}),
        {{"tcp_stream", "tcp_stream", true}});
    return spec;
}

std::string tcp_summary_text(const Document& d) {
    const RowRef c = d.root.ref();
    std::string out = fmt::format("tcp.stream {}: {} -> {}{}, {}\n", plain(c, "tcp_stream"), plain(c, "client"),
                                  plain(c, "server"),
                                  plain(c, "orientation") != "syn"
                                      ? fmt::format(" (orientation inferred from {})", plain(c, "orientation"))
                                      : "",
                                  plain(c, "end"));
    const Table& dirs = *c["directions"].table();
    for (std::size_t i = 0; i < dirs.size(); ++i) {
        const RowRef r = dirs.row(i);
        const RowRef wire = r["wire_rate"].record()->ref();
        const auto count = [&r](const char* column) { return std::get<std::uint64_t>(r[column].data); };
        const std::uint64_t holes = count("hole_bytes");
        out += fmt::format(
            "  {} -> {}: {}, {} on the wire ({}: {} unique, {} retransmitted){}, duration {}, "
            "{} ({}) on the wire, {} unique\n",
            plain(r, "from"), plain(r, "to"), packet_count(count("packets")), human(r, "wire_bytes"),
            byte_count(count("wire_bytes")), byte_count(count("unique_bytes")),
            byte_count(count("retransmitted_bytes")),
            holes ? fmt::format(", {} never captured", byte_count(holes)) : "", human(r, "duration_ns"),
            human(wire, "bits_per_second"), human(wire, "bytes_per_second"),
            human(r["unique_rate"].record()->ref(), "bits_per_second"));
    }
    return out;
}

// --- mptcp-summary ---------------------------------------------------------------------------

const RecordSpec<const SubflowContribution*>& contribution_spec() {
    using R = const SubflowContribution*;
    const auto bytes = [](const char* name, const char* title, const char* meaning, std::uint64_t SubflowContribution::*m) {
        return Field<R>{{.name = name, .title = title, .type = Type::Unsigned, .unit = Unit::Bytes, .meaning = meaning},
                        [m](R c) { return Value(c->*m); }};
    };
    const auto share = [](const char* name, const char* title, const char* meaning, double SubflowContribution::*m) {
        return Field<R>{{.name = name, .title = title, .type = Type::Real, .unit = Unit::Ratio, .meaning = meaning,
                         .decimals = 6},
                        [m](R c) { return Value(c->*m); }};
    };
    static const RecordSpec<R> spec(
        "subflow_contribution", "What one subflow carried in one data direction.",
        {
            {{.name = "tcp_stream", .title = "TCP stream", .type = Type::Count, .meaning = "the subflow's tcp.stream"},
             [](R c) { return Value(c->tcp_stream); }},
            bytes("wire_bytes", "Wire bytes",
                  "TCP payload in this direction, everything resent included (= new + reinjected + "
                  "MPTCP-retransmitted + TCP-retransmitted + unmapped bytes)",
                  &SubflowContribution::wire_bytes),
            bytes("data_bytes", "Data bytes", "of which in segments mapped to DSNs", &SubflowContribution::data_bytes),
            bytes("new_bytes", "New bytes", "of which no subflow had carried the DSN before",
                  &SubflowContribution::new_bytes),
            bytes("reinjected_bytes", "Reinjected bytes", "of which only other subflows had carried the DSN before",
                  &SubflowContribution::reinjected_bytes),
            bytes("mptcp_retransmitted_bytes", "MPTCP-retransmitted bytes",
                  "of which this subflow had carried the DSN before, under other subflow sequence numbers",
                  &SubflowContribution::mptcp_retransmitted_bytes),
            bytes("tcp_retransmitted_bytes", "TCP-retransmitted bytes",
                  "of which this subflow had sent the subflow sequence numbers before (tcp-summary's "
                  "retransmitted_bytes of this direction)",
                  &SubflowContribution::tcp_retransmitted_bytes),
            bytes("unmapped_bytes", "Unmapped bytes", "of which not TCP-retransmitted and covered by no DSS mapping",
                  &SubflowContribution::unmapped_bytes),
            {{.name = "reinjections", .title = "Reinjections", .type = Type::Count,
              .meaning = "segments with reinjected bytes (list-reinjections)"},
             [](R c) { return Value(c->reinjections); }},
            {{.name = "mptcp_retransmissions", .title = "MPTCP retransmissions", .type = Type::Count,
              .meaning = "segments with MPTCP-retransmitted bytes (list-mptcp-retransmissions)"},
             [](R c) { return Value(c->mptcp_retransmissions); }},
            share("share_of_wire", "Share of wire bytes", "wire_bytes / the direction's wire bytes",
                  &SubflowContribution::share_of_wire),
            share("share_of_unique", "Share of application bytes", "new_bytes / the direction's application bytes",
                  &SubflowContribution::share_of_unique),
        });
    return spec;
}

const RecordSpec<const MptcpDirectionSummary*>& mptcp_direction_spec() {
    using R = const MptcpDirectionSummary*;
    const auto bytes = [](const char* name, const char* title, const char* meaning, std::uint64_t MptcpDirectionSummary::*m) {
        return Field<R>{{.name = name, .title = title, .type = Type::Unsigned, .unit = Unit::Bytes, .meaning = meaning},
                        [m](R d) { return Value(d->*m); }};
    };
    const auto time = [](const char* name, const char* title, Unit unit, const char* meaning,
                         std::int64_t MptcpDirectionSummary::*m) {
        return Field<R>{{.name = name, .title = title, .type = Type::Integer, .unit = unit, .meaning = meaning},
                        [m](R d) { return Value(d->*m); }};
    };
    static const RecordSpec<R> spec(
        "mptcp_direction", "What one data direction of an MPTCP connection carried.",
        {
            {{.name = "direction", .title = "Direction", .meaning = "to_server or to_client"},
             [](R d) { return Value(to_string(d->direction)); }},
            bytes("wire_bytes", "Wire bytes",
                  "TCP payload on all subflows, everything resent included (= new + reinjected + "
                  "MPTCP-retransmitted + TCP-retransmitted + unmapped bytes)",
                  &MptcpDirectionSummary::wire_bytes),
            bytes("application_bytes", "Application bytes", "DSN space covered by data (holes excluded)",
                  &MptcpDirectionSummary::application_bytes),
            bytes("new_bytes", "New bytes", "the subflows' new bytes", &MptcpDirectionSummary::new_bytes),
            bytes("reinjected_bytes", "Reinjected bytes", "the subflows' reinjected bytes",
                  &MptcpDirectionSummary::reinjected_bytes),
            bytes("mptcp_retransmitted_bytes", "MPTCP-retransmitted bytes", "the subflows' MPTCP-retransmitted bytes",
                  &MptcpDirectionSummary::mptcp_retransmitted_bytes),
            bytes("tcp_retransmitted_bytes", "TCP-retransmitted bytes", "the subflows' TCP-retransmitted bytes",
                  &MptcpDirectionSummary::tcp_retransmitted_bytes),
            bytes("unmapped_bytes", "Unmapped bytes", "the subflows' unmapped bytes",
                  &MptcpDirectionSummary::unmapped_bytes),
            {{.name = "unmapped_segments", .title = "Unmapped segments", .type = Type::Unsigned, .unit = Unit::Packets,
              .meaning = "segments with payload that no DSS mapping covers"},
             [](R d) { return Value(d->unmapped_segments); }},
            time("first_ns", "First packet", Unit::Timestamp, "first segment in this direction", &MptcpDirectionSummary::first_ns),
            time("last_ns", "Last packet", Unit::Timestamp, "last segment in this direction", &MptcpDirectionSummary::last_ns),
            time("duration_ns", "Duration", Unit::Duration, "last minus first", &MptcpDirectionSummary::duration_ns),
            {rate_column("wire_rate", "wire bytes over the duration", "wire_"),
             [](R d) { return Value(rate_spec().record(&d->wire_rate)); }},
            {rate_column("application_rate", "application bytes over the duration (goodput)", "application_"),
             [](R d) { return Value(rate_spec().record(&d->application_rate)); }},
            {{.name = "subflows", .title = "Subflows", .type = Type::Records, .meaning = "each subflow's contribution",
              .nested = &contribution_spec().schema()},
             [](R d) {
                 std::vector<const SubflowContribution*> rows;
                 for (const auto& c : d->subflows) rows.push_back(&c);
                 return Value(contribution_spec().table(rows));
             }},
        },
        {{"direction", "direction", true},
         {"direction_wire_bytes", "wire_bytes", false},
         {"direction_application_bytes", "application_bytes", false},
         {"direction_duration_ns", "duration_ns", false},
         {"direction_application_bytes_per_second", "application_rate.bytes_per_second", false}});
    return spec;
}

const RecordSpec<const MptcpTotals*>& checksums_spec() {
    using R = const MptcpTotals*;
    static const RecordSpec<R> spec(
        "dss_checksums", "The DSS checksums whose mapping's data was captured whole, verified by us.",
        {
            {{.name = "verified", .title = "Verified", .type = Type::Unsigned, .meaning = "checksums that match"},
             [](R a) { return Value(a->checksums_verified); }},
            {{.name = "failed", .title = "Failed", .type = Type::Unsigned, .meaning = "checksums that do not match"},
             [](R a) { return Value(a->checksum_failures); }},
        });
    return spec;
}

const RecordSpec<ConnectionRow>& mptcp_summary_spec() {
    using R = ConnectionRow;
    static const RecordSpec<R> spec(
        "mptcp_summary", "One MPTCP connection (as list-mptcp) with its traffic per data direction.",
        concat(connection_fields(),
               {
                   {{.name = "dss_checksums", .title = "DSS checksums", .type = Type::Record,
                     .meaning = "verdicts on the DSS checksums", .nested = &checksums_spec().schema(), .csv = false},
                    [](const R& r) { return Value(checksums_spec().record(&r.session->totals(*r.mptcp))); }},
                   {{.name = "directions", .title = "Directions", .type = Type::Records,
                     .meaning = "to_server, then to_client", .nested = &mptcp_direction_spec().schema()},
                    [](const R& r) {
                        const auto& dirs = r.session->totals(*r.mptcp).summary.directions;
                        return Value(mptcp_direction_spec().table(
                            std::vector<const MptcpDirectionSummary*>{&dirs[0], &dirs[1]}));
                    }},
               }),
        {{"mptcp_stream", "mptcp_stream", true}});
    return spec;
}

// "N bytes new, N bytes reinjected, ...": the wire bytes of a direction or subflow by kind.
std::string kinds_text(const RowRef& r) {
    const auto count = [&r](const char* column) { return byte_count(std::get<std::uint64_t>(r[column].data)); };
    return fmt::format("{} new, {} reinjected, {} MPTCP-retransmitted, {} TCP-retransmitted, {} unmapped",
                       count("new_bytes"), count("reinjected_bytes"), count("mptcp_retransmitted_bytes"),
                       count("tcp_retransmitted_bytes"), count("unmapped_bytes"));
}

std::string mptcp_summary_text(const Document& d) {
    const RowRef c = d.root.ref();
    std::string out = connection_text(c);
    const Table& dirs = *c["directions"].table();
    for (std::size_t i = 0; i < dirs.size(); ++i) {
        const RowRef r = dirs.row(i);
        const RowRef goodput = r["application_rate"].record()->ref();
        const auto count = [](const RowRef& row, const char* column) { return std::get<std::uint64_t>(row[column].data); };
        out += fmt::format(
            "  {}: {} on the wire ({}), {} application data ({}), duration {}, goodput {} ({})\n"
            "    {}\n",
            plain(r, "direction") == "to_server" ? "towards the server" : "towards the client", human(r, "wire_bytes"),
            byte_count(count(r, "wire_bytes")), human(r, "application_bytes"), byte_count(count(r, "application_bytes")),
            human(r, "duration_ns"), human(goodput, "bits_per_second"), human(goodput, "bytes_per_second"),
            kinds_text(r));
        const Table& subflows = *r["subflows"].table();
        for (std::size_t j = 0; j < subflows.size(); ++j) {
            const RowRef s = subflows.row(j);
            out += fmt::format("    tcp.stream {}: {} on the wire ({} of the wire bytes), {} new data "
                               "({} of the application data)\n      {}\n",
                               plain(s, "tcp_stream"), human(s, "wire_bytes"), human(s, "share_of_wire"),
                               human(s, "new_bytes"), human(s, "share_of_unique"), kinds_text(s));
        }
    }
    const RowRef checks = c["dss_checksums"].record()->ref();
    if (plain(checks, "verified") != "0" || plain(checks, "failed") != "0") {
        out += fmt::format("  DSS checksums: {} verified, {} failed\n", plain(checks, "verified"), plain(checks, "failed"));
    }
    return out;
}

}  // namespace

const Schema* tcp_summary_schema() { return &tcp_summary_spec().schema(); }
const Schema* mptcp_summary_schema() { return &mptcp_summary_spec().schema(); }

Document tcp_summary(const AnalysisSession& session, const TcpConnection& connection) {
    return {tcp_summary_spec().record({&session, &connection}), "directions", tcp_summary_text};
}

Document mptcp_summary(const AnalysisSession& session, const MptcpConnection& connection) {
    return {mptcp_summary_spec().record({&session, &connection}), "directions/subflows", mptcp_summary_text};
}

}  // namespace mptcpanalyzer::report
