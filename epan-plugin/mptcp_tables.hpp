#pragma once
// The plugin's tables, computed from a PacketTable with mptcpanalyzer_core exactly as the
// terminal program does (ConnectionModel, map_connection_data, find_reinjections,
// summarize_mptcp). Plain C++, no libwireshark: the epan glue lives in plugin.cpp.

#include <string>

#include "mptcpanalyzer/model/packet_table.hpp"

namespace mptcpanalyzer::plugin {

enum class View { Connections, Subflows, Reinjections };

// The `-z mptcp,<view>` text block (tshark's ===== framed style). `filter` is shown in the
// header ("" = none). May throw (the caller catches at the Wireshark boundary).
std::string render(View view, const PacketTable& table, const std::string& filter);

}  // namespace mptcpanalyzer::plugin
