// The TCP option parser: byte-exact option blocks built by hand from the RFC layouts
// (RFC 793/7323 options, MPTCP v0 RFC 6824 and v1 RFC 8684), robustness against cut and
// malformed blocks, and locating the TCP header in a captured frame.

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "mptcpanalyzer/model/tcp_option_parser.hpp"
#include "mptcpanalyzer/model/ip_address.hpp"
#include "mptcpanalyzer/model/packet_record.hpp"

using namespace mptcpanalyzer;

namespace Catch {
template <>
struct StringMaker<mptcpanalyzer::IpAddress> {
    static std::string convert(const mptcpanalyzer::IpAddress& a) {
        return a.empty() ? std::string("(no address)") : a.to_string();
    }
};
}  // namespace Catch

namespace {

using Bytes = std::vector<std::uint8_t>;

std::uint8_t u8(unsigned v) { return static_cast<std::uint8_t>(v); }

void put16(Bytes& b, std::uint16_t v) {
    b.push_back(u8(v >> 8));
    b.push_back(u8(v & 0xffU));
}
void put32(Bytes& b, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) b.push_back(u8((v >> shift) & 0xffU));
}
void put64(Bytes& b, std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) b.push_back(u8(static_cast<unsigned>((v >> shift) & 0xffU)));
}
void put_bytes(Bytes& b, std::span<const std::uint8_t> v) { b.insert(b.end(), v.begin(), v.end()); }

Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

// An MPTCP option: kind 30, length (fixed up by `done`), subtype nibble | low nibble, byte 3.
Bytes mp_start(MptcpSubtype subtype, unsigned low_nibble) {
    return Bytes{30, 0, u8((static_cast<unsigned>(subtype) << 4) | (low_nibble & 0x0fU))};
}
Bytes done(Bytes o) {
    o[1] = u8(static_cast<unsigned>(o.size()));
    return o;
}

// --- Plain TCP options -------------------------------------------------------------------
Bytes nop() { return Bytes{1}; }
Bytes eol() { return Bytes{0}; }
Bytes mss(std::uint16_t v) {
    Bytes o{2, 4};
    put16(o, v);
    return o;
}
Bytes wscale(std::uint8_t shift) { return Bytes{3, 3, shift}; }
Bytes timestamps(std::uint32_t tsval, std::uint32_t tsecr) {
    Bytes o{8, 10};
    put32(o, tsval);
    put32(o, tsecr);
    return o;
}
Bytes sack_permitted() { return Bytes{4, 2}; }

// --- MPTCP options -----------------------------------------------------------------------
// MP_CAPABLE (RFC 8684 §3.1; RFC 6824 §3.1 for v0): version nibble, flag byte, keys, then (v1
// third ACK with data) the data-level length and an optional checksum.
Bytes capable(unsigned version, std::uint8_t flags, std::optional<std::uint64_t> sender_key = {},
              std::optional<std::uint64_t> receiver_key = {}, std::optional<std::uint16_t> dll = {},
              std::optional<std::uint16_t> checksum = {}) {
    Bytes o = mp_start(MptcpSubtype::Capable, version);
    o.push_back(flags);
    if (sender_key) put64(o, *sender_key);
    if (receiver_key) put64(o, *receiver_key);
    if (dll) put16(o, *dll);
    if (checksum) put16(o, *checksum);
    return done(o);
}

// MP_JOIN (RFC 8684 §3.2): SYN (12), SYN/ACK (16), third ACK (24).
Bytes join_syn(bool backup, std::uint8_t address_id, std::uint32_t token, std::uint32_t nonce) {
    Bytes o = mp_start(MptcpSubtype::Join, backup ? 1U : 0U);
    o.push_back(address_id);
    put32(o, token);
    put32(o, nonce);
    return done(o);
}
Bytes join_synack(bool backup, std::uint8_t address_id, const std::array<std::uint8_t, 8>& hmac, std::uint32_t nonce) {
    Bytes o = mp_start(MptcpSubtype::Join, backup ? 1U : 0U);
    o.push_back(address_id);
    put_bytes(o, hmac);
    put32(o, nonce);
    return done(o);
}
Bytes join_ack(const std::array<std::uint8_t, 20>& hmac) {
    Bytes o = mp_start(MptcpSubtype::Join, 0);
    o.push_back(0);  // reserved
    put_bytes(o, hmac);
    return done(o);
}

// DSS (RFC 8684 §3.3): flags byte F m M a A, DATA_ACK (4/8), DSN (4/8), subflow seq, data-level
// length, checksum (when negotiated).
struct Mapping {
    std::uint64_t dsn;
    std::uint32_t subflow_seq;
    std::uint16_t dll;
};
Bytes dss(std::uint8_t flags, std::optional<std::uint64_t> data_ack, std::optional<Mapping> mapping,
          std::optional<std::uint16_t> checksum = {}) {
    Bytes o = mp_start(MptcpSubtype::Dss, 0);
    o.push_back(flags);
    if (data_ack) {
        if (flags & 0x02) put64(o, *data_ack);
        else put32(o, static_cast<std::uint32_t>(*data_ack));
    }
    if (mapping) {
        if (flags & 0x08) put64(o, mapping->dsn);
        else put32(o, static_cast<std::uint32_t>(mapping->dsn));
        put32(o, mapping->subflow_seq);
        put16(o, mapping->dll);
    }
    if (checksum) put16(o, *checksum);
    return done(o);
}

// ADD_ADDR v1 (RFC 8684 §3.4.1): E flag in the low nibble, id, address, [port], [HMAC (non-echo)].
Bytes add_addr_v1(bool echo, std::uint8_t id, const IpAddress& a, std::optional<std::uint16_t> port,
                  std::optional<std::array<std::uint8_t, 8>> hmac) {
    Bytes o = mp_start(MptcpSubtype::AddAddr, echo ? 1U : 0U);
    o.push_back(id);
    o.insert(o.end(), a.bytes.begin(), a.bytes.begin() + (a.family == 4 ? 4 : 16));
    if (port) put16(o, *port);
    if (hmac) put_bytes(o, *hmac);
    return done(o);
}
// ADD_ADDR v0 (RFC 6824 §3.4.1): IPVer in the low nibble, id, address, [port].
Bytes add_addr_v0(std::uint8_t id, const IpAddress& a, std::optional<std::uint16_t> port) {
    Bytes o = mp_start(MptcpSubtype::AddAddr, a.family);
    o.push_back(id);
    o.insert(o.end(), a.bytes.begin(), a.bytes.begin() + (a.family == 4 ? 4 : 16));
    if (port) put16(o, *port);
    return done(o);
}
Bytes remove_addr(std::initializer_list<std::uint8_t> ids) {
    Bytes o = mp_start(MptcpSubtype::RemoveAddr, 0);
    o.insert(o.end(), ids.begin(), ids.end());
    return done(o);
}
Bytes prio_v1(bool backup) { return done(mp_start(MptcpSubtype::Prio, backup ? 1U : 0U)); }
Bytes prio_v0(bool backup, std::uint8_t id) {
    Bytes o = mp_start(MptcpSubtype::Prio, backup ? 1U : 0U);
    o.push_back(id);
    return done(o);
}
Bytes mp_fail(std::uint64_t dsn) {
    Bytes o = mp_start(MptcpSubtype::Fail, 0);
    o.push_back(0);  // reserved
    put64(o, dsn);
    return done(o);
}
Bytes fastclose(std::uint64_t receiver_key) {
    Bytes o = mp_start(MptcpSubtype::FastClose, 0);
    o.push_back(0);  // reserved
    put64(o, receiver_key);
    return done(o);
}
Bytes tcprst(std::uint8_t flags, std::uint8_t reason) {
    Bytes o = mp_start(MptcpSubtype::TcpRst, flags);
    o.push_back(reason);
    return done(o);
}

