// MPTCP key-derived values (RFC 6824 v0 / RFC 8684 v1): the token is the most significant 32
// bits and the IDSN the least significant 64 bits of the hash (SHA-1 / SHA-256) of the key as
// 8 big-endian bytes; MP_JOIN HMACs use key_a||key_b and nonce_a||nonce_b. Expected values are
// computed here independently with GLib's one-shot helpers, plus known pairs from real captures.

#include <glib.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "mptcpanalyzer/model/mptcp_crypto.hpp"

using namespace mptcpanalyzer;

namespace {

std::vector<std::uint8_t> be8(std::uint64_t v) {
    std::vector<std::uint8_t> b(8);
    for (std::size_t i = 0; i < 8; ++i) b[i] = static_cast<std::uint8_t>(v >> (56 - 8 * i));
    return b;
}

std::vector<std::uint8_t> be4(std::uint32_t v) {
    std::vector<std::uint8_t> b(4);
    for (std::size_t i = 0; i < 4; ++i) b[i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
    return b;
}

std::string take_hex(gchar* s) {
    REQUIRE(s != nullptr);
    std::string out(s);
    g_free(s);
    return out;
}

std::string glib_hash_hex(GChecksumType type, std::uint64_t key) {
    const auto bytes = be8(key);
    return take_hex(g_compute_checksum_for_data(type, bytes.data(), bytes.size()));
}

std::string glib_hmac_hex(GChecksumType type, std::uint64_t key_a, std::uint64_t key_b, std::uint32_t nonce_a,
                          std::uint32_t nonce_b) {
    auto key = be8(key_a);
    const auto kb = be8(key_b);
    key.insert(key.end(), kb.begin(), kb.end());
    auto msg = be4(nonce_a);
    const auto nb = be4(nonce_b);
    msg.insert(msg.end(), nb.begin(), nb.end());
    return take_hex(g_compute_hmac_for_data(type, key.data(), key.size(), msg.data(), msg.size()));
}

std::string to_hex(const std::vector<std::uint8_t>& bytes) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (auto b : bytes) {
        s += digits[b >> 4];
        s += digits[b & 0xf];
    }
    return s;
}

std::uint64_t hex_value(const std::string& hex) { return std::stoull(hex, nullptr, 16); }

const std::vector<std::uint64_t> kKeys = {
    0x0ULL,
    0x1ULL,
    0xffffffffffffffffULL,
    0x0102030405060708ULL,
    0x8000000000000000ULL,
    0xdeeadfc39671faccULL,
    0x65f21644a86e59b3ULL,
    0xca2f07947b1bfd2bULL,
    0x0000000000003a61ULL,
};

}  // namespace

TEST_CASE("crypto: v1 token and IDSN are the top 32 and bottom 64 bits of SHA-256 of the big-endian key",
          "[crypto]") {
    for (auto key : kKeys) {
        INFO("key " << std::hex << key);
        const std::string hex = glib_hash_hex(G_CHECKSUM_SHA256, key);
        REQUIRE(hex.size() == 64);
        const KeyDerived d = derive_from_key(key, 1);
        CHECK(d.token == static_cast<std::uint32_t>(hex_value(hex.substr(0, 8))));
        CHECK(d.idsn == hex_value(hex.substr(48, 16)));
    }
}

TEST_CASE("crypto: v0 token and IDSN are the top 32 and bottom 64 bits of SHA-1 of the big-endian key",
          "[crypto]") {
    for (auto key : kKeys) {
        INFO("key " << std::hex << key);
        const std::string hex = glib_hash_hex(G_CHECKSUM_SHA1, key);
        REQUIRE(hex.size() == 40);
        const KeyDerived d = derive_from_key(key, 0);
        CHECK(d.token == static_cast<std::uint32_t>(hex_value(hex.substr(0, 8))));
        CHECK(d.idsn == hex_value(hex.substr(24, 16)));
    }
}

