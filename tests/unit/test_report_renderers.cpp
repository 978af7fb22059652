// The report layer: one report, described once, through the four renderers (JSON, CSV, text,
// Wireshark cells), and the conventions each rendering owns. A synthetic MPTCP connection (records
// as the capture reader builds them) stands in for a capture.

#include <algorithm>
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <string>

#include "mptcp_tables.hpp"
#include "mptcpanalyzer/analysis/session.hpp"
#include "mptcpanalyzer/model/mptcp_crypto.hpp"
#include "mptcpanalyzer/report/render.hpp"
#include "mptcpanalyzer/report/reports.hpp"
#include "synthetic_records.hpp"

using namespace mptcpanalyzer;

namespace {

// One MPTCP connection, 3 x 1000 bytes towards the server on its initial subflow.
PacketTable one_connection(std::uint64_t client_key, std::uint64_t server_key) {
    const KeyDerived cd = derive_from_key(client_key, 1);
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
    mptcp_handshake(cap, f, client_key, server_key);
    for (std::uint64_t i = 0; i < 3; ++i) {
        const std::uint32_t ssn = f.rel_next(true);
        cap.send(f, true, kPshAckFlags, 1000, {dss_map(cd.idsn + 1 + i * 1000, ssn, 1000, true)});
    }
    return std::move(cap.table);
}

std::size_t index_of(const std::vector<std::string>& v, const std::string& x) {
    for (std::size_t i = 0; i < v.size(); ++i)
        if (v[i] == x) return i;
    FAIL("no " << x);
    return 0;
}

}  // namespace

TEST_CASE("report: one report renders as JSON, CSV, text and Wireshark cells from one description", "[report]") {
    const std::uint64_t ck = 0x1122334455667788ULL, sk = 0x8877665544332211ULL;
    const AnalysisSession session(one_connection(ck, sk));
    const report::Document doc = report::list_mptcp(session);

    // JSON: nested subflows, hex keys as fixed-width strings, booleans, null for absent values.
    const auto json = report::to_json(doc);
    REQUIRE(json["mptcp_connections"].size() == 1);
    const auto& c = json["mptcp_connections"][0];
    CHECK(c["client_key"] == "1122334455667788");
    CHECK(c["client_token"] == fmt::format("{:08x}", derive_from_key(ck, 1).token));
    CHECK(c["checksums"] == false);
    CHECK(c["fallback_frame"].is_null());
    CHECK(c["subflows"][0]["bytes_client_to_server"] == 3000);
    CHECK(c["subflows"][0]["hmac_valid"].is_null());

    // CSV of list-mptcp: one row per connection with its own fields, subflows as their count.
    const report::CsvTable connections = report::to_csv(doc);
    REQUIRE(connections.rows.size() == 1);
    CHECK(connections.rows[0][index_of(connections.columns, "client_key")] == "1122334455667788");
    CHECK(connections.rows[0][index_of(connections.columns, "client_idsn")] ==
          std::to_string(derive_from_key(ck, 1).idsn));
    CHECK(connections.rows[0][index_of(connections.columns, "subflows")] == "1");
    CHECK(connections.rows[0][index_of(connections.columns, "fallback_by")].empty());
    CHECK(std::find(connections.columns.begin(), connections.columns.end(), "bytes_client_to_server") ==
          connections.columns.end());

    // CSV of every subflow (list-subflows without a stream): one row per subflow, the
    // connection's key column carried first, bool as 1/0, a nested table as its count, absent
    // as empty.
    const report::CsvTable csv = report::to_csv(report::list_subflows(session, nullptr));
    REQUIRE(csv.rows.size() == 1);
    CHECK(csv.columns[0] == "mptcp_stream");
    CHECK(csv.rows[0][index_of(csv.columns, "bytes_client_to_server")] == "3000");
    CHECK(csv.rows[0][index_of(csv.columns, "backup")] == "0");
    CHECK(csv.rows[0][index_of(csv.columns, "backup_changes")] == "0");
    CHECK(csv.rows[0][index_of(csv.columns, "hmac_valid")].empty());
    CHECK(report::csv_text(csv, ';').find("mptcp_stream;tcp_stream;") == 0);

    // Text: the report's own layout, bytes for people.
    const std::string text = report::to_text(doc);
    CHECK(text.find("client key 1122334455667788") != std::string::npos);
    CHECK(text.find("1 subflow,") != std::string::npos);
    CHECK(text.find("3.00 kB up") != std::string::npos);
    // The generic text renderer serves a report without a layout.
    report::Document plain = doc;
    plain.text = nullptr;
    CHECK(report::to_text(plain).find("MPTCP connections:") == 0);

    // Wireshark cells: the overview of the same connection, the same values.
    const report::Cells cells = report::to_cells(report::overview(session, report::Overview::Connections));
    REQUIRE(cells.rows.size() == 1);
    std::vector<std::string> titles;
    for (const auto& col : cells.columns) titles.push_back(col.title);
    // get<>: nlohmann/json 3.11 (Debian 13) has no std::string == json in C++20.
    CHECK(cells.rows[0][index_of(titles, "Client key")] == c["client_key"].get<std::string>());
    CHECK(cells.rows[0][index_of(titles, "Bytes to server")] == "3000");
    CHECK(cells.rows[0][index_of(titles, "Subflows")] == "1");
    CHECK(cells.columns[index_of(titles, "Subflows")].numeric);
    CHECK(!cells.columns[index_of(titles, "MPTCP stream")].numeric);  // may be absent: text
}

