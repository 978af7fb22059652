// A table export read back (export/table_import) is the table it was written from: every column
// of packet_schema.hpp and every MPTCP option field (iterating the schema, so a new one is
// covered), in CSV with any allowed delimiter and in JSON, with the read metadata; and bad input
// is refused with the file, row and column named.

#include <catch2/catch.hpp>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>

#include "written_text.hpp"
#include "mptcpanalyzer/export/packet_export.hpp"
#include "mptcpanalyzer/export/table_import.hpp"
#include "mptcpanalyzer/util/error.hpp"

using namespace mptcpanalyzer;

namespace {

using test::written;

// A value unlike the field's default, by type.
template <class T>
T unusual(int k) {
    if constexpr (std::is_same_v<T, bool>) {
        return true;
    } else if constexpr (std::is_same_v<T, MptcpSubtype>) {
        return static_cast<MptcpSubtype>(k % 16);
    } else if constexpr (std::is_same_v<T, MptcpHmac>) {
        MptcpHmac h{};
        for (std::size_t i = 0; i < h.size(); ++i) h[i] = static_cast<std::uint8_t>(0xa0 + i + static_cast<std::size_t>(k));
        return h;
    } else if constexpr (std::is_same_v<T, IpAddress>) {
        return *IpAddress::parse(k % 2 ? "2001:db8::1" : "192.0.2.7");
    } else if constexpr (std::is_same_v<T, MptcpAddressIds>) {
        return MptcpAddressIds{1, 200, static_cast<std::uint8_t>(k)};
    } else {
        return static_cast<T>(std::numeric_limits<T>::max() - static_cast<T>(k));
    }
}

// An option of `subtype` with every field set to an unusual value.
MptcpOption full_option(MptcpSubtype subtype, int k) {
    MptcpOption m;
#define MPTCP_SET_FIELD(name, type, initial, meaning) m.name = unusual<type>(k);
    MPTCP_OPTION_FIELDS(MPTCP_SET_FIELD)
#undef MPTCP_SET_FIELD
    m.subtype = subtype;
    return m;
}

struct Fixture {
    PacketTable table;
    ExportMetadata metadata;
};

Fixture every_field_table() {
    Fixture f;
    f.table.set_interface_names({"eth0", "odd, \"name\"\n2", ""});
    f.metadata = {9, true, "cut after frame 9", "Wireshark/... - pcapng", "4.0.17", {"tcp.a:TRUE", "mptcp.b:\"x\""}};
    PacketRecord r;
#define MPTCP_SET_RECORD(name, column_type, record_type, initial, meaning) r.name = unusual<record_type>(3);
    MPTCP_PACKET_RECORD_COLUMNS(MPTCP_SET_RECORD)
#undef MPTCP_SET_RECORD
    r.frame_number = 1;
    r.time_ns = 1700000000123456789;  // below 2^62, as the reader requires
    r.tcp_stream = 0;
    r.mptcp_stream = 0;
    r.interface_id = 1;
    r.window_scale = 14;
    r.flags = tcp_flag::kSyn | tcp_flag::kAck;
    r.src = *IpAddress::parse("2001:db8::a");
    r.dst = *IpAddress::parse("2001:db8::b");
    r.has_timestamps = r.has_payload_sum = true;
    MptcpOption dss = full_option(MptcpSubtype::Dss, 1);
    r.mptcp_options = {full_option(MptcpSubtype::Capable, 0), dss, full_option(MptcpSubtype::AddAddr, 2),
                       full_option(MptcpSubtype::RemoveAddr, 3), full_option(MptcpSubtype::Join, 4),
                       full_option(static_cast<MptcpSubtype>(12), 5), MptcpOption{}};
    f.table.append(r);

    PacketRecord plain;  // every field at its default: absent cells
    plain.frame_number = 2;
    plain.src = *IpAddress::parse("192.0.2.1");
    plain.dst = *IpAddress::parse("192.0.2.2");
    plain.tcp_stream = 1;
    plain.options_unavailable = true;
    f.table.append(plain);

    PacketRecord second = r;  // a second DSS and a DSS first: the position survives
    second.frame_number = 9;
    second.mptcp_options = {dss, full_option(MptcpSubtype::Dss, 6)};
    f.table.append(second);
    f.table.finish_appending();
    return f;
}

void require_same(const PacketTable& a, const PacketTable& b) {
    REQUIRE(a.size() == b.size());
    CHECK(a.interface_names() == b.interface_names());
    for (std::size_t i = 0; i < a.size(); ++i) {
        INFO("row " << i);
        const PacketRecord x = a.record(i), y = b.record(i);
#define MPTCP_CHECK_RECORD(name, ...) CHECK(x.name == y.name);
        MPTCP_PACKET_RECORD_COLUMNS(MPTCP_CHECK_RECORD)
#undef MPTCP_CHECK_RECORD
        CHECK(x.src == y.src);
        CHECK(x.dst == y.dst);
        CHECK(x.has_timestamps == y.has_timestamps);
        CHECK(x.options_unavailable == y.options_unavailable);
        CHECK(x.has_payload_sum == y.has_payload_sum);
        REQUIRE(x.mptcp_options.size() == y.mptcp_options.size());
        for (std::size_t k = 0; k < x.mptcp_options.size(); ++k) {
            INFO("option " << k);
#define MPTCP_CHECK_OPTION(name, ...) CHECK(x.mptcp_options[k].name == y.mptcp_options[k].name);
            MPTCP_OPTION_FIELDS(MPTCP_CHECK_OPTION)
#undef MPTCP_CHECK_OPTION
        }
    }
}

void require_same_metadata(const ReadResult& r, const ExportMetadata& m) {
    CHECK(r.frames == m.frames);
    CHECK(r.truncated == m.truncated);
    CHECK(r.truncation_detail == m.truncation_detail);
    CHECK(r.file_type == m.file_type);
    CHECK(r.libwireshark_version == m.libwireshark_version);
    CHECK(r.wireshark_preferences == m.wireshark_preferences);
}

std::string error_of(const std::string& bytes) {
    try {
        read_table_export(bytes, "t.csv");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::InputInvalid);
        return e.what();
    }
    FAIL("no error");
    return {};
}

}  // namespace

