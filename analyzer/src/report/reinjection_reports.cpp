// list-reinjections (and the Wireshark plugin's MPTCP Reinjections table) and
// list-mptcp-retransmissions.

#include <fmt/format.h>

#include "fields.hpp"
#include "mptcpanalyzer/report/reports.hpp"

namespace mptcpanalyzer::report {
namespace {

struct SegmentRow {
    const AnalysisSession* session;
    const MptcpConnection* mptcp;
    const MptcpAnalysis* analysis;
    std::size_t segment;  // in analysis->data.segments
    const DataSegment& seg() const { return analysis->data.segments[segment]; }
    std::uint32_t frame() const { return session->table().columns().frame_number[seg().row]; }
    std::uint32_t tcp_stream() const { return mptcp->subflows[seg().subflow].tcp_stream; }
    std::uint64_t dsn_start() const { return analysis->data.relative(seg().direction, seg().dsn); }
};

struct ReinjectionRow {
    SegmentRow segment;
    const Reinjection* reinjection;
};

struct MptcpRetransmissionRow {
    SegmentRow segment;
    const MptcpRetransmission* retransmission;
};

// The DSN range fields of a segment, shared by the listed segments and their earlier copies.
template <class R, class Get>
std::vector<Field<R>> segment_fields(Get get) {
    return {
        {{.name = "frame", .title = "Frame", .type = Type::Count, .unit = Unit::Frame, .meaning = "the segment's frame"},
         [get](const R& r) { return Value(get(r).frame()); }},
        {{.name = "tcp_stream", .title = "TCP stream", .type = Type::Count, .meaning = "the subflow that carried it"},
         [get](const R& r) { return Value(get(r).tcp_stream()); }},
        {{.name = "dsn_start", .title = "DSN start", .type = Type::Unsigned, .unit = Unit::Dsn,
          .meaning = "relative DSN of its first byte (the first data byte is 1)"},
         [get](const R& r) { return Value(get(r).dsn_start()); }},
        {{.name = "dsn_end", .title = "DSN end", .type = Type::Unsigned, .unit = Unit::Dsn,
          .meaning = "relative DSN after its last byte"},
         [get](const R& r) { return Value(get(r).dsn_start() + get(r).seg().length); }},
    };
}

// A listed segment: its connection, direction and DSN range, then its payload split into the
// kinds of analysis/reinjections.hpp (they add up to `length`).
template <class R>
std::vector<Field<R>> listed_segment_fields() {
    const auto seg = [](const R& r) { return r.segment; };
    const auto bytes = [](const char* name, const char* title, const char* meaning, std::uint64_t SegmentBytes::*m) {
        return Field<R>{{.name = name, .title = title, .type = Type::Unsigned, .unit = Unit::Bytes, .meaning = meaning},
                        [m](const R& r) {
                            return Value(r.segment.analysis->reinjections.segment_bytes[r.segment.segment].*m);
                        }};
    };
    return concat(concat({{{.name = "mptcp_stream", .title = "MPTCP stream", .type = Type::Count,
                            .meaning = "its connection's mptcp.stream", .nullable = true},
                           [](const R& r) { return stream_value(r.segment.mptcp->mptcp_stream); }},
                          {{.name = "direction", .title = "Direction", .meaning = "to_server or to_client"},
                           [](const R& r) { return Value(to_string(r.segment.seg().direction)); }}},
                         segment_fields<R>(seg)),
                  {
                      {{.name = "length", .title = "Length", .type = Type::Count, .unit = Unit::Bytes,
                        .meaning = "its payload"},
                       [](const R& r) { return Value(r.segment.seg().length); }},
                      bytes("reinjected_bytes", "Reinjected bytes", "of which carried before only by other subflows",
                            &SegmentBytes::reinjected_bytes),
                      bytes("mptcp_retransmitted_bytes", "MPTCP-retransmitted bytes",
                            "of which carried before by this subflow under other subflow sequence numbers",
                            &SegmentBytes::mptcp_retransmitted_bytes),
                      bytes("tcp_retransmitted_bytes", "TCP-retransmitted bytes",
                            "of which this subflow had sent under the same subflow sequence numbers",
                            &SegmentBytes::tcp_retransmitted_bytes),
                      bytes("new_bytes", "New bytes", "of which no subflow carried before", &SegmentBytes::new_bytes),
                  });
}

const RecordSpec<SegmentRow>& original_spec() {
    static const RecordSpec<SegmentRow> spec("original", "An earlier transmission, on another subflow, of reinjected data.",
                                             segment_fields<SegmentRow>([](const SegmentRow& s) { return s; }));
    return spec;
}

const RecordSpec<SegmentRow>& earlier_spec() {
    static const RecordSpec<SegmentRow> spec(
        "earlier_transmission", "An earlier transmission, on the same subflow, of MPTCP-retransmitted data.",
        segment_fields<SegmentRow>([](const SegmentRow& s) { return s; }));
    return spec;
}

Value segments_table(const RecordSpec<SegmentRow>& spec, const SegmentRow& of, const std::vector<std::size_t>& segments) {
    std::vector<SegmentRow> rows;
    for (auto k : segments) {
        SegmentRow s = of;
        s.segment = k;
        rows.push_back(s);
    }
    return Value(spec.table(rows));
}

const RecordSpec<ReinjectionRow>& reinjection_spec() {
    using R = ReinjectionRow;
    static const RecordSpec<R> spec(
        "reinjection",
        "A segment with reinjected bytes: data carried before only by other subflows of its connection "
        "(docs/commands.md, \"Resent data\").",
        concat(listed_segment_fields<R>(),
               {
                   {{.name = "originals", .title = "Originals", .type = Type::Records,
                     .meaning = "the earlier transmissions on other subflows of its reinjected bytes",
                     .nested = &original_spec().schema(),
                     .expand = {{"original_frames", "frame", "Original frames"},
                                {"original_tcp_streams", "tcp_stream", "Original TCP streams"}}},
                    [](const R& r) { return segments_table(original_spec(), r.segment, r.reinjection->originals); }},
                   {{.name = "delay_ns", .title = "Delay (s)", .type = Type::Integer, .unit = Unit::Duration,
                     .meaning = "time since the first original"},
                    [](const R& r) { return Value(r.reinjection->delay_ns); }},
                   {{.name = "reinjected_again_in", .title = "Reinjected again in", .type = Type::List,
                     .unit = Unit::Frame, .meaning = "frames of later reinjections of this segment",
                     .element = Type::Count},
                    [](const R& r) {
                        std::vector<Value> frames;
                        const auto& again = r.segment.analysis->reinjections.reinjected_in;
                        if (auto it = again.find(r.reinjection->segment); it != again.end()) {
                            for (auto later : it->second) {
                                SegmentRow s = r.segment;
                                s.segment = later;
                                frames.emplace_back(s.frame());
                            }
                        }
                        return Value(std::move(frames));
                    }},
               }));
    return spec;
}

const RecordSpec<MptcpRetransmissionRow>& mptcp_retransmission_spec() {
    using R = MptcpRetransmissionRow;
    static const RecordSpec<R> spec(
        "mptcp_retransmission",
        "A segment with MPTCP-retransmitted bytes: data its own subflow carried before, sent again under new "
        "subflow sequence numbers (docs/commands.md, \"Resent data\").",
        concat(listed_segment_fields<R>(),
               {
                   {{.name = "earlier", .title = "Earlier", .type = Type::Records,
                     .meaning = "the earlier transmissions on the same subflow of its MPTCP-retransmitted bytes",
                     .nested = &earlier_spec().schema(), .expand = {{"earlier_frames", "frame", "Earlier frames"}}},
                    [](const R& r) { return segments_table(earlier_spec(), r.segment, r.retransmission->earlier); }},
                   {{.name = "delay_ns", .title = "Delay (s)", .type = Type::Integer, .unit = Unit::Duration,
                     .meaning = "time since the first earlier transmission"},
                    [](const R& r) { return Value(r.retransmission->delay_ns); }},
               }));
    return spec;
}

// ", also 10 bytes new and 20 bytes TCP-retransmitted": the segment's bytes of other kinds.
std::string other_kinds(const RowRef& r, std::initializer_list<std::pair<const char*, const char*>> kinds) {
    std::vector<std::string> parts;
    for (const auto& [column, words] : kinds) {
        const auto n = std::get<std::uint64_t>(r[column].data);
        if (n) parts.push_back(fmt::format("{} {}", byte_count(n), words));
    }
    if (parts.empty()) return "";
    std::string out = ", also ";
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i == 0 ? "" : i + 1 == parts.size() ? " and " : ", ") + parts[i];
    return out;
}

std::string frames_text(const Table& t) {
    std::string out;
    for (std::size_t j = 0; j < t.size(); ++j) {
        out += fmt::format("{}frame {} (tcp.stream {})", j ? ", " : "", plain(t.row(j), "frame"),
                           plain(t.row(j), "tcp_stream"));
    }
    return out;
}

std::string stream_text(const RowRef& r) {
    return r["mptcp_stream"].is_null() ? std::string("(none)") : plain(r, "mptcp_stream");
}

std::string reinjections_text(const Document& d) {
    return lines_of(d, "reinjections", "no reinjection\n", [](const RowRef& r) {
        return fmt::format("mptcp.stream {} {}: frame {} (tcp.stream {}) DSN {}-{} ({} reinjected{}) reinjects {}, "
                           "{:.6f} s after the first\n",
                           stream_text(r), plain(r, "direction"), plain(r, "frame"), plain(r, "tcp_stream"),
                           plain(r, "dsn_start"), plain(r, "dsn_end"),
                           byte_count(std::get<std::uint64_t>(r["reinjected_bytes"].data)),
                           other_kinds(r, {{"mptcp_retransmitted_bytes", "MPTCP-retransmitted"},
                                           {"tcp_retransmitted_bytes", "TCP-retransmitted"},
                                           {"new_bytes", "new"}}),
                           frames_text(*r["originals"].table()),
                           static_cast<double>(std::get<std::int64_t>(r["delay_ns"].data)) / 1e9);
    });
}

std::string mptcp_retransmissions_text(const Document& d) {
    return lines_of(d, "mptcp_retransmissions", "no MPTCP-level retransmission\n", [](const RowRef& r) {
        return fmt::format("mptcp.stream {} {}: frame {} (tcp.stream {}) DSN {}-{} ({} MPTCP-retransmitted{}) "
                           "resends {} under new subflow sequence numbers, {:.6f} s after the first\n",
                           stream_text(r), plain(r, "direction"), plain(r, "frame"), plain(r, "tcp_stream"),
                           plain(r, "dsn_start"), plain(r, "dsn_end"),
                           byte_count(std::get<std::uint64_t>(r["mptcp_retransmitted_bytes"].data)),
                           other_kinds(r, {{"reinjected_bytes", "reinjected"},
                                           {"tcp_retransmitted_bytes", "TCP-retransmitted"},
                                           {"new_bytes", "new"}}),
                           frames_text(*r["earlier"].table()),
                           static_cast<double>(std::get<std::int64_t>(r["delay_ns"].data)) / 1e9);
    });
}

// Calls add(session, connection, analysis) for one connection, or for each (nullptr).
template <class Add>
void for_connections(const AnalysisSession& session, const MptcpConnection* connection, Add add) {
    if (connection) {
        add(*connection, session.analysis(*connection));
    } else {
        for (const auto& m : session.model().mptcp) add(m, session.analysis(m));
    }
}

}  // namespace

