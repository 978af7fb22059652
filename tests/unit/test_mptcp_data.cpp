// Data-level arithmetic (analysis/mptcp_data): every data segment of a synthetic MPTCP
// connection gets the 64-bit DSN its DSS mapping gives it, 4-byte DSNs and DATA_ACKs are
// extended across 2^32 wraps so ranges stay continuous, mappings may cover several segments,
// retransmissions map to the same DSN, and a v1 MP_CAPABLE carrying data maps at IDSN + 1.

#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "mptcpanalyzer/analysis/mptcp_data.hpp"
#include "mptcpanalyzer/model/connections.hpp"
#include "mptcpanalyzer/model/mptcp_crypto.hpp"
#include "mptcpanalyzer/model/packet_record.hpp"
#include "mptcpanalyzer/model/packet_table.hpp"
#include "synthetic_records.hpp"

using namespace mptcpanalyzer;

namespace {

// Record builders: synthetic_records.hpp

// SHA-256 of these keys ends in 0xffff9c5a / 0xffffab37: their IDSNs are 25509 / 21704 bytes
// below a 2^32 boundary, so a few dozen 1000-byte segments wrap the lower 32 bits of the DSN.
constexpr std::uint64_t kWrapClientKey = 0x3a61;
constexpr std::uint64_t kWrapServerKey = 0x878f;

// Sends `len` bytes with a DSS mapping of exactly those bytes.
std::uint32_t send_mapped(Capture& cap, Flow& f, bool from_client, std::uint64_t dsn, std::uint32_t len,
                          bool dsn8 = false) {
    const std::uint32_t ssn = f.rel_next(from_client);
    return cap.send(f, from_client, kPshAckFlags, len, {dss_map(dsn, ssn, static_cast<std::uint16_t>(len), dsn8)});
}

struct Built {
    ConnectionModel model;
    ConnectionData data;
};

Built analyse(const Capture& cap) {
    Built b{ConnectionModel::build(cap.table), {}};
    REQUIRE(b.model.mptcp.size() == 1);
    b.data = map_connection_data(cap.table, b.model, b.model.mptcp[0]);
    return b;
}

std::vector<DataSegment> segments_of(const ConnectionData& data, DataDirection d) {
    std::vector<DataSegment> out;
    for (const auto& s : data.segments)
        if (s.direction == d) out.push_back(s);
    return out;
}

// Every segment starts where the previous one ended.
void check_continuous(const std::vector<DataSegment>& segs, std::uint64_t first_dsn) {
    REQUIRE_FALSE(segs.empty());
    CHECK(segs.front().dsn == first_dsn);
    for (std::size_t i = 1; i < segs.size(); ++i) {
        INFO("segment " << i);
        CHECK(segs[i].dsn == segs[i - 1].dsn + segs[i - 1].length);
    }
}

void wrap_test(bool dsn8) {
    const KeyDerived cd = derive_from_key(kWrapClientKey, 1);
    const KeyDerived sd = derive_from_key(kWrapServerKey, 1);
    // The premise: both IDSNs are within 30000 bytes below a multiple of 2^32.
    REQUIRE((cd.idsn & 0xffffffffULL) > 0xffffffffULL - 30000);
    REQUIRE((sd.idsn & 0xffffffffULL) > 0xffffffffULL - 30000);

    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
    mptcp_handshake(cap, f, kWrapClientKey, kWrapServerKey);
    constexpr std::uint32_t kLen = 1000;
    constexpr int kSegments = 40;
    for (int i = 0; i < kSegments; ++i) {
        send_mapped(cap, f, true, cd.idsn + 1 + std::uint64_t{kLen} * static_cast<std::uint64_t>(i), kLen, dsn8);
        send_mapped(cap, f, false, sd.idsn + 1 + std::uint64_t{kLen} * static_cast<std::uint64_t>(i), kLen, dsn8);
    }
    const Built b = analyse(cap);
    CHECK(b.data.unmapped.empty());
    for (auto [dir, idsn] : {std::pair{DataDirection::ToServer, cd.idsn}, std::pair{DataDirection::ToClient, sd.idsn}}) {
        INFO("direction " << to_string(dir));
        const auto segs = segments_of(b.data, dir);
        REQUIRE(segs.size() == kSegments);
        check_continuous(segs, idsn + 1);
        // The lower 32 bits wrapped through 0xffffffff -> 0, the upper 32 bits went up by one.
        CHECK((segs.back().dsn >> 32) == (idsn >> 32) + 1);
        CHECK(b.data.base_from_key[static_cast<std::size_t>(dir)]);
        CHECK(b.data.base[static_cast<std::size_t>(dir)] == idsn);
        for (std::size_t i = 0; i < segs.size(); ++i) {
            INFO("segment " << i);
            CHECK(b.data.relative(dir, segs[i].dsn) == 1 + std::uint64_t{kLen} * i);
        }
        CHECK(b.data.application_bytes(dir) == std::uint64_t{kLen} * kSegments);
    }
}

}  // namespace

