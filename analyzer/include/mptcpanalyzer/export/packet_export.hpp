#pragma once
// The packet table as CSV or JSON: one row per TCP segment, stable snake_case column names.
// Every column (name, type, meaning, tshark field, value) is defined once, in packet_export.cpp;
// the CSV header, the JSON keys and the column list of docs/output-formats.md follow from it.

#include <cstdio>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mptcpanalyzer/model/packet_table.hpp"

namespace mptcpanalyzer {

enum class PacketFormat { Csv, Json };

// Throws Error(Usage) for a delimiter that would make CSV ambiguous: ';' (separates multiple
// values), quotes, newlines, and characters that occur in unquoted numbers.
void validate_csv_delimiter(char delimiter);

// Column names in output order.
std::span<const std::string_view> packet_columns();

// What the documentation says of an `export` column.
struct ExportColumn {
    enum class Type { Integer, Text, Hex, Flag, List };  // docs: int, text, hex, 0/1, list
    std::string_view name;
    Type type = Type::Integer;
    std::string_view meaning;       // Markdown
    std::string_view tshark_field;  // Markdown: the tshark field whose value it equals ("" when none)
};
// Every column, in output order.
std::span<const ExportColumn> export_columns();
// The column table of docs/output-formats.md (between its export-columns markers), in Markdown.
std::string export_columns_markdown();

// A table export names its format (CSV: its first line `#format: "mptcpanalyzer-packets"`;
// JSON: the object's first key) and its version, bumped when a column changes meaning or a
// column the reader needs is added or removed (docs/output-formats.md, "Reading a table back").
inline constexpr std::string_view kTableFormatName = "mptcpanalyzer-packets";
inline constexpr std::uint32_t kTableFormatVersion = 1;

// What an export says of the read its rows came from, written before the rows so that a table
// read back (table_import.hpp) is the capture's ReadResult again. The interface names are the
// table's own.
struct ExportMetadata {
    std::uint64_t frames = 0;  // every frame of the capture, TCP or not
    bool truncated = false;
    std::string truncation_detail;
    std::string file_type;
    std::string libwireshark_version;                // the one that dissected the capture
    std::vector<std::string> wireshark_preferences;  // "module.name:value", in the order applied
};

// CSV: `#key: value` metadata lines (value in JSON), header row, then one row per packet; empty cell = absent; multi-valued cells joined by
// ';'. `delimiter` must not be ';', '"' or a newline. Writes to `out` (throws Error on I/O error).
// `destination` names the output in error messages.
void write_packets_csv(const PacketTable& table, std::FILE* out, char delimiter = ',',
                       std::string_view destination = "output", const ExportMetadata& metadata = {});

// JSON: an object, the metadata's keys first, then "packets": an array of objects with the CSV's
// columns as keys; absent values are null.
void write_packets_json(const PacketTable& table, std::FILE* out, std::string_view destination = "output",
                        const ExportMetadata& metadata = {});

}  // namespace mptcpanalyzer
