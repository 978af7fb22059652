#pragma once
// RecordBuilder: turns what libwireshark's `tcp` and `mptcp` taps deliver for one segment into
// a PacketRecord. It holds no file state; EpanCollector (epan_collector.hpp) drives it for the
// capture reader and the Wireshark plugin alike. Tap data lives in packet scope: everything is copied out here.
//
// Included only by code that links libwireshark (capture/ and epan-plugin/).

#include <epan/epan_dissect.h>
#include <epan/packet_info.h>
#include <epan/dissectors/packet-tcp.h>

#include "mptcpanalyzer/model/packet_record.hpp"

namespace mptcpanalyzer::capture {

// Tap names and the flags our listeners need (no protocol tree).
inline constexpr const char* kTcpTap = "tcp";
inline constexpr const char* kMptcpTap = "mptcp";

// One per record stream (EpanCollector): it remembers what the `tcp` tap said about the segment
// whose `mptcp` tap comes next.
class RecordBuilder {
public:
    // From the `tcp` tap. Returns false for segments that are not traffic of their own
    // (a TCP header quoted inside an ICMP error), which the caller skips.
    bool from_tcp_tap(const packet_info* pinfo, const epan_dissect_t* edt, const tcp_info_t* tcph,
                      PacketRecord& out);

    // From the `mptcp` tap, which fires right after the `tcp` tap of the same segment when
    // the segment's TCP connection belongs to an MPTCP connection. Sets mptcp.stream exactly
    // where Wireshark shows it: on segments that carry an MPTCP option.
    void apply_mptcp_tap(const struct tcp_analysis* tcpd, PacketRecord& out) const;

private:
    bool last_carried_mptcp_ = false;
};

}  // namespace mptcpanalyzer::capture