TEST_CASE("report: a column added to a schema reaches every rendering", "[report]") {
    struct Row {
        std::uint64_t bytes;
        double share;
    };
    const report::RecordSpec<Row> spec("row", "test rows",
                                       {{{.name = "bytes", .title = "Bytes", .type = report::Type::Unsigned,
                                          .unit = report::Unit::Bytes, .meaning = "some bytes"},
                                         [](const Row& r) { return report::Value(r.bytes); }},
                                        {{.name = "share", .title = "Share", .type = report::Type::Real,
                                          .unit = report::Unit::Ratio, .meaning = "a share", .decimals = 6},
                                         [](const Row& r) { return report::Value(r.share); }}});
    const report::Schema root{"root", "test", {{.name = "rows", .title = "Rows", .type = report::Type::Records,
                                                .meaning = "rows", .nested = &spec.schema()}}};
    const report::Document doc{{&root, {spec.table(std::vector<Row>{{6000000000ULL, 0.1234567}})}}, "rows", {}};
    CHECK(report::to_json(doc)["rows"][0]["share"] == 0.123457);
    CHECK(report::to_json(doc)["rows"][0]["bytes"] == 6000000000ULL);
    const auto csv = report::to_csv(doc);
    CHECK(csv.columns == std::vector<std::string>{"bytes", "share"});
    CHECK(csv.rows[0] == std::vector<std::string>{"6000000000", "0.123457"});
    const auto cells = report::to_cells(*doc.root["rows"].table());
    CHECK(cells.rows[0] == std::vector<std::string>{"6000000000", "12.35%"});
    CHECK(report::to_text(doc).find("6.00 GB") != std::string::npos);
    CHECK(report::markdown_columns(spec.schema(), 3).find("| `share` | real (6 decimals) | ratio (0 to 1) | a share |") !=
          std::string::npos);
}

TEST_CASE("report: the plugin's tables are the overview reports' cells", "[report][epan_plugin]") {
    const PacketTable table = one_connection(1, 2);
    const auto tables = plugin::build_tables(table);
    const AnalysisSession session{PacketTable(table)};
    const report::Cells subflows = report::to_cells(report::overview(session, report::Overview::Subflows));
    CHECK(tables[1].rows == subflows.rows);
    REQUIRE(tables[1].columns.size() == subflows.columns.size());
    for (std::size_t i = 0; i < subflows.columns.size(); ++i) CHECK(subflows.columns[i].title == tables[1].columns[i].name);
}