TEST_CASE("mptcp data: a DSN wrap past 2^32 keeps ranges continuous", "[mptcp_data]") {
    wrap_test(false);
}

TEST_CASE("mptcp data: a DSN wrap past 2^32 keeps ranges continuous with 8-byte DSNs", "[mptcp_data]") {
    wrap_test(true);
}

TEST_CASE("mptcp data: relative DSNs keep growing past 2^32 (capture with 1 GiB gaps, 4-byte DSNs)",
          "[mptcp_data]") {
    const std::uint64_t ck = 0xdeeadfc39671faccULL, sk = 0x65f21644a86e59b3ULL;
    const KeyDerived cd = derive_from_key(ck, 1);
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
    mptcp_handshake(cap, f, ck, sk);
    constexpr std::uint32_t kGap = 1U << 30;
    std::vector<std::uint64_t> rel;
    for (std::uint64_t i = 0; i < 12; ++i) {  // 12 GiB in all: the relative DSN passes 2^32 twice
        const std::uint64_t r = 1 + i * kGap;
        rel.push_back(r);
        // The capture missed the bytes in between: subflow and data sequence numbers jump.
        f.next[0] = f.isn[0] + static_cast<std::uint32_t>(r);
        send_mapped(cap, f, true, cd.idsn + r, 1000);
    }
    const Built b = analyse(cap);
    const auto segs = segments_of(b.data, DataDirection::ToServer);
    REQUIRE(segs.size() == rel.size());
    for (std::size_t i = 0; i < segs.size(); ++i) {
        INFO("segment " << i);
        CHECK(segs[i].dsn == cd.idsn + rel[i]);
        CHECK(b.data.relative(DataDirection::ToServer, segs[i].dsn) == rel[i]);
    }
    CHECK(b.data.relative(DataDirection::ToServer, segs.back().dsn) > (std::uint64_t{1} << 33));
}

TEST_CASE("mptcp data: a mapping covers several segments when only the first carries the DSS", "[mptcp_data]") {
    const std::uint64_t ck = 0xdeeadfc39671faccULL, sk = 0x65f21644a86e59b3ULL;
    const KeyDerived cd = derive_from_key(ck, 1);
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
    mptcp_handshake(cap, f, ck, sk);
    // One mapping of 3000 bytes at relative DSN 1, carried by the first of three segments.
    cap.send(f, true, kPshAckFlags, 1000, {dss_map(cd.idsn + 1, 1, 3000)});
    cap.send(f, true, kPshAckFlags, 1000);
    cap.send(f, true, kPshAckFlags, 1000);
    // Beyond the mapping and without a DSS: no DSN.
    const std::uint32_t beyond = cap.send(f, true, kPshAckFlags, 500);
    const Built b = analyse(cap);
    const auto segs = segments_of(b.data, DataDirection::ToServer);
    REQUIRE(segs.size() == 3);
    check_continuous(segs, cd.idsn + 1);
    REQUIRE(b.data.unmapped.size() == 1);
    CHECK(b.data.unmapped[0] == beyond);
    CHECK(b.data.application_bytes(DataDirection::ToServer) == 3000);
}

