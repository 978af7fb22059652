// StreamContinuity (analyzer/src/capture/stream_continuity.hpp): the tcp.stream / mptcp.stream
// numbers libwireshark gives, made the same on 4.0 and 4.4. The records below are the handshakes
// of ../shared/captures/client_2.pcap where Wireshark 4.4 opens a conversation and 4.0 does not
// (frames 16-70 and 2086-2096, addresses, ports and ISNs from that capture), each with the numbers
// 4.4 gives them; the expected numbers are those 4.0 gives the same frames (tshark -T fields
// tcp.stream mptcp.stream in a Debian 12 and a Debian 13 root, docs/wireshark-versions.md).
#include <catch2/catch.hpp>

#include <cstdint>
#include <utility>
#include <vector>

#include "mptcpanalyzer/model/ip_address.hpp"
#include "mptcpanalyzer/model/packet_record.hpp"
#include "stream_continuity.hpp"

namespace {

using namespace mptcpanalyzer;

struct Segment {
    const char* src;
    std::uint16_t sport;
    const char* dst;
    std::uint16_t dport;
    std::uint16_t flags;
    std::uint32_t seq;
    std::uint32_t ack;
    std::uint32_t wireshark_tcp;
    std::int64_t wireshark_mptcp;  // -1: no mptcp.stream on the segment
};

// (tcp.stream, mptcp.stream) of each segment after renumbering, fed in order to one instance.
std::vector<std::pair<std::uint32_t, std::int64_t>> renumbered(const std::vector<Segment>& segments) {
    capture::StreamContinuity continuity;
    std::vector<std::pair<std::uint32_t, std::int64_t>> out;
    for (const Segment& s : segments) {
        PacketRecord r;
        r.src = *IpAddress::parse(s.src);
        r.dst = *IpAddress::parse(s.dst);
        r.sport = s.sport;
        r.dport = s.dport;
        r.flags = s.flags;
        r.seq_raw = s.seq;
        r.ack_raw = s.ack;
        r.tcp_stream = s.wireshark_tcp;
        r.mptcp_stream = s.wireshark_mptcp;
        continuity.renumber(r);
        out.emplace_back(r.tcp_stream, r.mptcp_stream);
    }
    return out;
}

constexpr std::uint16_t kSyn = tcp_flag::kSyn;
constexpr std::uint16_t kSynAck = tcp_flag::kSyn | tcp_flag::kAck;
constexpr std::uint16_t kAck = tcp_flag::kAck;
constexpr std::uint16_t kRst = tcp_flag::kRst;
constexpr std::int64_t kNone = PacketRecord::kUnknownMptcpStream;

}  // namespace

TEST_CASE("a SYN sent again with its ISN after a RST stays in its TCP connection", "[stream_continuity]") {
    // client_2.pcap frames 16, 28, 70, 292: 4.0 keeps them in tcp.stream 1; 4.4 opens 5 at frame 70.
    const auto got = renumbered({
        {"11.0.0.1", 60453, "11.0.0.2", 5201, kSyn, 3816623219U, 0, 1, 0},
        {"11.0.0.2", 5201, "11.0.0.1", 60453, kRst, 0, 0, 1, kNone},
        {"10.0.0.1", 49807, "11.0.0.2", 5201, kSyn, 1080591750U, 0, 2, 0},
        {"11.0.0.1", 60453, "11.0.0.2", 5201, kSyn, 3816623219U, 0, 5, 0},
        {"11.0.0.2", 5201, "11.0.0.1", 60453, kSynAck, 3757676162U, 3816623220U, 5, 0},
        {"10.0.0.1", 50000, "11.0.0.2", 5201, kSyn, 42, 0, 6, 1},
    });
    const std::vector<std::pair<std::uint32_t, std::int64_t>> want{{1, 0}, {1, kNone}, {2, 0}, {1, 0}, {1, 0}, {5, 1}};
    CHECK(got == want);
}

TEST_CASE("a SYN-ACK answering a subflow's SYN stays in that subflow with its MPTCP connection",
          "[stream_continuity]") {
    // client_2.pcap frames 2086, 2087, 2094, 2096 with 4.4's numbers: 4.4 opens tcp.stream 14 and
    // mptcp.stream 4 at the SYN-ACK (after the client's bare ACK); 4.0 keeps the SYN-ACK and the rest
    // of the subflow in the SYN's conversation and MPTCP connection, and numbers the conversations
    // and connections after it one lower (the capture's two earlier merges are not fed here).
    const auto got = renumbered({
        {"10.0.0.1", 41000, "10.0.0.2", 5201, kSyn, 1, 0, 10, 3},
        {"10.0.0.1", 57565, "11.0.0.2", 5201, kSyn, 3032790151U, 0, 11, 3},
        {"10.0.0.1", 57565, "11.0.0.2", 5201, kAck, 3032790151U, 0, 11, 3},
        {"11.0.0.2", 5201, "10.0.0.1", 57565, kSynAck, 2874485503U, 3032790152U, 14, 4},
        {"10.0.0.1", 57565, "11.0.0.2", 5201, kAck, 3032790152U, 2874485504U, 14, 4},
        {"10.0.0.1", 41001, "10.0.0.2", 5201, kSyn, 7, 0, 15, 5},
    });
    const std::vector<std::pair<std::uint32_t, std::int64_t>> want{{10, 3}, {11, 3}, {11, 3}, {11, 3}, {11, 3}, {14, 4}};
    CHECK(got == want);
}

TEST_CASE("Wireshark's numbers stay where no handshake is split", "[stream_continuity]") {
    SECTION("a reused 4-tuple with another ISN is another TCP connection") {
        const auto got = renumbered({
            {"10.0.0.1", 40000, "10.0.0.2", 80, kSyn, 100, 0, 0, kNone},
            {"10.0.0.2", 80, "10.0.0.1", 40000, kRst, 0, 101, 0, kNone},
            {"10.0.0.1", 40000, "10.0.0.2", 80, kSyn, 5000, 0, 1, kNone},
            {"10.0.0.2", 80, "10.0.0.1", 40000, kSynAck, 9, 5001, 1, kNone},
        });
        const std::vector<std::pair<std::uint32_t, std::int64_t>> want{{0, kNone}, {0, kNone}, {1, kNone}, {1, kNone}};
        CHECK(got == want);
    }
    SECTION("a SYN-ACK in a new conversation acknowledging another ISN is not merged") {
        const auto got = renumbered({
            {"10.0.0.1", 40000, "10.0.0.2", 80, kSyn, 100, 0, 0, 0},
            {"10.0.0.2", 80, "10.0.0.1", 40000, kSynAck, 9, 777, 1, 1},
        });
        const std::vector<std::pair<std::uint32_t, std::int64_t>> want{{0, 0}, {1, 1}};
        CHECK(got == want);
    }
    SECTION("gaps in Wireshark's numbering (conversations without a record) are kept") {
        const auto got = renumbered({
            {"10.0.0.1", 40000, "10.0.0.2", 80, kSyn, 100, 0, 0, kNone},
            {"10.0.0.1", 40001, "10.0.0.2", 80, kSyn, 100, 0, 2, 0},
            {"10.0.0.1", 40002, "10.0.0.2", 80, kSyn, 100, 0, 5, 2},
        });
        const std::vector<std::pair<std::uint32_t, std::int64_t>> want{{0, kNone}, {2, 0}, {5, 2}};
        CHECK(got == want);
    }
}
