#pragma once
// SequenceCoverage: the sequence space of one direction of a TCP connection as the capture saw
// it. It decides what a TCP retransmission is, once, for tcp-summary (TcpDirectionStats) and for
// the MPTCP byte classification (analysis/reinjections): a payload byte is retransmitted when
// its sequence number was already covered by payload captured earlier in this direction. A
// segment filling a range the capture never saw (lost before the capture point) is not a
// retransmission here; ranges never seen between the first and the last captured byte are holes.
//
// Feed every segment of the direction in capture order, payload or not: 32-bit sequence numbers
// are unwrapped near the last one seen, and pure ACKs keep that reference current.

#include <cstdint>
#include <map>
#include <vector>

namespace mptcpanalyzer {

class SequenceCoverage {
public:
    // A range of bytes [start, end).
    struct Range {
        std::uint64_t start = 0;
        std::uint64_t end = 0;
        bool operator==(const Range&) const = default;
    };

    // Adds one segment: `seq_raw` is its sequence number on the wire, `syn` whether it has the SYN
    // flag (its data starts one past the SYN's number), `length` its payload. Returns how many of
    // its payload bytes were already covered; when `already_covered` is given, the covered parts
    // are appended to it as offsets into the segment's payload (ascending, disjoint, within
    // [0, length)).
    std::uint64_t add(std::uint32_t seq_raw, bool syn, std::uint32_t length,
                      std::vector<Range>* already_covered = nullptr);

    // Payload bytes added, retransmissions included.
    std::uint64_t payload_bytes() const { return payload_; }
    // Sequence space covered by captured payload (each byte counted once).
    std::uint64_t covered_bytes() const { return covered_; }
    // Payload bytes whose sequence number was already covered: payload_bytes() - covered_bytes().
    std::uint64_t retransmitted_bytes() const { return payload_ - covered_; }
    // From the lowest to past the highest captured payload byte (0 without payload).
    std::uint64_t span_bytes() const { return any_payload_ ? highest_ - lowest_ : 0; }
    // Sequence space inside the span that no captured payload covered: span_bytes() - covered_bytes().
    std::uint64_t hole_bytes() const { return span_bytes() - covered_; }

private:
    std::uint64_t unwrap(std::uint32_t v);

    bool started_ = false;
    std::uint64_t last_ = 0;  // highest unwrapped sequence number seen (the unwrapping reference)
    bool any_payload_ = false;
    std::uint64_t lowest_ = 0;
    std::uint64_t highest_ = 0;
    std::uint64_t payload_ = 0;
    std::uint64_t covered_ = 0;
    std::map<std::uint64_t, std::uint64_t> ranges_;  // disjoint [start, end) covered, by start
};

// Bytes of [a, b) outside the (ascending, disjoint) ranges `excluded`: the part of a segment's
// payload that `add` did not report as already covered.
std::uint64_t bytes_outside(std::uint64_t a, std::uint64_t b, const std::vector<SequenceCoverage::Range>& excluded);

}  // namespace mptcpanalyzer
