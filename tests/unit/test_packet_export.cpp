// CSV and JSON export of the packet table: header and keys, cell counts, absent and
// multi-valued cells, RFC 4180 quoting, forbidden delimiters, exact 64-bit values, hex text.

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "mptcpanalyzer/export/packet_export.hpp"
#include "mptcpanalyzer/model/ip_address.hpp"
#include "mptcpanalyzer/model/packet_record.hpp"
#include "mptcpanalyzer/model/packet_table.hpp"
#include "mptcpanalyzer/util/error.hpp"

using namespace mptcpanalyzer;

namespace {

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

std::string read_all(std::FILE* f) {
    std::fflush(f);
    std::rewind(f);
    std::string out;
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    return out;
}

// The CSV's table part: its `#key: value` metadata lines (test_table_import.cpp) dropped.
std::string to_csv(const PacketTable& t, char delimiter = ',') {
    File f(std::tmpfile());
    REQUIRE(f);
    write_packets_csv(t, f.get(), delimiter);
    std::string text = read_all(f.get());
    while (text.starts_with("#")) text.erase(0, text.find('\n') + 1);
    return text;
}

// The JSON's "packets" array (the metadata keys before it are test_table_import.cpp's).
std::string to_json(const PacketTable& t) {
    File f(std::tmpfile());
    REQUIRE(f);
    write_packets_json(t, f.get());
    return nlohmann::ordered_json::parse(read_all(f.get())).at("packets").dump();
}

using Row = std::vector<std::string>;

// RFC 4180 reader: quoted fields may hold the delimiter, "" for a quote, and line breaks.
std::vector<Row> parse_csv(const std::string& text, char delimiter) {
    std::vector<Row> rows;
    Row row;
    std::string cell;
    bool quoted = false;
    bool row_started = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        if (quoted) {
            if (ch == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    cell += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                cell += ch;
            }
            continue;
        }
        row_started = true;
        if (ch == '"') {
            REQUIRE(cell.empty());  // a quote opens a field only at its start
            quoted = true;
        } else if (ch == delimiter) {
            row.push_back(cell);
            cell.clear();
        } else if (ch == '\n') {
            row.push_back(cell);
            cell.clear();
            rows.push_back(row);
            row.clear();
            row_started = false;
        } else {
            cell += ch;
        }
    }
    REQUIRE_FALSE(quoted);
    REQUIRE_FALSE(row_started);  // the last row ends with a newline
    return rows;
}

IpAddress ip(const char* text) {
    auto a = IpAddress::parse(text);
    REQUIRE(a.has_value());
    return *a;
}

PacketRecord base(std::uint32_t frame, std::uint16_t flags) {
    PacketRecord r;
    r.frame_number = frame;
    r.time_ns = 1'600'000'000'000'000'000LL + frame;
    r.src = ip("10.0.0.1");
    r.dst = ip("10.0.0.2");
    r.sport = 40000;
    r.dport = 5201;
    r.flags = flags;
    r.seq_raw = 1000 + frame;
    r.ack_raw = 2000;
    r.window_raw = 502;
    r.mptcp_stream = 0;
    return r;
}

MptcpOption option(MptcpSubtype s, std::uint8_t length) {
    MptcpOption m;
    m.subtype = s;
    m.length = length;
    return m;
}

constexpr std::uint64_t kBigDsn = 0xfedcba9876543210ULL;  // > 2^53: doubles cannot hold it
constexpr std::uint64_t kBigDataAck = 9007199254740993ULL;  // 2^53 + 1

