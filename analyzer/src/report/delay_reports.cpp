// owd: one-way delays between two captures, per subflow and data direction, with the clock
// offset that was removed (analysis/one_way_delays.hpp, analysis/clock_offset.hpp).

#include <fmt/format.h>

#include "fields.hpp"
#include "mptcpanalyzer/analysis/one_way_delays.hpp"
#include "mptcpanalyzer/report/reports.hpp"

namespace mptcpanalyzer::report {
namespace {

// What the root record is made from.
struct DelayRow {
    const CapturePair* pair;
    const char* kind;  // "mptcp" or "tcp"
    std::int64_t stream;
    const OneWayDelays* delays;
};

const RecordSpec<const DelayDistribution*>& distribution_spec() {
    using R = const DelayDistribution*;
    const auto field = [](const char* name, const char* title, const char* meaning, std::int64_t DelayDistribution::*m) {
        return Field<R>{{.name = name, .title = title, .type = Type::Integer, .unit = Unit::Duration, .meaning = meaning},
                        [m](R d) { return Value(d->*m); }};
    };
    static const RecordSpec<R> spec(
        "delay_distribution",
        "One-way delays of the matched packets, clock offset removed; nearest-rank percentiles (the value of rank "
        "ceil(p/100 x n) among the n sorted delays).",
        {
            field("min", "Min", "smallest delay", &DelayDistribution::min),
            field("p50", "Median", "50th percentile (median)", &DelayDistribution::p50),
            field("p90", "p90", "90th percentile", &DelayDistribution::p90),
            field("p99", "p99", "99th percentile", &DelayDistribution::p99),
            field("max", "Max", "largest delay", &DelayDistribution::max),
        });
    return spec;
}

const RecordSpec<const DirectionDelays*>& direction_delays_spec() {
    using R = const DirectionDelays*;
    static const RecordSpec<R> spec(
        "subflow_delays", "One subflow (or TCP connection) in one data direction.",
        {
            {{.name = "tcp_stream", .title = "TCP stream", .type = Type::Count,
              .meaning = "the subflow's tcp.stream in the first capture (-r)"},
             [](R d) { return Value(d->tcp_stream); }},
            {{.name = "peer_tcp_stream", .title = "Peer TCP stream", .type = Type::Count,
              .meaning = "its twin's tcp.stream in the peer capture (--peer); null: not found there", .nullable = true},
             [](R d) { return Value::optional(d->peer_tcp_stream); }},
            {{.name = "direction", .title = "Direction",
              .meaning = "data direction of the packets: to_server (sent by the client) or to_client; pure ACKs "
                         "included"},
             [](R d) { return Value(to_string(d->direction)); }},
            {{.name = "sender_capture", .title = "Sender's capture",
              .meaning = "which capture is the sender's side of this direction: first (-r) or peer (--peer)"},
             [](R d) { return Value(d->first_is_sender ? "first" : "peer"); }},
            {{.name = "matched", .title = "Matched", .type = Type::Unsigned, .unit = Unit::Packets,
              .meaning = "packets seen in both captures (a super-segment counts once per piece)"},
             [](R d) { return Value(d->matched); }},
            {{.name = "unmatched_sent", .title = "Unmatched sent", .type = Type::Unsigned, .unit = Unit::Packets,
              .meaning = "packets of the sender's capture absent from the receiver's: lost on the path, or outside "
                         "the receiver's capture"},
             [](R d) { return Value(d->unmatched_sent); }},
            {{.name = "unmatched_received", .title = "Unmatched received", .type = Type::Unsigned, .unit = Unit::Packets,
              .meaning = "packets of the receiver's capture absent from the sender's (outside the sender's capture)"},
             [](R d) { return Value(d->unmatched_received); }},
            {{.name = "delay_ns", .title = "Delay", .type = Type::Record, .unit = Unit::Duration,
              .meaning = "one-way delay distribution; null when nothing matched", .nullable = true,
              .nested = &distribution_spec().schema(), .csv_prefix = "delay_ns_"},
             [](R d) { return d->delay_ns ? Value(distribution_spec().record(&*d->delay_ns)) : Value(); }},
        });
    return spec;
}

const RecordSpec<const ClockOffset*>& clock_spec() {
    using R = const ClockOffset*;
    static const RecordSpec<R> spec(
        "clock", "How the clock offset between the captures was found (docs/commands.md, owd).",
        {
            {{.name = "method", .title = "Method",
              .meaning = "symmetric_minimum (middle of the offsets both directions allow), one_direction (matched "
                         "one way only: that way's minimum delay taken as 0), imposed (--clock-offset) or none "
                         "(nothing matched)"},
             [](R c) { return Value(to_string(c->method)); }},
            {{.name = "uncertainty_ns", .title = "Uncertainty", .type = Type::Integer, .unit = Unit::Duration,
              .meaning = "half the width of the offsets both directions allow (half the shortest round trip "
                         "between the capture points); null unless symmetric_minimum",
              .nullable = true},
             [](R c) { return Value::optional(c->uncertainty_ns); }},
            {{.name = "min_round_trip_ns", .title = "Shortest round trip", .type = Type::Integer, .unit = Unit::Duration,
              .meaning = "smallest delay towards the peer plus smallest delay back, offset-free (negative: the "
                         "bounds cross); null unless symmetric_minimum",
              .nullable = true},
             [](R c) { return Value::optional(c->min_round_trip_ns); }},
            {{.name = "drift", .title = "Drift",
              .meaning = "applied, negligible (effect over the capture within the uncertainty), inconsistent "
                         "(correcting by it makes the bounds cross), asymmetric (the two directions' bounds move at different "
                         "rates: a one-way delay change, not a drift), too_few_windows (under 1 s or under 8 of 16 "
                         "windows with packets both ways) or not_estimated"},
             [](R c) { return Value(to_string(c->drift)); }},
            {{.name = "drift_ns_per_s", .title = "Applied drift", .type = Type::Integer,
              .meaning = "drift of the peer clock against the first one applied to the delays, ns per s (ppb); 0 "
                         "unless drift is applied"},
             [](R c) { return Value(c->drift_ns_per_s); }},
            {{.name = "measured_drift_ns_per_s", .title = "Measured drift", .type = Type::Integer,
              .meaning = "least-squares slope of the windows' offsets, ns per s, applied or not; null when not "
                         "estimated",
              .nullable = true},
             [](R c) { return Value::optional(c->measured_drift_ns_per_s); }},
            {{.name = "drift_windows", .title = "Drift windows", .type = Type::Count,
              .meaning = "windows (of 16) with packets both ways"},
             [](R c) { return Value(c->drift_windows); }},
            {{.name = "reference_ns", .title = "Reference time", .type = Type::Integer, .unit = Unit::Timestamp,
              .meaning = "first capture's time at which clock_offset_ns holds (its first matched packet); the offset "
                         "at time t is clock_offset_ns + drift_ns_per_s x (t - reference_ns) / 1e9; null when not "
                         "estimated",
              .nullable = true},
             [](R c) {
                 return c->method == ClockMethod::SymmetricMinimum || c->method == ClockMethod::OneDirection
                            ? Value(c->reference_ns)
                            : Value();
             }},
            {{.name = "towards_peer", .title = "Matched towards peer", .type = Type::Unsigned, .unit = Unit::Packets,
              .meaning = "matched packets that went from the first capture point to the peer one (estimate's input)"},
             [](R c) { return Value(c->towards_peer); }},
            {{.name = "towards_first", .title = "Matched towards first", .type = Type::Unsigned, .unit = Unit::Packets,
              .meaning = "matched packets that went from the peer capture point to the first one"},
             [](R c) { return Value(c->towards_first); }},
        });
    return spec;
}

const RecordSpec<DelayRow>& owd_spec() {
    using R = DelayRow;
    static const RecordSpec<R> spec(
        "one_way_delays", "One-way delays of one connection between two captures of its traffic.",
        {
            {{.name = "connection", .title = "Connection", .meaning = "mptcp (STREAM is an mptcp.stream) or tcp (--tcp)"},
             [](const R& r) { return Value(r.kind); }},
            {{.name = "stream", .title = "Stream", .type = Type::Count,
              .meaning = "the mptcp.stream (or tcp.stream) in the first capture"},
             [](const R& r) { return Value(r.stream); }},
            {{.name = "peer_stream", .title = "Peer stream", .type = Type::Integer,
              .meaning = "its twin's mptcp.stream (tcp.stream) in the peer capture; null when not found or Wireshark "
                         "gave none",
              .nullable = true},
             [](const R& r) -> Value {
                 if (!r.delays->peer_found) return {};
                 if (std::string(r.kind) == "tcp") {
                     const auto& d = r.delays->directions.front();
                     return Value::optional(d.peer_tcp_stream);
                 }
                 return r.delays->peer_mptcp_stream >= 0 ? Value(r.delays->peer_mptcp_stream) : Value();
             }},
            {{.name = "first_capture_side", .title = "First capture's side",
              .meaning = "client or server: which end the first capture is nearer (offset-free, from matched "
                         "packets); unknown when packets matched one way only"},
             [](const R& r) { return Value(to_string(r.delays->first_side)); }},
            {{.name = "clock_offset_ns", .title = "Clock offset", .type = Type::Integer, .unit = Unit::Duration,
              .meaning = "peer capture's clock minus the first one's (at clock.reference_ns), removed from every "
                         "delay; null when nothing matched",
              .nullable = true},
             [](const R& r) { return Value::optional(r.delays->clock.offset_ns); }},
            {{.name = "clock", .title = "Clock", .type = Type::Record, .meaning = "how the offset was found",
              .nested = &clock_spec().schema(), .csv = false},
             [](const R& r) { return Value(clock_spec().record(&r.delays->clock)); }},
            {{.name = "subflows", .title = "Subflows", .type = Type::Records,
              .meaning = "per subflow in the connection's order, to_server then to_client",
              .nested = &direction_delays_spec().schema()},
             [](const R& r) {
                 std::vector<const DirectionDelays*> rows;
                 for (const auto& d : r.delays->directions) rows.push_back(&d);
                 return Value(direction_delays_spec().table(rows));
             }},
        },
        {{"stream", "stream", true},
         {"clock_offset_ns", "clock_offset_ns", false},
         {"clock_method", "clock.method", false},
         {"clock_uncertainty_ns", "clock.uncertainty_ns", false},
         {"clock_drift_ns_per_s", "clock.drift_ns_per_s", false}});
    return spec;
}

// Milliseconds with microsecond decimals, for people ("20.123 ms").
std::string ms(const Value& v) {
    if (v.is_null()) return "-";
    return fmt::format("{:.3f} ms", static_cast<double>(std::get<std::int64_t>(v.data)) / 1e6);
}

std::string owd_text(const Document& d) {
    const RowRef r = d.root.ref();
    const RowRef clock = r["clock"].record()->ref();
    const std::string side = plain(r, "first_capture_side");
    std::string out = fmt::format("{}.stream {} (peer {}), {}\n", plain(r, "connection"), plain(r, "stream"),
                                  r["peer_stream"].is_null() ? "not found" : plain(r, "peer_stream"),
                                  side == "unknown" ? std::string("first capture's side unknown (taken as the sender's)")
                                                    : "first capture on the " + side + " side");
    const std::string method = plain(clock, "method");
    if (r["clock_offset_ns"].is_null()) {
        out += "clock offset: none (no packet matched)\n";
    } else {
        out += fmt::format("clock offset (peer - first): {} ns, {}", plain(r, "clock_offset_ns"), method);
        if (!clock["uncertainty_ns"].is_null()) out += fmt::format(", +/- {} ns", plain(clock, "uncertainty_ns"));
        if (plain(clock, "drift") == "applied") {
            out += fmt::format(", drift {} ns/s", plain(clock, "drift_ns_per_s"));
        } else if (!clock["measured_drift_ns_per_s"].is_null()) {
            out += fmt::format(", drift {} ({} ns/s measured)", plain(clock, "drift"),
                               plain(clock, "measured_drift_ns_per_s"));
        }
        out += "\n";
    }
    const Table& rows = *r["subflows"].table();
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const RowRef s = rows.row(i);
        out += fmt::format("  tcp.stream {} (peer {}) {}: {} matched, {} unmatched sent, {} unmatched received",
                           plain(s, "tcp_stream"), s["peer_tcp_stream"].is_null() ? "-" : plain(s, "peer_tcp_stream"),
                           plain(s, "direction"), plain(s, "matched"), plain(s, "unmatched_sent"),
                           plain(s, "unmatched_received"));
        if (const Record* delay = s["delay_ns"].record()) {
            const auto& dr = *delay;
            out += fmt::format("\n    delay min {}, p50 {}, p90 {}, p99 {}, max {}", ms(dr["min"]), ms(dr["p50"]),
                               ms(dr["p90"]), ms(dr["p99"]), ms(dr["max"]));
        }
        out += "\n";
    }
    return out;
}

}  // namespace

const Schema* one_way_delays_schema() { return &owd_spec().schema(); }

Document one_way_delays(const CapturePair& pair, const MptcpConnection& connection, const OneWayDelays& delays) {
    return {owd_spec().record({&pair, "mptcp", connection.mptcp_stream, &delays}), "subflows", owd_text};
}

Document one_way_delays(const CapturePair& pair, const TcpConnection& connection, const OneWayDelays& delays) {
    return {owd_spec().record({&pair, "tcp", connection.tcp_stream, &delays}), "subflows", owd_text};
}

}  // namespace mptcpanalyzer::report
