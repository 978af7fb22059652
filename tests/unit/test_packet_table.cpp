// PacketTable: records round-trip through the columnar store, addresses are interned,
// relative sequence numbers follow Wireshark's first pass, validate() catches damage, and a
// typical packet stays small.

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "mptcpanalyzer/model/ip_address.hpp"
#include "mptcpanalyzer/model/packet_record.hpp"
#include "mptcpanalyzer/model/packet_table.hpp"

using namespace mptcpanalyzer;

namespace {

IpAddress ip(const char* text) {
    auto a = IpAddress::parse(text);
    REQUIRE(a.has_value());
    return *a;
}

void check_same_option(const MptcpOption& got, const MptcpOption& want) {
    INFO("subtype " << static_cast<int>(want.subtype));
    CHECK(got.subtype == want.subtype);
    CHECK(got.length == want.length);
    CHECK(got.flags == want.flags);
    CHECK(got.version == want.version);
    CHECK(got.address_id == want.address_id);
    CHECK(got.has_address_id == want.has_address_id);
    CHECK(got.backup == want.backup);
    CHECK(got.truncated == want.truncated);
    CHECK(got.has_sender_key == want.has_sender_key);
    CHECK(got.has_receiver_key == want.has_receiver_key);
    CHECK(got.sender_key == want.sender_key);
    CHECK(got.receiver_key == want.receiver_key);
    CHECK(got.has_token == want.has_token);
    CHECK(got.token == want.token);
    CHECK(got.has_nonce == want.has_nonce);
    CHECK(got.nonce == want.nonce);
    CHECK(got.hmac_length == want.hmac_length);
    CHECK(got.hmac == want.hmac);
    CHECK(got.has_data_ack == want.has_data_ack);
    CHECK(got.data_ack_8 == want.data_ack_8);
    CHECK(got.data_ack == want.data_ack);
    CHECK(got.has_mapping == want.has_mapping);
    CHECK(got.dsn_8 == want.dsn_8);
    CHECK(got.dsn == want.dsn);
    CHECK(got.subflow_seq == want.subflow_seq);
    CHECK(got.data_level_length == want.data_level_length);
    CHECK(got.has_checksum == want.has_checksum);
    CHECK(got.checksum == want.checksum);
    CHECK(got.data_fin == want.data_fin);
    CHECK(got.echo == want.echo);
    CHECK(got.address == want.address);
    CHECK(got.has_port == want.has_port);
    CHECK(got.port == want.port);
    CHECK(got.address_ids == want.address_ids);
    CHECK(got.reason == want.reason);
}

void check_same_record(const PacketRecord& got, const PacketRecord& want) {
    CHECK(got.frame_number == want.frame_number);
    CHECK(got.time_ns == want.time_ns);
    CHECK(got.interface_id == want.interface_id);
    CHECK(got.src == want.src);
    CHECK(got.dst == want.dst);
    CHECK(got.sport == want.sport);
    CHECK(got.dport == want.dport);
    CHECK(got.tcp_stream == want.tcp_stream);
    CHECK(got.seq_raw == want.seq_raw);
    CHECK(got.ack_raw == want.ack_raw);
    CHECK(got.payload_length == want.payload_length);
    CHECK(got.flags == want.flags);
    CHECK(got.window_raw == want.window_raw);
    CHECK(got.has_timestamps == want.has_timestamps);
    CHECK(got.tsval == want.tsval);
    CHECK(got.tsecr == want.tsecr);
    CHECK(got.window_scale == want.window_scale);
    CHECK(got.mss == want.mss);
    CHECK(got.options_unavailable == want.options_unavailable);
    CHECK(got.mptcp_stream == want.mptcp_stream);
    REQUIRE(got.mptcp_options.size() == want.mptcp_options.size());
    for (std::size_t i = 0; i < want.mptcp_options.size(); ++i) {
        INFO("option " << i);
        check_same_option(got.mptcp_options[i], want.mptcp_options[i]);
    }
}

MptcpOption capable_ack() {
    MptcpOption m;
    m.subtype = MptcpSubtype::Capable;
    m.length = 20;
    m.version = 1;
    m.flags = 0x81;
    m.has_sender_key = true;
    m.sender_key = 0x0123456789abcdefULL;
    m.has_receiver_key = true;
    m.receiver_key = 0xfedcba9876543210ULL;
    return m;
}

MptcpOption dss_full() {
    MptcpOption m;
    m.subtype = MptcpSubtype::Dss;
    m.length = 28;
    m.flags = 0x1f;
    m.has_data_ack = true;
    m.data_ack_8 = true;
    m.data_ack = 0xfffffffffffffff1ULL;
    m.has_mapping = true;
    m.dsn_8 = true;
    m.dsn = 0x8000000000000001ULL;
    m.subflow_seq = 0xdeadbeefU;
    m.data_level_length = 1448;
    m.has_checksum = true;
    m.checksum = 0xabcd;
    m.data_fin = true;
    return m;
}

MptcpOption dss_ack_only(std::uint32_t data_ack) {
    MptcpOption m;
    m.subtype = MptcpSubtype::Dss;
    m.length = 8;
    m.flags = 0x01;
    m.has_data_ack = true;
    m.data_ack = data_ack;
    return m;
}

MptcpOption add_addr_v6() {
    MptcpOption m;
    m.subtype = MptcpSubtype::AddAddr;
    m.length = 30;
    m.address_id = 9;
    m.has_address_id = true;
    m.address = IpAddress::parse("2001:db8::42").value();
    m.has_port = true;
    m.port = 8443;
    m.hmac_length = 8;
    for (std::size_t i = 0; i < 8; ++i) m.hmac[i] = static_cast<std::uint8_t>(0xa0 + i);
    return m;
}

MptcpOption remove_addr() {
    MptcpOption m;
    m.subtype = MptcpSubtype::RemoveAddr;
    m.length = 6;
    m.address_ids = {3, 1, 4};
    return m;
}

MptcpOption join_ack() {
    MptcpOption m;
    m.subtype = MptcpSubtype::Join;
    m.length = 24;
    m.hmac_length = 20;
    for (std::size_t i = 0; i < 20; ++i) m.hmac[i] = static_cast<std::uint8_t>(i * 13);
    return m;
}

MptcpOption tcprst_truncated() {
    MptcpOption m;
    m.subtype = MptcpSubtype::TcpRst;
    m.length = 4;
    m.flags = 0x05;
    m.reason = 2;
    m.truncated = true;
    return m;
}

PacketRecord full_record() {
    PacketRecord r;
    r.frame_number = 123456;
    r.time_ns = 1'700'000'000'123'456'789LL;
    r.interface_id = 2;
    r.src = ip("2001:db8::1");
    r.dst = ip("2001:db8:ffff::2");
    r.sport = 51000;
    r.dport = 443;
    r.tcp_stream = 3;
    r.seq_raw = 0xfffffff0U;
    r.ack_raw = 0x00000010U;
    r.payload_length = 1448;
    r.flags = tcp_flag::kAck | tcp_flag::kPsh | tcp_flag::kAe;
    r.window_raw = 65535;
    r.has_timestamps = true;
    r.tsval = 0x01020304U;
    r.tsecr = 0xa0b0c0d0U;
    r.window_scale = 14;
    r.mss = 1460;
    r.options_unavailable = true;
    r.mptcp_stream = 7;
    r.mptcp_options = {capable_ack(), add_addr_v6(), dss_full(), remove_addr(), join_ack(), tcprst_truncated()};
    return r;
}

PacketRecord segment(std::uint32_t stream, const char* src, std::uint16_t sport, const char* dst,
                     std::uint16_t dport, std::uint16_t flags, std::uint32_t seq, std::uint32_t ack) {
    PacketRecord r;
    r.tcp_stream = stream;
    r.src = ip(src);
    r.dst = ip(dst);
    r.sport = sport;
    r.dport = dport;
    r.flags = flags;
    r.seq_raw = seq;
    r.ack_raw = ack;
    return r;
}

constexpr std::uint16_t kSyn = tcp_flag::kSyn;
constexpr std::uint16_t kAck = tcp_flag::kAck;
constexpr std::uint16_t kSynAck = tcp_flag::kSyn | tcp_flag::kAck;

}  // namespace

