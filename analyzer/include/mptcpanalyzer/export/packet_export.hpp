#pragma once
// The packet table as CSV or JSON: one row per TCP segment, stable snake_case column names
// (documented in docs/output-formats.md; `packet_columns()` is the single list both formats
// and the documentation test use).

#include <cstdio>
#include <span>
#include <string_view>

#include "mptcpanalyzer/model/packet_table.hpp"

namespace mptcpanalyzer {

enum class PacketFormat { Csv, Json };

// Throws Error(Usage) for a delimiter that would make CSV ambiguous: ';' (separates multiple
// values), quotes, newlines, and characters that occur in unquoted numbers.
void validate_csv_delimiter(char delimiter);

// Column names in output order.
std::span<const std::string_view> packet_columns();

// CSV: header row then one row per packet; empty cell = absent; multi-valued cells joined by
// ';'. `delimiter` must not be ';', '"' or a newline. Writes to `out` (throws Error on I/O error).
// `destination` names the output in error messages.
void write_packets_csv(const PacketTable& table, std::FILE* out, char delimiter = ',',
                       std::string_view destination = "output");

// JSON: an array of objects with the same keys; absent values are null.
void write_packets_json(const PacketTable& table, std::FILE* out, std::string_view destination = "output");

}  // namespace mptcpanalyzer
