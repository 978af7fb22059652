// qualify_reinjections (analysis/reinjection_qualification.hpp) on a synthetic pair of captures:
// the client's capture of a 3-subflow v1 connection, and the server's, replayed from it with each
// packet's arrival time chosen (or dropped). The corpus only shows reinjections with a single
// original or whose originals all share one fate; here the reinjected bytes are split over two
// originals, so the rule for partly covered bytes is what decides: the originals deliver the
// bytes when the last missing part arrives.

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "mptcpanalyzer/analysis/capture_pair.hpp"
#include "mptcpanalyzer/analysis/reinjection_qualification.hpp"
#include "mptcpanalyzer/model/mptcp_crypto.hpp"
#include "synthetic_records.hpp"

using namespace mptcpanalyzer;

namespace {

constexpr std::uint64_t kClientKey = 0x1c2a3b4c5d6e7f80ULL;
constexpr std::uint64_t kServerKey = 0x0f1e2d3c4b5a6978ULL;
constexpr std::int64_t kMs = 1'000'000;

// The client's capture: handshake, two joins, original A (DSN 1-1000) on subflow 0, original B
// (DSN 1001-2000) on subflow 1, the reinjection R of both (DSN 1-2000) on subflow 2, and a DATA_ACK
// 2001 from the server on subflow 0.
struct ClientCapture {
    Capture cap;
    std::vector<Flow> sf;
    KeyDerived cd = derive_from_key(kClientKey, 1);
    std::uint32_t a = 0, b = 0, r = 0, data_ack = 0;