IpAddress ip(const char* text) {
    auto a = IpAddress::parse(text);
    REQUIRE(a.has_value());
    return *a;
}

// Parses `block` from a heap buffer of exactly its size, so that AddressSanitizer catches any
// read past the end.
PacketRecord parse(const Bytes& block, bool complete = true) {
    std::unique_ptr<std::uint8_t[]> exact(new std::uint8_t[block.size()]);
    std::copy(block.begin(), block.end(), exact.get());
    PacketRecord r;
    parse_tcp_options(std::span<const std::uint8_t>(exact.get(), block.size()), complete, r);
    return r;
}
MptcpOption parse_one(const Bytes& option) {
    std::unique_ptr<std::uint8_t[]> exact(new std::uint8_t[option.size()]);
    std::copy(option.begin(), option.end(), exact.get());
    return parse_mptcp_option(std::span<const std::uint8_t>(exact.get(), option.size()));
}
// The only MPTCP option of a block made of one option.
MptcpOption only_option(const Bytes& block) {
    PacketRecord r = parse(block);
    REQUIRE(r.mptcp_options.size() == 1);
    return r.mptcp_options[0];
}

constexpr std::array<std::uint8_t, 8> kHmac8{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
constexpr std::array<std::uint8_t, 20> kHmac20{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99,
                                               0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0xf0, 0x0f, 0x5a, 0xa5};

template <std::size_t N>
bool hmac_is(const MptcpOption& m, const std::array<std::uint8_t, N>& expected) {
    if (m.hmac_length != N) return false;
    return std::equal(expected.begin(), expected.end(), m.hmac.begin());
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// MP_CAPABLE
// ---------------------------------------------------------------------------------------------

TEST_CASE("MP_CAPABLE v1 SYN carries no key", "[tcp_options][mp_capable]") {
    const MptcpOption m = only_option(capable(1, 0x81));
    CHECK(m.subtype == MptcpSubtype::Capable);
    CHECK(m.length == 4);
    CHECK(m.version == 1);
    CHECK(m.flags == 0x81);
    CHECK_FALSE(m.has_sender_key);
    CHECK_FALSE(m.has_receiver_key);
    CHECK_FALSE(m.has_checksum);
    CHECK_FALSE(m.truncated);
}

TEST_CASE("MP_CAPABLE v1 SYN/ACK carries the server key", "[tcp_options][mp_capable]") {
    const MptcpOption m = only_option(capable(1, 0x01, 0x1122334455667788ULL));
    CHECK(m.length == 12);
    CHECK(m.version == 1);
    CHECK(m.flags == 0x01);
    CHECK(m.has_sender_key);
    CHECK(m.sender_key == 0x1122334455667788ULL);
    CHECK_FALSE(m.has_receiver_key);
    CHECK_FALSE(m.truncated);
}

TEST_CASE("MP_CAPABLE v1 third ACK carries both keys", "[tcp_options][mp_capable]") {
    const MptcpOption m = only_option(capable(1, 0x01, 0xa1a2a3a4a5a6a7a8ULL, 0xb1b2b3b4b5b6b7b8ULL));
    CHECK(m.length == 20);
    CHECK(m.has_sender_key);
    CHECK(m.sender_key == 0xa1a2a3a4a5a6a7a8ULL);
    CHECK(m.has_receiver_key);
    CHECK(m.receiver_key == 0xb1b2b3b4b5b6b7b8ULL);
    CHECK(m.data_level_length == 0);
    CHECK_FALSE(m.has_checksum);
    CHECK_FALSE(m.truncated);
}

TEST_CASE("MP_CAPABLE v1 third ACK with data carries both keys, data-level length and checksum",
          "[tcp_options][mp_capable]") {
    SECTION("length 22: data-level length, no checksum") {
        const MptcpOption m = only_option(capable(1, 0x01, 0x0102030405060708ULL, 0x1112131415161718ULL, 1448));
        CHECK(m.length == 22);
        CHECK(m.sender_key == 0x0102030405060708ULL);
        CHECK(m.receiver_key == 0x1112131415161718ULL);
        CHECK(m.data_level_length == 1448);
        CHECK_FALSE(m.has_checksum);
        CHECK_FALSE(m.truncated);
    }
    SECTION("length 24: data-level length and checksum") {
        const MptcpOption m =
            only_option(capable(1, 0x81, 0x0102030405060708ULL, 0x1112131415161718ULL, 0xfffe, 0xbeef));
        CHECK(m.length == 24);
        CHECK(m.flags == 0x81);
        CHECK(m.has_sender_key);
        CHECK(m.has_receiver_key);
        CHECK(m.data_level_length == 0xfffe);
        CHECK(m.has_checksum);
        CHECK(m.checksum == 0xbeef);
        CHECK_FALSE(m.truncated);
    }
}

TEST_CASE("MP_CAPABLE v0 with keys", "[tcp_options][mp_capable]") {
    SECTION("SYN and SYN/ACK: the sender's key (length 12)") {
        const MptcpOption m = only_option(capable(0, 0x81, 0xdeadbeefcafef00dULL));
        CHECK(m.version == 0);
        CHECK(m.flags == 0x81);
        CHECK(m.has_sender_key);
        CHECK(m.sender_key == 0xdeadbeefcafef00dULL);
        CHECK_FALSE(m.has_receiver_key);
    }
    SECTION("third ACK: both keys (length 20)") {
        const MptcpOption m = only_option(capable(0, 0x81, 0xdeadbeefcafef00dULL, 0x0000000000000001ULL));
        CHECK(m.version == 0);
        CHECK(m.sender_key == 0xdeadbeefcafef00dULL);
        CHECK(m.has_receiver_key);
        CHECK(m.receiver_key == 1);
        CHECK_FALSE(m.truncated);
    }
}

// ---------------------------------------------------------------------------------------------
// MP_JOIN
// ---------------------------------------------------------------------------------------------

TEST_CASE("MP_JOIN SYN gives token, nonce, address id and backup", "[tcp_options][mp_join]") {
    const MptcpOption m = only_option(join_syn(true, 7, 0xa0b0c0d0U, 0x01020304U));
    CHECK(m.subtype == MptcpSubtype::Join);
    CHECK(m.length == 12);
    CHECK(m.backup);
    CHECK(m.has_address_id);
    CHECK(m.address_id == 7);
    CHECK(m.has_token);
    CHECK(m.token == 0xa0b0c0d0U);
    CHECK(m.has_nonce);
    CHECK(m.nonce == 0x01020304U);
    CHECK(m.hmac_length == 0);
    CHECK_FALSE(m.truncated);

    const MptcpOption not_backup = only_option(join_syn(false, 0, 1, 2));
    CHECK_FALSE(not_backup.backup);
    CHECK(not_backup.address_id == 0);
}

TEST_CASE("MP_JOIN SYN/ACK gives truncated HMAC and nonce", "[tcp_options][mp_join]") {
    const MptcpOption m = only_option(join_synack(false, 3, kHmac8, 0xfeedfaceU));
    CHECK(m.length == 16);
    CHECK_FALSE(m.backup);
    CHECK(m.address_id == 3);
    CHECK(hmac_is(m, kHmac8));
    CHECK(m.has_nonce);
    CHECK(m.nonce == 0xfeedfaceU);
    CHECK_FALSE(m.has_token);
    CHECK_FALSE(m.truncated);
}

TEST_CASE("MP_JOIN third ACK gives the 20-byte HMAC", "[tcp_options][mp_join]") {
    const MptcpOption m = only_option(join_ack(kHmac20));
    CHECK(m.length == 24);
    CHECK(hmac_is(m, kHmac20));
    CHECK_FALSE(m.has_token);
    CHECK_FALSE(m.has_nonce);
    CHECK_FALSE(m.has_address_id);
    CHECK_FALSE(m.backup);
    CHECK_FALSE(m.truncated);
}

// ---------------------------------------------------------------------------------------------
// DSS
// ---------------------------------------------------------------------------------------------

TEST_CASE("DSS with 8-byte DSN and 4-byte DATA_ACK (Linux v1 flags 0x0d)", "[tcp_options][dss]") {
    const MptcpOption m =
        only_option(dss(0x0d, 0x89abcdefU, Mapping{0xfedcba9876543210ULL, 0x00010203U, 1400}));
    CHECK(m.subtype == MptcpSubtype::Dss);
    CHECK(m.length == 22);
    CHECK(m.flags == 0x0d);
    CHECK(m.has_data_ack);
    CHECK_FALSE(m.data_ack_8);
    CHECK(m.data_ack == 0x89abcdefU);
    CHECK(m.has_mapping);
    CHECK(m.dsn_8);
    CHECK(m.dsn == 0xfedcba9876543210ULL);
    CHECK(m.subflow_seq == 0x00010203U);
    CHECK(m.data_level_length == 1400);
    CHECK_FALSE(m.has_checksum);
    CHECK_FALSE(m.data_fin);
    CHECK_FALSE(m.truncated);
}

TEST_CASE("DSS with 4-byte DSN and 8-byte DATA_ACK", "[tcp_options][dss]") {
    const MptcpOption m = only_option(dss(0x07, 0x0123456789abcdefULL, Mapping{0xcafebabeU, 77, 10}));
    CHECK(m.length == 22);  // 4 + DATA_ACK 8 + DSN 4 + subflow seq 4 + length 2
    CHECK(m.has_data_ack);
    CHECK(m.data_ack_8);
    CHECK(m.data_ack == 0x0123456789abcdefULL);
    CHECK(m.has_mapping);
    CHECK_FALSE(m.dsn_8);
    CHECK(m.dsn == 0xcafebabeU);
    CHECK(m.subflow_seq == 77);
    CHECK(m.data_level_length == 10);
    CHECK_FALSE(m.has_checksum);
    CHECK_FALSE(m.truncated);
}

TEST_CASE("DSS with DATA_ACK only", "[tcp_options][dss]") {
    SECTION("4-byte DATA_ACK") {
        const MptcpOption m = only_option(dss(0x01, 0xffffffffU, std::nullopt));
        CHECK(m.length == 8);
        CHECK(m.has_data_ack);
        CHECK_FALSE(m.data_ack_8);
        CHECK(m.data_ack == 0xffffffffU);
        CHECK_FALSE(m.has_mapping);
        CHECK_FALSE(m.has_checksum);
        CHECK_FALSE(m.truncated);
    }
    SECTION("8-byte DATA_ACK") {
        const MptcpOption m = only_option(dss(0x03, 0xffffffffffffffffULL, std::nullopt));
        CHECK(m.length == 12);
        CHECK(m.data_ack_8);
        CHECK(m.data_ack == 0xffffffffffffffffULL);
        CHECK_FALSE(m.has_mapping);
        CHECK_FALSE(m.truncated);
    }
}

TEST_CASE("DSS checksum present only when the length has room for it", "[tcp_options][dss]") {
    SECTION("4-byte DSN, no DATA_ACK: 14 without, 16 with") {
        const MptcpOption without = only_option(dss(0x04, std::nullopt, Mapping{5, 6, 7}));
        CHECK(without.length == 14);
        CHECK(without.has_mapping);
        CHECK_FALSE(without.has_checksum);
        const MptcpOption with = only_option(dss(0x04, std::nullopt, Mapping{5, 6, 7}, 0x1234));
        CHECK(with.length == 16);
        CHECK(with.has_mapping);
        CHECK(with.dsn == 5);
        CHECK(with.subflow_seq == 6);
        CHECK(with.data_level_length == 7);
        CHECK(with.has_checksum);
        CHECK(with.checksum == 0x1234);
    }
    SECTION("8-byte DSN and 8-byte DATA_ACK: 26 without, 28 with") {
        const Mapping map{0x1000000000000001ULL, 9, 1};
        const MptcpOption without = only_option(dss(0x0f, 1, map));
        CHECK(without.length == 26);
        CHECK_FALSE(without.has_checksum);
        const MptcpOption with = only_option(dss(0x0f, 1, map, 0xa5a5));
        CHECK(with.length == 28);
        CHECK(with.has_checksum);
        CHECK(with.checksum == 0xa5a5);
        CHECK(with.dsn == 0x1000000000000001ULL);
    }
    SECTION("a DATA_ACK-only DSS has no checksum even with spare bytes") {
        Bytes o = dss(0x01, 42, std::nullopt);
        o.push_back(0xaa);
        o.push_back(0xbb);
        const MptcpOption m = only_option(done(o));
        CHECK(m.has_data_ack);
        CHECK(m.data_ack == 42);
        CHECK_FALSE(m.has_mapping);
        CHECK_FALSE(m.has_checksum);
    }
}

TEST_CASE("DATA_FIN flag", "[tcp_options][dss]") {
    const MptcpOption fin = only_option(dss(0x15, 100, Mapping{200, 0, 1}));
    CHECK(fin.data_fin);
    CHECK(fin.flags == 0x15);
    CHECK(fin.has_mapping);
    CHECK(fin.dsn == 200);
    CHECK(fin.subflow_seq == 0);
    CHECK(fin.data_level_length == 1);
    const MptcpOption no_fin = only_option(dss(0x05, 100, Mapping{200, 0, 1}));
    CHECK_FALSE(no_fin.data_fin);
}

// ---------------------------------------------------------------------------------------------
// ADD_ADDR, REMOVE_ADDR, MP_PRIO, MP_FAIL, MP_FASTCLOSE, MP_TCPRST
// ---------------------------------------------------------------------------------------------

TEST_CASE("ADD_ADDR v1 IPv4 with and without port, echo and non-echo (HMAC)", "[tcp_options][add_addr]") {
    const IpAddress a = ip("192.0.2.33");
    SECTION("non-echo, no port: length 16, HMAC") {
        const MptcpOption m = only_option(add_addr_v1(false, 4, a, std::nullopt, kHmac8));
        CHECK(m.subtype == MptcpSubtype::AddAddr);
        CHECK(m.length == 16);
        CHECK_FALSE(m.echo);
        CHECK(m.has_address_id);
        CHECK(m.address_id == 4);
        CHECK(m.address == a);
        CHECK(m.address.to_string() == "192.0.2.33");
        CHECK_FALSE(m.has_port);
        CHECK(hmac_is(m, kHmac8));
        CHECK_FALSE(m.truncated);
    }
    SECTION("non-echo, port: length 18, HMAC") {
        const MptcpOption m = only_option(add_addr_v1(false, 5, a, std::uint16_t{8080}, kHmac8));
        CHECK(m.length == 18);
        CHECK(m.address == a);
        CHECK(m.has_port);
        CHECK(m.port == 8080);
        CHECK(hmac_is(m, kHmac8));
        CHECK_FALSE(m.echo);
    }
    SECTION("echo, no port: length 8, no HMAC") {
        const MptcpOption m = only_option(add_addr_v1(true, 6, a, std::nullopt, std::nullopt));
        CHECK(m.length == 8);
        CHECK(m.echo);
        CHECK(m.address_id == 6);
        CHECK(m.address == a);
        CHECK_FALSE(m.has_port);
        CHECK(m.hmac_length == 0);
    }
    SECTION("echo, port: length 10, no HMAC") {
        const MptcpOption m = only_option(add_addr_v1(true, 6, a, std::uint16_t{443}, std::nullopt));
        CHECK(m.length == 10);
        CHECK(m.echo);
        CHECK(m.has_port);
        CHECK(m.port == 443);
        CHECK(m.hmac_length == 0);
    }
}

TEST_CASE("ADD_ADDR v1 IPv6 with port", "[tcp_options][add_addr]") {
    const IpAddress a = ip("2001:db8::1:2");
    SECTION("non-echo: length 30, HMAC") {
        const MptcpOption m = only_option(add_addr_v1(false, 9, a, std::uint16_t{65535}, kHmac8));
        CHECK(m.length == 30);
        CHECK(m.address == a);
        CHECK(m.address.to_string() == "2001:db8::1:2");
        CHECK(m.has_port);
        CHECK(m.port == 65535);
        CHECK(hmac_is(m, kHmac8));
        CHECK_FALSE(m.echo);
        CHECK_FALSE(m.truncated);
    }
    SECTION("echo: length 22, no HMAC") {
        const MptcpOption m = only_option(add_addr_v1(true, 9, a, std::uint16_t{1}, std::nullopt));
        CHECK(m.length == 22);
        CHECK(m.echo);
        CHECK(m.address == a);
        CHECK(m.port == 1);
        CHECK(m.hmac_length == 0);
    }
    SECTION("without port: 28 (HMAC) and 20 (echo)") {
        const MptcpOption h = only_option(add_addr_v1(false, 2, a, std::nullopt, kHmac8));
        CHECK(h.length == 28);
        CHECK(h.address == a);
        CHECK_FALSE(h.has_port);
        CHECK(hmac_is(h, kHmac8));
        const MptcpOption e = only_option(add_addr_v1(true, 2, a, std::nullopt, std::nullopt));
        CHECK(e.length == 20);
        CHECK(e.address == a);
        CHECK_FALSE(e.has_port);
        CHECK(e.echo);
    }
}

TEST_CASE("ADD_ADDR v0 IPv4/IPv6 (IPVer nibble)", "[tcp_options][add_addr]") {
    SECTION("IPv4, length 8 and 10") {
        const IpAddress a = ip("10.1.2.3");
        const MptcpOption m = only_option(add_addr_v0(1, a, std::nullopt));
        CHECK(m.length == 8);
        CHECK(m.address == a);
        CHECK(m.address_id == 1);
        CHECK_FALSE(m.has_port);
        CHECK_FALSE(m.echo);
        CHECK(m.hmac_length == 0);
        const MptcpOption p = only_option(add_addr_v0(1, a, std::uint16_t{5201}));
        CHECK(p.length == 10);
        CHECK(p.address == a);
        CHECK(p.has_port);
        CHECK(p.port == 5201);
        CHECK_FALSE(p.echo);
    }
    SECTION("IPv6, length 20 and 22") {
        const IpAddress a = ip("fe80::dead:beef");
        const MptcpOption m = only_option(add_addr_v0(3, a, std::nullopt));
        CHECK(m.length == 20);
        CHECK(m.address == a);
        CHECK(m.address.family == 6);
        CHECK_FALSE(m.has_port);
        CHECK_FALSE(m.echo);
        const MptcpOption p = only_option(add_addr_v0(3, a, std::uint16_t{80}));
        CHECK(p.length == 22);
        CHECK(p.address == a);
        CHECK(p.has_port);
        CHECK(p.port == 80);
        CHECK(p.hmac_length == 0);
    }
}

TEST_CASE("REMOVE_ADDR lists every id", "[tcp_options][remove_addr]") {
    const MptcpOption one = only_option(remove_addr({7}));
    CHECK(one.subtype == MptcpSubtype::RemoveAddr);
    CHECK(one.length == 4);
    CHECK(one.address_ids == std::vector<std::uint8_t>{7});
    const MptcpOption many = only_option(remove_addr({1, 0, 255, 42}));
    CHECK(many.length == 7);
    CHECK(many.address_ids == std::vector<std::uint8_t>{1, 0, 255, 42});
    CHECK_FALSE(many.truncated);
}

TEST_CASE("MP_PRIO v1 (no id) and v0 (with id)", "[tcp_options][mp_prio]") {
    const MptcpOption v1 = only_option(prio_v1(true));
    CHECK(v1.subtype == MptcpSubtype::Prio);
    CHECK(v1.length == 3);
    CHECK(v1.backup);
    CHECK_FALSE(v1.has_address_id);
    CHECK_FALSE(only_option(prio_v1(false)).backup);

    const MptcpOption v0 = only_option(prio_v0(true, 12));
    CHECK(v0.length == 4);
    CHECK(v0.backup);
    CHECK(v0.has_address_id);
    CHECK(v0.address_id == 12);
    const MptcpOption v0_off = only_option(prio_v0(false, 0));
    CHECK_FALSE(v0_off.backup);
    CHECK(v0_off.has_address_id);
    CHECK(v0_off.address_id == 0);
}

TEST_CASE("MP_FAIL carries the 64-bit DSN", "[tcp_options][mp_fail]") {
    const MptcpOption m = only_option(mp_fail(0x8000000000000123ULL));
    CHECK(m.subtype == MptcpSubtype::Fail);
    CHECK(m.length == 12);
    CHECK(m.dsn == 0x8000000000000123ULL);
    CHECK_FALSE(m.has_mapping);
    CHECK_FALSE(m.truncated);
}

TEST_CASE("MP_FASTCLOSE carries the receiver key", "[tcp_options][mp_fastclose]") {
    const MptcpOption m = only_option(fastclose(0x0f0e0d0c0b0a0908ULL));
    CHECK(m.subtype == MptcpSubtype::FastClose);
    CHECK(m.length == 12);
    CHECK(m.has_receiver_key);
    CHECK(m.receiver_key == 0x0f0e0d0c0b0a0908ULL);
    CHECK_FALSE(m.has_sender_key);
    CHECK_FALSE(m.truncated);
}

TEST_CASE("MP_TCPRST flags and reason", "[tcp_options][mp_tcprst]") {
    const MptcpOption m = only_option(tcprst(0x09, 0x06));  // U... T set; reason 6
    CHECK(m.subtype == MptcpSubtype::TcpRst);
    CHECK(m.length == 4);
    CHECK(m.flags == 0x09);
    CHECK(m.reason == 0x06);
    const MptcpOption n = only_option(tcprst(0x00, 0x00));
    CHECK(n.flags == 0);
    CHECK(n.reason == 0);
}

// ---------------------------------------------------------------------------------------------
// Plain options, block structure
// ---------------------------------------------------------------------------------------------

TEST_CASE("timestamps, MSS and window scale are decoded", "[tcp_options]") {
    // A Linux SYN: MSS, SACK_PERM, TS, NOP, WS.
    const PacketRecord r =
        parse(cat({mss(1460), sack_permitted(), timestamps(0x11223344U, 0), nop(), wscale(7)}));
    CHECK(r.mss == 1460);
    CHECK(r.has_timestamps);
    CHECK(r.tsval == 0x11223344U);
    CHECK(r.tsecr == 0);
    CHECK(r.window_scale == 7);
    CHECK(r.mptcp_options.empty());

    const PacketRecord ack = parse(cat({nop(), nop(), timestamps(0xffffffffU, 0x80000001U)}));
    CHECK(ack.has_timestamps);
    CHECK(ack.tsval == 0xffffffffU);
    CHECK(ack.tsecr == 0x80000001U);
    CHECK(ack.mss == 0);
    CHECK(ack.window_scale == -1);

    const PacketRecord none = parse(Bytes{});
    CHECK_FALSE(none.has_timestamps);
    CHECK(none.mss == 0);
    CHECK(none.window_scale == -1);

    CHECK(parse(wscale(0)).window_scale == 0);
    CHECK(parse(wscale(14)).window_scale == 14);
}

TEST_CASE("NOP/EOL handling", "[tcp_options]") {
    SECTION("NOPs are skipped anywhere") {
        const PacketRecord r = parse(cat({nop(), nop(), nop(), mss(536), nop(), dss(0x01, 9, std::nullopt), nop()}));
        CHECK(r.mss == 536);
        REQUIRE(r.mptcp_options.size() == 1);
        CHECK(r.mptcp_options[0].data_ack == 9);
    }
    SECTION("EOL ends the block: what follows is padding") {
        const PacketRecord r = parse(cat({mss(1400), eol(), timestamps(1, 2), dss(0x01, 9, std::nullopt)}));
        CHECK(r.mss == 1400);
        CHECK_FALSE(r.has_timestamps);
        CHECK(r.mptcp_options.empty());
    }
    SECTION("a block of only EOL/NOP padding gives nothing") {
        const PacketRecord r = parse(Bytes{1, 1, 1, 0, 0, 0, 0, 0});
        CHECK_FALSE(r.has_timestamps);
        CHECK(r.mptcp_options.empty());
    }
}

TEST_CASE("several MPTCP options in one segment keep wire order (MP_CAPABLE + DSS, ADD_ADDR + DSS)",
          "[tcp_options]") {
    SECTION("MP_CAPABLE + DSS") {
        const PacketRecord r =
            parse(cat({capable(1, 0x01, 0xaaaaaaaaaaaaaaaaULL, 0xbbbbbbbbbbbbbbbbULL), dss(0x01, 0x1234, std::nullopt)}));
        REQUIRE(r.mptcp_options.size() == 2);
        CHECK(r.mptcp_options[0].subtype == MptcpSubtype::Capable);
        CHECK(r.mptcp_options[0].receiver_key == 0xbbbbbbbbbbbbbbbbULL);
        CHECK(r.mptcp_options[1].subtype == MptcpSubtype::Dss);
        CHECK(r.mptcp_options[1].data_ack == 0x1234);
    }
    SECTION("DSS + MP_CAPABLE: the other order is kept too") {
        const PacketRecord r = parse(cat({dss(0x01, 0x1234, std::nullopt), capable(1, 0x01, 5)}));
        REQUIRE(r.mptcp_options.size() == 2);
        CHECK(r.mptcp_options[0].subtype == MptcpSubtype::Dss);
        CHECK(r.mptcp_options[1].subtype == MptcpSubtype::Capable);
        CHECK(r.mptcp_options[1].sender_key == 5);
    }
    SECTION("ADD_ADDR + DSS between timestamps") {
        const PacketRecord r = parse(cat({nop(), nop(), timestamps(3, 4),
                                          add_addr_v1(false, 2, ip("198.51.100.7"), std::nullopt, kHmac8),
                                          dss(0x01, 77, std::nullopt)}));
        CHECK(r.has_timestamps);
        REQUIRE(r.mptcp_options.size() == 2);
        CHECK(r.mptcp_options[0].subtype == MptcpSubtype::AddAddr);
        CHECK(r.mptcp_options[0].address.to_string() == "198.51.100.7");
        CHECK(r.mptcp_options[1].subtype == MptcpSubtype::Dss);
        CHECK(r.mptcp_options[1].data_ack == 77);
    }
}

// ---------------------------------------------------------------------------------------------
// Robustness
// ---------------------------------------------------------------------------------------------

namespace {

// Every field a cut option reports must be the value the complete option has: a truncated
// option may lose fields, never report wrong ones (e.g. from another layout).
void check_prefix_consistent(const MptcpOption& cut, const MptcpOption& full) {
    INFO("subtype " << static_cast<int>(full.subtype) << ", length byte " << int{full.length});
    CHECK(cut.subtype == full.subtype);
    CHECK(cut.length == full.length);
    if (cut.has_sender_key) {
        CHECK(full.has_sender_key);
        CHECK(cut.sender_key == full.sender_key);
    }
    if (cut.has_receiver_key) {
        CHECK(full.has_receiver_key);
        CHECK(cut.receiver_key == full.receiver_key);
    }
    if (cut.has_token) {
        CHECK(full.has_token);
        CHECK(cut.token == full.token);
    }
    if (cut.has_nonce) {
        CHECK(full.has_nonce);
        CHECK(cut.nonce == full.nonce);
    }
    if (cut.hmac_length) {
        CHECK(cut.hmac_length == full.hmac_length);
        CHECK(cut.hmac == full.hmac);
    }
    if (cut.has_address_id) {
        CHECK(full.has_address_id);
        CHECK(cut.address_id == full.address_id);
    }
    if (cut.has_data_ack) {
        CHECK(full.has_data_ack);
        CHECK(cut.data_ack == full.data_ack);
    }
    if (cut.has_mapping) {
        CHECK(full.has_mapping);
        CHECK(cut.dsn == full.dsn);
        CHECK(cut.subflow_seq == full.subflow_seq);
        CHECK(cut.data_level_length == full.data_level_length);
    }
    if (cut.has_checksum) {
        CHECK(full.has_checksum);
        CHECK(cut.checksum == full.checksum);
    }
    if (!cut.address.empty()) CHECK(cut.address == full.address);
    if (cut.has_port) {
        CHECK(full.has_port);
        CHECK(cut.port == full.port);
    }
    for (std::size_t i = 0; i < cut.address_ids.size(); ++i) {
        REQUIRE(i < full.address_ids.size());
        CHECK(cut.address_ids[i] == full.address_ids[i]);
    }
}

// Long (40-byte, the TCP maximum) blocks covering every variable-length layout.
std::vector<Bytes> long_blocks() {
    const IpAddress v6 = ip("2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff");
    return {
        cat({nop(), nop(), timestamps(0x01020304U, 0x05060708U),
             dss(0x0f, 0x1112131415161718ULL, Mapping{0x2122232425262728ULL, 0x31323334U, 0x4142}, 0x5152)}),
        cat({capable(1, 0x81, 0x0102030405060708ULL, 0x1112131415161718ULL, 1000, 0xabcd), nop(), nop(),
             timestamps(7, 8), nop(), nop(), nop(), nop()}),
        cat({add_addr_v1(false, 9, v6, std::uint16_t{0x1234}, kHmac8), timestamps(1, 2)}),
        cat({add_addr_v1(false, 9, v6, std::nullopt, kHmac8), nop(), nop(), timestamps(1, 2)}),
        cat({join_ack(kHmac20), dss(0x01, 0x99, std::nullopt), nop(), nop(), nop(), nop(), nop(), nop(), nop(),
             nop()}),
        cat({join_ack(kHmac20), nop(), nop(), timestamps(5, 6), nop(), nop(), nop(), nop()}),
        cat({mss(1460), wscale(7), nop(), join_synack(true, 3, kHmac8, 0xdeadbeefU), timestamps(9, 10), nop(),
             nop(), nop(), nop(), nop(), nop()}),
        cat({join_syn(true, 2, 0xa1a2a3a4U, 0xb1b2b3b4U), mss(1400), timestamps(1, 1), sack_permitted(),
             wscale(8), nop(), nop(), nop(), nop(), nop(), nop(), nop(), nop(), nop()}),
        cat({add_addr_v0(4, v6, std::uint16_t{22}), mp_fail(0x0102030405060708ULL), nop(), nop(), nop(), nop(),
             nop(), nop()}),
        cat({remove_addr({1, 2, 3, 4, 5, 6, 7, 8}), fastclose(0xf1f2f3f4f5f6f7f8ULL), tcprst(0x0f, 3), prio_v0(true, 5),
             prio_v1(false), nop(), nop(), nop(), nop(), nop()}),
        cat({add_addr_v1(true, 1, ip("203.0.113.9"), std::uint16_t{8080}, std::nullopt),
             add_addr_v1(false, 2, ip("203.0.113.10"), std::uint16_t{8081}, kHmac8), dss(0x01, 3, std::nullopt),
             nop(), nop(), nop(), nop()}),
    };
}

}  // namespace

TEST_CASE("a truncated (snaplen) option block marks the cut option truncated and never reads past the end",
          "[tcp_options][robustness]") {
    const auto blocks = long_blocks();
    for (std::size_t b = 0; b < blocks.size(); ++b) {
        const Bytes& block = blocks[b];
        REQUIRE(block.size() <= 40);
        const PacketRecord full = parse(block, true);
        for (const auto& m : full.mptcp_options) REQUIRE_FALSE(m.truncated);

        // Where each MPTCP option starts, in the complete block.
        std::vector<std::size_t> starts;
        for (std::size_t at = 0; at < block.size();) {
            if (block[at] == 0) break;
            if (block[at] == 1) {
                ++at;
                continue;
            }
            if (block[at] == 30) starts.push_back(at);
            at += block[at + 1];
        }
        REQUIRE(starts.size() == full.mptcp_options.size());

        for (std::size_t cut = 0; cut <= block.size(); ++cut) {
            INFO("block " << b << " cut at " << cut << " of " << block.size());
            const Bytes prefix(block.begin(), block.begin() + static_cast<std::ptrdiff_t>(cut));
            const PacketRecord r = parse(prefix, cut == block.size());
            REQUIRE(r.mptcp_options.size() <= full.mptcp_options.size());
            for (std::size_t i = 0; i < starts.size(); ++i) {
                const std::size_t start = starts[i];
                const std::size_t end = start + full.mptcp_options[i].length;
                if (end <= cut) {
                    // Wholly captured: decoded exactly as in the complete block.
                    REQUIRE(i < r.mptcp_options.size());
                    CHECK_FALSE(r.mptcp_options[i].truncated);
                    check_prefix_consistent(r.mptcp_options[i], full.mptcp_options[i]);
                    check_prefix_consistent(full.mptcp_options[i], r.mptcp_options[i]);
                } else if (start + 3 <= cut) {
                    // Cut with its subtype captured: present, marked truncated, no wrong field.
                    REQUIRE(i < r.mptcp_options.size());
                    CHECK(r.mptcp_options[i].truncated);
                    check_prefix_consistent(r.mptcp_options[i], full.mptcp_options[i]);
                    CHECK(r.mptcp_options.size() == i + 1);  // parsing stops at the cut
                } else if (start < cut) {
                    // Only kind (and length) captured: if reported at all, it is truncated.
                    if (i < r.mptcp_options.size()) CHECK(r.mptcp_options[i].truncated);
                }
            }
            // Plain options are decoded only when wholly captured.
            if (r.has_timestamps) {
                CHECK(full.has_timestamps);
                CHECK(r.tsval == full.tsval);
                CHECK(r.tsecr == full.tsecr);
            }
            if (r.mss) CHECK(r.mss == full.mss);
            if (r.window_scale >= 0) CHECK(r.window_scale == full.window_scale);
        }
    }
}

TEST_CASE("a cut MP_JOIN or ADD_ADDR is not decoded with the layout of a shorter option",
          "[tcp_options][robustness]") {
    SECTION("MP_JOIN SYN/ACK (16) cut at 12 bytes is not a SYN with a token") {
        const Bytes block = join_synack(false, 3, kHmac8, 0xfeedfaceU);
        const PacketRecord r = parse(Bytes(block.begin(), block.begin() + 12), false);
        REQUIRE(r.mptcp_options.size() == 1);
        const MptcpOption& m = r.mptcp_options[0];
        CHECK(m.truncated);
        CHECK(m.length == 16);
        CHECK_FALSE(m.has_token);
        CHECK_FALSE(m.has_nonce);
    }
    SECTION("MP_JOIN third ACK (24) cut at 16 bytes is not a SYN/ACK with a nonce") {
        const Bytes block = join_ack(kHmac20);
        const PacketRecord r = parse(Bytes(block.begin(), block.begin() + 16), false);
        REQUIRE(r.mptcp_options.size() == 1);
        CHECK(r.mptcp_options[0].truncated);
        CHECK_FALSE(r.mptcp_options[0].has_nonce);
        CHECK(r.mptcp_options[0].hmac_length != 8);
    }
    SECTION("ADD_ADDR v1 IPv6 (30) cut at 10 bytes is not an IPv4 address with a port") {
        const Bytes block = add_addr_v1(false, 9, ip("2001:db8::5"), std::uint16_t{4242}, kHmac8);
        const PacketRecord r = parse(Bytes(block.begin(), block.begin() + 10), false);
        REQUIRE(r.mptcp_options.size() == 1);
        const MptcpOption& m = r.mptcp_options[0];
        CHECK(m.truncated);
        CHECK(m.address.family != 4);
        CHECK_FALSE(m.has_port);
    }
    SECTION("ADD_ADDR v1 IPv4 with HMAC (16) cut at 10 bytes has no port") {
        const Bytes block = add_addr_v1(false, 9, ip("192.0.2.1"), std::nullopt, kHmac8);
        const PacketRecord r = parse(Bytes(block.begin(), block.begin() + 10), false);
        REQUIRE(r.mptcp_options.size() == 1);
        CHECK(r.mptcp_options[0].truncated);
        CHECK_FALSE(r.mptcp_options[0].has_port);
    }
}

TEST_CASE("a length byte of 0 or 1 stops parsing", "[tcp_options][robustness]") {
    for (std::uint8_t bad : {std::uint8_t{0}, std::uint8_t{1}}) {
        INFO("length byte " << int{bad});
        SECTION("after valid options, length " + std::to_string(bad)) {
            const PacketRecord r =
                parse(cat({mss(1200), dss(0x01, 5, std::nullopt), Bytes{8, bad}, timestamps(1, 2), Bytes{30, 8, 0x20, 0x01, 0, 0, 0, 9}}));
            CHECK(r.mss == 1200);
            REQUIRE(r.mptcp_options.size() == 1);
            CHECK(r.mptcp_options[0].data_ack == 5);
            CHECK_FALSE(r.has_timestamps);
        }
        SECTION("an MPTCP option with length " + std::to_string(bad)) {
            const PacketRecord r = parse(cat({Bytes{30, bad, 0x20, 0x01}, timestamps(1, 2)}));
            CHECK(r.mptcp_options.empty());
            CHECK_FALSE(r.has_timestamps);
        }
    }
}

TEST_CASE("an option longer than the block is rejected when the block is complete", "[tcp_options][robustness]") {
    // A DSS claiming 20 bytes in a 12-byte block.
    Bytes block = cat({mss(1000), Bytes{30, 20, 0x20, 0x01, 0, 0, 0, 1}});
    SECTION("complete block: malformed, not reported") {
        const PacketRecord r = parse(block, true);
        CHECK(r.mss == 1000);
        CHECK(r.mptcp_options.empty());
    }
    SECTION("cut block: the same bytes are a truncated option") {
        const PacketRecord r = parse(block, false);
        CHECK(r.mss == 1000);
        REQUIRE(r.mptcp_options.size() == 1);
        CHECK(r.mptcp_options[0].truncated);
        CHECK(r.mptcp_options[0].subtype == MptcpSubtype::Dss);
        CHECK(r.mptcp_options[0].length == 20);
    }
    SECTION("a timestamp option claiming more than the block is not decoded") {
        const PacketRecord r = parse(Bytes{8, 10, 0, 0, 0, 1, 0, 0}, true);
        CHECK_FALSE(r.has_timestamps);
    }
}

TEST_CASE("MPTCP options too short for their subtype are marked truncated", "[tcp_options][robustness]") {
    CHECK(parse_one(Bytes{30, 2}).truncated);
    CHECK(parse_one(Bytes{30, 3, 0x00}).truncated);               // MP_CAPABLE without flags
    CHECK(parse_one(Bytes{30, 8, 0x10, 0, 1, 2, 3, 4}).truncated);  // MP_JOIN of 8 bytes
    CHECK(parse_one(Bytes{30, 3, 0x20}).truncated);               // DSS without flags
    CHECK(parse_one(Bytes{30, 6, 0x20, 0x04, 0, 0}).truncated);   // DSS mapping missing
    CHECK(parse_one(Bytes{30, 6, 0x30, 1, 2, 3}).truncated);      // ADD_ADDR of 6 bytes
    CHECK(parse_one(Bytes{30, 11, 0x30, 1, 2, 3, 4, 5, 6, 7, 8}).truncated);  // ADD_ADDR v1 odd length
    CHECK(parse_one(Bytes{30, 8, 0x60, 0, 0, 0, 0, 0}).truncated);  // MP_FAIL of 8
    CHECK(parse_one(Bytes{30, 8, 0x70, 0, 0, 0, 0, 0}).truncated);  // MP_FASTCLOSE of 8
}

TEST_CASE("random bytes never crash", "[tcp_options][robustness][fuzz]") {
    std::mt19937 rng(20261126U);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<int> length(0, 60);
    std::uniform_int_distribution<int> coin(0, 3);
    std::size_t options_seen = 0;
    for (int iteration = 0; iteration < 20000; ++iteration) {
        Bytes block(static_cast<std::size_t>(length(rng)));
        for (auto& v : block) {
            // Bias towards MPTCP kinds and plausible lengths so that the subtype parsers run.
            const int c = coin(rng);
            v = c == 0 ? std::uint8_t{30} : u8(static_cast<unsigned>(byte(rng)));
        }
        if (block.size() >= 3 && coin(rng) != 0) {
            block[0] = 30;
            block[1] = u8(static_cast<unsigned>(std::uniform_int_distribution<int>(0, 40)(rng)));
        }
        const bool complete = coin(rng) < 2;
        const PacketRecord r = parse(block, complete);
        options_seen += r.mptcp_options.size();
        for (const auto& m : r.mptcp_options) {
            CHECK(m.hmac_length <= 20);
            if (complete) CHECK(m.length >= 2);
        }
        // The MPTCP decoder alone, on any span.
        (void)parse_one(block);
        // And the header finder, on random frames.
        if (block.size() >= 13) {
            const auto off = find_tcp_header(std::span<const std::uint8_t>(block), 1, 2, 3, 4, 20);
            if (off) CHECK(*off + 13 <= block.size());
        }
    }
    CHECK(options_seen > 1000);
}

// ---------------------------------------------------------------------------------------------
// find_tcp_header
// ---------------------------------------------------------------------------------------------

namespace {

struct Frame {
    Bytes bytes;
    std::size_t tcp_offset = 0;
};

constexpr std::uint16_t kSport = 41234;
constexpr std::uint16_t kDport = 443;
constexpr std::uint32_t kSeq = 0x89abcdefU;
constexpr std::uint32_t kAck = 0x01234567U;

Bytes tcp_header(const Bytes& options, std::uint32_t seq = kSeq) {
    Bytes h;
    put16(h, kSport);
    put16(h, kDport);
    put32(h, seq);
    put32(h, kAck);
    const auto hlen = 20 + options.size();
    h.push_back(u8(static_cast<unsigned>((hlen / 4) << 4)));
    h.push_back(0x10);  // ACK
    put16(h, 502);      // window
    put16(h, 0);        // checksum
    put16(h, 0);        // urgent pointer
    h.insert(h.end(), options.begin(), options.end());
    return h;
}

Frame ethernet_ipv4(const Bytes& tcp, const Bytes& payload) {
    Bytes f{0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00};
    const auto total = 20 + tcp.size() + payload.size();
    Bytes ipv4{0x45, 0x00};
    put16(ipv4, static_cast<std::uint16_t>(total));
    put32(ipv4, 0x00014000U);  // id 1, DF
    ipv4.push_back(64);
    ipv4.push_back(6);
    put16(ipv4, 0);
    put32(ipv4, 0xc0000201U);
    put32(ipv4, 0xc6336407U);
    Frame fr;
    fr.bytes = cat({f, ipv4});
    fr.tcp_offset = fr.bytes.size();
    fr.bytes = cat({fr.bytes, tcp, payload});
    return fr;
}

Frame ethernet_ipv6(const Bytes& tcp, const Bytes& payload) {
    Bytes f{0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x86, 0xdd};
    Bytes ipv6{0x60, 0, 0, 0};
    put16(ipv6, static_cast<std::uint16_t>(tcp.size() + payload.size()));
    ipv6.push_back(6);
    ipv6.push_back(64);
    const IpAddress s = ip("2001:db8::1"), d = ip("2001:db8::2");
    ipv6.insert(ipv6.end(), s.bytes.begin(), s.bytes.end());
    ipv6.insert(ipv6.end(), d.bytes.begin(), d.bytes.end());
    Frame fr;
    fr.bytes = cat({f, ipv6});
    fr.tcp_offset = fr.bytes.size();
    fr.bytes = cat({fr.bytes, tcp, payload});
    return fr;
}

std::optional<std::size_t> find(const Bytes& bytes, std::uint8_t header_length, std::uint32_t seq = kSeq) {
    std::unique_ptr<std::uint8_t[]> exact(new std::uint8_t[bytes.size()]);
    std::copy(bytes.begin(), bytes.end(), exact.get());
    return find_tcp_header(std::span<const std::uint8_t>(exact.get(), bytes.size()), kSport, kDport, seq, kAck,
                           header_length);
}

}  // namespace

TEST_CASE("find_tcp_header finds the header after Ethernet+IPv4 / IPv6 headers and checks the data offset nibble",
          "[find_tcp_header]") {
    const Bytes options = cat({nop(), nop(), timestamps(1, 2), dss(0x01, 3, std::nullopt)});  // 20 bytes
    const Bytes tcp = tcp_header(options);
    const Bytes payload(100, 0x55);

    SECTION("IPv4") {
        const Frame fr = ethernet_ipv4(tcp, payload);
        REQUIRE(fr.tcp_offset == 34);
        CHECK(find(fr.bytes, 40) == std::optional<std::size_t>{34});
        CHECK_FALSE(find(fr.bytes, 20).has_value());  // wrong data offset: not this header
        CHECK_FALSE(find(fr.bytes, 44).has_value());
    }
    SECTION("IPv6") {
        const Frame fr = ethernet_ipv6(tcp, payload);
        REQUIRE(fr.tcp_offset == 54);
        CHECK(find(fr.bytes, 40) == std::optional<std::size_t>{54});
        CHECK_FALSE(find(fr.bytes, 60).has_value());
    }
    SECTION("an earlier copy of the ports/seq/ack with a wrong data offset is skipped") {
        // The 12-byte pattern appears first in the payload of a tunnelled copy with a bad
        // nibble; the real header comes later.
        Bytes decoy = tcp_header(Bytes{});
        decoy[12] = 0xf0;  // data offset 60
        Frame fr = ethernet_ipv4(tcp, payload);
        Bytes bytes = cat({Bytes(fr.bytes.begin(), fr.bytes.begin() + 14), decoy,
                           Bytes(fr.bytes.begin() + 14, fr.bytes.end())});
        CHECK(find(bytes, 40) == std::optional<std::size_t>{14 + decoy.size() + 20});
        CHECK(find(bytes, 60) == std::optional<std::size_t>{14});
    }
    SECTION("the header at offset 0 (raw TCP) and a header without options") {
        CHECK(find(tcp, 40) == std::optional<std::size_t>{0});
        const Frame plain = ethernet_ipv4(tcp_header(Bytes{}), Bytes{});
        CHECK(find(plain.bytes, 20) == std::optional<std::size_t>{34});
    }
}

TEST_CASE("find_tcp_header returns nullopt when absent or cut", "[find_tcp_header]") {
    const Bytes tcp = tcp_header(cat({nop(), nop(), timestamps(1, 2)}));  // 32-byte header
    const Frame fr = ethernet_ipv4(tcp, Bytes(10, 0));
    REQUIRE(find(fr.bytes, 32) == std::optional<std::size_t>{34});

    SECTION("absent: another sequence number") { CHECK_FALSE(find(fr.bytes, 32, kSeq + 1).has_value()); }
    SECTION("absent: empty and tiny inputs") {
        CHECK_FALSE(find(Bytes{}, 32).has_value());
        CHECK_FALSE(find(Bytes{0x45}, 32).has_value());
    }
    SECTION("cut before the data offset byte") {
        for (std::size_t keep = 0; keep <= fr.tcp_offset + 12; ++keep) {
            INFO("kept " << keep << " bytes");
            const Bytes cut(fr.bytes.begin(), fr.bytes.begin() + static_cast<std::ptrdiff_t>(keep));
            CHECK_FALSE(find(cut, 32).has_value());
        }
    }
    SECTION("cut after the data offset byte: found (the options are then cut)") {
        const Bytes cut(fr.bytes.begin(), fr.bytes.begin() + static_cast<std::ptrdiff_t>(fr.tcp_offset + 24));
        CHECK(find(cut, 32) == std::optional<std::size_t>{34});
    }
}
