#pragma once
// What each reinjection bought, from two captures of the same MPTCP connection: the sender's
// side (where the reinjection and its originals leave, analysis/reinjections.hpp) and the
// receiver's side (where the copies arrive, followed through the packet matching).
//
// Per reinjection, over its reinjected bytes R (the part of its DSN range that its originals
// carry):
//   - the reinjected copy arrived at the receiver when its twin (the last piece of a split
//     super-segment) was captured there; null when it has no twin (lost, or outside the capture);
//   - the originals delivered R when every byte of R had arrived through at least one original:
//     the earliest time by which the originals that arrived cover all of R. With one original
//     (the usual case) that is its arrival; when R is split over several originals, R is
//     delivered by the originals only once the last missing part is (a part covered by no arrived
//     original means the originals never delivered R: null);
//   - useful: the copy arrived and the originals had not delivered R before (or never did);
//     redundant: the originals delivered R first (or at the same nanosecond), or the copy never
//     arrived while some original did; lost: neither the copy nor any original arrived;
//   - gain_ns = originals' delivery - copy's arrival (positive: time gained; null when either
//     is null);
//   - data_ack_sooner: useful, and the receiver's first cumulative DATA_ACK covering R (from the
//     receiver capture's own analysis) was sent before the originals delivered R (or they never
//     did).
// TCP-level retransmissions of the copy or of an original are other transmissions and are not
// followed: a copy counts only by its own frame. Times at the receiver are relative to the
// receiver connection's first packet (any subflow) in the receiver's capture: no clock offset is
// involved, every compared time comes from the receiver's clock.

#include <array>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "mptcpanalyzer/analysis/capture_pair.hpp"

namespace mptcpanalyzer {

// One data direction of a paired MPTCP connection seen from both ends: which capture saw its
// data leave (first_is_sender_side) and the receiver-side twins of the sender's rows.
struct DataDirectionSides {
    DataDirection direction = DataDirection::ToServer;
    bool sender_is_first = true;
    const AnalysisSession* sender = nullptr;
    const MptcpConnection* sender_connection = nullptr;
    const AnalysisSession* receiver = nullptr;
    const MptcpConnection* receiver_connection = nullptr;
    // Sender row -> its receiver twins (several: a super-segment split on the way), every subflow
    // and both TCP directions.
    std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> receiver_rows;
    std::int64_t receiver_start_ns = 0;  // the receiver connection's first packet, receiver clock

    // When the last receiver twin of a sender row was captured (receiver clock, absolute), or
    // nullopt when it has none.
    std::optional<std::int64_t> arrival_ns(std::uint32_t sender_row) const;
};

// Requires pairing.peer (throws Error(Usage) naming the stream otherwise: see twin_or_throw).
DataDirectionSides data_direction_sides(const CapturePair& pair, const MptcpConnection& connection,
                                        DataDirection direction);

// The pairing of `connection`, or Error(Usage) when the peer capture holds no twin of it.
const MptcpPairing& twin_or_throw(const CapturePair& pair, const MptcpConnection& connection);

enum class ReinjectionOutcome : std::uint8_t { Useful, Redundant, Lost };
const char* to_string(ReinjectionOutcome o);  // "useful", "redundant", "lost"

// An original or the reinjected copy, followed to the receiver.
struct CopyArrival {
    std::size_t segment = 0;                      // index in the sender's ConnectionData::segments
    std::optional<std::int64_t> arrival_ns;       // relative to DataDirectionSides::receiver_start_ns
    std::optional<std::uint32_t> receiver_frame;  // the (last) twin's frame in the receiver capture
};

struct QualifiedReinjection {
    DataDirection direction = DataDirection::ToServer;
    bool sender_is_first = true;                 // which capture `copy.segment` and the originals refer to
    const Reinjection* reinjection = nullptr;    // in the sender's analysis
    CopyArrival copy;
    std::vector<CopyArrival> originals;          // Reinjection::originals' order
    std::uint64_t dsn_start = 0;                 // relative DSN range R (sender's base)
    std::uint64_t dsn_end = 0;
    std::optional<std::int64_t> originals_delivered_ns;  // relative, as arrival_ns
    std::optional<std::int64_t> data_ack_ns;     // first covering DATA_ACK sent by the receiver, relative
    ReinjectionOutcome outcome = ReinjectionOutcome::Lost;
    std::optional<std::int64_t> gain_ns;
    bool data_ack_sooner = false;
};

struct OutcomeTotals {
    std::uint64_t count = 0;
    std::uint64_t bytes = 0;  // reinjected bytes
};

struct DirectionQualification {
    DataDirection direction = DataDirection::ToServer;
    bool sender_is_first = true;
    OutcomeTotals useful, redundant, lost;
    std::int64_t gained_ns = 0;     // sum of gain_ns over the useful reinjections
    std::int64_t late_ns = 0;       // sum of -gain_ns over the redundant ones with a gain
    std::uint64_t data_ack_sooner = 0;
};

struct ReinjectionQualification {
    const MptcpPairing* pairing = nullptr;
    std::vector<QualifiedReinjection> reinjections;  // to_server first, then the sender's segment order
    std::array<DirectionQualification, 2> directions;  // indexed by DataDirection
};

// Throws Error(Usage) when `connection` (of the first capture) has no twin in the peer capture.
ReinjectionQualification qualify_reinjections(const CapturePair& pair, const MptcpConnection& connection);

}  // namespace mptcpanalyzer