TEST_CASE("mptcp data: a retransmitted segment maps to the same DSN", "[mptcp_data]") {
    const std::uint64_t ck = 0xdeeadfc39671faccULL, sk = 0x65f21644a86e59b3ULL;
    const KeyDerived cd = derive_from_key(ck, 1);
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
    mptcp_handshake(cap, f, ck, sk);
    // Mapping of 2000 bytes over two segments; then three more mapped segments.
    const std::uint32_t first_seq = f.next[0];
    cap.send(f, true, kPshAckFlags, 1000, {dss_map(cd.idsn + 1, 1, 2000)});
    const std::uint32_t second_seq = f.next[0];
    cap.send(f, true, kPshAckFlags, 1000);
    for (int i = 0; i < 3; ++i) send_mapped(cap, f, true, cd.idsn + 2001 + 1000 * static_cast<std::uint64_t>(i), 1000);
    // Retransmissions: the second segment without a DSS (its mapping was seen earlier), the
    // first one with its DSS again, as Linux does.
    const std::uint32_t r1 = cap.send(f, true, kPshAckFlags, 1000, {}, second_seq);
    const std::uint32_t r2 = cap.send(f, true, kPshAckFlags, 1000, {dss_map(cd.idsn + 1, 1, 2000)}, first_seq);
    const Built b = analyse(cap);
    CHECK(b.data.unmapped.empty());
    const auto segs = segments_of(b.data, DataDirection::ToServer);
    REQUIRE(segs.size() == 7);
    CHECK(segs[5].row == r1);
    CHECK(segs[5].dsn == cd.idsn + 1001);
    CHECK(segs[6].row == r2);
    CHECK(segs[6].dsn == cd.idsn + 1);
    CHECK(b.data.application_bytes(DataDirection::ToServer) == 5000);
}

TEST_CASE("mptcp data: 4-byte DATA_ACKs are extended across a 2^32 wrap", "[mptcp_data]") {
    const KeyDerived cd = derive_from_key(kWrapClientKey, 1);
    const KeyDerived sd = derive_from_key(kWrapServerKey, 1);
    for (bool ack8 : {false, true}) {
        INFO("8-byte DATA_ACK: " << ack8);
        Capture cap;
        Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
        mptcp_handshake(cap, f, kWrapClientKey, kWrapServerKey);
        std::vector<std::uint64_t> expected;
        for (std::uint64_t i = 0; i < 40; ++i) {
            const std::uint64_t dsn = cd.idsn + 1 + 1000 * i;
            send_mapped(cap, f, true, dsn, 1000);
            // The server acknowledges every segment; it sends no data.
            cap.send(f, false, kAckFlags, 0, {dss_ack(dsn + 1000, ack8)});
            expected.push_back(dsn + 1000);
            // And the client acknowledges the server's (empty) data stream: IDSN + 1.
            cap.send(f, true, kAckFlags, 0, {dss_ack(sd.idsn + 1, ack8)});
        }
        const Built b = analyse(cap);
        std::vector<std::uint64_t> to_server, to_client;
        for (const auto& a : b.data.data_acks)
            (a.direction == DataDirection::ToServer ? to_server : to_client).push_back(a.ack);
        CHECK(to_server == expected);
        REQUIRE(to_client.size() == 40);
        for (auto a : to_client) CHECK(a == sd.idsn + 1);
        CHECK((expected.back() >> 32) == (cd.idsn >> 32) + 1);
    }
}

TEST_CASE("mptcp data: extend_dsn without a reference or with 8 bytes keeps the raw value", "[mptcp_data]") {
    CHECK(extend_dsn(0x12345678ULL, false, std::nullopt) == 0x12345678ULL);
    CHECK(extend_dsn(0x123456789abcdef0ULL, true, std::nullopt) == 0x123456789abcdef0ULL);
    CHECK(extend_dsn(0x123456789abcdef0ULL, true, 0x10ULL) == 0x123456789abcdef0ULL);
    CHECK(extend_dsn(0x0ULL, true, 0xffffffffffffffffULL) == 0x0ULL);
}

