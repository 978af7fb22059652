#include "mptcpanalyzer/analysis/reinjection_qualification.hpp"

#include <algorithm>
#include <map>
#include <string>

#include "mptcpanalyzer/util/error.hpp"

namespace mptcpanalyzer {
namespace {

using Interval = std::pair<std::uint64_t, std::uint64_t>;  // [start, end) in relative DSNs

// Disjoint, sorted, merged intervals.
std::vector<Interval> merged(std::vector<Interval> v) {
    std::sort(v.begin(), v.end());
    std::vector<Interval> out;
    for (const auto& iv : v) {
        if (iv.first >= iv.second) continue;
        if (!out.empty() && iv.first <= out.back().second) {
            out.back().second = std::max(out.back().second, iv.second);
        } else {
            out.push_back(iv);
        }
    }
    return out;
}

// Whether the merged intervals `have` cover every interval of `want` (both merged).
bool covers(const std::vector<Interval>& have, const std::vector<Interval>& want) {
    for (const auto& w : want) {
        const bool inside = std::any_of(have.begin(), have.end(),
                                        [&](const Interval& h) { return h.first <= w.first && w.second <= h.second; });
        if (!inside) return false;
    }
    return true;
}

std::string stream_name(const MptcpConnection& c) {
    return c.mptcp_stream >= 0 ? std::to_string(c.mptcp_stream) : std::string("(none)");
}

}  // namespace

const char* to_string(ReinjectionOutcome o) {
    switch (o) {
        case ReinjectionOutcome::Useful: return "useful";
        case ReinjectionOutcome::Redundant: return "redundant";
        case ReinjectionOutcome::Lost: return "lost";
    }
    return "lost";
}

const MptcpPairing& twin_or_throw(const CapturePair& pair, const MptcpConnection& connection) {
    const MptcpPairing& pairing = pair.mptcp(connection);
    if (!pairing.peer) {
        throw Error(ExitCode::Usage, "mptcp.stream " + stream_name(connection) + " of " + pair.first_name() +
                                         " has no twin in " + pair.peer_name() +
                                         " (map-mptcp lists the candidates): nothing to compare it with");
    }
    return pairing;
}

std::optional<std::int64_t> DataDirectionSides::arrival_ns(std::uint32_t sender_row) const {
    const auto it = receiver_rows.find(sender_row);
    if (it == receiver_rows.end() || it->second.empty()) return std::nullopt;
    std::int64_t last = receiver->table().columns().time_ns[it->second.front()];
    for (auto row : it->second) last = std::max(last, static_cast<std::int64_t>(receiver->table().columns().time_ns[row]));
    return last;
}

DataDirectionSides data_direction_sides(const CapturePair& pair, const MptcpConnection& connection,
                                        DataDirection direction) {
    const MptcpPairing& pairing = twin_or_throw(pair, connection);
    DataDirectionSides s;
    s.direction = direction;
    s.sender_is_first = first_is_sender_side(pairing.first_side, direction);
    if (s.sender_is_first) {
        s.sender = &pair.first();
        s.sender_connection = &connection;
        s.receiver = &pair.peer();
        s.receiver_connection = pairing.peer;
    } else {
        s.sender = &pair.peer();
        s.sender_connection = pairing.peer;
        s.receiver = &pair.first();
        s.receiver_connection = &connection;
    }
    // Both TCP directions: a sender row is a twin key whatever its direction, so the indexing of
    // DirectionMatch (first capture's orientation) and `reversed` do not matter here.
    for (const auto& m : pairing.subflows) {
        for (const auto& dm : m.packets.directions) {
            for (const auto& p : dm.pairs) {
                const std::uint32_t sender_row = s.sender_is_first ? p.row : p.peer_row;
                const std::uint32_t receiver_row = s.sender_is_first ? p.peer_row : p.row;
                s.receiver_rows[sender_row].push_back(receiver_row);
            }
        }
    }
    s.receiver_start_ns = s.receiver->first_ns(*s.receiver_connection);
    return s;
}

ReinjectionQualification qualify_reinjections(const CapturePair& pair, const MptcpConnection& connection) {
    ReinjectionQualification out;
    out.pairing = &twin_or_throw(pair, connection);
    for (const auto direction : {DataDirection::ToServer, DataDirection::ToClient}) {
        const auto d = static_cast<std::size_t>(direction);
        const DataDirectionSides sides = data_direction_sides(pair, connection, direction);
        DirectionQualification& totals = out.directions[d];
        totals.direction = direction;
        totals.sender_is_first = sides.sender_is_first;
        const MptcpAnalysis& sent = sides.sender->analysis(*sides.sender_connection);
        const MptcpAnalysis& received = sides.receiver->analysis(*sides.receiver_connection);
        const auto& receiver_time = sides.receiver->table().columns().time_ns;
        const auto& receiver_frame = sides.receiver->table().columns().frame_number;

        // The receiver's cumulative DATA_ACKs of this direction: highest so far (relative to the
        // receiver's base) and when it was sent, in capture order, so the first one reaching a
        // DSN is found by binary search.
        std::vector<std::pair<std::uint64_t, std::int64_t>> acked;
        for (const auto& a : received.data.data_acks) {
            if (a.direction != direction) continue;
            const std::uint64_t rel = received.data.relative(direction, a.ack);
            const std::uint64_t highest = acked.empty() ? rel : std::max(acked.back().first, rel);
            acked.emplace_back(highest, receiver_time[a.row]);
        }

        const auto follow = [&](std::size_t segment) {
            CopyArrival c;
            c.segment = segment;
            const std::uint32_t row = sent.data.segments[segment].row;
            if (const auto t = sides.arrival_ns(row)) {
                c.arrival_ns = *t - sides.receiver_start_ns;
                const auto& twins = sides.receiver_rows.at(row);
                const auto last = *std::max_element(twins.begin(), twins.end(), [&](std::uint32_t a, std::uint32_t b) {
                    return receiver_time[a] < receiver_time[b];
                });
                c.receiver_frame = receiver_frame[last];
            }
            return c;
        };
        const auto range_of = [&](std::size_t segment) {
            const DataSegment& s = sent.data.segments[segment];
            const std::uint64_t start = sent.data.relative(direction, s.dsn);
            return Interval{start, start + s.length};
        };

        for (const Reinjection& r : sent.reinjections.reinjections) {
            if (sent.data.segments[r.segment].direction != direction) continue;
            QualifiedReinjection q;
            q.direction = direction;
            q.sender_is_first = sides.sender_is_first;
            q.reinjection = &r;
            q.copy = follow(r.segment);
            // R: the part of the copy's range its originals carried.
            const Interval own = range_of(r.segment);
            std::vector<Interval> parts;
            for (auto o : r.originals) {
                q.originals.push_back(follow(o));
                const Interval iv = range_of(o);
                parts.emplace_back(std::max(own.first, iv.first), std::min(own.second, iv.second));
            }
            const std::vector<Interval> reinjected = merged(parts);
            q.dsn_start = reinjected.empty() ? own.first : reinjected.front().first;
            q.dsn_end = reinjected.empty() ? own.second : reinjected.back().second;

            // When the arrived originals, earliest first, had covered R.
            std::vector<const CopyArrival*> arrived;
            for (const auto& o : q.originals)
                if (o.arrival_ns) arrived.push_back(&o);
            std::stable_sort(arrived.begin(), arrived.end(),
                             [](const CopyArrival* a, const CopyArrival* b) { return *a->arrival_ns < *b->arrival_ns; });
            std::vector<Interval> delivered;
            for (const CopyArrival* o : arrived) {
                delivered.push_back(range_of(o->segment));
                delivered = merged(std::move(delivered));
                if (covers(delivered, reinjected)) {
                    q.originals_delivered_ns = o->arrival_ns;
                    break;
                }
            }

            // The receiver's first DATA_ACK at or beyond R's end (in the receiver's relative DSNs:
            // both captures extend the same raw DSNs, their bases may differ).
            const std::uint64_t end_absolute = sent.data.base[d] + q.dsn_end;
            const std::uint64_t end_at_receiver = received.data.relative(direction, end_absolute);
            const auto ack = std::lower_bound(acked.begin(), acked.end(), end_at_receiver,
                                              [](const auto& a, std::uint64_t v) { return a.first < v; });
            if (ack != acked.end()) q.data_ack_ns = ack->second - sides.receiver_start_ns;

            if (q.copy.arrival_ns) {
                q.outcome = q.originals_delivered_ns && *q.originals_delivered_ns <= *q.copy.arrival_ns
                                ? ReinjectionOutcome::Redundant
                                : ReinjectionOutcome::Useful;
            } else {
                q.outcome = arrived.empty() ? ReinjectionOutcome::Lost : ReinjectionOutcome::Redundant;
            }
            if (q.copy.arrival_ns && q.originals_delivered_ns) q.gain_ns = *q.originals_delivered_ns - *q.copy.arrival_ns;
            q.data_ack_sooner = q.outcome == ReinjectionOutcome::Useful && q.data_ack_ns &&
                                (!q.originals_delivered_ns || *q.data_ack_ns < *q.originals_delivered_ns);

            OutcomeTotals& t = q.outcome == ReinjectionOutcome::Useful      ? totals.useful
                               : q.outcome == ReinjectionOutcome::Redundant ? totals.redundant
                                                                            : totals.lost;
            ++t.count;
            t.bytes += r.reinjected_bytes;
            if (q.gain_ns && q.outcome == ReinjectionOutcome::Useful) totals.gained_ns += *q.gain_ns;
            if (q.gain_ns && q.outcome == ReinjectionOutcome::Redundant) totals.late_ns -= *q.gain_ns;
            if (q.data_ack_sooner) ++totals.data_ack_sooner;
            out.reinjections.push_back(std::move(q));
        }
    }
    return out;
}

}  // namespace mptcpanalyzer
