// ConnectionModel::build on synthetic captures: TCP orientation (SYN, SYN/ACK, port numbers),
// port reuse, MP_JOIN attached by token in both directions (HMACs checked independently with
// GLib), unknown tokens, subflows known only by Wireshark's mptcp.stream, fallbacks, backup
// changes, end states, and the event timeline.

#include <glib.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mptcpanalyzer/analysis/events.hpp"
#include "mptcpanalyzer/analysis/session.hpp"
#include "mptcpanalyzer/model/connections.hpp"
#include "mptcpanalyzer/model/mptcp_crypto.hpp"
#include "mptcpanalyzer/model/packet_record.hpp"
#include "mptcpanalyzer/model/packet_table.hpp"
#include "synthetic_records.hpp"

using namespace mptcpanalyzer;

namespace {

// Record builders: synthetic_records.hpp

constexpr std::uint64_t kClientKey = 0xdeeadfc39671faccULL;
constexpr std::uint64_t kServerKey = 0x65f21644a86e59b3ULL;

// HMAC(key_1 || key_2, nonce_1 || nonce_2) computed with GLib alone (SHA-1 for v0, SHA-256 for v1).
std::vector<std::uint8_t> glib_hmac(int version, std::uint64_t key_1, std::uint64_t key_2, std::uint32_t nonce_1,
                                    std::uint32_t nonce_2) {
    std::array<std::uint8_t, 16> key{};
    std::array<std::uint8_t, 8> msg{};
    for (std::size_t i = 0; i < 8; ++i) {
        key[i] = static_cast<std::uint8_t>(key_1 >> (56 - 8 * i));
        key[8 + i] = static_cast<std::uint8_t>(key_2 >> (56 - 8 * i));
    }
    for (std::size_t i = 0; i < 4; ++i) {
        msg[i] = static_cast<std::uint8_t>(nonce_1 >> (24 - 8 * i));
        msg[4 + i] = static_cast<std::uint8_t>(nonce_2 >> (24 - 8 * i));
    }
    gchar* hex = g_compute_hmac_for_data(version == 0 ? G_CHECKSUM_SHA1 : G_CHECKSUM_SHA256, key.data(), key.size(),
                                         msg.data(), msg.size());
    REQUIRE(hex != nullptr);
    const std::string s(hex);
    g_free(hex);
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i + 1 < s.size(); i += 2)
        out.push_back(static_cast<std::uint8_t>(std::stoul(s.substr(i, 2), nullptr, 16)));
    return out;
}

// Token as RFC 8684 defines it, from GLib's SHA-256 / SHA-1 of the big-endian key.
std::uint32_t glib_token(int version, std::uint64_t key) {
    std::array<std::uint8_t, 8> b{};
    for (std::size_t i = 0; i < 8; ++i) b[i] = static_cast<std::uint8_t>(key >> (56 - 8 * i));
    gchar* hex = g_compute_checksum_for_data(version == 0 ? G_CHECKSUM_SHA1 : G_CHECKSUM_SHA256, b.data(), b.size());
    REQUIRE(hex != nullptr);
    const auto token = static_cast<std::uint32_t>(std::stoul(std::string(hex).substr(0, 8), nullptr, 16));
    g_free(hex);
    return token;
}

void open_mptcp(Capture& cap, Flow& f, int version = 1, std::uint64_t ck = kClientKey, std::uint64_t sk = kServerKey) {
    mptcp_handshake(cap, f, ck, sk, static_cast<std::uint8_t>(version));
}

// An MP_JOIN handshake on `f`, opened by f's TCP client. key_a is the initiator's key.
struct JoinRows {
    std::uint32_t syn = 0, synack = 0, ack = 0;
};
JoinRows join(Capture& cap, Flow& f, int version, std::uint32_t token, std::uint64_t key_a, std::uint64_t key_b,
              bool backup = false, bool corrupt_synack = false, bool corrupt_ack = false) {
    const std::uint32_t na = 0x0a0b0c0dU + f.stream, nb = 0x51525354U + f.stream;
    auto hb = glib_hmac(version, key_b, key_a, nb, na);
    auto ha = glib_hmac(version, key_a, key_b, na, nb);
    if (corrupt_synack) hb[3] ^= 0x40;
    if (corrupt_ack) ha[19] ^= 0x01;
    JoinRows r;
    r.syn = cap.send(f, true, kSynFlags, 0, {join_syn(token, na, 3, backup)});
    r.synack = cap.send(f, false, kSynAckFlags, 0, {join_synack(hb, nb, 7)});
    r.ack = cap.send(f, true, kAckFlags, 0, {join_ack(ha)});
    return r;
}

MptcpOption prio(bool backup) {
    MptcpOption o;
    o.subtype = MptcpSubtype::Prio;
    o.length = 3;
    o.flags = backup ? 0x01 : 0x00;
    o.backup = backup;
    return o;
}

bool has_anomaly(const ConnectionModel& m, const std::string& kind, std::optional<std::uint32_t> tcp_stream = {},
                 std::optional<std::uint32_t> frame = {}) {
    for (const auto& a : m.anomalies)
        if (a.kind == kind && (!tcp_stream || a.tcp_stream == *tcp_stream) && (!frame || a.frame == *frame)) return true;
    return false;
}

Endpoint ep(const char* address, std::uint16_t port) { return Endpoint{ip(address), port}; }

}  // namespace

TEST_CASE("connections: a SYN decides the orientation", "[connections]") {
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 80);
    cap.send(f, true, kSynFlags, 0);
    cap.send(f, false, kSynAckFlags, 0);
    cap.send(f, true, kAckFlags, 0);
    cap.send(f, false, kPshAckFlags, 100);
    const auto m = ConnectionModel::build(cap.table);
    REQUIRE(m.tcp.size() == 1);
    const TcpConnection& t = m.tcp[0];
    CHECK(t.orientation == Orientation::Syn);
    CHECK_FALSE(t.orientation_inferred());
    CHECK(t.client == ep("10.0.0.1", 40000));
    CHECK(t.server == ep("10.0.0.2", 80));
    CHECK(t.stats(TcpDirection::ServerToClient).payload_bytes == 100);
    CHECK(t.stats(TcpDirection::ClientToServer).packets == 2);
    CHECK_FALSE(has_anomaly(m, "missing_handshake"));
    CHECK(m.mptcp.empty());
}