// One row per feature; row numbers are referred to by the tests below.
PacketTable sample_table() {
    PacketTable t;
    t.set_interface_names({"eth0", "wan,\"x\"", "", "line\nbreak"});

    // 0: a plain TCP SYN, no interface, no timestamps, no MPTCP.
    PacketRecord syn = base(1, tcp_flag::kSyn);
    syn.mss = 1460;
    syn.window_scale = 7;
    syn.mptcp_stream = PacketRecord::kUnknownMptcpStream;
    t.append(syn);

    // 1: MP_CAPABLE v1 SYN/ACK, small key (leading zeros), interface "eth0".
    PacketRecord synack = base(2, tcp_flag::kSyn | tcp_flag::kAck);
    synack.interface_id = 0;
    synack.has_timestamps = true;
    synack.tsval = 11;
    synack.tsecr = 0;
    MptcpOption cap = option(MptcpSubtype::Capable, 12);
    cap.version = 1;
    cap.flags = 0x01;
    cap.has_sender_key = true;
    cap.sender_key = 0xab;
    synack.mptcp_options = {cap};
    t.append(synack);

    // 2: MP_CAPABLE v1 third ACK with data (24) + nothing else, interface with comma and quote.
    PacketRecord third = base(3, tcp_flag::kAck);
    third.interface_id = 1;
    MptcpOption cap3 = option(MptcpSubtype::Capable, 24);
    cap3.version = 1;
    cap3.flags = 0x81;
    cap3.has_sender_key = true;
    cap3.sender_key = 0xABCDEF0123456789ULL;
    cap3.has_receiver_key = true;
    cap3.receiver_key = 0x0000000000000001ULL;
    cap3.data_level_length = 100;
    cap3.has_checksum = true;
    cap3.checksum = 0xbeef;
    third.mptcp_options = {cap3};
    t.append(third);

    // 3: DSS with 64-bit DSN and DATA_ACK, interface without a recorded name.
    PacketRecord data = base(4, tcp_flag::kAck | tcp_flag::kPsh);
    data.interface_id = 2;
    data.payload_length = 1448;
    MptcpOption d = option(MptcpSubtype::Dss, 28);
    d.flags = 0x0f;
    d.has_data_ack = true;
    d.data_ack_8 = true;
    d.data_ack = kBigDataAck;
    d.has_mapping = true;
    d.dsn_8 = true;
    d.dsn = kBigDsn;
    d.subflow_seq = 1;
    d.data_level_length = 1448;
    d.has_checksum = true;
    d.checksum = 0x1234;
    data.mptcp_options = {d};
    t.append(data);

    // 4: MP_JOIN SYN, interface id beyond the names list.
    PacketRecord join = base(5, tcp_flag::kSyn);
    join.interface_id = 9;
    MptcpOption j = option(MptcpSubtype::Join, 12);
    j.has_address_id = true;
    j.address_id = 5;
    j.backup = true;
    j.flags = 0x01;
    j.has_token = true;
    j.token = 0xabcd;
    j.has_nonce = true;
    j.nonce = 1;
    join.mptcp_options = {j};
    t.append(join);

    // 5: MP_JOIN SYN/ACK: truncated HMAC with leading zero bytes, interface with a newline.
    PacketRecord join2 = base(6, tcp_flag::kSyn | tcp_flag::kAck);
    join2.interface_id = 3;
    MptcpOption j2 = option(MptcpSubtype::Join, 16);
    j2.has_address_id = true;
    j2.address_id = 0;
    j2.hmac_length = 8;
    j2.hmac = {0x00, 0x0a, 0xb0, 0xff, 0x01, 0x10, 0xc3, 0x3c};
    j2.has_nonce = true;
    j2.nonce = 0xdeadbeefU;
    join2.mptcp_options = {j2};
    t.append(join2);

    // 6: ADD_ADDR (IPv6, port) + DSS DATA_ACK.
    PacketRecord add = base(7, tcp_flag::kAck);
    MptcpOption a = option(MptcpSubtype::AddAddr, 30);
    a.has_address_id = true;
    a.address_id = 2;
    a.address = ip("2001:db8::7");
    a.has_port = true;
    a.port = 8080;
    a.hmac_length = 8;
    MptcpOption ack_only = option(MptcpSubtype::Dss, 8);
    ack_only.flags = 0x01;
    ack_only.has_data_ack = true;
    ack_only.data_ack = 4242;
    add.mptcp_options = {a, ack_only};
    t.append(add);

    // 7: REMOVE_ADDR with three ids + MP_PRIO v1 backup.
    PacketRecord rem = base(8, tcp_flag::kAck);
    MptcpOption ra = option(MptcpSubtype::RemoveAddr, 6);
    ra.address_ids = {1, 2, 3};
    MptcpOption prio = option(MptcpSubtype::Prio, 3);
    prio.backup = true;
    prio.flags = 0x01;
    rem.mptcp_options = {ra, prio};
    t.append(rem);

    // 8: MP_FAIL + MP_FASTCLOSE + MP_TCPRST.
    PacketRecord bye = base(9, tcp_flag::kRst | tcp_flag::kAck);
    MptcpOption fail = option(MptcpSubtype::Fail, 12);
    fail.dsn = 0xffffffffffffffffULL;
    MptcpOption fc = option(MptcpSubtype::FastClose, 12);
    fc.has_receiver_key = true;
    fc.receiver_key = 0x0000000000000001ULL;
    MptcpOption rst = option(MptcpSubtype::TcpRst, 4);
    rst.flags = 0x01;
    rst.reason = 4;
    bye.mptcp_options = {fail, fc, rst};
    t.append(bye);
    return t;
}

