#pragma once
// The renderers: any report Document as JSON, CSV, text, or Wireshark table cells, and the
// documentation of its columns. The conventions of each rendering live here once:
//   JSON: numbers exact, Hex* as fixed-width hex strings, Real with its fixed decimals, null.
//   CSV: bool 1/0, lists joined with ';', nested tables as counts (or expanded), empty = absent.
//   Text (for people): bytes "1.50 MB", rates "2.00 Mbit/s", durations "0.500000 s", ratios "%".
//   Wireshark cells: bool yes/no, lists joined with ',', ratios "12.34%", durations in exact
//   seconds, 64-bit counters as decimal text (Wireshark's number cells are 32-bit).

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "mptcpanalyzer/report/report.hpp"

namespace mptcpanalyzer::report {

// --- JSON ----------------------------------------------------------------------------------
nlohmann::ordered_json to_json(const Document& document);
nlohmann::ordered_json to_json(const RowRef& record);

// --- CSV -----------------------------------------------------------------------------------
struct CsvTable {
    std::vector<std::string> columns;
    std::vector<std::vector<std::string>> rows;
};
CsvTable to_csv(const Document& document);
// RFC 4180 text with `delimiter`; cells holding it, a quote or a newline are quoted.
std::string csv_text(const CsvTable& table, char delimiter);

// --- text ----------------------------------------------------------------------------------
// The document's own layout, or the generic one: every scalar field, and each table aligned.
std::string to_text(const Document& document);
std::string generic_text(const Document& document);
// One value for people, by its column's unit ("39.92 kB"), and as CSV writes it ("39916").
std::string human(const RowRef& row, const std::string& column);
std::string plain(const RowRef& row, const std::string& column);
std::string human_value(const Column& column, const Value& value);
std::string plain_value(const Column& column, const Value& value);

std::string human_bytes(std::uint64_t bytes);
std::string human_rate(double bits_per_second);
std::string human_duration(std::int64_t ns);
// Exact seconds from integer nanoseconds ("-0.000000001"), no rounding through a double.
std::string exact_seconds(std::int64_t ns);
std::string fixed(double value, int decimals);
// A count with its noun, singular or plural: "1 packet", "2 packets", "0 subflows".
std::string count_of(std::uint64_t count, const std::string& singular, const std::string& plural);

// --- Wireshark stat_tap_table cells (no libwireshark here: epan-plugin/ writes them) -------
struct CellColumn {
    std::string title;
    bool numeric = false;  // a 32-bit number cell (sorted as a number); else a text cell
};
struct Cells {
    std::vector<CellColumn> columns;
    std::vector<std::vector<std::string>> rows;  // a numeric cell is "" or a decimal below 2^32
};
// The columns a table of `schema` shows in Wireshark (fixed at registration), and its cells.
std::vector<CellColumn> cell_columns(const Schema& schema);
Cells to_cells(const Table& table);

// --- documentation ---------------------------------------------------------------------------
// A Markdown table of a schema's columns (name, type, unit, meaning), nested schemas after it.
std::string markdown_columns(const Schema& schema, int heading_level);

}  // namespace mptcpanalyzer::report