TEST_CASE("connections: a SYN from the higher port still makes its sender the client", "[connections]") {
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 50000, "10.0.0.2", 60000);
    cap.send(f, false, kPshAckFlags, 10);  // a stray packet from the server before the SYN
    cap.send(f, true, kSynFlags, 0);
    cap.send(f, false, kSynAckFlags, 0);
    const auto m = ConnectionModel::build(cap.table);
    REQUIRE(m.tcp.size() == 1);
    CHECK(m.tcp[0].orientation == Orientation::Syn);
    CHECK(m.tcp[0].client == ep("10.0.0.1", 50000));
}

TEST_CASE("connections: a SYN/ACK alone decides the orientation (inferred)", "[connections]") {
    Capture cap;
    // Server on the higher port, so port numbers would say the opposite.
    Flow f = cap.flow(0, "10.0.0.1", 1000, "10.0.0.2", 50000);
    cap.send(f, false, kSynAckFlags, 0);
    cap.send(f, true, kAckFlags, 0);
    cap.send(f, true, kPshAckFlags, 10);
    const auto m = ConnectionModel::build(cap.table);
    REQUIRE(m.tcp.size() == 1);
    CHECK(m.tcp[0].orientation == Orientation::SynAck);
    CHECK(m.tcp[0].orientation_inferred());
    CHECK(m.tcp[0].client == ep("10.0.0.1", 1000));
    CHECK(m.tcp[0].server == ep("10.0.0.2", 50000));
    CHECK(has_anomaly(m, "missing_handshake", 0u));
}

TEST_CASE("connections: port numbers alone decide the orientation (inferred): the lower port is the server",
          "[connections]") {
    for (bool first_from_server : {true, false}) {
        INFO("first packet from the server: " << first_from_server);
        Capture cap;
        Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 443);
        cap.send(f, !first_from_server, kPshAckFlags, 10);
        cap.send(f, first_from_server, kAckFlags, 0);
        const auto m = ConnectionModel::build(cap.table);
        REQUIRE(m.tcp.size() == 1);
        CHECK(m.tcp[0].orientation == Orientation::PortNumbers);
        CHECK(m.tcp[0].orientation_inferred());
        CHECK(m.tcp[0].client == ep("10.0.0.1", 40000));
        CHECK(m.tcp[0].server == ep("10.0.0.2", 443));
        CHECK(has_anomaly(m, "missing_handshake", 0u));
    }
}

TEST_CASE("connections: port reuse (two tcp.streams with the same 4-tuple) is flagged", "[connections]") {
    Capture cap;
    Flow a = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 80);
    Flow b = cap.flow(1, "10.0.0.1", 40000, "10.0.0.2", 80, 777777, 888888);
    Flow other = cap.flow(2, "10.0.0.1", 40001, "10.0.0.2", 80);
    for (Flow* f : {&a, &b, &other}) {
        cap.send(*f, true, kSynFlags, 0);
        cap.send(*f, false, kSynAckFlags, 0);
        cap.send(*f, true, tcp_flag::kFin | tcp_flag::kAck, 0);
        cap.send(*f, false, tcp_flag::kFin | tcp_flag::kAck, 0);
    }
    const auto m = ConnectionModel::build(cap.table);
    REQUIRE(m.tcp.size() == 3);
    CHECK_FALSE(m.tcp[0].port_reused);
    CHECK(m.tcp[1].port_reused);
    CHECK_FALSE(m.tcp[2].port_reused);
    CHECK(has_anomaly(m, "port_reuse", 1u));
    CHECK_FALSE(has_anomaly(m, "port_reuse", 0u));
    CHECK_FALSE(has_anomaly(m, "port_reuse", 2u));
}

TEST_CASE("connections: MP_CAPABLE makes an MPTCP connection with keys, tokens and version", "[connections]") {
    for (int version : {0, 1}) {
        INFO("version " << version);
        Capture cap;
        Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201, 1000, 5000, 4);
        open_mptcp(cap, f, version);
        const auto m = ConnectionModel::build(cap.table);
        REQUIRE(m.mptcp.size() == 1);
        const MptcpConnection& c = m.mptcp[0];
        CHECK(c.version == version);
        CHECK(c.mptcp_stream == 4);
        CHECK(c.client_key == kClientKey);
        CHECK(c.server_key == kServerKey);
        CHECK(c.client_token() == glib_token(version, kClientKey));
        CHECK(c.server_token() == glib_token(version, kServerKey));
        CHECK(c.fallback == Fallback::None);
        REQUIRE(c.subflows.size() == 1);
        CHECK(c.subflows[0].role == SubflowRole::Initial);
        CHECK(c.subflows[0].attachment == Attachment::MpCapable);
        CHECK(m.mptcp_of(0) == &m.mptcp[0]);
        CHECK_FALSE(has_anomaly(m, "missing_key"));
    }
}

TEST_CASE("connections: a join is attached by token, towards the server when the token is the server's",
          "[connections]") {
    for (int version : {0, 1}) {
        INFO("version " << version);
        Capture cap;
        Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
        open_mptcp(cap, f, version);
        Flow j = cap.flow(1, "10.0.1.1", 40001, "10.0.0.2", 5201);
        join(cap, j, version, glib_token(version, kServerKey), kClientKey, kServerKey);
        const auto m = ConnectionModel::build(cap.table);
        REQUIRE(m.mptcp.size() == 1);
        REQUIRE(m.mptcp[0].subflows.size() == 2);
        const Subflow& sf = m.mptcp[0].subflows[1];
        CHECK(sf.tcp_stream == 1);
        CHECK(sf.role == SubflowRole::Join);
        CHECK(sf.attachment == Attachment::Token);
        CHECK(sf.towards_server);
        CHECK(sf.client_address_id == std::optional<std::uint8_t>(3));
        CHECK(sf.server_address_id == std::optional<std::uint8_t>(7));
        CHECK(sf.hmac_valid == std::optional<bool>(true));
        CHECK(m.mptcp_of(1) == &m.mptcp[0]);
        CHECK(m.find_tcp(1)->subflow_index == 1);
        CHECK(m.unattached_subflows.empty());
        CHECK_FALSE(has_anomaly(m, "join_hmac_mismatch"));
    }
}