constexpr std::size_t kSampleRows = 9;

std::vector<std::string> header() {
    std::vector<std::string> h;
    for (auto name : packet_columns()) h.emplace_back(name);
    return h;
}

// Cells of a parsed CSV by column name.
class Csv {
public:
    Csv(const std::string& text, char delimiter) : rows_(parse_csv(text, delimiter)) {
        REQUIRE_FALSE(rows_.empty());
        for (std::size_t i = 0; i < rows_[0].size(); ++i) index_[rows_[0][i]] = i;
    }
    std::size_t rows() const { return rows_.size() - 1; }
    const Row& header_row() const { return rows_[0]; }
    const Row& row(std::size_t r) const { return rows_[r + 1]; }
    std::string at(std::size_t r, const std::string& column) const {
        auto it = index_.find(column);
        REQUIRE(it != index_.end());
        return rows_[r + 1].at(it->second);
    }

private:
    std::vector<Row> rows_;
    std::map<std::string, std::size_t> index_;
};

}  // namespace

TEST_CASE("CSV header lists packet_columns() in order", "[export][csv]") {
    const auto columns = packet_columns();
    REQUIRE(columns.size() == 54);
    CHECK(columns.front() == "frame_number");
    CHECK(columns.back() == "mptcp_options");
    const std::string text = to_csv(PacketTable{});
    const Csv csv(text, ',');
    CHECK(csv.rows() == 0);
    CHECK(csv.header_row() == header());
    // The first line is exactly the names joined by the delimiter.
    std::string expected;
    for (auto name : columns) {
        if (!expected.empty()) expected += '\t';
        expected += name;
    }
    CHECK(to_csv(PacketTable{}, '\t') == expected + "\n");
}

TEST_CASE("every row has as many cells as the header", "[export][csv]") {
    const PacketTable t = sample_table();
    for (char delimiter : {',', '\t', '|', ' '}) {
        INFO("delimiter '" << delimiter << "'");
        const Csv csv(to_csv(t, delimiter), delimiter);
        REQUIRE(csv.rows() == kSampleRows);
        CHECK(csv.header_row() == header());
        for (std::size_t r = 0; r < csv.rows(); ++r) {
            INFO("row " << r);
            CHECK(csv.row(r).size() == header().size());
        }
        CHECK(csv.at(1, "interface_name") == "eth0");
        CHECK(csv.at(2, "interface_name") == "wan,\"x\"");
        CHECK(csv.at(5, "interface_name") == "line\nbreak");
        CHECK(csv.at(6, "ip_src") == "10.0.0.1");
    }
}

