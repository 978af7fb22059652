#include "stream_continuity.hpp"

#include <algorithm>

namespace mptcpanalyzer::capture {

std::uint32_t StreamContinuity::closed_up(std::uint32_t number, const std::vector<std::uint32_t>& merged) {
    const auto before = std::count_if(merged.begin(), merged.end(), [&](std::uint32_t m) { return m < number; });
    return number - static_cast<std::uint32_t>(before);
}

std::int64_t StreamContinuity::closed_up(std::int64_t number, const std::vector<std::int64_t>& merged) {
    const auto before = std::count_if(merged.begin(), merged.end(), [&](std::int64_t m) { return m < number; });
    return number - static_cast<std::int64_t>(before);
}

void StreamContinuity::renumber(PacketRecord& record) {
    const bool syn = record.has_flag(tcp_flag::kSyn);
    const bool ack = record.has_flag(tcp_flag::kAck);
    const Endpoint src{record.src, record.sport};
    const Endpoint dst{record.dst, record.dport};
    const TupleKey key = src < dst ? TupleKey{src, dst} : TupleKey{dst, src};

    const std::uint32_t wireshark_tcp = record.tcp_stream;
    auto known = tcp_of_.find(wireshark_tcp);
    if (known == tcp_of_.end()) {
        // A conversation Wireshark opens here: is this packet the handshake of the 4-tuple's
        // current conversation again (its SYN once more, or the SYN-ACK answering that SYN)?
        std::uint32_t ours = 0;
        auto current = current_.find(key);
        const Stream* previous = current == current_.end() ? nullptr : &streams_[current->second];
        const bool continues =
            syn && previous && previous->has_syn &&
            ((!ack && previous->syn.from == src && previous->syn.isn == record.seq_raw) ||
             (ack && previous->syn.from == dst && previous->syn.isn + 1U == record.ack_raw));
        if (continues) {
            ours = current->second;
            merged_tcp_.push_back(wireshark_tcp);
        } else {
            ours = closed_up(wireshark_tcp, merged_tcp_);
            current_[key] = ours;
        }
        known = tcp_of_.emplace(wireshark_tcp, ours).first;
    }
    const bool merged = std::find(merged_tcp_.begin(), merged_tcp_.end(), wireshark_tcp) != merged_tcp_.end();
    record.tcp_stream = known->second;
    Stream& stream = streams_[record.tcp_stream];
    if (syn && !ack) {
        stream.has_syn = true;
        stream.syn = Syn{src, record.seq_raw};
    }

    if (record.mptcp_stream == PacketRecord::kUnknownMptcpStream) return;
    const std::int64_t wireshark_mptcp = record.mptcp_stream;
    auto mptcp = mptcp_of_.find(wireshark_mptcp);
    if (mptcp == mptcp_of_.end()) {
        // An MPTCP connection Wireshark made for a merged conversation (it lost the handshake
        // that tied it to its connection) is the connection of the conversation it was merged into.
        std::int64_t ours = 0;
        if (merged && stream.mptcp_stream != PacketRecord::kUnknownMptcpStream) {
            ours = stream.mptcp_stream;
            merged_mptcp_.push_back(wireshark_mptcp);
        } else {
            ours = closed_up(wireshark_mptcp, merged_mptcp_);
        }
        mptcp = mptcp_of_.emplace(wireshark_mptcp, ours).first;
    }
    record.mptcp_stream = mptcp->second;
    stream.mptcp_stream = mptcp->second;
}

}  // namespace mptcpanalyzer::capture
