#pragma once
// Builders of synthetic PacketRecords (handshakes, MP_JOINs, data with DSS mappings...) shared
// by the unit tests of the connection model, DSN mapping and reinjections. Header-only, in an
// anonymous namespace: each test file gets its own copy of these small helpers.

#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mptcpanalyzer/model/ip_address.hpp"
#include "mptcpanalyzer/model/packet_record.hpp"
#include "mptcpanalyzer/model/packet_table.hpp"

namespace {

using namespace mptcpanalyzer;

[[maybe_unused]] IpAddress ip(const char* text) {
    auto a = IpAddress::parse(text);
    REQUIRE(a.has_value());
    return *a;
}

// One TCP connection (tcp.stream) between a TCP client and a TCP server.
struct Flow {
    std::uint32_t stream = 0;
    IpAddress client;
    std::uint16_t client_port = 0;
    IpAddress server;
    std::uint16_t server_port = 0;
    std::array<std::uint32_t, 2> isn{};   // [0]: client -> server, [1]: server -> client
    std::array<std::uint32_t, 2> next{};  // next sequence number per direction
    std::int64_t mptcp_stream = PacketRecord::kUnknownMptcpStream;

    // Relative subflow sequence number of the next byte sent in a direction (first byte: 1).
    std::uint32_t rel_next(bool from_client) const {
        const std::size_t d = from_client ? 0 : 1;
        return next[d] - isn[d];
    }
};

class Capture {
public:
    Flow flow(std::uint32_t stream, const char* client, std::uint16_t cport, const char* server, std::uint16_t sport,
              std::uint32_t isn_c = 1000, std::uint32_t isn_s = 5000, std::int64_t mptcp_stream = 0) {
        Flow f;
        f.stream = stream;
        f.client = ip(client);
        f.client_port = cport;
        f.server = ip(server);
        f.server_port = sport;
        f.isn = {isn_c, isn_s};
        f.next = {isn_c, isn_s};
        f.mptcp_stream = mptcp_stream;
        return f;
    }

    // Sends a segment and returns its row. `seq` overrides the sequence number (retransmissions);
    // otherwise the flow's next sequence number is used and advanced.
    std::uint32_t send(Flow& f, bool from_client, std::uint16_t flags, std::uint32_t len,
                       std::vector<MptcpOption> options = {}, std::optional<std::uint32_t> seq = std::nullopt) {
        const std::size_t d = from_client ? 0 : 1;
        PacketRecord r;
        r.frame_number = ++frame_;
        time_ns_ += 1000000;  // 1 ms apart
        r.time_ns = time_ns_;
        r.src = from_client ? f.client : f.server;
        r.dst = from_client ? f.server : f.client;
        r.sport = from_client ? f.client_port : f.server_port;
        r.dport = from_client ? f.server_port : f.client_port;
        r.tcp_stream = f.stream;
        r.flags = flags;
        r.payload_length = len;
        r.mptcp_stream = f.mptcp_stream;
        if (seq) {
            r.seq_raw = *seq;
        } else {
            if (flags & tcp_flag::kSyn) f.next[d] = f.isn[d];
            r.seq_raw = f.next[d];
            f.next[d] += len + ((flags & tcp_flag::kSyn) ? 1U : 0U) + ((flags & tcp_flag::kFin) ? 1U : 0U);
        }
        r.ack_raw = (flags & tcp_flag::kAck) ? f.next[1 - d] : 0;
        r.mptcp_options = std::move(options);
        const auto row = static_cast<std::uint32_t>(table.size());
        table.append(r);
        return row;
    }
    std::int64_t time_of(std::uint32_t row) const { return table.columns().time_ns[row]; }
    std::uint32_t frame_of(std::uint32_t row) const { return table.columns().frame_number[row]; }