TEST_CASE("mptcp data: extend_dsn picks the 64-bit value nearest the last one", "[mptcp_data]") {
    // Forward and backward across a 2^32 boundary.
    CHECK(extend_dsn(0x00000010ULL, false, 0x5fffffff0ULL) == 0x600000010ULL);
    CHECK(extend_dsn(0xfffffff0ULL, false, 0x600000010ULL) == 0x5fffffff0ULL);
    // Slightly backwards within the same 2^32 block, and equal.
    CHECK(extend_dsn(0x00000f00ULL, false, 0x500001000ULL) == 0x500000f00ULL);
    CHECK(extend_dsn(0x00001000ULL, false, 0x500001000ULL) == 0x500001000ULL);
    // Near 0 without going below it.
    CHECK(extend_dsn(0x20ULL, false, 0x10ULL) == 0x20ULL);
    CHECK(extend_dsn(0x00ULL, false, 0x10ULL) == 0x00ULL);
    CHECK(extend_dsn(0x7fffffffULL, false, 0x0ULL) == 0x7fffffffULL);
    // Near 2^64 without going past it.
    CHECK(extend_dsn(0xfffffff8ULL, false, 0xfffffffffffffff0ULL) == 0xfffffffffffffff8ULL);
    CHECK(extend_dsn(0xffffff00ULL, false, 0xfffffffffffffff0ULL) == 0xffffffffffffff00ULL);
    // The last 2^32 block below 2^64, entered from the one before.
    CHECK(extend_dsn(0x10ULL, false, 0xfffffffefffffff0ULL) == 0xffffffff00000010ULL);
}

TEST_CASE("mptcp data: extend_dsn wraps the 64-bit DSN space modulo 2^64", "[mptcp_data]") {
    // The DSN space is 64-bit modular (the IDSN is a random hash value; Linux's
    // __mptcp_expand_seq uses u64 arithmetic): after 2^64 - 1 comes 0, before 0 comes 2^64 - 1.
    CHECK(extend_dsn(0x10ULL, false, 0xfffffffffffffff0ULL) == 0x10ULL);
    CHECK(extend_dsn(0xfffffff0ULL, false, 0x10ULL) == 0xfffffffffffffff0ULL);
    CHECK(extend_dsn(0x0ULL, false, 0xffffffffffffffffULL) == 0x0ULL);
    CHECK(extend_dsn(0xffffffffULL, false, 0x0ULL) == 0xffffffffffffffffULL);
}

TEST_CASE("mptcp data: extend_dsn recovers any value within 2^31 of the last one", "[mptcp_data]") {
    std::mt19937_64 rng(20261126);
    std::vector<std::uint64_t> lasts = {0x80000000ULL, 0x100000000ULL, 0x17fffffffULL, 0x123456789abcdef0ULL,
                                        0x7fffffffffffffffULL, 0x8000000000000000ULL, 0xffffffff7fffffffULL};
    for (int i = 0; i < 2000; ++i) lasts.push_back(rng());
    std::uniform_int_distribution<std::int64_t> delta(-(std::int64_t{1} << 31) + 1, (std::int64_t{1} << 31) - 1);
    for (auto last : lasts) {
        // Stay away from the 2^64 wrap here: it is tested on its own above.
        if (last < (std::uint64_t{1} << 31) || last > ~std::uint64_t{0} - (std::uint64_t{1} << 31)) continue;
        for (int j = 0; j < 8; ++j) {
            const std::int64_t dlt = j == 0 ? 0 : delta(rng);
            const std::uint64_t value = last + static_cast<std::uint64_t>(dlt);
            INFO("last " << std::hex << last << " value " << value);
            CHECK(extend_dsn(value & 0xffffffffULL, false, last) == value);
        }
    }
}

TEST_CASE("mptcp data: a v1 MP_CAPABLE third ACK carrying data maps implicitly at IDSN + 1", "[mptcp_data]") {
    const std::uint64_t ck = 0xdeeadfc39671faccULL, sk = 0x65f21644a86e59b3ULL;
    const KeyDerived cd = derive_from_key(ck, 1);
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
    cap.send(f, true, kSynFlags, 0, {capable(1, std::nullopt, std::nullopt)});
    cap.send(f, false, kSynAckFlags, 0, {capable(1, sk, std::nullopt)});
    // Third ACK with 500 bytes of data: MP_CAPABLE with both keys and the data-level length (22 bytes).
    const MptcpOption third = capable(1, ck, sk, 500);
    REQUIRE(third.length == 22);
    const std::uint32_t row = cap.send(f, true, kPshAckFlags, 500, {third});
    send_mapped(cap, f, true, cd.idsn + 501, 1000);
    const Built b = analyse(cap);
    CHECK(b.model.mptcp[0].fallback == Fallback::None);
    CHECK(b.data.unmapped.empty());
    const auto segs = segments_of(b.data, DataDirection::ToServer);
    REQUIRE(segs.size() == 2);
    CHECK(segs[0].row == row);
    CHECK(segs[0].dsn == cd.idsn + 1);
    CHECK(b.data.relative(DataDirection::ToServer, segs[0].dsn) == 1);
    check_continuous(segs, cd.idsn + 1);
    CHECK(b.data.application_bytes(DataDirection::ToServer) == 1500);
}