TEST_CASE("every column and option field survives CSV export and reading back", "[table_import]") {
    const Fixture f = every_field_table();
    for (char delimiter : {',', '\t', '|', ' '}) {
        INFO("delimiter '" << delimiter << "'");
        const std::string csv = written([&](std::FILE* out) { write_packets_csv(f.table, out, delimiter, "x", f.metadata); });
        CHECK(table_export_syntax(csv) == TableSyntax::Csv);
        const ReadResult back = read_table_export(csv, "t.csv");
        require_same(f.table, back.table);
        require_same_metadata(back, f.metadata);
        // And written again, the same bytes.
        const ExportMetadata again{back.frames, back.truncated, back.truncation_detail, back.file_type,
                                   back.libwireshark_version, back.wireshark_preferences};
        CHECK(written([&](std::FILE* out) { write_packets_csv(back.table, out, delimiter, "x", again); }) == csv);
    }
}

TEST_CASE("every column and option field survives JSON export and reading back", "[table_import]") {
    const Fixture f = every_field_table();
    const std::string json = written([&](std::FILE* out) { write_packets_json(f.table, out, "x", f.metadata); });
    CHECK(table_export_syntax(json) == TableSyntax::Json);
    const ReadResult back = read_table_export(json, "t.json");
    require_same(f.table, back.table);
    require_same_metadata(back, f.metadata);
}

TEST_CASE("a table is recognised by its first bytes only", "[table_import]") {
    CHECK_FALSE(table_export_syntax("frame_number,time_ns\n1,2\n"));
    CHECK_FALSE(table_export_syntax("#format: \"something-else\"\n"));
    CHECK_FALSE(table_export_syntax("\x0a\x0d\x0d\x0a pcapng"));
    CHECK(table_export_syntax("{ \"format\" : \"mptcpanalyzer-packets\", ") == TableSyntax::Json);
}

TEST_CASE("bad tables are refused naming the row and column", "[table_import]") {
    const Fixture f = every_field_table();
    const std::string csv = written([&](std::FILE* out) { write_packets_csv(f.table, out, ',', "x", f.metadata); });
    // Row 2's frame number (2) garbled.
    std::string bad = csv;
    const auto row2 = bad.find("\n2,");
    REQUIRE(row2 != std::string::npos);
    bad.replace(row2 + 1, 1, "2a");
    const std::string message = error_of(bad);
    CHECK_THAT(message, Catch::Contains("t.csv: damaged table: row 2") && Catch::Contains("column frame_number"));
    // A newer format version.
    std::string newer = csv;
    newer.replace(newer.find("#format_version: 1"), 18, "#format_version: 2");
    CHECK_THAT(error_of(newer), Catch::Contains("version 2") && Catch::Contains("newer"));
    // Cut in the middle of the last row, and after a whole row.
    CHECK_THAT(error_of(csv.substr(0, csv.size() - 5)), Catch::Contains("damaged"));
    const auto row3 = csv.find("\n9,");  // frame 9 (row 1 holds a line break inside quotes)
    REQUIRE(row3 != std::string::npos);
    CHECK_THAT(error_of(csv.substr(0, row3 + 1)), Catch::Contains("2 packet rows where its metadata says 3"));
}