TEST_CASE("connections: a join whose token is the client's goes towards the client", "[connections]") {
    for (int version : {0, 1}) {
        INFO("version " << version);
        Capture cap;
        Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
        open_mptcp(cap, f, version);
        // The MPTCP server opens a subflow to the client's other address.
        Flow j = cap.flow(1, "10.0.0.2", 41000, "10.0.1.1", 6000);
        join(cap, j, version, glib_token(version, kClientKey), kServerKey, kClientKey);
        const auto m = ConnectionModel::build(cap.table);
        REQUIRE(m.mptcp.size() == 1);
        REQUIRE(m.mptcp[0].subflows.size() == 2);
        const Subflow& sf = m.mptcp[0].subflows[1];
        CHECK(sf.attachment == Attachment::Token);
        CHECK_FALSE(sf.towards_server);
        CHECK(sf.hmac_valid == std::optional<bool>(true));
        CHECK(m.find_tcp(1)->client == ep("10.0.0.2", 41000));
    }
}

TEST_CASE("connections: a join with an unknown token is unattached with anomaly unknown_join_token",
          "[connections]") {
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
    open_mptcp(cap, f);
    Flow j = cap.flow(1, "10.0.1.1", 40001, "10.0.0.2", 5201, 1000, 5000, -1);
    std::uint32_t bogus = 0x12345678U;
    REQUIRE(bogus != glib_token(1, kClientKey));
    REQUIRE(bogus != glib_token(1, kServerKey));
    const JoinRows rows = join(cap, j, 1, bogus, kClientKey, kServerKey);
    const auto m = ConnectionModel::build(cap.table);
    REQUIRE(m.mptcp.size() == 1);
    CHECK(m.mptcp[0].subflows.size() == 1);
    CHECK(m.unattached_subflows == std::vector<std::uint32_t>{1});
    CHECK(m.mptcp_of(1) == nullptr);
    CHECK(has_anomaly(m, "unknown_join_token", 1u, cap.frame_of(rows.syn)));
}

TEST_CASE("connections: join HMACs are valid when computed correctly and a mismatch otherwise", "[connections]") {
    for (int version : {0, 1}) {
        for (int corrupt : {0, 1, 2}) {
            INFO("version " << version << " corrupt " << corrupt);
            Capture cap;
            Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
            open_mptcp(cap, f, version);
            Flow j = cap.flow(1, "10.0.1.1", 40001, "10.0.0.2", 5201);
            const JoinRows rows =
                join(cap, j, version, glib_token(version, kServerKey), kClientKey, kServerKey, false, corrupt == 1,
                     corrupt == 2);
            const auto m = ConnectionModel::build(cap.table);
            REQUIRE(m.mptcp.size() == 1);
            REQUIRE(m.mptcp[0].subflows.size() == 2);
            CHECK(m.mptcp[0].subflows[1].hmac_valid == std::optional<bool>(corrupt == 0));
            CHECK(has_anomaly(m, "join_hmac_mismatch", 1u, cap.frame_of(rows.syn)) == (corrupt != 0));
        }
    }
}

TEST_CASE("connections: fallback when the SYN/ACK has no MP_CAPABLE (NoMpCapableReply)", "[connections]") {
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
    cap.send(f, true, kSynFlags, 0, {capable(1, std::nullopt, std::nullopt)});
    const auto synack = cap.send(f, false, kSynAckFlags, 0);
    cap.send(f, true, kAckFlags, 0);
    cap.send(f, true, kPshAckFlags, 100);
    const auto m = ConnectionModel::build(cap.table);
    REQUIRE(m.mptcp.size() == 1);
    CHECK(m.mptcp[0].fallback == Fallback::NoMpCapableReply);
    CHECK(m.mptcp[0].fallback_frame == cap.frame_of(synack));
    CHECK(has_anomaly(m, "fallback", 0u, cap.frame_of(synack)));
}

TEST_CASE("connections: fallback when the third ACK has no MP_CAPABLE (NoMpCapableAck)", "[connections]") {
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
    cap.send(f, true, kSynFlags, 0, {capable(1, std::nullopt, std::nullopt)});
    cap.send(f, false, kSynAckFlags, 0, {capable(1, kServerKey, std::nullopt)});
    const auto ack = cap.send(f, true, kAckFlags, 0);
    const auto m = ConnectionModel::build(cap.table);
    REQUIRE(m.mptcp.size() == 1);
    CHECK(m.mptcp[0].fallback == Fallback::NoMpCapableAck);
    CHECK(m.mptcp[0].fallback_frame == cap.frame_of(ack));
}

TEST_CASE("connections: fallback when data flows without any DSS (NoDss)", "[connections]") {
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
    open_mptcp(cap, f);
    const auto first = cap.send(f, true, kPshAckFlags, 100);
    cap.send(f, false, kPshAckFlags, 100);
    const auto m = ConnectionModel::build(cap.table);
    REQUIRE(m.mptcp.size() == 1);
    CHECK(m.mptcp[0].fallback == Fallback::NoDss);
    CHECK(m.mptcp[0].fallback_frame == cap.frame_of(first));
    CHECK(has_anomaly(m, "fallback", 0u, cap.frame_of(first)));
}

