#include "mptcpanalyzer/model/mptcp_crypto.hpp"

#include <glib.h>

namespace mptcpanalyzer {
namespace {

std::array<std::uint8_t, 8> be_bytes(std::uint64_t v) {
    std::array<std::uint8_t, 8> b{};
    for (int i = 7; i >= 0; --i) {
        b[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v);
        v >>= 8;
    }
    return b;
}

GChecksumType hash_for(int version) { return version == 0 ? G_CHECKSUM_SHA1 : G_CHECKSUM_SHA256; }

}  // namespace

KeyDerived derive_from_key(std::uint64_t key, int version) {
    const auto bytes = be_bytes(key);
    GChecksum* c = g_checksum_new(hash_for(version));
    g_checksum_update(c, bytes.data(), bytes.size());
    std::array<std::uint8_t, 32> digest{};
    gsize len = digest.size();
    g_checksum_get_digest(c, digest.data(), &len);
    g_checksum_free(c);
    KeyDerived d;
    for (int i = 0; i < 4; ++i) d.token = (d.token << 8) | digest[static_cast<std::size_t>(i)];
    for (gsize i = len - 8; i < len; ++i) d.idsn = (d.idsn << 8) | digest[i];
    return d;
}

std::vector<std::uint8_t> join_hmac(std::uint64_t key_a, std::uint64_t key_b, std::uint32_t nonce_a,
                                    std::uint32_t nonce_b, int version) {
    std::array<std::uint8_t, 16> key{};
    const auto ka = be_bytes(key_a), kb = be_bytes(key_b);
    std::copy(ka.begin(), ka.end(), key.begin());
    std::copy(kb.begin(), kb.end(), key.begin() + 8);
    std::array<std::uint8_t, 8> msg{};
    for (int i = 0; i < 4; ++i) {
        msg[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(nonce_a >> (24 - 8 * i));
        msg[static_cast<std::size_t>(4 + i)] = static_cast<std::uint8_t>(nonce_b >> (24 - 8 * i));
    }
    GHmac* h = g_hmac_new(hash_for(version), key.data(), key.size());
    g_hmac_update(h, msg.data(), msg.size());
    std::vector<std::uint8_t> out(32);
    gsize len = out.size();
    g_hmac_get_digest(h, out.data(), &len);
    g_hmac_unref(h);
    out.resize(len);
    return out;
}

}  // namespace mptcpanalyzer