TEST_CASE("absent values are empty cells and multi-valued cells join with ;", "[export][csv]") {
    const Csv csv(to_csv(sample_table()), ',');
    REQUIRE(csv.rows() == kSampleRows);

    // Row 0: plain TCP SYN without interface, timestamps or MPTCP.
    CHECK(csv.at(0, "frame_number") == "1");
    CHECK(csv.at(0, "time_ns") == "1600000000000000001");
    CHECK(csv.at(0, "interface_id").empty());
    CHECK(csv.at(0, "interface_name").empty());
    CHECK(csv.at(0, "ip_version") == "4");
    CHECK(csv.at(0, "tcp_flags") == "2");
    CHECK(csv.at(0, "tcp_tsval").empty());
    CHECK(csv.at(0, "tcp_tsecr").empty());
    CHECK(csv.at(0, "tcp_mss") == "1460");
    CHECK(csv.at(0, "tcp_window_scale") == "7");
    CHECK(csv.at(0, "tcp_options_unavailable") == "0");
    CHECK(csv.at(0, "tcp_seq") == "0");
    CHECK(csv.at(0, "tcp_ack") == "0");
    const auto columns = packet_columns();
    for (std::size_t i = 22; i < columns.size(); ++i) {  // mptcp_stream onwards
        INFO(columns[i]);
        CHECK(csv.at(0, std::string(columns[i])).empty());
    }

    // Row 1: timestamps present (tsecr 0 is a value, not absent), no MSS.
    CHECK(csv.at(1, "interface_id") == "0");
    CHECK(csv.at(1, "tcp_tsval") == "11");
    CHECK(csv.at(1, "tcp_tsecr") == "0");
    CHECK(csv.at(1, "tcp_mss").empty());
    CHECK(csv.at(1, "tcp_window_scale").empty());
    CHECK(csv.at(1, "mptcp_stream") == "0");
    CHECK(csv.at(1, "mptcp_subtypes") == "0");
    CHECK(csv.at(1, "mptcp_version") == "1");
    CHECK(csv.at(1, "mptcp_receiver_key").empty());
    CHECK(csv.at(1, "mptcp_dss_flags").empty());
    CHECK(csv.at(1, "mptcp_data_level_length").empty());
    CHECK(csv.at(1, "mptcp_option_truncated") == "0");

    // Row 2: MP_CAPABLE with data gives the data-level length and checksum.
    CHECK(csv.at(2, "mptcp_data_level_length") == "100");
    CHECK(csv.at(2, "mptcp_dss_checksum") == std::to_string(0xbeef));

    // Row 3: DSS with everything.
    CHECK(csv.at(3, "mptcp_dsn") == std::to_string(kBigDsn));
    CHECK(csv.at(3, "mptcp_data_ack") == std::to_string(kBigDataAck));
    CHECK(csv.at(3, "mptcp_data_ack_8") == "1");
    CHECK(csv.at(3, "mptcp_dsn_8") == "1");
    CHECK(csv.at(3, "mptcp_dss_flags") == "15");
    CHECK(csv.at(3, "mptcp_dss_checksum") == std::to_string(0x1234));
    CHECK(csv.at(3, "mptcp_data_fin") == "0");
    CHECK(csv.at(3, "mptcp_add_addr").empty());

    // Row 6: ADD_ADDR + DSS with DATA_ACK only: two subtypes in wire order, no mapping.
    CHECK(csv.at(6, "mptcp_subtypes") == "3;2");
    CHECK(csv.at(6, "mptcp_add_addr") == "2001:db8::7");
    CHECK(csv.at(6, "mptcp_add_addr_port") == "8080");
    CHECK(csv.at(6, "mptcp_add_addr_echo") == "0");
    CHECK(csv.at(6, "mptcp_address_id") == "2");
    CHECK(csv.at(6, "mptcp_data_ack") == "4242");
    CHECK(csv.at(6, "mptcp_dsn").empty());
    CHECK(csv.at(6, "mptcp_subflow_seq").empty());
    CHECK(csv.at(6, "mptcp_data_level_length").empty());
    CHECK(csv.at(6, "mptcp_dss_checksum").empty());

    // Row 7: REMOVE_ADDR ids joined with ';'.
    CHECK(csv.at(7, "mptcp_subtypes") == "4;5");
    CHECK(csv.at(7, "mptcp_remove_addr_ids") == "1;2;3");
    CHECK(csv.at(7, "mptcp_prio_backup") == "1");
    CHECK(csv.at(7, "mptcp_address_id").empty());  // MP_PRIO v1 has no id

    // Row 8: MP_FAIL, MP_FASTCLOSE, MP_TCPRST.
    CHECK(csv.at(8, "mptcp_subtypes") == "6;7;8");
    CHECK(csv.at(8, "mptcp_fail_dsn") == "18446744073709551615");
    CHECK(csv.at(8, "mptcp_tcprst_flags") == "1");
    CHECK(csv.at(8, "mptcp_tcprst_reason") == "4");
    CHECK(csv.at(8, "mptcp_remove_addr_ids").empty());
}