TEST_CASE("connections: a DSS with data-level length 0 is an infinite mapping fallback", "[connections]") {
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
    open_mptcp(cap, f);
    const KeyDerived cd = derive_from_key(kClientKey, 1);
    cap.send(f, true, kPshAckFlags, 100, {dss_map(cd.idsn + 1, 1, 100)});
    const auto inf = cap.send(f, true, kPshAckFlags, 100, {dss_map(cd.idsn + 101, 101, 0)});
    cap.send(f, true, kPshAckFlags, 100);
    const auto m = ConnectionModel::build(cap.table);
    REQUIRE(m.mptcp.size() == 1);
    CHECK(m.mptcp[0].fallback == Fallback::InfiniteMapping);
    CHECK(m.mptcp[0].fallback_frame == cap.frame_of(inf));
}

TEST_CASE("connections: a normal MPTCP transfer does not fall back", "[connections]") {
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
    open_mptcp(cap, f);
    const KeyDerived cd = derive_from_key(kClientKey, 1);
    cap.send(f, true, kPshAckFlags, 100, {dss_map(cd.idsn + 1, 1, 100)});
    const auto m = ConnectionModel::build(cap.table);
    REQUIRE(m.mptcp.size() == 1);
    CHECK(m.mptcp[0].fallback == Fallback::None);
    CHECK_FALSE(has_anomaly(m, "fallback"));
}

TEST_CASE("connections: backup from the MP_JOIN B bit, then MP_PRIO changes", "[connections]") {
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
    open_mptcp(cap, f);
    Flow j = cap.flow(1, "10.0.1.1", 40001, "10.0.0.2", 5201);
    const JoinRows rows = join(cap, j, 1, glib_token(1, kServerKey), kClientKey, kServerKey, true);
    const auto p1 = cap.send(j, false, kAckFlags, 0, {prio(false)});  // the server (subflow's TCP server)
    const auto p2 = cap.send(j, true, kAckFlags, 0, {prio(true)});    // the client
    const auto p3 = cap.send(f, true, kAckFlags, 0, {prio(true)});    // on the initial subflow
    const auto m = ConnectionModel::build(cap.table);
    REQUIRE(m.mptcp.size() == 1);
    REQUIRE(m.mptcp[0].subflows.size() == 2);
    const Subflow& sf = m.mptcp[0].subflows[1];
    REQUIRE(sf.backup_changes.size() == 3);
    CHECK(sf.backup_changes[0].frame == cap.frame_of(rows.syn));
    CHECK(sf.backup_changes[0].backup);
    CHECK(sf.backup_changes[0].from_subflow_client);
    CHECK(std::string(sf.backup_changes[0].how) == "MP_JOIN");
    CHECK(sf.backup_changes[1].frame == cap.frame_of(p1));
    CHECK_FALSE(sf.backup_changes[1].backup);
    CHECK_FALSE(sf.backup_changes[1].from_subflow_client);
    CHECK(std::string(sf.backup_changes[1].how) == "MP_PRIO");
    CHECK(sf.backup_changes[1].time_ns == cap.time_of(p1));
    CHECK(sf.backup_changes[2].frame == cap.frame_of(p2));
    CHECK(sf.backup_changes[2].backup);
    CHECK(sf.backup_changes[2].from_subflow_client);
    CHECK(sf.backup);
    const Subflow& initial = m.mptcp[0].subflows[0];
    REQUIRE(initial.backup_changes.size() == 1);
    CHECK(initial.backup_changes[0].frame == cap.frame_of(p3));
    CHECK(initial.backup);

    // Without the B bit the join starts as a regular subflow.
    Capture cap2;
    Flow f2 = cap2.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
    open_mptcp(cap2, f2);
    Flow j2 = cap2.flow(1, "10.0.1.1", 40001, "10.0.0.2", 5201);
    join(cap2, j2, 1, glib_token(1, kServerKey), kClientKey, kServerKey, false);
    const auto m2 = ConnectionModel::build(cap2.table);
    REQUIRE(m2.mptcp.size() == 1);
    REQUIRE(m2.mptcp[0].subflows.size() == 2);
    CHECK_FALSE(m2.mptcp[0].subflows[1].backup);
    REQUIRE(m2.mptcp[0].subflows[1].backup_changes.size() == 1);
    CHECK_FALSE(m2.mptcp[0].subflows[1].backup_changes[0].backup);
}

TEST_CASE("connections: end states (FIN both ways, one FIN, RST, open)", "[connections]") {
    Capture cap;
    Flow fin = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 80);
    Flow half = cap.flow(1, "10.0.0.1", 40001, "10.0.0.2", 80);
    Flow rst = cap.flow(2, "10.0.0.1", 40002, "10.0.0.2", 80);
    Flow open = cap.flow(3, "10.0.0.1", 40003, "10.0.0.2", 80);
    Flow fin_rst = cap.flow(4, "10.0.0.1", 40004, "10.0.0.2", 80);
    for (Flow* f : {&fin, &half, &rst, &open, &fin_rst}) {
        cap.send(*f, true, kSynFlags, 0);
        cap.send(*f, false, kSynAckFlags, 0);
        cap.send(*f, true, kPshAckFlags, 10);
    }
    cap.send(fin, true, tcp_flag::kFin | tcp_flag::kAck, 0);
    cap.send(fin, false, tcp_flag::kFin | tcp_flag::kAck, 0);
    cap.send(fin, true, kAckFlags, 0);
    cap.send(half, true, tcp_flag::kFin | tcp_flag::kAck, 0);
    cap.send(rst, false, tcp_flag::kRst, 0);
    cap.send(fin_rst, true, tcp_flag::kFin | tcp_flag::kAck, 0);
    cap.send(fin_rst, false, tcp_flag::kRst | tcp_flag::kAck, 0);
    const auto m = ConnectionModel::build(cap.table);
    REQUIRE(m.tcp.size() == 5);
    CHECK(m.find_tcp(0)->end == TcpEnd::Fin);
    CHECK(m.find_tcp(1)->end == TcpEnd::HalfClosed);
    CHECK(m.find_tcp(2)->end == TcpEnd::Rst);
    CHECK(m.find_tcp(3)->end == TcpEnd::Open);
    CHECK(m.find_tcp(4)->end == TcpEnd::Rst);
}