TEST_CASE("mptcp data: application_bytes counts each DSN once per direction", "[mptcp_data]") {
    const std::uint64_t ck = 0xdeeadfc39671faccULL, sk = 0x65f21644a86e59b3ULL;
    const KeyDerived cd = derive_from_key(ck, 1);
    const KeyDerived sd = derive_from_key(sk, 1);
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
    mptcp_handshake(cap, f, ck, sk);
    const std::uint32_t seq = f.next[0];
    send_mapped(cap, f, true, cd.idsn + 1, 1000);
    send_mapped(cap, f, true, cd.idsn + 1001, 700);
    cap.send(f, true, kPshAckFlags, 1000, {dss_map(cd.idsn + 1, 1, 1000)}, seq);  // retransmission
    send_mapped(cap, f, false, sd.idsn + 1, 300);
    const Built b = analyse(cap);
    CHECK(b.data.application_bytes(DataDirection::ToServer) == 1700);
    CHECK(b.data.application_bytes(DataDirection::ToClient) == 300);

    // A connection without any data in a direction has 0 application bytes.
    Capture quiet;
    Flow g = quiet.flow(0, "10.0.0.1", 40001, "10.0.0.2", 5201);
    mptcp_handshake(quiet, g, ck, sk);
    send_mapped(quiet, g, true, cd.idsn + 1, 10);
    const Built q = analyse(quiet);
    CHECK(q.data.application_bytes(DataDirection::ToServer) == 10);
    CHECK(q.data.application_bytes(DataDirection::ToClient) == 0);
}

TEST_CASE("mptcp data: without keys the base is one below the lowest DSN seen", "[mptcp_data]") {
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
    // The capture starts mid-connection: DSS only, no MP_CAPABLE, so no connection is found...
    // ...unless an MP_CAPABLE is seen; use a v1 SYN/SYN-ACK whose keys we drop (ACK lost).
    cap.send(f, true, kSynFlags, 0, {capable(1, std::nullopt, std::nullopt)});
    cap.send(f, false, kSynAckFlags, 0, {capable(1, std::nullopt, std::nullopt)});
    cap.send(f, true, kAckFlags, 0, {capable(1, std::nullopt, std::nullopt)});
    send_mapped(cap, f, true, 0x1000, 100);
    send_mapped(cap, f, true, 0x1064, 100);
    const Built b = analyse(cap);
    CHECK_FALSE(b.data.base_from_key[0]);
    CHECK(b.data.base[0] == 0xfff);
    const auto segs = segments_of(b.data, DataDirection::ToServer);
    REQUIRE(segs.size() == 2);
    CHECK(b.data.relative(DataDirection::ToServer, segs[0].dsn) == 1);
    CHECK(b.data.relative(DataDirection::ToServer, segs[1].dsn) == 101);
}

TEST_CASE("mptcp data: data on a join opened by the server towards the client keeps its data direction",
          "[mptcp_data]") {
    const std::uint64_t ck = 0xdeeadfc39671faccULL, sk = 0x65f21644a86e59b3ULL;
    const KeyDerived cd = derive_from_key(ck, 1);
    const KeyDerived sd = derive_from_key(sk, 1);
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
    mptcp_handshake(cap, f, ck, sk);
    // The MPTCP server opens a subflow to the client: its MP_JOIN carries the client's token.
    Flow j = cap.flow(1, "10.0.0.2", 41000, "10.0.1.1", 6000);
    cap.send(j, true, kSynFlags, 0, {join_syn(cd.token, 0x1111, 5, false)});
    cap.send(j, false, kSynAckFlags, 0, {join_synack(std::vector<std::uint8_t>(8, 0), 0x2222, 2)});
    cap.send(j, true, kAckFlags, 0, {join_ack(std::vector<std::uint8_t>(20, 0))});
    // Server data on the initial subflow, then on the join (sent by the join's TCP client).
    send_mapped(cap, f, false, sd.idsn + 1, 1000);
    send_mapped(cap, j, true, sd.idsn + 1001, 1000);
    // Client data on the join (sent by the join's TCP server).
    send_mapped(cap, j, false, cd.idsn + 1, 400);
    const Built b = analyse(cap);
    REQUIRE(b.model.mptcp[0].subflows.size() == 2);
    CHECK_FALSE(b.model.mptcp[0].subflows[1].towards_server);
    const auto to_client = segments_of(b.data, DataDirection::ToClient);
    REQUIRE(to_client.size() == 2);
    check_continuous(to_client, sd.idsn + 1);
    CHECK(to_client[1].subflow == 1);
    const auto to_server = segments_of(b.data, DataDirection::ToServer);
    REQUIRE(to_server.size() == 1);
    CHECK(to_server[0].dsn == cd.idsn + 1);
    CHECK(to_server[0].subflow == 1);
}