TEST_CASE("a record round-trips through the table", "[packet_table]") {
    PacketTable t;
    const PacketRecord first = full_record();
    t.append(first);

    SECTION("every field, every option kind, DSS in the middle keeps its position") {
        REQUIRE(t.size() == 1);
        check_same_record(t.record(0), first);
        REQUIRE(t.record(0).mptcp_options.size() == 6);
        CHECK(t.record(0).mptcp_options[2].subtype == MptcpSubtype::Dss);
    }
    SECTION("DSS first, DSS last, two DSS, no option, IPv4, defaults") {
        PacketRecord dss_first = first;
        dss_first.mptcp_options = {dss_ack_only(1), capable_ack()};
        PacketRecord dss_last = first;
        dss_last.mptcp_options = {add_addr_v6(), remove_addr(), dss_ack_only(2)};
        PacketRecord two_dss = first;
        two_dss.mptcp_options = {dss_ack_only(3), join_ack(), dss_full()};
        PacketRecord only_dss = first;
        only_dss.mptcp_options = {dss_full()};
        PacketRecord plain;  // every field default: no interface, no options, no address
        PacketRecord v4 = plain;
        v4.src = IpAddress::v4(0xc0000201U);
        v4.dst = IpAddress::v4(0xc6336407U);
        v4.window_scale = 0;
        v4.mptcp_stream = PacketRecord::kUnknownMptcpStream;
        const std::vector<PacketRecord> records{dss_first, dss_last, two_dss, only_dss, plain, v4};
        for (const auto& r : records) t.append(r);
        REQUIRE(t.size() == 1 + records.size());
        for (std::size_t i = 0; i < records.size(); ++i) {
            INFO("row " << i + 1);
            check_same_record(t.record(i + 1), records[i]);
        }
        // The row before still comes back whole once later rows have side options.
        check_same_record(t.record(0), first);
        CHECK(t.validate());
    }
    SECTION("the DSS fields live in the columns, the other options in the side list") {
        const auto& c = t.columns();
        CHECK((c.dss_bits[0] & dss_bit::kPresent) != 0);
        CHECK((c.dss_bits[0] & dss_bit::kDsn8) != 0);
        CHECK((c.dss_bits[0] & dss_bit::kDataFin) != 0);
        CHECK(c.dss_position[0] == 2);
        CHECK(c.dss_dsn[0] == 0x8000000000000001ULL);
        CHECK(t.side_options().size() == 5);
        CHECK(c.mptcp_subtypes[0] == ((1U << 0) | (1U << 1) | (1U << 2) | (1U << 3) | (1U << 4) | (1U << 8)));
    }
}