TEST_CASE("connections: events list MPTCP control in frame order", "[connections][events]") {
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
    open_mptcp(cap, f);  // frames 1-3
    const KeyDerived cd = derive_from_key(kClientKey, 1);
    Flow j = cap.flow(1, "10.0.1.1", 40001, "10.0.0.2", 5201);
    const std::uint32_t na = 0x1111, nb = 0x2222;
    cap.send(j, true, kSynFlags, 0, {join_syn(glib_token(1, kServerKey), na, 3, false)});  // 4
    MptcpOption add;
    add.subtype = MptcpSubtype::AddAddr;
    add.length = 16;
    add.address_id = 9;
    add.address = ip("10.0.9.1");
    cap.send(f, false, kAckFlags, 0, {add});  // 5: interleaved with the join handshake
    cap.send(j, false, kSynAckFlags, 0, {join_synack(glib_hmac(1, kServerKey, kClientKey, nb, na), nb, 7)});  // 6
    cap.send(j, true, kAckFlags, 0, {join_ack(glib_hmac(1, kClientKey, kServerKey, na, nb))});                  // 7
    cap.send(f, true, kPshAckFlags, 100, {dss_map(cd.idsn + 1, 1, 100)});  // 8: plain DSS, no event
    MptcpOption rm;
    rm.subtype = MptcpSubtype::RemoveAddr;
    rm.length = 4;
    rm.address_ids = {9};
    cap.send(f, false, kAckFlags, 0, {rm});        // 9
    cap.send(j, false, kAckFlags, 0, {prio(true)});  // 10
    MptcpOption dfin = dss_map(cd.idsn + 101, 0, 1);
    dfin.data_fin = true;
    dfin.flags = static_cast<std::uint8_t>(dfin.flags | 0x10);
    cap.send(f, true, kAckFlags, 0, {dfin});  // 11
    MptcpOption fail;
    fail.subtype = MptcpSubtype::Fail;
    fail.length = 12;
    fail.dsn = cd.idsn + 50;
    cap.send(j, false, kAckFlags, 0, {fail});  // 12
    cap.send(j, true, kPshAckFlags, 100, {dss_map(cd.idsn + 102, 1, 0)});  // 13: infinite mapping -> fallback
    MptcpOption fc;
    fc.subtype = MptcpSubtype::FastClose;
    fc.length = 12;
    fc.receiver_key = kServerKey;
    fc.has_receiver_key = true;
    cap.send(f, true, kAckFlags, 0, {fc});  // 14
    MptcpOption tr;
    tr.subtype = MptcpSubtype::TcpRst;
    tr.length = 4;
    tr.reason = 1;
    cap.send(j, false, tcp_flag::kRst, 0, {tr});  // 15

    const auto model = ConnectionModel::build(cap.table);
    REQUIRE(model.mptcp.size() == 1);
    CHECK(model.mptcp[0].fallback == Fallback::InfiniteMapping);
    const auto events = mptcp_events(cap.table, model, &model.mptcp[0]);
    std::vector<std::pair<std::uint32_t, std::string>> got;
    for (const auto& e : events) got.emplace_back(e.frame, e.kind);
    const std::vector<std::pair<std::uint32_t, std::string>> expected = {
        {1, "mp_capable"},  {2, "mp_capable"},   {3, "mp_capable"},       {4, "mp_join"},
        {5, "add_addr"},    {6, "mp_join"},      {7, "mp_join"},          {9, "remove_addr"},
        {10, "mp_prio"},    {11, "data_fin"},    {12, "mp_fail"},         {13, "infinite_mapping"},
        {13, "fallback"},   {14, "mp_fastclose"}, {15, "mp_tcprst"},
    };
    CHECK(got == expected);
    for (std::size_t i = 1; i < events.size(); ++i) CHECK(events[i - 1].frame <= events[i].frame);
    // Senders are MPTCP endpoints.
    for (const auto& e : events) {
        INFO("frame " << e.frame << " " << e.kind);
        if (e.kind == "fallback") {  // the end that fell back: the sender of the infinite mapping
            CHECK(e.sender == "client");
            continue;
        }
        if (e.frame == 4 || e.frame == 7 || e.frame == 13 || e.frame == 14 || e.frame == 11) CHECK(e.sender == "client");
        if (e.frame == 5 || e.frame == 6 || e.frame == 9 || e.frame == 10 || e.frame == 12 || e.frame == 15)
            CHECK(e.sender == "server");
        CHECK(e.mptcp_stream == model.mptcp[0].mptcp_stream);
    }
    // The join's HMAC verdict is reported on the SYN/ACK and third ACK.
    for (const auto& e : events) {
        if (e.kind != "mp_join" || e.frame == 4) continue;
        bool found = false;
        for (const auto& [k, v] : e.details)
            if (k == "hmac") found = v.name == "valid";
        CHECK(found);
    }
    // All connections: the same list here (no unattached subflow).
    CHECK(mptcp_events(cap.table, model, nullptr).size() == events.size());
}

TEST_CASE("connections: events of a join opened by the server name the server as sender", "[connections][events]") {
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
    open_mptcp(cap, f);
    Flow j = cap.flow(1, "10.0.0.2", 41000, "10.0.1.1", 6000);
    join(cap, j, 1, glib_token(1, kClientKey), kServerKey, kClientKey);
    const auto model = ConnectionModel::build(cap.table);
    REQUIRE(model.mptcp.size() == 1);
    const auto events = mptcp_events(cap.table, model, &model.mptcp[0]);
    std::vector<std::string> senders;
    for (const auto& e : events)
        if (e.kind == "mp_join") senders.push_back(e.sender);
    CHECK(senders == std::vector<std::string>{"server", "client", "server"});
}