    PacketTable table;

private:
    std::uint32_t frame_ = 0;
    std::int64_t time_ns_ = 1700000000000000000;
};

constexpr std::uint16_t kSynFlags = tcp_flag::kSyn;
constexpr std::uint16_t kSynAckFlags = tcp_flag::kSyn | tcp_flag::kAck;
constexpr std::uint16_t kAckFlags = tcp_flag::kAck;
constexpr std::uint16_t kPshAckFlags = tcp_flag::kPsh | tcp_flag::kAck;

// MP_CAPABLE (v1: no key on the SYN, the server's on the SYN/ACK, both on the third ACK).
[[maybe_unused]] MptcpOption capable(std::uint8_t version, std::optional<std::uint64_t> sender, std::optional<std::uint64_t> receiver,
                    std::uint16_t data_level_length = 0) {
    MptcpOption o;
    o.subtype = MptcpSubtype::Capable;
    o.version = version;
    o.flags = 0x01;  // H: HMAC-SHA256 (v1) / HMAC-SHA1 (v0)
    o.has_sender_key = sender.has_value();
    o.sender_key = sender.value_or(0);
    o.has_receiver_key = receiver.has_value();
    o.receiver_key = receiver.value_or(0);
    o.data_level_length = data_level_length;
    o.length = static_cast<std::uint8_t>(4 + (sender ? 8 : 0) + (receiver ? 8 : 0) + (data_level_length ? 2 : 0));
    return o;
}

// The MP_CAPABLE handshake of `f`, opened by its TCP client: v1 sends no key on the SYN, v0 the
// client's; the SYN/ACK carries the server's key, the third ACK both.
[[maybe_unused]] void mptcp_handshake(Capture& cap, Flow& f, std::uint64_t client_key, std::uint64_t server_key,
                                      std::uint8_t version = 1) {
    cap.send(f, true, kSynFlags, 0,
             {capable(version, version == 0 ? std::optional(client_key) : std::nullopt, std::nullopt)});
    cap.send(f, false, kSynAckFlags, 0, {capable(version, server_key, std::nullopt)});
    cap.send(f, true, kAckFlags, 0, {capable(version, client_key, server_key)});
}

// DSS with a mapping (and optionally a DATA_ACK). Flags as on the wire: A=1 a=2 M=4 m=8 F=0x10.
[[maybe_unused]] MptcpOption dss_map(std::uint64_t dsn, std::uint32_t ssn, std::uint16_t length, bool dsn8 = false,
                    std::optional<std::uint64_t> data_ack = std::nullopt, bool ack8 = false) {
    MptcpOption o;
    o.subtype = MptcpSubtype::Dss;
    o.has_mapping = true;
    o.dsn_8 = dsn8;
    o.dsn = dsn8 ? dsn : (dsn & 0xffffffffULL);
    o.subflow_seq = ssn;
    o.data_level_length = length;
    o.has_data_ack = data_ack.has_value();
    o.data_ack_8 = data_ack && ack8;
    o.data_ack = data_ack ? (ack8 ? *data_ack : (*data_ack & 0xffffffffULL)) : 0;
    o.flags = static_cast<std::uint8_t>(0x04 | (dsn8 ? 0x08 : 0) | (data_ack ? 0x01 : 0) | (data_ack && ack8 ? 0x02 : 0));
    o.length = static_cast<std::uint8_t>(4 + (data_ack ? (ack8 ? 8 : 4) : 0) + (dsn8 ? 8 : 4) + 4 + 2);
    return o;
}

// DSS with only a DATA_ACK.
[[maybe_unused]] MptcpOption dss_ack(std::uint64_t data_ack, bool ack8 = false) {
    MptcpOption o;
    o.subtype = MptcpSubtype::Dss;
    o.has_data_ack = true;
    o.data_ack_8 = ack8;
    o.data_ack = ack8 ? data_ack : (data_ack & 0xffffffffULL);
    o.flags = static_cast<std::uint8_t>(0x01 | (ack8 ? 0x02 : 0));
    o.length = static_cast<std::uint8_t>(4 + (ack8 ? 8 : 4));
    return o;
}

[[maybe_unused]] MptcpOption join_syn(std::uint32_t token, std::uint32_t nonce, std::uint8_t address_id, bool backup) {
    MptcpOption o;
    o.subtype = MptcpSubtype::Join;
    o.length = 12;
    o.flags = backup ? 0x01 : 0x00;
    o.backup = backup;
    o.address_id = address_id;
    o.has_address_id = true;
    o.has_token = true;
    o.token = token;
    o.has_nonce = true;
    o.nonce = nonce;
    return o;
}

[[maybe_unused]] MptcpOption join_synack(const std::vector<std::uint8_t>& hmac, std::uint32_t nonce, std::uint8_t address_id,
                        bool backup = false) {
    MptcpOption o;
    o.subtype = MptcpSubtype::Join;
    o.length = 16;
    o.flags = backup ? 0x01 : 0x00;
    o.backup = backup;
    o.address_id = address_id;
    o.has_address_id = true;
    o.has_nonce = true;
    o.nonce = nonce;
    o.hmac_length = 8;
    for (std::size_t i = 0; i < 8 && i < hmac.size(); ++i) o.hmac[i] = hmac[i];
    return o;
}

[[maybe_unused]] MptcpOption join_ack(const std::vector<std::uint8_t>& hmac) {
    MptcpOption o;
    o.subtype = MptcpSubtype::Join;
    o.length = 24;
    o.hmac_length = 20;
    for (std::size_t i = 0; i < 20 && i < hmac.size(); ++i) o.hmac[i] = hmac[i];
    return o;
}

}  // namespace