TEST_CASE("interface names with commas/quotes are quoted per RFC 4180", "[export][csv]") {
    const std::string text = to_csv(sample_table());
    CHECK(text.find(",\"wan,\"\"x\"\"\",") != std::string::npos);
    CHECK(text.find(",\"line\nbreak\",") != std::string::npos);
    CHECK(text.find(",eth0,") != std::string::npos);  // nothing to quote: not quoted
    // With a tab delimiter the comma needs no quoting, the quote still does.
    const std::string tabbed = to_csv(sample_table(), '\t');
    CHECK(tabbed.find("\t\"wan,\"\"x\"\"\"\t") != std::string::npos);
    // A name containing the delimiter itself is quoted.
    PacketTable t;
    t.set_interface_names({"a|b"});
    PacketRecord r = base(1, tcp_flag::kAck);
    r.interface_id = 0;
    t.append(r);
    const std::string piped = to_csv(t, '|');
    CHECK(piped.find("|\"a|b\"|") != std::string::npos);
    const Csv csv(piped, '|');
    CHECK(csv.at(0, "interface_name") == "a|b");
}

TEST_CASE("a forbidden delimiter (';', '\"', newline) throws Error with ExitCode::Usage", "[export][csv]") {
    const PacketTable t = sample_table();
    for (char delimiter : {';', '"', '\n', '\r'}) {
        INFO("delimiter code " << int{delimiter});
        File f(std::tmpfile());
        REQUIRE(f);
        bool thrown = false;
        try {
            write_packets_csv(t, f.get(), delimiter);
        } catch (const Error& e) {
            thrown = true;
            CHECK(e.code() == ExitCode::Usage);
        }
        CHECK(thrown);
        CHECK(read_all(f.get()).empty());  // nothing written
    }
}

TEST_CASE("JSON output parses with nlohmann::json, has one object per packet with the same keys as the CSV header, "
          "null for absent values, 64-bit DSNs exact (no float rounding: compare as uint64)",
          "[export][json]") {
    const PacketTable t = sample_table();
    const std::string text = to_json(t);
    nlohmann::ordered_json doc;
    REQUIRE_NOTHROW(doc = nlohmann::ordered_json::parse(text));
    REQUIRE(doc.is_array());
    REQUIRE(doc.size() == kSampleRows);
    const auto names = header();
    for (std::size_t r = 0; r < doc.size(); ++r) {
        INFO("row " << r);
        const auto& obj = doc[r];
        REQUIRE(obj.is_object());
        std::vector<std::string> keys;
        for (auto it = obj.begin(); it != obj.end(); ++it) keys.push_back(it.key());
        CHECK(keys == names);
    }

    // Absent values are null; present ones typed.
    const auto& syn = doc[0];
    CHECK(syn["interface_id"].is_null());
    CHECK(syn["interface_name"].is_null());
    CHECK(syn["tcp_tsval"].is_null());
    CHECK(syn["mptcp_stream"].is_null());
    CHECK(syn["mptcp_subtypes"].is_null());
    CHECK(syn["mptcp_sender_key"].is_null());
    CHECK(syn["mptcp_dsn"].is_null());
    CHECK(syn["mptcp_option_truncated"].is_null());
    CHECK(syn["tcp_mss"].get<int>() == 1460);
    CHECK(syn["frame_number"].get<std::uint64_t>() == 1);
    CHECK(syn["time_ns"].get<std::int64_t>() == 1'600'000'000'000'000'001LL);
    CHECK(syn["ip_src"].get<std::string>() == "10.0.0.1");
    CHECK(syn["tcp_options_unavailable"].get<bool>() == false);

    // 64-bit values are exact JSON integers.
    const auto& data = doc[3];
    REQUIRE(data["mptcp_dsn"].is_number_unsigned());
    CHECK(data["mptcp_dsn"].get<std::uint64_t>() == kBigDsn);
    REQUIRE(data["mptcp_data_ack"].is_number_unsigned());
    CHECK(data["mptcp_data_ack"].get<std::uint64_t>() == kBigDataAck);
    CHECK(data["mptcp_data_ack_8"].get<bool>());
    CHECK(doc[8]["mptcp_fail_dsn"].get<std::uint64_t>() == 0xffffffffffffffffULL);

    // Strings round-trip, including quotes, commas and control characters.
    CHECK(doc[1]["interface_name"].get<std::string>() == "eth0");
    CHECK(doc[2]["interface_name"].get<std::string>() == "wan,\"x\"");
    CHECK(doc[5]["interface_name"].get<std::string>() == "line\nbreak");
    CHECK(doc[6]["mptcp_subtypes"].get<std::string>() == "3;2");
    CHECK(doc[7]["mptcp_remove_addr_ids"].get<std::string>() == "1;2;3");
    CHECK(doc[6]["mptcp_add_addr"].get<std::string>() == "2001:db8::7");

    // Same cells as the CSV: null exactly where the CSV cell is empty.
    const Csv csv(to_csv(t), ',');
    for (std::size_t r = 0; r < kSampleRows; ++r) {
        for (const auto& name : names) {
            INFO("row " << r << " column " << name);
            const auto& v = doc[r][name];
            const std::string cell = csv.at(r, name);
            if (v.is_string()) {
                CHECK(v.get<std::string>() == cell);
            } else if (v.is_boolean()) {
                CHECK(cell == (v.get<bool>() ? "1" : "0"));
            } else if (v.is_number()) {
                CHECK(v.dump() == cell);
            } else {
                CHECK(v.is_null());
                CHECK(cell.empty());
            }
        }
    }
}