TEST_CASE("connections: events of an unattached join are listed with mptcp_stream -1", "[connections][events]") {
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
    open_mptcp(cap, f);
    Flow j = cap.flow(1, "10.0.1.1", 40001, "10.0.0.2", 5201, 1000, 5000, -1);
    join(cap, j, 1, 0xabcdef01U, kClientKey, kServerKey);
    const auto model = ConnectionModel::build(cap.table);
    const auto events = mptcp_events(cap.table, model, nullptr);
    std::size_t unattached = 0;
    for (const auto& e : events)
        if (e.tcp_stream == 1) {
            CHECK(e.mptcp_stream == -1);
            CHECK(e.kind == "mp_join");
            ++unattached;
        }
    CHECK(unattached == 3);
    CHECK(events.size() == 6);
}

TEST_CASE("connections: equal port numbers fall back to the first packet's sender as client", "[connections]") {
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.2", 7000, "10.0.0.1", 7000);
    cap.send(f, true, kPshAckFlags, 10);
    cap.send(f, false, kPshAckFlags, 10);
    const auto m = ConnectionModel::build(cap.table);
    REQUIRE(m.tcp.size() == 1);
    CHECK(m.tcp[0].orientation == Orientation::FirstPacket);
    CHECK(m.tcp[0].orientation_inferred());
    CHECK(m.tcp[0].client == ep("10.0.0.2", 7000));
    CHECK(has_anomaly(m, "missing_handshake", 0u));
}

TEST_CASE("connections: TCP byte counts survive a 32-bit sequence wrap", "[connections]") {
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 80, 0xffffff00U, 0x7fffffffU);
    cap.send(f, true, kSynFlags, 0);
    cap.send(f, false, kSynAckFlags, 0);
    const std::uint32_t seq5 = [&] {
        std::uint32_t s = 0;
        for (int i = 0; i < 10; ++i) {
            if (i == 5) s = f.next[0];
            cap.send(f, true, kPshAckFlags, 100);
        }
        return s;
    }();
    cap.send(f, true, kPshAckFlags, 100, {}, seq5);  // retransmission after the wrap
    const auto m = ConnectionModel::build(cap.table);
    REQUIRE(m.tcp.size() == 1);
    const auto& st = m.tcp[0].stats(TcpDirection::ClientToServer);
    CHECK(st.payload_bytes == 1100);
    CHECK(st.unique_bytes == 1000);
    CHECK(st.retransmitted_bytes == 100);
}

TEST_CASE("connections: joins attach to the connection whose key gives their token", "[connections]") {
    const std::uint64_t ck2 = 0x0102030405060708ULL, sk2 = 0x1112131415161718ULL;
    Capture cap;
    Flow a = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201, 1000, 5000, 0);
    Flow b = cap.flow(1, "10.0.0.1", 40010, "10.0.0.2", 5201, 1000, 5000, 1);
    open_mptcp(cap, a);
    open_mptcp(cap, b, 1, ck2, sk2);
    Flow ja = cap.flow(2, "10.0.1.1", 40001, "10.0.0.2", 5201, 1000, 5000, 0);
    Flow jb = cap.flow(3, "10.0.1.1", 40011, "10.0.0.2", 5201, 1000, 5000, 1);
    join(cap, jb, 1, glib_token(1, sk2), ck2, sk2);
    join(cap, ja, 1, glib_token(1, kServerKey), kClientKey, kServerKey);
    const auto m = ConnectionModel::build(cap.table);
    REQUIRE(m.mptcp.size() == 2);
    CHECK(m.mptcp_of(2) == m.find_mptcp(0));
    CHECK(m.mptcp_of(3) == m.find_mptcp(1));
    CHECK(m.find_mptcp(0)->subflows.size() == 2);
    CHECK(m.find_mptcp(1)->subflows.size() == 2);
    CHECK(m.find_mptcp(1)->subflows[1].hmac_valid == std::optional<bool>(true));
}

TEST_CASE("connections: the SYN/ACK's MP_CAPABLE version wins, checksums if either side asks", "[connections]") {
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
    MptcpOption syn = capable(1, std::nullopt, std::nullopt);
    syn.flags = 0x81;  // A: checksum required
    cap.send(f, true, kSynFlags, 0, {syn});
    cap.send(f, false, kSynAckFlags, 0, {capable(0, kServerKey, std::nullopt)});
    cap.send(f, true, kAckFlags, 0, {capable(0, kClientKey, kServerKey)});
    const auto m = ConnectionModel::build(cap.table);
    REQUIRE(m.mptcp.size() == 1);
    CHECK(m.mptcp[0].version == 0);
    CHECK(m.mptcp[0].checksums);
    CHECK(m.mptcp[0].client_token() == glib_token(0, kClientKey));
}

TEST_CASE("connections: an empty table gives an empty model", "[connections]") {
    PacketTable empty;
    const auto m = ConnectionModel::build(empty);
    CHECK(m.tcp.empty());
    CHECK(m.mptcp.empty());
    CHECK(m.anomalies.empty());
    CHECK(m.find_tcp(0) == nullptr);
    CHECK(m.mptcp_of(0) == nullptr);
    CHECK(mptcp_events(empty, m, nullptr).empty());
}

