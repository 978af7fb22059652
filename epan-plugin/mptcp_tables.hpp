#pragma once
// The plugin's three tables (MPTCP connections, subflows, reinjections): the core's overview
// reports (report/reports.hpp) rendered as Wireshark cells (report/render.hpp), so every cell is
// the terminal program's value by construction. Plain C++, no libwireshark: the epan glue
// (stat_tap_table cells, listeners) lives in plugin.cpp, and the unit tests build these tables
// from synthetic captures.

#include <array>
#include <string>
#include <vector>

#include "mptcpanalyzer/model/packet_table.hpp"

namespace mptcpanalyzer::plugin {

enum class View { Connections, Subflows, Reinjections };
inline constexpr std::array<View, 3> kViews = {View::Connections, View::Subflows, View::Reinjections};

// How a column's cells are handed to Wireshark. Count cells (stream and frame numbers, counts:
// always below 2^32, never absent) are Wireshark numbers, sorted as such; everything else,
// byte counters included, is Text: Wireshark's number cells hold 32 bits, a decimal string keeps
// a 64-bit counter exact in the dialog, in tshark's output and in "Copy"/"Save as".
enum class CellKind { Text, Count };

struct Column {
    const char* name;  // stable for the life of the process (Wireshark keeps the pointer)
    CellKind kind;
};

struct Table {
    std::vector<Column> columns;
    std::vector<std::vector<std::string>> rows;  // each row has columns.size() cells; "" = unknown
};

// The columns of a view (fixed: Wireshark registers them once, at start-up).
const std::vector<Column>& columns_of(View view);

// The three views of one capture (indexed by View), analysed once. May throw (the caller
// catches at the Wireshark boundary).
std::array<Table, 3> build_tables(PacketTable table);

}  // namespace mptcpanalyzer::plugin