const Schema& reinjection_schema() { return reinjection_spec().schema(); }
const Schema& mptcp_retransmission_schema() { return mptcp_retransmission_spec().schema(); }

Document list_reinjections(const AnalysisSession& session, const MptcpConnection* connection) {
    static const Schema root{"list_reinjections",
                             "The reinjections of a capture.",
                             {{.name = "reinjections", .title = "Reinjections", .type = Type::Records,
                               .meaning = "by connection, then capture order", .nested = &reinjection_spec().schema()}}};
    std::vector<ReinjectionRow> rows;
    for_connections(session, connection, [&](const MptcpConnection& m, const MptcpAnalysis& a) {
        for (const auto& r : a.reinjections.reinjections) rows.push_back({{&session, &m, &a, r.segment}, &r});
    });
    return {{&root, {reinjection_spec().table(rows)}}, "reinjections", reinjections_text};
}

Document list_mptcp_retransmissions(const AnalysisSession& session, const MptcpConnection* connection) {
    static const Schema root{"list_mptcp_retransmissions",
                             "The MPTCP-level retransmissions on the same subflow of a capture.",
                             {{.name = "mptcp_retransmissions", .title = "MPTCP retransmissions", .type = Type::Records,
                               .meaning = "by connection, then capture order",
                               .nested = &mptcp_retransmission_spec().schema()}}};
    std::vector<MptcpRetransmissionRow> rows;
    for_connections(session, connection, [&](const MptcpConnection& m, const MptcpAnalysis& a) {
        for (const auto& r : a.reinjections.mptcp_retransmissions) rows.push_back({{&session, &m, &a, r.segment}, &r});
    });
    return {{&root, {mptcp_retransmission_spec().table(rows)}}, "mptcp_retransmissions", mptcp_retransmissions_text};
}

}  // namespace mptcpanalyzer::report
