// list-reinjections (and the Wireshark plugin's MPTCP Reinjections table).

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

// The DSN range fields of a segment, shared by reinjections and their originals.
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

const RecordSpec<SegmentRow>& original_spec() {
    static const RecordSpec<SegmentRow> spec("original", "An earlier transmission, on another subflow, of reinjected data.",
                                             segment_fields<SegmentRow>([](const SegmentRow& s) { return s; }));
    return spec;
}

const RecordSpec<ReinjectionRow>& reinjection_spec() {
    using R = ReinjectionRow;
    const auto seg = [](const R& r) { return r.segment; };
    const std::vector<Field<R>> range = segment_fields<R>(seg);
    static const RecordSpec<R> spec(
        "reinjection", "A segment whose data was already sent on another subflow of its connection.",
        concat(concat({{{.name = "mptcp_stream", .title = "MPTCP stream", .type = Type::Count,
                         .meaning = "its connection's mptcp.stream", .nullable = true},
                        [](const R& r) { return stream_value(r.segment.mptcp->mptcp_stream); }},
                       {{.name = "direction", .title = "Direction", .meaning = "to_server or to_client"},
                        [](const R& r) { return Value(to_string(r.segment.seg().direction)); }}},
                      range),
               {
                   {{.name = "length", .title = "Length", .type = Type::Count, .unit = Unit::Bytes,
                     .meaning = "its payload"},
                    [](const R& r) { return Value(r.segment.seg().length); }},
                   {{.name = "reinjected_bytes", .title = "Reinjected bytes", .type = Type::Unsigned, .unit = Unit::Bytes,
                     .meaning = "bytes sent before on another subflow and not on this one"},
                    [](const R& r) { return Value(r.reinjection->reinjected_bytes); }},
                   {{.name = "retransmission_on_own_subflow", .title = "Also a retransmission", .type = Type::Bool,
                     .meaning = "its subflow had sent some of these bytes already"},
                    [](const R& r) { return Value(r.reinjection->retransmission_on_own_subflow); }},
                   {{.name = "originals", .title = "Originals", .type = Type::Records,
                     .meaning = "the earlier transmissions on other subflows that overlap it",
                     .nested = &original_spec().schema(),
                     .expand = {{"original_frames", "frame", "Original frames"},
                                {"original_tcp_streams", "tcp_stream", "Original TCP streams"}}},
                    [](const R& r) {
                        std::vector<SegmentRow> rows;
                        for (auto o : r.reinjection->originals) {
                            SegmentRow s = r.segment;
                            s.segment = o;
                            rows.push_back(s);
                        }
                        return Value(original_spec().table(rows));
                    }},
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

std::string reinjections_text(const Document& d) {
    return lines_of(d, "reinjections", "no reinjection\n", [](const RowRef& r) {
        std::string originals;
        const Table& o = *r["originals"].table();
        for (std::size_t j = 0; j < o.size(); ++j) {
            originals += fmt::format("{}frame {} (tcp.stream {})", j ? ", " : "", plain(o.row(j), "frame"),
                                     plain(o.row(j), "tcp_stream"));
        }
        return fmt::format("mptcp.stream {} {}: frame {} (tcp.stream {}) DSN {}-{} ({} new bytes) reinjects {}, "
                           "{:.6f} s after the first{}\n",
                           r["mptcp_stream"].is_null() ? std::string("(none)") : plain(r, "mptcp_stream"),
                           plain(r, "direction"), plain(r, "frame"), plain(r, "tcp_stream"), plain(r, "dsn_start"),
                           plain(r, "dsn_end"), plain(r, "reinjected_bytes"), originals,
                           static_cast<double>(std::get<std::int64_t>(r["delay_ns"].data)) / 1e9,
                           std::get<bool>(r["retransmission_on_own_subflow"].data)
                               ? " (also a TCP retransmission on its own subflow)"
                               : "");
    });
}

}  // namespace

const Schema& reinjection_schema() { return reinjection_spec().schema(); }

Document list_reinjections(const AnalysisSession& session, const MptcpConnection* connection) {
    static const Schema root{"list_reinjections",
                             "The reinjections of a capture.",
                             {{.name = "reinjections", .title = "Reinjections", .type = Type::Records,
                               .meaning = "by connection, then capture order", .nested = &reinjection_spec().schema()}}};
    std::vector<ReinjectionRow> rows;
    const auto add = [&](const MptcpConnection& m) {
        const MptcpAnalysis& a = session.analysis(m);
        for (const auto& r : a.reinjections.reinjections) rows.push_back({{&session, &m, &a, r.segment}, &r});
    };
    if (connection) {
        add(*connection);
    } else {
        for (const auto& m : session.model().mptcp) add(m);
    }
    return {{&root, {reinjection_spec().table(rows)}}, "reinjections", reinjections_text};
}

}  // namespace mptcpanalyzer::report