TEST_CASE("addresses are interned", "[packet_table]") {
    PacketTable t;
    for (std::uint32_t i = 0; i < 1000; ++i) {
        PacketRecord r = i % 2 ? segment(0, "10.0.0.1", 1000, "10.0.0.2", 80, kAck, i, i)
                               : segment(0, "10.0.0.2", 80, "10.0.0.1", 1000, kAck, i, i);
        t.append(r);
    }
    CHECK(t.addresses().size() == 2);
    t.append(segment(1, "2001:db8::1", 1, "10.0.0.1", 2, kAck, 0, 0));
    t.append(segment(1, "10.0.0.1", 2, "2001:db8::1", 1, kAck, 0, 0));
    CHECK(t.addresses().size() == 3);
    // 10.0.0.1 and ::ffff:10.0.0.1 / an IPv6 address with the same first bytes are distinct.
    t.append(segment(2, "::ffff:10.0.0.1", 1, "0a00:0001::", 2, kAck, 0, 0));
    CHECK(t.addresses().size() == 5);
    const auto& c = t.columns();
    CHECK(t.address(c.src[0]).to_string() == "10.0.0.2");
    CHECK(t.address(c.dst[0]).to_string() == "10.0.0.1");
    CHECK(c.src[0] == c.dst[1]);
    CHECK(t.record(1000).src.to_string() == "2001:db8::1");
    CHECK(t.record(1002).dst.to_string() == "a00:1::");
}

