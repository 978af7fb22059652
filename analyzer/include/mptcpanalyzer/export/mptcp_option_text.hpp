#pragma once
// One MPTCP option as text, whole and back: the `mptcp_options` cell of `export` and of a table
// read back (table_import). `field=value` pairs separated by single spaces, in
// MPTCP_OPTION_FIELDS order (packet_schema.hpp), `subtype` always first, any other field only
// when it differs from its default. A new option field follows from the schema.
//
// Values: integers and the subtype in decimal; bools `1`; `hmac` 40 lowercase hex digits;
// `address` an IPv4 or IPv6 address; `address_ids` decimal ids joined by `/`.

#include <optional>
#include <string>
#include <string_view>

#include "mptcpanalyzer/model/packet_record.hpp"

namespace mptcpanalyzer {

void append_option_text(std::string& out, const MptcpOption& option);

// Parses one option's text into `option` (reset to defaults first). Returns what is wrong with
// the text (naming the field), or nullopt when it parsed.
std::optional<std::string> parse_option_text(std::string_view text, MptcpOption& option);

}  // namespace mptcpanalyzer