TEST_CASE("connections: a sender that stops sending DSS after MP_FAIL on its only subflow falls back",
          "[connections][mp_fail]") {
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
    open_mptcp(cap, f);
    const KeyDerived cd = derive_from_key(kClientKey, 1);
    // One mapping of 200 bytes over two segments; the second, after the MP_FAIL, carries no DSS
    // but is covered: no evidence of a fallback yet.
    cap.send(f, true, kPshAckFlags, 100, {dss_map(cd.idsn + 1, 1, 200)});
    MptcpOption fail;
    fail.subtype = MptcpSubtype::Fail;
    fail.length = 12;
    fail.dsn = cd.idsn + 1;
    cap.send(f, false, kAckFlags, 0, {fail});
    cap.send(f, true, kPshAckFlags, 100);
    const auto bare = cap.send(f, true, kPshAckFlags, 100);  // no mapping covers it
    cap.send(f, true, kPshAckFlags, 100);
    cap.send(f, false, kPshAckFlags, 50);  // the server's data, also without DSS, comes later
    const auto m = ConnectionModel::build(cap.table);
    REQUIRE(m.mptcp.size() == 1);
    CHECK(m.mptcp[0].fallback == Fallback::AfterMpFail);
    CHECK(std::string(to_string(m.mptcp[0].fallback)) == "mp_fail_no_dss");
    CHECK(m.mptcp[0].fallback_frame == cap.frame_of(bare));
    CHECK(m.mptcp[0].fallback_direction == DataDirection::ToServer);
    const auto events = mptcp_events(cap.table, m, &m.mptcp[0]);
    std::size_t fallbacks = 0;
    for (const auto& e : events) {
        if (e.kind != "fallback") continue;
        ++fallbacks;
        CHECK(e.frame == cap.frame_of(bare));
        CHECK(e.sender == "client");
    }
    CHECK(fallbacks == 1);
}

TEST_CASE("connections: DSS-less data after MP_FAIL is no fallback when the sender maps again or another "
          "subflow carries data",
          "[connections][mp_fail]") {
    const KeyDerived cd = derive_from_key(kClientKey, 1);
    MptcpOption fail;
    fail.subtype = MptcpSubtype::Fail;
    fail.length = 12;
    fail.dsn = cd.idsn + 1;
    {
        Capture cap;
        Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
        open_mptcp(cap, f);
        cap.send(f, true, kPshAckFlags, 100, {dss_map(cd.idsn + 1, 1, 100)});
        cap.send(f, false, kAckFlags, 0, {fail});
        cap.send(f, true, kPshAckFlags, 100);
        cap.send(f, true, kPshAckFlags, 100, {dss_map(cd.idsn + 201, 201, 100)});  // still MPTCP
        const auto m = ConnectionModel::build(cap.table);
        REQUIRE(m.mptcp.size() == 1);
        CHECK(m.mptcp[0].fallback == Fallback::None);
    }
    {
        Capture cap;
        Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
        open_mptcp(cap, f);
        Flow j = cap.flow(1, "10.0.1.1", 40001, "10.0.0.2", 5201);
        join(cap, j, 1, glib_token(1, kServerKey), kClientKey, kServerKey);
        cap.send(f, true, kPshAckFlags, 100, {dss_map(cd.idsn + 1, 1, 100)});
        cap.send(f, false, kAckFlags, 0, {fail});
        cap.send(f, true, kPshAckFlags, 100);
        cap.send(j, true, kPshAckFlags, 100, {dss_map(cd.idsn + 101, 1, 100)});  // the other subflow goes on
        const auto m = ConnectionModel::build(cap.table);
        REQUIRE(m.mptcp.size() == 1);
        REQUIRE(m.mptcp[0].subflows.size() == 2);
        CHECK(m.mptcp[0].fallback == Fallback::None);
    }
}

TEST_CASE("connections: repeated events are counted, relative DSNs count from the IDSN", "[connections][events]") {
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
    open_mptcp(cap, f);
    const KeyDerived cd = derive_from_key(kClientKey, 1);
    cap.send(f, true, kPshAckFlags, 100, {dss_map(cd.idsn + 1, 1, 100)});
    MptcpOption dfin = dss_map(cd.idsn + 101, 0, 1);
    dfin.data_fin = true;
    const auto first_fin = cap.send(f, true, kAckFlags, 0, {dfin});
    cap.send(f, false, kAckFlags, 0, {prio(true)});
    cap.send(f, true, kAckFlags, 0, {dfin});
    cap.send(f, false, kAckFlags, 0, {prio(false)});
    const auto last_fin = cap.send(f, true, kAckFlags, 0, {dfin});
    cap.send(f, false, kAckFlags, 0, {prio(true)});  // a change back: a new event
    const auto m = ConnectionModel::build(cap.table);
    const auto events = mptcp_events(cap.table, m, &m.mptcp[0]);
    std::vector<const MptcpEvent*> fins, prios;
    for (const auto& e : events) {
        if (e.kind == "data_fin") fins.push_back(&e);
        if (e.kind == "mp_prio") prios.push_back(&e);
    }
    REQUIRE(fins.size() == 1);
    CHECK(fins[0]->count == 3);
    CHECK(fins[0]->frame == cap.frame_of(first_fin));
    CHECK(fins[0]->last_frame == cap.frame_of(last_fin));
    CHECK(fins[0]->last_time_ns == cap.time_of(last_fin));
    CHECK(fins[0]->dsn == std::optional<std::uint64_t>(101));
    // A 4-byte DSN on the wire, extended to 64 bits for the relative one.
    CHECK(fins[0]->raw_dsn == std::optional<std::uint64_t>((cd.idsn + 101) & 0xffffffffULL));
    REQUIRE(prios.size() == 3);
    for (const auto* p : prios) CHECK(p->count == 1);
}

namespace {

// DSS-mapped data on `f` from its TCP client: `len` bytes at data sequence number `dsn`.
std::uint32_t send_mapped_data(Capture& cap, Flow& f, std::uint64_t dsn, std::uint16_t len) {
    return cap.send(f, true, kPshAckFlags, len, {dss_map(dsn, f.rel_next(true), len)});
}

}  // namespace

