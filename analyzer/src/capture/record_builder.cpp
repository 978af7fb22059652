#include "record_builder.hpp"

#include <epan/address.h>
#include <epan/tvbuff.h>
#include <wiretap/wtap.h>

#include <span>

#include "mptcpanalyzer/model/tcp_option_parser.hpp"

namespace mptcpanalyzer::capture {
namespace {

IpAddress to_ip(const address& a) {
    if (a.type == AT_IPv4 && a.len == 4) return IpAddress::from_bytes(4, static_cast<const std::uint8_t*>(a.data));
    if (a.type == AT_IPv6 && a.len == 16) return IpAddress::from_bytes(6, static_cast<const std::uint8_t*>(a.data));
    return {};
}

// The captured bytes of every data source of the packet (the frame first, then e.g. a
// reassembled IP datagram), to find the TCP header in.
bool locate_and_parse_options(const packet_info* pinfo, const epan_dissect_t* edt, const tcp_info_t* tcph,
                              PacketRecord& out) {
    auto try_tvb = [&](tvbuff_t* tvb) {
        if (!tvb) return false;
        const guint captured = tvb_captured_length(tvb);
        if (captured < 20) return false;
        const guint8* data = tvb_get_ptr(tvb, 0, static_cast<gint>(captured));
        if (!data) return false;
        std::span<const std::uint8_t> bytes(data, captured);
        auto off = find_tcp_header(bytes, tcph->th_sport, tcph->th_dport, tcph->th_rawseq, tcph->th_rawack,
                                   tcph->th_hlen);
        if (!off || *off + 16 > bytes.size()) return false;
        const std::size_t header_end = *off + tcph->th_hlen;
        out.window_raw = static_cast<std::uint16_t>((bytes[*off + 14] << 8) | bytes[*off + 15]);
        if (*off + 20 <= bytes.size()) {
            const std::size_t end = std::min(header_end, bytes.size());
            parse_tcp_options(bytes.subspan(*off + 20, end - (*off + 20)), end == header_end, out);
        }
        // DSS checksums cover the payload: keep its sum when it was captured whole, only for
        // segments that carry a checksum (so ordinary traffic pays nothing).
        bool checksummed = false;
        for (const auto& m : out.mptcp_options) checksummed = checksummed || m.has_checksum;
        const std::uint32_t len = tcph->th_have_seglen ? tcph->th_seglen : 0;
        if (checksummed && len > 0 && header_end + len <= bytes.size()) {
            out.has_payload_sum = true;
            out.payload_sum = ones_complement_sum(bytes.subspan(header_end, len));
        }
        return true;
    };
    if (try_tvb(edt->tvb)) return true;
    for (GSList* s = pinfo->data_src; s; s = s->next) {
        auto* src = static_cast<struct data_source*>(s->data);
        tvbuff_t* tvb = get_data_source_tvb(src);
        if (tvb != edt->tvb && try_tvb(tvb)) return true;
    }
    return false;
}

// A damaged capture can hold any timestamp (a flipped bit in the seconds): beyond +-2^62 ns
// (about 146 years around 1970) it is clamped, so the nanoseconds fit in 64 bits and so does the
// difference of any two of them (the analyses subtract timestamps). Found by the damaged-captures
// test (a signed overflow under UBSan).
std::int64_t clamped_time_ns(const nstime_t& t) {
    constexpr std::int64_t kLimitNs = std::int64_t{1} << 62;
    constexpr std::int64_t kLimitSecs = kLimitNs / 1'000'000'000LL;
    const auto secs = static_cast<std::int64_t>(t.secs);
    if (secs >= kLimitSecs) return kLimitNs;
    if (secs <= -kLimitSecs) return -kLimitNs;
    return secs * 1'000'000'000LL + t.nsecs;
}

}  // namespace

bool RecordBuilder::from_tcp_tap(const packet_info* pinfo, const epan_dissect_t* edt, const tcp_info_t* tcph,
                                 PacketRecord& out) {
    last_carried_mptcp_ = false;
    if (pinfo->flags.in_error_pkt) return false;
    last_carried_mptcp_ = tcph->th_mptcp != nullptr;
    out = PacketRecord{};
    out.frame_number = pinfo->num;
    out.time_ns = clamped_time_ns(pinfo->abs_ts);
    if (pinfo->rec && (pinfo->rec->presence_flags & WTAP_HAS_INTERFACE_ID)) {
        out.interface_id = pinfo->rec->rec_header.packet_header.interface_id;
    }
    out.src = to_ip(tcph->ip_src);
    out.dst = to_ip(tcph->ip_dst);
    out.sport = tcph->th_sport;
    out.dport = tcph->th_dport;
    out.tcp_stream = tcph->th_stream;
    out.seq_raw = tcph->th_rawseq;
    out.ack_raw = tcph->th_rawack;
    out.payload_length = tcph->th_have_seglen ? tcph->th_seglen : 0;
    out.flags = tcph->th_flags;
    out.window_raw = static_cast<std::uint16_t>(tcph->th_win);
    if (!locate_and_parse_options(pinfo, edt, tcph, out)) out.options_unavailable = true;
    return true;
}

void RecordBuilder::apply_mptcp_tap(const struct tcp_analysis* tcpd, PacketRecord& out) const {
    if (last_carried_mptcp_ && tcpd && tcpd->mptcp_analysis) out.mptcp_stream = tcpd->mptcp_analysis->stream;
}

}  // namespace mptcpanalyzer::capture