    ClientCapture() {
        const char* clients[] = {"10.0.0.1", "10.0.1.1", "10.0.2.1"};
        for (std::uint32_t i = 0; i < 3; ++i)
            sf.push_back(cap.flow(i, clients[i], static_cast<std::uint16_t>(40000 + i), "10.0.0.2", 5201, 1000 + 7777 * i,
                                  900000 + 3333 * i));
        mptcp_handshake(cap, sf[0], kClientKey, kServerKey);
        const KeyDerived sd = derive_from_key(kServerKey, 1);
        for (std::size_t i = 1; i < 3; ++i) {
            const auto id = static_cast<std::uint8_t>(i);
            cap.send(sf[i], true, kSynFlags, 0, {join_syn(sd.token, 0x1000U + id, id, false)});
            cap.send(sf[i], false, kSynAckFlags, 0, {join_synack(std::vector<std::uint8_t>(8, 0), 0x2000U + id, 0)});
            cap.send(sf[i], true, kAckFlags, 0, {join_ack(std::vector<std::uint8_t>(20, 0))});
        }
        a = data(0, 1, 1000);
        b = data(1, 1001, 1000);
        // The reinjection of both: one mapping over DSN 1-2000 on subflow 2.
        r = data(2, 1, 2000);
        data_ack = cap.send(sf[0], false, kAckFlags, 0, {dss_ack(cd.idsn + 2001, true)});
    }
    std::uint32_t data(std::size_t i, std::uint64_t rel, std::uint32_t len) {
        Flow& f = sf[i];
        const std::uint32_t ssn = f.next[0] - f.isn[0];
        return cap.send(f, true, kPshAckFlags, len, {dss_map(cd.idsn + rel, ssn, static_cast<std::uint16_t>(len), true)});
    }
};

// The server's capture of the same packets: client packets arrive 5 ms after the client captured
// them, server packets leave 5 ms before, except `arrival` (client row -> time after the client's
// first packet, nullopt: dropped). Rows are appended in time order, frames renumbered.
std::shared_ptr<const AnalysisSession> server_capture(const ClientCapture& c,
                                                       const std::map<std::uint32_t, std::optional<std::int64_t>>& arrival,
                                                       std::int64_t data_ack_at) {
    const auto& t = c.cap.table;
    const std::int64_t start = t.columns().time_ns[0];
    std::vector<std::pair<std::int64_t, PacketRecord>> records;
    for (std::uint32_t row = 0; row < t.size(); ++row) {
        PacketRecord r = t.record(row);
        const bool from_client = r.sport != 5201;
        std::int64_t at = r.time_ns + (from_client ? 5 * kMs : -5 * kMs);
        if (auto it = arrival.find(row); it != arrival.end()) {
            if (!it->second) continue;
            at = start + *it->second;
        }
        if (row == c.data_ack) at = start + data_ack_at;
        r.time_ns = at;
        records.emplace_back(at, std::move(r));
    }
    std::stable_sort(records.begin(), records.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    PacketTable table;
    std::uint32_t frame = 0;
    for (auto& [at, r] : records) {
        r.frame_number = ++frame;
        table.append(r);
    }
    table.finish_appending();
    return std::make_shared<const AnalysisSession>(std::move(table));
}

const ClientCapture& rows() {
    static const ClientCapture c;
    return c;
}

struct Outcome {
    ReinjectionOutcome outcome;
    std::optional<std::int64_t> gain_ns;
    std::optional<std::int64_t> originals_delivered_ns;
    bool data_ack_sooner;
    std::size_t originals;
};

// Qualifies the client capture's reinjections against a server capture built with `arrival`.
Outcome qualify(const std::map<std::uint32_t, std::optional<std::int64_t>>& arrival, std::int64_t data_ack_at) {
    const ClientCapture& c = rows();
    // The client's capture, its DATA_ACK received 5 ms after the server sent it (`data_ack_at`).
    PacketTable copy;
    for (std::uint32_t row = 0; row < c.cap.table.size(); ++row) {
        PacketRecord r = c.cap.table.record(row);
        if (row == c.data_ack) r.time_ns = c.cap.table.columns().time_ns[0] + data_ack_at + 5 * kMs;
        copy.append(r);
    }
    copy.finish_appending();
    auto first = std::make_shared<const AnalysisSession>(std::move(copy));
    auto peer = server_capture(c, arrival, data_ack_at);
    const CapturePair pair(first, "client", peer, "server");
    REQUIRE(first->model().mptcp.size() == 1);
    const auto q = qualify_reinjections(pair, first->model().mptcp[0]);
    REQUIRE(q.pairing->first_side == CaptureSide::Client);
    REQUIRE(q.reinjections.size() == 1);
    const QualifiedReinjection& r = q.reinjections.front();
    REQUIRE(r.direction == DataDirection::ToServer);
    REQUIRE(r.sender_is_first);
    // The copy's arrival is reported relative to the server connection's first packet.
    const std::int64_t start = peer->first_ns(peer->model().mptcp[0]) - first->table().columns().time_ns[0];
    if (auto it = arrival.find(c.r); it != arrival.end() && it->second) {
        REQUIRE(r.copy.arrival_ns == *it->second - start);
    }
    return {r.outcome, r.gain_ns, r.originals_delivered_ns ? std::optional(*r.originals_delivered_ns + start) : std::nullopt,
            r.data_ack_sooner, r.originals.size()};
}

}  // namespace

TEST_CASE("reinjection qualification: split over two originals, the copy is useful until the last part arrives",
          "[qualify]") {
    const auto& c = rows();
    // A at 100 ms, R at 200 ms, B at 300 ms: R completed the bytes 100 ms before B would have.
    const Outcome late_b = qualify({{c.a, 100 * kMs}, {c.b, 300 * kMs}, {c.r, 200 * kMs}}, 250 * kMs);
    CHECK(late_b.originals == 2);
    CHECK(late_b.outcome == ReinjectionOutcome::Useful);
    CHECK(late_b.originals_delivered_ns == 300 * kMs);
    CHECK(late_b.gain_ns == 100 * kMs);
    CHECK(late_b.data_ack_sooner);  // the DATA_ACK 2001 at 250 ms, before B at 300 ms

    // The same, but the DATA_ACK only after B: useful, the acknowledgment not sooner.
    CHECK_FALSE(qualify({{c.a, 100 * kMs}, {c.b, 300 * kMs}, {c.r, 200 * kMs}}, 350 * kMs).data_ack_sooner);

    // B before R: the originals delivered every byte first (A alone would not have).
    const Outcome early_b = qualify({{c.a, 100 * kMs}, {c.b, 150 * kMs}, {c.r, 200 * kMs}}, 250 * kMs);
    CHECK(early_b.outcome == ReinjectionOutcome::Redundant);
    CHECK(early_b.originals_delivered_ns == 150 * kMs);
    CHECK(early_b.gain_ns == -50 * kMs);
    CHECK_FALSE(early_b.data_ack_sooner);

    // A arrived first but B never: only R brought bytes 1001-2000, so it is useful, no gain known.
    const Outcome lost_b = qualify({{c.a, 100 * kMs}, {c.b, std::nullopt}, {c.r, 200 * kMs}}, 250 * kMs);
    CHECK(lost_b.outcome == ReinjectionOutcome::Useful);
    CHECK_FALSE(lost_b.originals_delivered_ns);
    CHECK_FALSE(lost_b.gain_ns);
    CHECK(lost_b.data_ack_sooner);
}

TEST_CASE("reinjection qualification: a copy that never arrived is redundant when an original did, lost otherwise",
          "[qualify]") {
    const auto& c = rows();
    const Outcome only_a = qualify({{c.a, 100 * kMs}, {c.b, std::nullopt}, {c.r, std::nullopt}}, 250 * kMs);
    CHECK(only_a.outcome == ReinjectionOutcome::Redundant);
    CHECK_FALSE(only_a.gain_ns);
    CHECK_FALSE(only_a.data_ack_sooner);

    const Outcome none = qualify({{c.a, std::nullopt}, {c.b, std::nullopt}, {c.r, std::nullopt}}, 250 * kMs);
    CHECK(none.outcome == ReinjectionOutcome::Lost);
    CHECK_FALSE(none.gain_ns);
    CHECK_FALSE(none.originals_delivered_ns);
}

TEST_CASE("reinjection qualification: arriving at the same nanosecond as the originals is not arriving first",
          "[qualify]") {
    const auto& c = rows();
    const Outcome tie = qualify({{c.a, 100 * kMs}, {c.b, 200 * kMs}, {c.r, 200 * kMs}}, 250 * kMs);
    CHECK(tie.outcome == ReinjectionOutcome::Redundant);
    CHECK(tie.gain_ns == 0);
}