TEST_CASE("JSON: an interface without a recorded name is null, not an empty string", "[export][json]") {
    const nlohmann::json doc = nlohmann::json::parse(to_json(sample_table()));
    REQUIRE(doc.size() == kSampleRows);
    CHECK(doc[3]["interface_id"].get<int>() == 2);   // name recorded as ""
    CHECK(doc[3]["interface_name"].is_null());
    CHECK(doc[4]["interface_id"].get<int>() == 9);   // id beyond the names list
    CHECK(doc[4]["interface_name"].is_null());
}

TEST_CASE("JSON of an empty table is an empty array", "[export][json]") {
    const nlohmann::json doc = nlohmann::json::parse(to_json(PacketTable{}));
    CHECK(doc.is_array());
    CHECK(doc.empty());
}

TEST_CASE("keys and tokens print as fixed-width lower-case hex", "[export][csv][json]") {
    const PacketTable t = sample_table();
    const Csv csv(to_csv(t), ',');
    const nlohmann::json doc = nlohmann::json::parse(to_json(t));
    struct Expect {
        std::size_t row;
        const char* column;
        const char* text;
    };
    const Expect expected[] = {
        {1, "mptcp_sender_key", "00000000000000ab"},
        {2, "mptcp_sender_key", "abcdef0123456789"},
        {2, "mptcp_receiver_key", "0000000000000001"},
        {4, "mptcp_join_token", "0000abcd"},
        {4, "mptcp_join_nonce", "00000001"},
        {5, "mptcp_join_nonce", "deadbeef"},
        {5, "mptcp_join_hmac", "000ab0ff0110c33c"},
        {8, "mptcp_fastclose_key", "0000000000000001"},
    };
    for (const auto& e : expected) {
        INFO("row " << e.row << " column " << e.column);
        CHECK(csv.at(e.row, e.column) == e.text);
        REQUIRE(doc[e.row][e.column].is_string());
        CHECK(doc[e.row][e.column].get<std::string>() == e.text);
    }
    // The 20-byte third-ACK HMAC is 40 digits.
    PacketTable j;
    PacketRecord r = base(1, tcp_flag::kAck);
    MptcpOption m = option(MptcpSubtype::Join, 24);
    m.hmac_length = 20;
    for (std::size_t i = 0; i < 20; ++i) m.hmac[i] = static_cast<std::uint8_t>(i);
    r.mptcp_options = {m};
    j.append(r);
    const Csv one(to_csv(j), ',');
    CHECK(one.at(0, "mptcp_join_hmac") == "000102030405060708090a0b0c0d0e0f10111213");
    CHECK(one.at(0, "mptcp_join_token").empty());
    CHECK(one.at(0, "mptcp_join_backup").empty());
}
