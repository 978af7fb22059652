// Per-packet series behind the plots (analysis/packet_series) on synthetic connections: DSS
// mappings listed once per announcement and continuous across a 2^32 DSN wrap, new bytes
// counted once whatever resends them, TCP windows scaled by the handshake's window scale only
// when both SYNs carried it, attribute names that round-trip.

#include <catch2/catch.hpp>

#include <cstdint>
#include <numeric>
#include <vector>

#include "mptcpanalyzer/analysis/mptcp_data.hpp"
#include "mptcpanalyzer/analysis/packet_series.hpp"
#include "mptcpanalyzer/model/connections.hpp"
#include "mptcpanalyzer/model/mptcp_crypto.hpp"
#include "synthetic_records.hpp"

using namespace mptcpanalyzer;

namespace {

// SHA-256 of this key puts its IDSN 25509 bytes below a 2^32 boundary (see test_mptcp_data.cpp).
constexpr std::uint64_t kWrapClientKey = 0x3a61;
constexpr std::uint64_t kServerKey = 0x878f;

void open_v1(Capture& cap, Flow& f) {
    mptcp_handshake(cap, f, kWrapClientKey, kServerKey);
}

}  // namespace

TEST_CASE("packet series: DSS mappings once per announcement, continuous across a DSN wrap") {
    const KeyDerived cd = derive_from_key(kWrapClientKey, 1);
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
    open_v1(cap, f);
    // 20 mappings of 3000 bytes, each carried by 3 segments repeating the same DSS (as Linux does):
    // 60 kB, past the 2^32 boundary of the 4-byte DSN.
    for (std::uint64_t m = 0; m < 20; ++m) {
        const std::uint32_t ssn = f.rel_next(true);
        for (int s = 0; s < 3; ++s) {
            cap.send(f, true, kPshAckFlags, 1000, {dss_map(cd.idsn + 1 + m * 3000, ssn, 3000)});
        }
    }
    const ConnectionModel model = ConnectionModel::build(cap.table);
    REQUIRE(model.mptcp.size() == 1);
    const ConnectionData data = map_connection_data(cap.table, model, model.mptcp[0]);
    const auto mappings = dss_mappings(cap.table, model, model.mptcp[0], data);
    REQUIRE(mappings.size() == 20);
    for (std::size_t m = 0; m < mappings.size(); ++m) {
        INFO("mapping " << m);
        CHECK(mappings[m].direction == DataDirection::ToServer);
        CHECK(mappings[m].relative_dsn == 1 + m * 3000);
        CHECK(mappings[m].length == 3000);
        CHECK(mappings[m].subflow_seq == 1 + m * 3000);
    }
    // The DSN attribute of mptcp-attr gives each segment's own DSN.
    const auto dsn = mptcp_attribute_series(cap.table, model, model.mptcp[0], data, 0, DataDirection::ToServer,
                                            MptcpAttribute::Dsn);
    REQUIRE(dsn.size() == 60);
    for (std::size_t i = 0; i < dsn.size(); ++i) CHECK(dsn[i].value == 1 + 1000.0 * static_cast<double>(i));
    const auto lengths = mptcp_attribute_series(cap.table, model, model.mptcp[0], data, 0, DataDirection::ToServer,
                                                MptcpAttribute::DssLength);
    CHECK(lengths.size() == 20);
}

