// The Wireshark plugin's tables (epan-plugin/mptcp_tables.cpp, no libwireshark needed): byte
// counters past 4 GiB stay exact (Wireshark's numeric table cells are 32-bit, so these columns
// are text), and the numbers are those of the core analyses the terminal program prints.
// No capture of the corpus carries 4 GiB: a synthetic connection does (records as the capture
// reader would build them, payload lengths as a snaplen-truncated capture would report them).

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "mptcp_tables.hpp"
#include "mptcpanalyzer/analysis/mptcp_data.hpp"
#include "mptcpanalyzer/analysis/reinjections.hpp"
#include "mptcpanalyzer/analysis/summaries.hpp"
#include "mptcpanalyzer/model/connections.hpp"
#include "mptcpanalyzer/model/mptcp_crypto.hpp"
#include "synthetic_records.hpp"

using namespace mptcpanalyzer;

namespace {

std::size_t column_index(const plugin::Table& t, const std::string& name) {
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
        if (name == t.columns[i].name) return i;
    }
    FAIL("no column " << name);
    return 0;
}

std::string cell(const plugin::Table& t, std::size_t row, const std::string& column) {
    REQUIRE(row < t.rows.size());
    return t.rows[row][column_index(t, column)];
}

}  // namespace

TEST_CASE("epan plugin tables: byte counters past 4 GiB are exact", "[epan_plugin]") {
    const std::uint64_t ck = 0x1122334455667788ULL, sk = 0x8877665544332211ULL;
    const KeyDerived cd = derive_from_key(ck, 1);
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 5201);
    mptcp_handshake(cap, f, ck, sk);
    constexpr std::uint32_t kSegment = 64000;
    constexpr std::uint64_t kSegments = 70000;  // 4.48 GB: past 2^32 bytes
    for (std::uint64_t i = 0; i < kSegments; ++i) {
        const std::uint32_t ssn = f.rel_next(true);
        cap.send(f, true, kPshAckFlags, kSegment, {dss_map(cd.idsn + 1 + i * kSegment, ssn, kSegment, true)});
    }
    const std::uint64_t total = kSegments * kSegment;
    REQUIRE(total > (std::uint64_t{1} << 32));

    // What the core analyses say (the terminal program's mptcp-summary).
    const ConnectionModel model = ConnectionModel::build(cap.table);
    REQUIRE(model.mptcp.size() == 1);
    const MptcpConnection& m = model.mptcp[0];
    const ConnectionData data = map_connection_data(cap.table, model, m);
    const ReinjectionReport reinjections = find_reinjections(cap.table, model, m, data);
    const MptcpSummary summary = summarize_mptcp(model, m, data, reinjections);
    const auto& up = summary.directions[static_cast<int>(DataDirection::ToServer)];
    CHECK(up.wire_bytes == total);

    const auto tables = plugin::build_tables(cap.table);
    const plugin::Table& conns = tables[static_cast<std::size_t>(plugin::View::Connections)];
    REQUIRE(conns.rows.size() == 1);
    CHECK(cell(conns, 0, "Bytes to server") == std::to_string(total));
    CHECK(cell(conns, 0, "Bytes to server") == std::to_string(up.wire_bytes));
    CHECK(cell(conns, 0, "App bytes to server") == std::to_string(up.application_bytes));
    CHECK(cell(conns, 0, "Bytes to client") == "0");
    CHECK(cell(conns, 0, "Client key") == "1122334455667788");
    CHECK(conns.columns[column_index(conns, "Bytes to server")].kind == plugin::CellKind::Text);
    CHECK(conns.columns[column_index(conns, "App bytes to server")].kind == plugin::CellKind::Text);

    const plugin::Table& subs = tables[static_cast<std::size_t>(plugin::View::Subflows)];
    REQUIRE(subs.rows.size() == 1);
    CHECK(cell(subs, 0, "Bytes from client") == std::to_string(total));
    CHECK(cell(subs, 0, "Packets from client") == std::to_string(kSegments + 2));
    CHECK(cell(subs, 0, "Share to server") == "100.00%");
    CHECK(subs.columns[column_index(subs, "Bytes from client")].kind == plugin::CellKind::Text);
}

TEST_CASE("epan plugin tables: every row has one cell per column, Count cells fit 32 bits", "[epan_plugin]") {
    Capture cap;
    Flow f = cap.flow(0, "10.0.0.1", 40000, "10.0.0.2", 80);
    mptcp_handshake(cap, f, 9, 7);
    const auto tables = plugin::build_tables(cap.table);
    for (auto view : plugin::kViews) {
        const plugin::Table& t = tables[static_cast<std::size_t>(view)];
        CHECK(t.columns.size() == plugin::columns_of(view).size());
        for (const auto& row : t.rows) {
            REQUIRE(row.size() == t.columns.size());
            for (std::size_t c = 0; c < row.size(); ++c) {
                if (t.columns[c].kind != plugin::CellKind::Count) continue;
                INFO("column " << t.columns[c].name << " = " << row[c]);
                CHECK(!row[c].empty());
                CHECK(std::stoull(row[c]) <= 0xffffffffULL);
            }
        }
    }
}

