#pragma once
// The plugin's three tables (MPTCP connections, subflows, reinjections), computed from a
// PacketTable with mptcpanalyzer_core exactly as the terminal program does (ConnectionModel,
// map_connection_data, find_reinjections, summarize_mptcp). Plain C++, no libwireshark: the
// epan glue (stat_tap_table cells, listeners) lives in plugin.cpp, and the unit tests build these
// tables from synthetic captures.

#include <string>
#include <vector>

#include "mptcpanalyzer/model/packet_table.hpp"

namespace mptcpanalyzer::plugin {

enum class View { Connections, Subflows, Reinjections };

// How a column's cells are handed to Wireshark. Small counts that always fit 32 bits (stream
// numbers, frame numbers, subflow and reinjection counts) are Count: Wireshark sorts them as
// numbers. Everything else, byte counters included, is Text: Wireshark's table cells hold only
// 32-bit integers, and a decimal string keeps a 64-bit counter exact in the dialog, in tshark's
// output and in "Copy"/"Save as".
enum class CellKind { Text, Count };

struct Column {
    const char* name;
    CellKind kind;
};

struct Table {
    std::vector<Column> columns;
    std::vector<std::vector<std::string>> rows;  // each row has columns.size() cells; "" = unknown
};

// The columns of a view (fixed: Wireshark registers them once, at start-up).
const std::vector<Column>& columns_of(View view);

// The rows of a view for a whole capture. May throw (the caller catches at the Wireshark
// boundary). A Count cell is either "" or a decimal number below 2^32.
Table build_table(View view, const PacketTable& table);

}  // namespace mptcpanalyzer::plugin