TEST_CASE("connections: subflows Wireshark numbered with an mptcp.stream no identified connection has form a "
          "connection of their own",
          "[connections][partial]") {
    Capture cap;
    // Wireshark's numbers: the identified connection is 2, the subflows it could not attach 1;
    // the partial connection must come first, by mptcp.stream.
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201, 1000, 5000, 2);
    open_mptcp(cap, f);
    // Mid-connection subflows: no handshake, DSS only.
    Flow a = cap.flow(1, "10.0.1.1", 40001, "10.0.0.2", 5201, 1000, 5000, 1);
    Flow b = cap.flow(2, "10.0.2.1", 40002, "10.0.0.2", 5201, 2000, 6000, 1);
    const std::uint32_t first_row = send_mapped_data(cap, a, 7001, 100);
    send_mapped_data(cap, b, 7101, 50);
    // Numbered like the identified connection, or not at all: never attached by guess.
    Flow c = cap.flow(3, "10.0.3.1", 40003, "10.0.0.2", 5201, 1000, 5000, 2);
    send_mapped_data(cap, c, 9001, 10);
    Flow d = cap.flow(4, "10.0.4.1", 40004, "10.0.0.2", 5201, 1000, 5000, PacketRecord::kUnknownMptcpStream);
    send_mapped_data(cap, d, 9001, 10);

    const auto m = ConnectionModel::build(cap.table);
    REQUIRE(m.mptcp.size() == 2);
    CHECK(m.mptcp_streams() == std::vector<std::int64_t>{1, 2});
    const MptcpConnection& partial = m.mptcp[0];
    CHECK(partial.version == -1);
    CHECK_FALSE(partial.client_key);
    CHECK_FALSE(partial.server_key);
    CHECK_FALSE(partial.client_token());
    CHECK(partial.initial_tcp_stream == 1u);
    CHECK(partial.client == ep("10.0.1.1", 40001));
    REQUIRE(partial.subflows.size() == 2);
    for (std::size_t i = 0; i < 2; ++i) {
        const Subflow& sf = partial.subflows[i];
        CHECK(sf.tcp_stream == i + 1);
        CHECK(sf.attachment == Attachment::WiresharkStream);
        CHECK(sf.role == SubflowRole::Unknown);
        CHECK(sf.towards_server);
        CHECK_FALSE(sf.hmac_valid);
        // The TCP connection's links follow the re-ordering.
        CHECK(m.mptcp_of(sf.tcp_stream) == &partial);
        CHECK(m.find_tcp(sf.tcp_stream)->subflow_index == static_cast<int>(i));
    }
    CHECK(m.mptcp_of(0) == &m.mptcp[1]);
    CHECK(has_anomaly(m, "partial_connection", 1u, cap.frame_of(first_row)));
    CHECK(m.unattached_subflows == std::vector<std::uint32_t>{3, 4});
    for (const auto& an : m.anomalies)
        if (an.tcp_stream == 1 || an.tcp_stream == 2) CHECK(an.mptcp_stream == 1);
}

TEST_CASE("connections: a subflow with MP_JOIN but an unknown token, numbered by Wireshark, is a join of its "
          "partial connection",
          "[connections][partial]") {
    Capture cap;
    Flow j = cap.flow(0, "10.0.1.1", 40001, "10.0.0.2", 5201, 1000, 5000, 0);
    const JoinRows rows = join(cap, j, 1, 0x12345678U, kClientKey, kServerKey, true);
    const auto m = ConnectionModel::build(cap.table);
    REQUIRE(m.mptcp.size() == 1);
    REQUIRE(m.mptcp[0].subflows.size() == 1);
    const Subflow& sf = m.mptcp[0].subflows[0];
    CHECK(sf.role == SubflowRole::Join);
    CHECK(sf.attachment == Attachment::WiresharkStream);
    CHECK(sf.client_address_id == std::optional<std::uint8_t>(3));
    CHECK(sf.server_address_id == std::optional<std::uint8_t>(7));
    CHECK(sf.backup);
    CHECK_FALSE(sf.hmac_valid);  // no keys to check them with
    CHECK(has_anomaly(m, "unknown_join_token", 0u, cap.frame_of(rows.syn)));
    CHECK(has_anomaly(m, "partial_connection", 0u));
    CHECK(m.unattached_subflows.empty());
}

TEST_CASE("connections: a connection known only by Wireshark's number is analysed without keys", "[connections][partial]") {
    Capture cap;
    Flow a = cap.flow(0, "10.0.1.1", 40001, "10.0.0.2", 5201, 1000, 5000, 0);
    Flow b = cap.flow(1, "10.0.2.1", 40002, "10.0.0.2", 5201, 2000, 6000, 0);
    send_mapped_data(cap, a, 7001, 100);
    send_mapped_data(cap, b, 7101, 50);
    send_mapped_data(cap, b, 7001, 100);  // the first 100 bytes again, on the other subflow
    cap.send(a, false, kAckFlags, 0, {dss_ack(7151)});
    const AnalysisSession session{PacketTable(cap.table)};
    const MptcpConnection& m = session.mptcp(0);
    const MptcpAnalysis& analysis = session.analysis(m);
    const auto& to_server = analysis.summary.directions[static_cast<std::size_t>(DataDirection::ToServer)];
    CHECK(to_server.wire_bytes == 250);
    CHECK(to_server.application_bytes == 150);  // DSNs 7001 to 7150, relative to the lowest one seen
    CHECK(to_server.reinjected_bytes == 100);
    CHECK(analysis.reinjections.reinjections.size() == 1);
    CHECK_FALSE(analysis.data.base_from_key[0]);
    for (const auto& e : session.events(&m)) CHECK(e.mptcp_stream == 0);
    CHECK(session.valid_mptcp_streams() == "0");
}

TEST_CASE("analysis session: the valid stream numbers of an error are listed with runs of three as ranges",
          "[connections][partial]") {
    Capture cap;
    for (std::uint32_t s : {0u, 1u, 2u, 3u, 5u, 7u, 8u}) {
        Flow f = cap.flow(s, "10.0.0.1", static_cast<std::uint16_t>(40000 + s), "10.0.0.2", 5201);
        cap.send(f, true, kSynFlags, 0);
    }
    const AnalysisSession session{PacketTable(cap.table)};
    CHECK(session.valid_tcp_streams() == "0-3, 5, 7, 8");
    CHECK(session.valid_mptcp_streams() == "none (no MPTCP connection)");
    CHECK_THROWS_WITH(session.tcp(4), "no tcp.stream 4 in this capture; valid: 0-3, 5, 7, 8");
}