TEST_CASE("crypto: versions newer than 1 hash like v1 (SHA-256)", "[crypto]") {
    for (auto key : kKeys) {
        const KeyDerived v1 = derive_from_key(key, 1);
        const KeyDerived v2 = derive_from_key(key, 2);
        CHECK(v2.token == v1.token);
        CHECK(v2.idsn == v1.idsn);
    }
}

TEST_CASE("crypto: tokens of keys seen in real captures", "[crypto]") {
    CHECK(derive_from_key(0xdeeadfc39671faccULL, 1).token == 0xc4b106e1U);
    CHECK(derive_from_key(0x65f21644a86e59b3ULL, 1).token == 0xdd8df760U);
    CHECK(derive_from_key(0xca2f07947b1bfd2bULL, 0).token == 0x87f53114U);
    // The IDSNs of the same keys (least significant 64 bits of the digests).
    CHECK(derive_from_key(0xdeeadfc39671faccULL, 1).idsn == 0x2b223a04cdd3df62ULL);
    CHECK(derive_from_key(0x65f21644a86e59b3ULL, 1).idsn == 0x68d8f60ae6f07762ULL);
    CHECK(derive_from_key(0xca2f07947b1bfd2bULL, 0).idsn == 0x528b5d084e92c2fcULL);
    // The v1 key must not give the v0 token (and vice versa): the hash depends on the version.
    CHECK(derive_from_key(0xca2f07947b1bfd2bULL, 1).token != 0x87f53114U);
    CHECK(derive_from_key(0xdeeadfc39671faccULL, 0).token != 0xc4b106e1U);
}

TEST_CASE("crypto: join_hmac is HMAC(key_a||key_b, nonce_a||nonce_b), SHA-256 for v1 and SHA-1 for v0",
          "[crypto]") {
    struct Case {
        std::uint64_t key_a, key_b;
        std::uint32_t nonce_a, nonce_b;
    };
    const std::vector<Case> cases = {
        {0xdeeadfc39671faccULL, 0x65f21644a86e59b3ULL, 0x11223344U, 0xaabbccddU},
        {0x65f21644a86e59b3ULL, 0xdeeadfc39671faccULL, 0xaabbccddU, 0x11223344U},
        {0, 0, 0, 0},
        {0xffffffffffffffffULL, 0x1ULL, 0xffffffffU, 0x1U},
        {0xca2f07947b1bfd2bULL, 0x0102030405060708ULL, 0x80000000U, 0x00000080U},
    };
    for (const auto& c : cases) {
        INFO("keys " << std::hex << c.key_a << " " << c.key_b << " nonces " << c.nonce_a << " " << c.nonce_b);
        const auto v1 = join_hmac(c.key_a, c.key_b, c.nonce_a, c.nonce_b, 1);
        CHECK(v1.size() == 32);
        CHECK(to_hex(v1) == glib_hmac_hex(G_CHECKSUM_SHA256, c.key_a, c.key_b, c.nonce_a, c.nonce_b));
        const auto v0 = join_hmac(c.key_a, c.key_b, c.nonce_a, c.nonce_b, 0);
        CHECK(v0.size() == 20);
        CHECK(to_hex(v0) == glib_hmac_hex(G_CHECKSUM_SHA1, c.key_a, c.key_b, c.nonce_a, c.nonce_b));
    }
}

TEST_CASE("crypto: join_hmac depends on the order of keys and nonces (A's HMAC differs from B's)", "[crypto]") {
    const std::uint64_t ka = 0xdeeadfc39671faccULL, kb = 0x65f21644a86e59b3ULL;
    const std::uint32_t na = 0x01020304U, nb = 0x0a0b0c0dU;
    for (int v : {0, 1}) {
        const auto a = join_hmac(ka, kb, na, nb, v);
        CHECK(a != join_hmac(kb, ka, nb, na, v));
        CHECK(a != join_hmac(kb, ka, na, nb, v));
        CHECK(a != join_hmac(ka, kb, nb, na, v));
        CHECK(a == join_hmac(ka, kb, na, nb, v));  // deterministic
    }
}