TEST_CASE("packet series: new bytes count each DSN once, whatever resends it") {
    const KeyDerived cd = derive_from_key(kWrapClientKey, 1);
    Capture cap;
    Flow a = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
    open_v1(cap, a);
    auto send = [&](std::uint64_t rel, std::uint32_t len, std::optional<std::uint32_t> seq = std::nullopt) {
        const std::uint32_t ssn = seq ? *seq - a.isn[0] : a.rel_next(true);
        cap.send(a, true, kPshAckFlags, len, {dss_map(cd.idsn + rel, ssn, static_cast<std::uint16_t>(len))}, seq);
    };
    send(1, 1000);                  // [1, 1001): new
    send(1001, 1000);               // [1001, 2001): new
    send(1, 1000, a.isn[0] + 1);    // a retransmission: nothing new
    send(2001, 500);                // new
    send(1501, 1000, a.isn[0] + 1501);  // half old, [2001, 2501) old too: nothing new
    const ConnectionModel model = ConnectionModel::build(cap.table);
    const ConnectionData data = map_connection_data(cap.table, model, model.mptcp[0]);
    const auto fresh = new_data_bytes(data);
    CHECK(fresh == std::vector<std::uint64_t>{1000, 1000, 0, 500, 0});
    CHECK(std::accumulate(fresh.begin(), fresh.end(), std::uint64_t{0}) == data.application_bytes(DataDirection::ToServer));

    // The TCP view of the same subflow: all bytes, or only those of new sequence space.
    const TcpConnection& t = model.tcp[0];
    const auto all = tcp_payload_bytes(cap.table, t, TcpDirection::ClientToServer, false);
    const auto news = tcp_payload_bytes(cap.table, t, TcpDirection::ClientToServer, true);
    REQUIRE(all.size() == 5);
    REQUIRE(news.size() == 5);
    std::uint64_t total = 0, unique = 0;
    for (std::size_t i = 0; i < 5; ++i) total += all[i].second, unique += news[i].second;
    CHECK(total == 4500);
    CHECK(unique == 2500);
    CHECK(news[2].second == 0);
}

TEST_CASE("packet series: windows are scaled only when both SYNs carried a window scale") {
    for (const bool both : {true, false}) {
        INFO("both SYNs with window scale: " << both);
        Capture cap;
        Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 80, 1000, 5000, PacketRecord::kUnknownMptcpStream);
        const auto syn = cap.send(f, true, kSynFlags, 0);
        const auto synack = cap.send(f, false, kSynAckFlags, 0);
        const auto data = cap.send(f, true, kPshAckFlags, 100);
        const auto ack = cap.send(f, false, kAckFlags, 0);
        auto& c = cap.table.mutable_columns();
        c.window_scale[syn] = 7;
        c.window_scale[synack] = both ? 2 : -1;
        for (auto row : {syn, synack, data, ack}) c.window_raw[row] = 1000;
        const ConnectionModel model = ConnectionModel::build(cap.table);
        const TcpConnection& t = model.tcp[0];
        const auto up = tcp_attribute_series(cap.table, t, TcpDirection::ClientToServer, TcpAttribute::Window);
        const auto down = tcp_attribute_series(cap.table, t, TcpDirection::ServerToClient, TcpAttribute::Window);
        REQUIRE(up.size() == 2);
        REQUIRE(down.size() == 2);
        CHECK(up[0].value == 1000);  // a SYN's window is never scaled
        CHECK(down[0].value == 1000);
        CHECK(up[1].value == (both ? 1000 << 7 : 1000));
        CHECK(down[1].value == (both ? 1000 << 2 : 1000));
        const auto length = tcp_attribute_series(cap.table, t, TcpDirection::ClientToServer, TcpAttribute::Length);
        CHECK(length.back().value == 100);
        // Acknowledgment numbers exist on packets with ACK only: not on the SYN.
        CHECK(tcp_attribute_series(cap.table, t, TcpDirection::ClientToServer, TcpAttribute::Ack).size() == 1);
    }
}

TEST_CASE("packet series: attribute names round-trip and have labels with units") {
    for (auto name : tcp_attribute_names()) {
        const auto a = parse_tcp_attribute(name);
        REQUIRE(a);
        CHECK(describe(*a).name == name);
        CHECK(describe(*a).label.find('(') != std::string_view::npos);
    }
    for (auto name : mptcp_attribute_names()) {
        const auto a = parse_mptcp_attribute(name);
        REQUIRE(a);
        CHECK(describe(*a).name == name);
        CHECK(describe(*a).label.find('(') != std::string_view::npos);
    }
    CHECK_FALSE(parse_tcp_attribute("dsn"));
    CHECK_FALSE(parse_mptcp_attribute("rtt"));
}
