#pragma once
// Which connection of a peer capture (the other end of the same traffic, or another point on its
// path) is a connection of the first capture. Matching uses what survives the path first: MPTCP
// keys and MP_JOIN tokens and nonces, initial sequence numbers, TCP timestamps, the sequence
// space covered; addresses and ports come last, so a NAT that rewrites them does not break the
// mapping, and a reused 4-tuple is told apart by its ISNs. Stream numbers are never compared:
// they differ between captures (DESIGN.md, "Stable identifiers").

#include <cstdint>
#include <optional>
#include <vector>

#include "mptcpanalyzer/analysis/session.hpp"

namespace mptcpanalyzer {

// Why a candidate matches, strongest first. Stable snake_case names (to_string) reach reports.
enum class MatchReason : std::uint8_t {
    MptcpKeys,        // same MP_CAPABLE keys (both, or the one each capture saw)
    JoinToken,        // MP_JOIN SYN: same token
    JoinNonces,       // MP_JOIN: same nonces (random per subflow)
    ClientIsn,        // same initial sequence number of the client (SYN)
    ServerIsn,        // same initial sequence number of the server (SYN/ACK)
    Timestamps,       // TCP timestamp values of one overlap the other's
    SequenceOverlap,  // the raw sequence spaces covered overlap (no handshake captured)
    TimeOverlap,      // the captured lifetimes overlap (raw clocks: weak)
    FourTuple,        // same addresses and ports (either orientation)
    Ports,            // same ports, other addresses
};
const char* to_string(MatchReason r);

struct TcpCandidate {
    std::uint32_t tcp_stream = 0;   // in the peer capture
    int score = 0;                  // higher is better; only candidates with score > 0 are listed
    std::vector<MatchReason> reasons;
    // The peer connection's client is the first one's server (orientations disagree, e.g. a
    // handshake missing from one capture).
    bool reversed = false;
};

// A subflow of the first capture's MPTCP connection and its twin in the peer capture.
struct SubflowPair {
    std::size_t subflow = 0;                    // index in the first connection's subflows
    std::optional<std::size_t> peer_subflow;    // index in the peer connection's subflows
    std::optional<std::uint32_t> peer_tcp_stream;
    int score = 0;
    std::vector<MatchReason> reasons;
    bool reversed = false;  // as in TcpCandidate
};

struct MptcpCandidate {
    std::int64_t mptcp_stream = -1;  // in the peer capture
    std::size_t peer_index = 0;      // index in the peer model's mptcp connections
    int score = 0;
    std::vector<MatchReason> reasons;
    std::vector<SubflowPair> subflows;  // one per subflow of the first connection, in its order
};

// The candidates in `peer` for a connection of `first`, best first (score, then stream number).
// Empty: the connection is present in the first capture only.
std::vector<TcpCandidate> map_tcp_connection(const AnalysisSession& first, const TcpConnection& connection,
                                             const AnalysisSession& peer);
std::vector<MptcpCandidate> map_mptcp_connection(const AnalysisSession& first, const MptcpConnection& connection,
                                                 const AnalysisSession& peer);

}  // namespace mptcpanalyzer