TEST_CASE("epan plugin tables: numbers align right, words left, whatever the cell kind", "[epan_plugin]") {
    // The rule: counts, 64-bit counters, DSNs, hex keys/tokens, ratios, seconds and lists of frame
    // numbers are numbers; addresses, enumerations, yes/no are words.
    const std::vector<std::pair<plugin::View, std::vector<std::pair<std::string, plugin::Align>>>> expected = {
        {plugin::View::Connections,
         {{"MPTCP stream", plugin::Align::Right}, {"Client", plugin::Align::Left}, {"Server", plugin::Align::Left},
          {"Version", plugin::Align::Right}, {"Client key", plugin::Align::Right},
          {"Server token", plugin::Align::Right}, {"Subflows", plugin::Align::Right},
          {"Bytes to server", plugin::Align::Right}, {"App bytes to client", plugin::Align::Right},
          {"Reinjected bytes", plugin::Align::Right}, {"Fallback", plugin::Align::Left}}},
        {plugin::View::Subflows,
         {{"TCP stream", plugin::Align::Right}, {"Role", plugin::Align::Left}, {"Towards", plugin::Align::Left},
          {"Backup", plugin::Align::Left}, {"Packets from client", plugin::Align::Right},
          {"Bytes from server", plugin::Align::Right}, {"Share to server", plugin::Align::Right},
          {"End", plugin::Align::Left}}},
        {plugin::View::Reinjections,
         {{"Direction", plugin::Align::Left}, {"Frame", plugin::Align::Right}, {"DSN start", plugin::Align::Right},
          {"Length", plugin::Align::Right}, {"Original frames", plugin::Align::Right},
          {"Original TCP streams", plugin::Align::Right}, {"Delay (s)", plugin::Align::Right}}},
    };
    for (const auto& [view, columns] : expected) {
        const plugin::Table t{plugin::columns_of(view), {}};
        for (const auto& [title, align] : columns) {
            INFO(title);
            CHECK(t.columns[column_index(t, title)].align == align);
        }
    }
    // A 64-bit counter is a text cell and still a number.
    const plugin::Table conns{plugin::columns_of(plugin::View::Connections), {}};
    const plugin::Column& bytes = conns.columns[column_index(conns, "Bytes to server")];
    CHECK(bytes.kind == plugin::CellKind::Text);
    CHECK(bytes.align == plugin::Align::Right);
}

TEST_CASE("epan plugin tables: tshark column widths fit the widest cell, titles padded away from their alignment",
          "[epan_plugin]") {
    const plugin::Column count{"Bytes", plugin::CellKind::Text, plugin::Align::Right};
    const plugin::Column word{"Role", plugin::CellKind::Text, plugin::Align::Left};
    const plugin::Column wide_title{"A long title", plugin::CellKind::Count, plugin::Align::Right};
    const std::string max64 = std::to_string(UINT64_MAX);  // 20 digits
    const plugin::Table t{{count, word, wide_title}, {{"1", "initial", "7"}, {max64, "join", "12"}}};
    const std::vector<std::size_t> widths = plugin::column_widths(t);
    REQUIRE(widths.size() == 3);
    CHECK(widths[0] == 20);  // the 64-bit maximum
    CHECK(widths[1] == std::string("initial").size());
    CHECK(widths[2] == std::string("A long title").size());  // the title is the widest
    CHECK(plugin::padded_title(count, widths[0]) == std::string(15, ' ') + "Bytes");
    CHECK(plugin::padded_title(word, widths[1]) == "Role   ");
    CHECK(plugin::padded_title(wide_title, widths[2]) == "A long title");
}

TEST_CASE("epan plugin tables: a failed analysis shows its message in a text cell, not as a number", "[epan_plugin]") {
    // Wireshark prints a Count cell as a number: a message there reads "0", a wrong answer.
    for (plugin::View view : plugin::kViews) {
        const plugin::Table t = plugin::error_table(view, "cannot compute the table: out of memory");
        REQUIRE(t.rows.size() == 1);
        REQUIRE(t.rows[0].size() == t.columns.size());
        std::size_t holding = t.columns.size();
        for (std::size_t c = 0; c < t.columns.size(); ++c) {
            if (t.rows[0][c].empty()) continue;
            CHECK(holding == t.columns.size());  // exactly one cell holds it
            holding = c;
        }
        REQUIRE(holding < t.columns.size());
        CHECK(t.rows[0][holding] == "mptcpanalyzer: cannot compute the table: out of memory");
        CHECK(t.columns[holding].kind == plugin::CellKind::Text);
    }
}
