// The export column list (export_columns(), defined once in export/packet_export.cpp) drives the
// CSV header, the JSON keys, the documented type of every cell and docs/output-formats.md.

#include <catch2/catch.hpp>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "written_text.hpp"
#include "doc_sections.hpp"
#include "mptcpanalyzer/export/packet_export.hpp"
#include "mptcpanalyzer/model/packet_table.hpp"

using namespace mptcpanalyzer;

namespace {

using test::written;

MptcpOption option(MptcpSubtype subtype, std::uint8_t length) {
    MptcpOption m;
    m.subtype = subtype;
    m.length = length;
    return m;
}

// Two rows between which every column has a value: plain TCP with every TCP option, then a
// segment carrying one MPTCP option of every subtype.
PacketTable every_column_table() {
    PacketTable t;
    t.set_interface_names({"eth0"});
    PacketRecord tcp;
    tcp.frame_number = 1;
    tcp.time_ns = 1600000000000000000;
    tcp.interface_id = 0;
    tcp.src = IpAddress::v4(0x0a000001);
    tcp.dst = IpAddress::v4(0x0a000002);
    tcp.sport = 40000;
    tcp.dport = 80;
    tcp.flags = tcp_flag::kSyn;
    tcp.has_timestamps = true;
    tcp.tsval = 7;
    tcp.mss = 1460;
    tcp.window_scale = 7;
    tcp.has_payload_sum = true;
    tcp.payload_sum = 0x1234;
    t.append(tcp);

    PacketRecord mptcp = tcp;
    mptcp.frame_number = 2;
    mptcp.flags = tcp_flag::kAck;
    mptcp.mss = 0;
    mptcp.window_scale = -1;
    mptcp.mptcp_stream = 0;
    MptcpOption cap = option(MptcpSubtype::Capable, 22);
    cap.version = 1;
    cap.has_sender_key = cap.has_receiver_key = true;
    cap.sender_key = 1;
    cap.receiver_key = 2;
    MptcpOption join = option(MptcpSubtype::Join, 24);
    join.has_token = join.has_nonce = join.has_address_id = true;
    join.token = 3;
    join.nonce = 4;
    join.hmac_length = 20;
    MptcpOption dss = option(MptcpSubtype::Dss, 20);
    dss.has_data_ack = dss.has_mapping = dss.has_checksum = true;
    dss.data_ack = 5;
    dss.dsn = 6;
    MptcpOption add = option(MptcpSubtype::AddAddr, 10);
    add.address = IpAddress::v4(0x0a000003);
    add.has_port = true;
    add.port = 8080;
    MptcpOption remove = option(MptcpSubtype::RemoveAddr, 5);
    remove.address_ids = {1, 2};
    MptcpOption fastclose = option(MptcpSubtype::FastClose, 12);
    fastclose.has_receiver_key = true;
    mptcp.mptcp_options = {cap,
                           join,
                           dss,
                           add,
                           remove,
                           option(MptcpSubtype::Prio, 3),
                           option(MptcpSubtype::Fail, 12),
                           fastclose,
                           option(MptcpSubtype::TcpRst, 4)};
    t.append(mptcp);
    return t;
}

bool is_lower_hex(const std::string& s) {
    return !s.empty() && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

TEST_CASE("the CSV header and the JSON keys are export_columns() in order", "[export][schema]") {
    const auto columns = export_columns();
    REQUIRE(columns.size() == packet_columns().size());
    std::string header;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        CHECK(columns[i].name == packet_columns()[i]);
        header += (i ? "," : "") + std::string(columns[i].name);
    }
    const PacketTable table = every_column_table();
    std::string csv = written([&](std::FILE* f) { write_packets_csv(table, f); });
    while (csv.starts_with("#")) csv.erase(0, csv.find('\n') + 1);  // the metadata lines
    CHECK(csv.substr(0, csv.find('\n')) == header);

    const auto json =
        nlohmann::ordered_json::parse(written([&](std::FILE* f) { write_packets_json(table, f); })).at("packets");
    REQUIRE(json.size() == 2);
    for (const auto& row : json) {
        std::vector<std::string> keys;
        for (const auto& item : row.items()) keys.push_back(item.key());
        REQUIRE(keys.size() == columns.size());
        for (std::size_t i = 0; i < columns.size(); ++i) CHECK(keys[i] == columns[i].name);
    }
}

TEST_CASE("every exported column has values of its documented type", "[export][schema]") {
    const PacketTable table = every_column_table();
    const auto json = nlohmann::json::parse(written([&](std::FILE* f) { write_packets_json(table, f); })).at("packets");
    for (const auto& column : export_columns()) {
        const std::string name(column.name);
        INFO(name);
        CHECK_FALSE(column.meaning.empty());
        bool has_value = false;  // the sample must exercise every column
        for (const auto& row : json) {
            const auto& v = row.at(name);
            if (v.is_null()) continue;
            has_value = true;
            switch (column.type) {
                case ExportColumn::Type::Integer: CHECK(v.is_number_integer()); break;
                case ExportColumn::Type::Flag: CHECK(v.is_boolean()); break;
                case ExportColumn::Type::Hex: CHECK((v.is_string() && is_lower_hex(v.get<std::string>()))); break;
                case ExportColumn::Type::Text: CHECK(v.is_string()); break;
                case ExportColumn::Type::List:
                    // mptcp_options: field=value pairs (mptcp_option_text.hpp); the others numbers.
                    CHECK((v.is_string() && v.get<std::string>().find_first_not_of(
                                                name == "mptcp_options" ? "0123456789;abcdefghijklmnopqrstuvwxyz_=./: "
                                                                        : "0123456789;") == std::string::npos));
                    break;
            }
        }
        CHECK(has_value);
    }
}

TEST_CASE("docs/output-formats.md lists exactly the export columns", "[export][schema][docs]") {
    const std::string table = export_columns_markdown();
    std::set<std::string> documented;
    for (const auto& column : export_columns()) {
        CHECK(table.find("| `" + std::string(column.name) + "` |") != std::string::npos);
        documented.insert(std::string(column.name));
    }
    CHECK(documented.size() == export_columns().size());
    doc_sections::check_or_update("output-formats.md", "export-columns", table);
}
