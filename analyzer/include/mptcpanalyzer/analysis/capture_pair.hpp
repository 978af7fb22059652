#pragma once
// CapturePair: two captures of the same traffic (the first one, `-r`, and its peer, `--peer`),
// and what is derived across them: connection mapping, subflow pairing, packet matching and
// which capture is nearer which end. Each is computed on first use and kept, like
// AnalysisSession does for one capture, so the shell after `load A --peer B` and every
// two-capture report (map, owd, qualify-reinjections, summary-extended, plots) share them.
// Not thread-safe: one pair serves one thread.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mptcpanalyzer/analysis/connection_mapping.hpp"
#include "mptcpanalyzer/analysis/packet_matching.hpp"
#include "mptcpanalyzer/analysis/session.hpp"

namespace mptcpanalyzer {

// Where the first capture was taken relative to the peer capture, on one connection's path:
// nearer the (MPTCP) client (packets towards the server reach it before they reach the peer),
// nearer the server, or unknown (nothing matched in both directions). Decided without any clock
// offset: the minimum of (peer time - first time) over packets towards the server plus the
// minimum of (first time - peer time) over packets towards the client is the minimum round-trip
// between the two capture points, positive when the first capture is on the client side and
// negative when it is on the server side, whatever the offset between the two clocks. A clock
// drift larger than that round trip over the capture would turn those minima around: then the
// orientation whose bounds some drift (up to 1000 ppm) keeps apart decides (clock_offset.hpp).
// Every two-capture command reads this one decision.
enum class CaptureSide : std::uint8_t { Client, Server, Unknown };
const char* to_string(CaptureSide s);

// A subflow (or plain TCP connection) of the first capture and its twin in the peer capture.
struct SubflowMatch {
    std::size_t subflow = 0;                  // index in the first connection's subflows (0 for TCP)
    const TcpConnection* tcp = nullptr;       // in the first capture
    const TcpConnection* peer_tcp = nullptr;  // in the peer capture; nullptr: present in the first only
    std::optional<std::size_t> peer_subflow;  // index in the peer MPTCP connection's subflows
    TcpPacketMatch packets;                   // empty when peer_tcp is nullptr
};

// An MPTCP connection of the first capture and its twin in the peer capture.
struct MptcpPairing {
    std::vector<MptcpCandidate> candidates;       // best first; empty: first capture only
    const MptcpConnection* peer = nullptr;        // the best candidate's connection, or nullptr
    std::vector<SubflowMatch> subflows;           // one per subflow of the first connection
    // Peer subflows (indices in peer->subflows) no subflow of the first capture matched.
    std::vector<std::size_t> peer_only_subflows;
    CaptureSide first_side = CaptureSide::Unknown;
};

// A plain TCP connection of the first capture and its twin.
struct TcpPairing {
    std::vector<TcpCandidate> candidates;  // best first; empty: first capture only
    SubflowMatch match;                    // with the best candidate (peer_tcp nullptr when none)
    CaptureSide first_side = CaptureSide::Unknown;
};

class CapturePair {
public:
    // The names are how reports and messages call the captures (the paths given by the user).
    CapturePair(std::shared_ptr<const AnalysisSession> first, std::string first_name,
                std::shared_ptr<const AnalysisSession> peer, std::string peer_name);
    CapturePair(const CapturePair&) = delete;
    CapturePair& operator=(const CapturePair&) = delete;

    const AnalysisSession& first() const { return *first_; }
    const AnalysisSession& peer() const { return *peer_; }
    const std::string& first_name() const { return first_name_; }
    const std::string& peer_name() const { return peer_name_; }

    const TcpPairing& tcp(const TcpConnection& connection) const;
    const MptcpPairing& mptcp(const MptcpConnection& connection) const;

private:
    std::shared_ptr<const AnalysisSession> first_;
    std::shared_ptr<const AnalysisSession> peer_;
    std::string first_name_;
    std::string peer_name_;
    mutable std::map<const TcpConnection*, std::unique_ptr<TcpPairing>> tcp_;
    mutable std::map<const MptcpConnection*, std::unique_ptr<MptcpPairing>> mptcp_;
};

// Which capture of the pair sees a data direction's packets leave (the sender's side): the
// first one when it is on the client side and `direction` is ToServer, or on the server side
// and `direction` is ToClient. Unknown side: the first capture is taken as the sender's side.
bool first_is_sender_side(CaptureSide first_side, DataDirection direction);

}  // namespace mptcpanalyzer
