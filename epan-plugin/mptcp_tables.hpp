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

// Where a column's cells sit in their width: numbers (counts, 64-bit counters, DSNs, keys and
// tokens, ratios, seconds, lists of frame numbers or tcp.streams) to the right, so digits of the
// same rank line up; words, addresses and lists of words to the left. From the report column's
// type, whatever the cell kind (a 64-bit counter is a Text cell and still a number).
enum class Align { Left, Right };

struct Column {
    const char* name;  // stable for the life of the process (Wireshark keeps the pointer)
    CellKind kind;
    Align align;
};

struct Table {
    std::vector<Column> columns;
    std::vector<std::vector<std::string>> rows;  // each row has columns.size() cells; "" = unknown
};

// The columns of a view (fixed: Wireshark registers them once, at start-up).
const std::vector<Column>& columns_of(View view);

// tshark's text table (ui/cli/tap-simple_stattable.c) prints each title as it is and each cell
// with its column's printf format, so a column lines up only when its title and format carry its
// width. The width each column of `t` needs: the longest of its title and its cells, in bytes.
std::vector<std::size_t> column_widths(const Table& t);
// A column's title padded with spaces to `width` bytes, on the side away from its alignment, so
// that the header lines up with the column's cells.
std::string padded_title(const Column& column, std::size_t width);

// A failed analysis as a table of `view`: one row whose first Text column says "mptcpanalyzer: "
// + why, every other cell empty. The first column of every view is a Count cell (a stream number),
// which would show the message as 0; the text goes where Wireshark prints text.
Table error_table(View view, const std::string& why);

// The three views of one capture (indexed by View), analysed once. May throw (the caller
// catches at the Wireshark boundary).
std::array<Table, 3> build_tables(PacketTable table);

}  // namespace mptcpanalyzer::plugin