TEST_CASE("relative sequence numbers follow Wireshark's first-pass rule", "[packet_table][relative_seq]") {
    PacketTable t;
    const auto& c = t.columns();
    SECTION("SYN, SYN/ACK, ACK: bases are the SYNs' seqs") {
        t.append(segment(0, "10.0.0.1", 40000, "10.0.0.2", 80, kSyn, 1000, 0));
        t.append(segment(0, "10.0.0.2", 80, "10.0.0.1", 40000, kSynAck, 5000, 1001));
        t.append(segment(0, "10.0.0.1", 40000, "10.0.0.2", 80, kAck, 1001, 5001));
        t.append(segment(0, "10.0.0.2", 80, "10.0.0.1", 40000, kAck, 5001, 1101));
        CHECK(c.seq_relative == std::vector<std::uint32_t>{0, 0, 1, 1});
        CHECK(c.ack_relative == std::vector<std::uint32_t>{0, 1, 1, 101});
    }
    SECTION("sequence numbers wrap around 2^32") {
        t.append(segment(0, "10.0.0.1", 40000, "10.0.0.2", 80, kSyn, 0xfffffff0U, 0));
        t.append(segment(0, "10.0.0.2", 80, "10.0.0.1", 40000, kSynAck, 0xffffffffU, 0xfffffff1U));
        t.append(segment(0, "10.0.0.1", 40000, "10.0.0.2", 80, kAck, 0x00000020U, 0x00000000U));
        CHECK(c.seq_relative == std::vector<std::uint32_t>{0, 0, 0x30});
        CHECK(c.ack_relative == std::vector<std::uint32_t>{0, 1, 1});
    }
    SECTION("no SYN: the first seq is relative 1, the reverse base comes from the first ACK") {
        t.append(segment(0, "10.0.0.1", 40000, "10.0.0.2", 80, kAck, 77777, 999000));
        t.append(segment(0, "10.0.0.2", 80, "10.0.0.1", 40000, kAck, 999000, 77877));
        t.append(segment(0, "10.0.0.1", 40000, "10.0.0.2", 80, kAck, 77877, 999100));
        CHECK(c.seq_relative == std::vector<std::uint32_t>{1, 1, 101});
        CHECK(c.ack_relative == std::vector<std::uint32_t>{1, 101, 101});
    }
    SECTION("no SYN and no ACK flag: ack is 0 and the reverse base stays unknown") {
        t.append(segment(0, "10.0.0.1", 40000, "10.0.0.2", 80, tcp_flag::kRst, 500, 123));
        t.append(segment(0, "10.0.0.2", 80, "10.0.0.1", 40000, kAck, 9000, 501));
        CHECK(c.seq_relative == std::vector<std::uint32_t>{1, 1});
        CHECK(c.ack_relative == std::vector<std::uint32_t>{0, 2});  // 501 - (500 - 1)
    }
    SECTION("a SYN/ACK after an early odd ACK resets the guessed base (as tshark shows)") {
        // Frames from a real capture, checked against tshark's tcp.seq / tcp.ack.
        t.append(segment(0, "10.0.0.1", 33000, "10.0.0.2", 5201, kSyn, 3032790151U, 0));
        t.append(segment(0, "10.0.0.1", 33000, "10.0.0.2", 5201, kAck, 3032790151U, 0));
        t.append(segment(0, "10.0.0.2", 5201, "10.0.0.1", 33000, kSynAck, 2874485503U, 3032790152U));
        t.append(segment(0, "10.0.0.1", 33000, "10.0.0.2", 5201, kAck, 3032790152U, 2874485504U));
        CHECK(c.seq_relative[0] == 0);
        CHECK(c.ack_relative[0] == 0);
        CHECK(c.seq_relative[1] == 0);
        CHECK(c.ack_relative[1] == 1);  // ack 0 - (0 - 1)
        CHECK(c.seq_relative[2] == 0);
        CHECK(c.ack_relative[2] == 1);
        CHECK(c.seq_relative[3] == 1);
        CHECK(c.ack_relative[3] == 1);
    }
    SECTION("a retransmitted SYN keeps the first SYN's base") {
        t.append(segment(0, "10.0.0.1", 40000, "10.0.0.2", 80, kSyn, 1000, 0));
        t.append(segment(0, "10.0.0.1", 40000, "10.0.0.2", 80, kSyn, 1000, 0));
        t.append(segment(0, "10.0.0.1", 40000, "10.0.0.2", 80, kAck, 1001, 1));
        CHECK(c.seq_relative == std::vector<std::uint32_t>{0, 0, 1});
    }
    SECTION("streams are independent, and a direction is address + port") {
        t.append(segment(0, "10.0.0.1", 40000, "10.0.0.2", 80, kSyn, 100, 0));
        t.append(segment(5, "10.0.0.1", 40001, "10.0.0.2", 80, kSyn, 7000, 0));
        t.append(segment(0, "10.0.0.2", 80, "10.0.0.1", 40000, kSynAck, 300, 101));
        t.append(segment(5, "10.0.0.2", 80, "10.0.0.1", 40001, kSynAck, 9000, 7001));
        t.append(segment(5, "10.0.0.1", 40001, "10.0.0.2", 80, kAck, 7001, 9001));
        t.append(segment(0, "10.0.0.1", 40000, "10.0.0.2", 80, kAck, 101, 301));
        CHECK(c.seq_relative == std::vector<std::uint32_t>{0, 0, 0, 0, 1, 1});
        CHECK(c.ack_relative == std::vector<std::uint32_t>{0, 0, 1, 1, 1, 1});
    }
}

