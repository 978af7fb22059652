#pragma once
// Reading a table export (`mptcpanalyzer export`, CSV or JSON; docs/output-formats.md, "Reading a
// table back") into the ReadResult the capture it came from gives: the same PacketTable (through
// PacketTable::append, as the capture reader fills it) and read metadata. Plain C++, no
// libwireshark: `-r`, `load` and `--peer` try it before the capture reader.

#include <optional>
#include <string>
#include <string_view>

#include "mptcpanalyzer/capture/capture_reader.hpp"

namespace mptcpanalyzer {

enum class TableSyntax { Csv, Json };

// What the first bytes of a file say: one of our table exports (and which syntax), or nullopt
// (anything else, for the capture reader). 64 bytes are enough.
std::optional<TableSyntax> table_export_syntax(std::string_view head);

// Parses a whole table export held in `bytes`. `name` (the file as the user gave it) starts every
// error message. Throws Error(InputInvalid) for anything damaged or foreign, naming what (a
// missing column, the row and column of a bad cell, a newer format version), Error(NoData) for a
// table with no packet. Never trusts a count or an index of the input before checking it: it is
// the entry point of the fuzzing harness.
ReadResult read_table_export(std::string_view bytes, const std::string& name);

// The file at `path` when it is a table export (mapped and read whole), else nullopt. Throws as read_table_export, and Error(InputMissing) when the
// file cannot be read.
std::optional<ReadResult> read_table_export_file(const std::string& path);

}  // namespace mptcpanalyzer
