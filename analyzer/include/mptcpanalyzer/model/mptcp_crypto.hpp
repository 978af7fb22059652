#pragma once
// The key-derived values of MPTCP: token and initial data sequence number (RFC 6824 v0:
// SHA-1, RFC 8684 v1: SHA-256), and the MP_JOIN HMACs.

#include <array>
#include <cstdint>
#include <vector>

namespace mptcpanalyzer {

struct KeyDerived {
    std::uint32_t token = 0;  // most significant 32 bits of the hash of the key
    std::uint64_t idsn = 0;   // least significant 64 bits of the hash of the key
};

// `version` 0 uses SHA-1, 1 (or anything newer) SHA-256. The key is hashed as 8 big-endian bytes.
KeyDerived derive_from_key(std::uint64_t key, int version);

// HMAC of MP_JOIN: key = key_a || key_b (big-endian), message = nonce_a || nonce_b; SHA-1 for v0,
// SHA-256 for v1. Returns the full digest (20 or 32 bytes); MP_JOIN carries the leftmost 8
// (SYN/ACK) or 20 (third ACK) bytes.
std::vector<std::uint8_t> join_hmac(std::uint64_t key_a, std::uint64_t key_b, std::uint32_t nonce_a,
                                    std::uint32_t nonce_b, int version);

}  // namespace mptcpanalyzer