TEST_CASE("validate() rejects inconsistent columns/out-of-range address indices", "[packet_table]") {
    PacketTable t;
    t.append(full_record());
    t.append(segment(0, "10.0.0.1", 1, "10.0.0.2", 2, kAck, 1, 1));
    t.append(segment(0, "10.0.0.2", 2, "10.0.0.1", 1, kAck, 1, 1));
    REQUIRE(t.validate());

    SECTION("a column one element short") {
        t.mutable_columns().dss_dsn.pop_back();
        CHECK_FALSE(t.validate());
    }
    SECTION("a column one element long") {
        t.mutable_columns().tsecr.push_back(0);
        CHECK_FALSE(t.validate());
    }
    SECTION("the first column longer than the others") {
        t.mutable_columns().frame_number.push_back(99);
        CHECK_FALSE(t.validate());
    }
    SECTION("a source address index out of range") {
        t.mutable_columns().src[1] = static_cast<std::uint32_t>(t.addresses().size());
        CHECK_FALSE(t.validate());
    }
    SECTION("a destination address index out of range") {
        t.mutable_columns().dst[2] = 0xffffffffU;
        CHECK_FALSE(t.validate());
    }
    SECTION("an address table shorter than the indices") {
        t.mutable_addresses().pop_back();
        CHECK_FALSE(t.validate());
    }
    SECTION("a side option pointing past the last row") {
        t.mutable_side_options().back().row = 3;
        CHECK_FALSE(t.validate());
    }
    SECTION("side options out of row order") {
        auto& side = t.mutable_side_options();
        REQUIRE(side.size() >= 2);
        side.front().row = 2;
        CHECK_FALSE(t.validate());
    }
    SECTION("an address of an unknown family") {
        t.mutable_addresses()[0].family = 5;
        CHECK_FALSE(t.validate());
    }
    SECTION("an empty table is valid") { CHECK(PacketTable{}.validate()); }
}

TEST_CASE("memory per packet of a typical DSS-only segment stays well under 150 bytes", "[packet_table][memory]") {
    constexpr std::size_t kRows = 100'000;
    PacketTable t;
    t.reserve(kRows);
    for (std::size_t i = 0; i < kRows; ++i) {
        const auto n = static_cast<std::uint32_t>(i);
        const bool up = i % 2 == 0;
        PacketRecord r = up ? segment(n % 4, "10.0.0.1", static_cast<std::uint16_t>(40000 + n % 4), "10.0.0.2", 5201,
                                      kAck, 1 + 1448 * n, 1)
                            : segment(n % 4, "10.0.0.2", 5201, "10.0.0.1", static_cast<std::uint16_t>(40000 + n % 4),
                                      kAck, 1, 1 + 1448 * n);
        r.frame_number = n + 1;
        r.time_ns = 1'700'000'000'000'000'000LL + static_cast<std::int64_t>(i) * 1000;
        r.interface_id = 0;
        r.payload_length = up ? 1448 : 0;
        r.has_timestamps = true;
        r.tsval = n;
        r.tsecr = n;
        r.mptcp_stream = 0;
        MptcpOption d;
        d.subtype = MptcpSubtype::Dss;
        d.flags = up ? 0x0d : 0x01;
        d.length = up ? 22 : 8;
        d.has_data_ack = true;
        d.data_ack = n;
        if (up) {
            d.has_mapping = true;
            d.dsn_8 = true;
            d.dsn = 0x100000000ULL + n;
            d.subflow_seq = 1 + 1448 * n;
            d.data_level_length = 1448;
        }
        r.mptcp_options.push_back(d);
        t.append(r);
    }
    REQUIRE(t.size() == kRows);
    CHECK(t.side_options().empty());
    const double per_packet = static_cast<double>(t.memory_bytes()) / static_cast<double>(t.size());
    INFO("bytes per packet: " << per_packet);
    CHECK(per_packet < 150.0);
    // Spot-check that the compact form still gives the record back.
    const PacketRecord back = t.record(12345);
    REQUIRE(back.mptcp_options.size() == 1);
    CHECK(back.mptcp_options[0].data_ack == 12345);
    CHECK_FALSE(back.mptcp_options[0].has_mapping);
    CHECK(t.record(12346).mptcp_options[0].dsn == 0x100000000ULL + 12346);
}