TEST_CASE("mptcp data: v0 DSNs are relative to the SHA-1 IDSN of the sender's key", "[mptcp_data]") {
    const std::uint64_t ck = 0xca2f07947b1bfd2bULL, sk = 0x0102030405060708ULL;
    const KeyDerived cd = derive_from_key(ck, 0);
    const KeyDerived sd = derive_from_key(sk, 0);
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
    cap.send(f, true, kSynFlags, 0, {capable(0, ck, std::nullopt)});
    cap.send(f, false, kSynAckFlags, 0, {capable(0, sk, std::nullopt)});
    cap.send(f, true, kAckFlags, 0, {capable(0, ck, sk)});
    send_mapped(cap, f, true, cd.idsn + 1, 100);
    send_mapped(cap, f, false, sd.idsn + 1, 200, true);
    send_mapped(cap, f, true, cd.idsn + 101, 100);
    const Built b = analyse(cap);
    CHECK(b.model.mptcp[0].version == 0);
    CHECK(b.data.base[0] == cd.idsn);
    CHECK(b.data.base[1] == sd.idsn);
    const auto up = segments_of(b.data, DataDirection::ToServer);
    REQUIRE(up.size() == 2);
    check_continuous(up, cd.idsn + 1);
    const auto down = segments_of(b.data, DataDirection::ToClient);
    REQUIRE(down.size() == 1);
    CHECK(b.data.relative(DataDirection::ToClient, down[0].dsn) == 1);
}

TEST_CASE("mptcp data: a DSN wrap past 2^64 keeps ranges continuous (modulo 2^64)", "[mptcp_data]") {
    // No keys are seen, so the DSNs are whatever the sender used: here just below 2^64. The
    // first mapping has an 8-byte DSN (it sets the upper bits), later ones 4 or 8 bytes.
    for (bool later_dsn8 : {true, false}) {
        INFO("later DSNs on 8 bytes: " << later_dsn8);
        Capture cap;
        Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
        cap.send(f, true, kSynFlags, 0, {capable(1, std::nullopt, std::nullopt)});
        cap.send(f, false, kSynAckFlags, 0, {capable(1, std::nullopt, std::nullopt)});
        cap.send(f, true, kAckFlags, 0, {capable(1, std::nullopt, std::nullopt)});
        const std::uint64_t start = 0xfffffffffffff000ULL;  // 4096 bytes below 2^64
        for (std::uint64_t i = 0; i < 10; ++i) send_mapped(cap, f, true, start + 1000 * i, 1000, i == 0 || later_dsn8);
        const Built b = analyse(cap);
        const auto segs = segments_of(b.data, DataDirection::ToServer);
        REQUIRE(segs.size() == 10);
        std::vector<std::uint64_t> steps, rel, want_steps(9, 1000), want_rel;
        for (std::size_t i = 0; i < segs.size(); ++i) {
            if (i > 0) steps.push_back(segs[i].dsn - segs[i - 1].dsn);  // uint64 arithmetic: modulo 2^64
            rel.push_back(b.data.relative(DataDirection::ToServer, segs[i].dsn));
            want_rel.push_back(1 + 1000 * i);
        }
        CHECK(steps == want_steps);
        CHECK(rel == want_rel);
        CHECK(b.data.application_bytes(DataDirection::ToServer) == 10000);
    }
}
