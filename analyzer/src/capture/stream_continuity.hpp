#pragma once
// StreamContinuity: the tcp.stream and mptcp.stream numbers a record carries, made independent of
// the libwireshark version where Wireshark 4.4 splits one TCP connection in two.
//
// Wireshark numbers TCP conversations (tcp.stream) and MPTCP connections (mptcp.stream) in the
// order it creates them. From 4.2 on it starts a new conversation for a handshake packet that 4.0
// keeps in the conversation it continues. Seen on the shared MPTCP v0 captures
// (../shared/captures/client_2.pcap, server_2.pcap; docs/wireshark-versions.md has the frames):
//   - a SYN retransmitted with the same ISN after the server answered the first one with a RST;
//   - a SYN-ACK (acknowledging the SYN's ISN + 1) arriving after the client had already sent a
//     bare ACK on the 4-tuple: 4.4 opens a conversation at the SYN-ACK, so the rest of the
//     subflow loses its SYN (and its MP_JOIN token), and its MPTCP options open an MPTCP
//     connection of their own (two more mptcp.streams than 4.0 on client_2.pcap).
// Both are the same connection by TCP's own rule: a SYN with the ISN of the 4-tuple's current
// SYN is that SYN again, and a SYN-ACK acknowledging it answers it. So a new Wireshark
// conversation whose first packet continues the handshake of its 4-tuple's current conversation
// is merged into it, and the numbers after it close up: a record's tcp.stream is Wireshark's minus
// the merged conversations Wireshark numbered before it, and likewise for an mptcp.stream that
// Wireshark created for a merged conversation. With 4.0 nothing is merged on any capture we have,
// so the numbers are Wireshark's; with 4.4 they are the ones 4.0 shows (on 4.4, on such captures,
// they are not the tcp.stream a Wireshark 4.4 display filter uses: docs/wireshark-versions.md).
//
// Plain C++ on PacketRecords (no libwireshark): unit-tested on hand-made records
// (tests/unit/test_stream_continuity.cpp). One per record stream, fed in frame order.

#include <cstdint>
#include <map>
#include <tuple>
#include <vector>

#include "mptcpanalyzer/model/packet_record.hpp"

namespace mptcpanalyzer::capture {

class StreamContinuity {
public:
    // Rewrites record.tcp_stream and record.mptcp_stream (when known) in place.
    void renumber(PacketRecord& record);

private:
    using Endpoint = std::tuple<IpAddress, std::uint16_t>;
    using TupleKey = std::tuple<Endpoint, Endpoint>;  // the two endpoints, smaller first
    struct Syn {
        Endpoint from;
        std::uint32_t isn = 0;
    };
    struct Stream {
        bool has_syn = false;
        Syn syn;                            // the latest SYN (without ACK) of the conversation
        std::int64_t mptcp_stream = -1;     // our mptcp.stream of its latest MPTCP record
    };

    static std::uint32_t closed_up(std::uint32_t number, const std::vector<std::uint32_t>& merged_before);
    static std::int64_t closed_up(std::int64_t number, const std::vector<std::int64_t>& merged_before);

    std::map<std::uint32_t, std::uint32_t> tcp_of_;       // Wireshark's tcp.stream -> ours
    std::vector<std::uint32_t> merged_tcp_;               // Wireshark tcp.streams merged into another
    std::map<TupleKey, std::uint32_t> current_;           // 4-tuple -> our tcp.stream using it now
    std::map<std::uint32_t, Stream> streams_;             // our tcp.stream -> what its handshake was
    std::map<std::int64_t, std::int64_t> mptcp_of_;       // Wireshark's mptcp.stream -> ours
    std::vector<std::int64_t> merged_mptcp_;              // Wireshark mptcp.streams of merged conversations
};

}  // namespace mptcpanalyzer::capture
