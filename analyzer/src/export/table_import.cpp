#include "mptcpanalyzer/export/table_import.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <limits>
#include <map>
#include <vector>

#include "mptcpanalyzer/export/mptcp_option_text.hpp"
#include "mptcpanalyzer/export/packet_export.hpp"
#include "mptcpanalyzer/util/error.hpp"

namespace mptcpanalyzer {
namespace {

// The columns a table is read from (docs/output-formats.md, "Reading a table back"). The other
// export columns show the same facts decoded for people; they are ignored. `tcp_seq`, `tcp_ack`
// and `mptcp_subtypes` are optional and, when given, must equal what the table derives (a
// garbled cell is caught rather than analysed).
enum Slot : std::size_t {
    kFrameNumber, kTimeNs, kInterfaceId, kIpVersion, kIpSrc, kIpDst, kSport, kDport, kTcpStream, kSeqRaw,
    kAckRaw, kSeqRelative, kAckRelative, kPayloadLength, kFlags, kWindow, kTsval, kTsecr, kMss, kWindowScale,
    kOptionsUnavailable, kPayloadSum, kMptcpStream, kMptcpSubtypes, kMptcpOptions, kSlotCount
};

struct SlotInfo {
    std::string_view column;
    bool required;
};

constexpr std::array<SlotInfo, kSlotCount> kSlots{{
    {"frame_number", true}, {"time_ns", true}, {"interface_id", true}, {"ip_version", true},
    {"ip_src", true}, {"ip_dst", true}, {"tcp_src_port", true}, {"tcp_dst_port", true},
    {"tcp_stream", true}, {"tcp_seq_raw", true}, {"tcp_ack_raw", true}, {"tcp_seq", false},
    {"tcp_ack", false}, {"tcp_payload_length", true}, {"tcp_flags", true}, {"tcp_window", true},
    {"tcp_tsval", true}, {"tcp_tsecr", true}, {"tcp_mss", true}, {"tcp_window_scale", true},
    {"tcp_options_unavailable", true}, {"tcp_payload_sum", true}, {"mptcp_stream", true},
    {"mptcp_subtypes", false}, {"mptcp_options", true},
}};

std::optional<std::size_t> slot_of(std::string_view column) {
    for (std::size_t i = 0; i < kSlots.size(); ++i) {
        if (kSlots[i].column == column) return i;
    }
    return std::nullopt;
}

// Stream numbers are indices (PacketTable::append and the connection model size vectors by
// them): a number may run ahead of the rows read so far by at most this much, so that a garbled
// one can cost at most a few tens of MB, never an allocation the size of its value.
constexpr std::uint64_t kStreamLead = 1'000'000;

std::string shown(std::string_view v) {
    constexpr std::size_t kMax = 40;
    std::string out;
    for (char c : v.substr(0, kMax)) out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
    if (v.size() > kMax) out += "...";
    return out;
}

// The metadata of either syntax, as read (absent keys stay unset).
struct Metadata {
    std::optional<std::string> format;
    std::optional<std::uint64_t> format_version;
    std::optional<std::uint64_t> frames;
    std::optional<std::uint64_t> packet_count;
    std::optional<bool> truncated;
    std::optional<std::string> truncation_detail, file_type, libwireshark_version, tool_version;
    std::optional<std::vector<std::string>> wireshark_preferences, interface_names;
};

// Sets one metadata entry from its JSON value; returns what is wrong with it, if anything.
std::optional<std::string> set_metadata(Metadata& m, std::string_view key, const nlohmann::json& v) {
    const auto text = [&](std::optional<std::string>& field) -> std::optional<std::string> {
        if (!v.is_string()) return "a string";
        field = v.get<std::string>();
        return std::nullopt;
    };
    const auto count = [&](std::optional<std::uint64_t>& field) -> std::optional<std::string> {
        if (!v.is_number_unsigned()) return "a whole number";
        field = v.get<std::uint64_t>();
        return std::nullopt;
    };
    const auto texts = [&](std::optional<std::vector<std::string>>& field) -> std::optional<std::string> {
        if (!v.is_array()) return "an array of strings";
        std::vector<std::string> out;
        for (const auto& e : v) {
            if (!e.is_string()) return "an array of strings";
            out.push_back(e.get<std::string>());
        }
        field = std::move(out);
        return std::nullopt;
    };
    std::optional<std::string> expected;
    if (key == "format") expected = text(m.format);
    else if (key == "format_version") expected = count(m.format_version);
    else if (key == "frames") expected = count(m.frames);
    else if (key == "packet_count") expected = count(m.packet_count);
    else if (key == "truncated") {
        if (v.is_boolean()) m.truncated = v.get<bool>();
        else expected = "true or false";
    } else if (key == "truncation_detail") expected = text(m.truncation_detail);
    else if (key == "file_type") expected = text(m.file_type);
    else if (key == "libwireshark_version") expected = text(m.libwireshark_version);
    else if (key == "tool_version") expected = text(m.tool_version);
    else if (key == "wireshark_preferences") expected = texts(m.wireshark_preferences);
    else if (key == "interface_names") expected = texts(m.interface_names);
    // Other keys: information for people (or a later minor addition), not needed to read.
    if (expected) return fmt::format("metadata {}: expected {}", key, *expected);
    return std::nullopt;
}

// Checks what must be known before any row is read: the format and its version.
void check_format(const Metadata& m, const std::string& name) {
    if (!m.format || *m.format != kTableFormatName) {
        throw Error(ExitCode::InputInvalid, fmt::format("{}: not an mptcpanalyzer table (its format is not \"{}\")",
                                                        name, kTableFormatName));
    }
    if (!m.format_version) {
        throw Error(ExitCode::InputInvalid, name + ": damaged table: its metadata has no format_version");
    }
    if (*m.format_version > kTableFormatVersion) {
        throw Error(ExitCode::InputInvalid,
                    fmt::format("{}: table format version {} was written by a newer mptcpanalyzer{}; this one reads "
                                "version {} and older (update mptcpanalyzer, or export the capture with this one)",
                                name, *m.format_version,
                                m.tool_version ? " (" + *m.tool_version + ")" : std::string{}, kTableFormatVersion));
    }
    if (*m.format_version == 0) throw Error(ExitCode::InputInvalid, name + ": damaged table: format_version 0");
}

// Turns rows of cells into PacketRecords appended to the table, checking every cell.
class RowDecoder {
public:
    RowDecoder(const std::string& name, ReadResult& result) : name_(name), result_(result) {}

    // The cells of the current row: `present` false is an absent value (empty CSV cell, JSON null).
    std::array<std::string_view, kSlotCount> cells{};
    std::array<bool, kSlotCount> present{};
    std::uint64_t line = 0;  // the row's line in a CSV (named in messages), 0 in JSON

    void set_expected_rows(std::uint64_t rows) { expected_rows_ = rows; }

    void decode_row() {
        ++row_;
        r_ = PacketRecord{};
        r_.frame_number = required<std::uint32_t>(kFrameNumber);
        if (r_.frame_number == 0) bad(kFrameNumber, "a frame number (from 1)");
        if (r_.frame_number < last_frame_) bad(kFrameNumber, fmt::format("a frame number >= the previous row's ({})", last_frame_));
        last_frame_ = r_.frame_number;
        r_.time_ns = required<std::int64_t>(kTimeNs);
        // Analyses subtract and add times: any two within [0, 2^62) differ by an int64. (A
        // capture's clock, 32-bit seconds in pcap, stays far below.)
        if (r_.time_ns < 0 || r_.time_ns >= (std::int64_t{1} << 62)) bad(kTimeNs, "a time in ns since 1970 below 2^62");
        r_.interface_id = optional<std::uint32_t>(kInterfaceId).value_or(PacketRecord::kNoInterface);
        const auto version = required<std::uint8_t>(kIpVersion);
        if (version != 4 && version != 6) bad(kIpVersion, "4 or 6");
        r_.src = address(kIpSrc, version);
        r_.dst = address(kIpDst, version);
        r_.sport = required<std::uint16_t>(kSport);
        r_.dport = required<std::uint16_t>(kDport);
        r_.tcp_stream = required<std::uint32_t>(kTcpStream);
        if (r_.tcp_stream > row_ + kStreamLead) bad(kTcpStream, "a tcp.stream number (they count the connections seen)");
        r_.seq_raw = required<std::uint32_t>(kSeqRaw);
        r_.ack_raw = required<std::uint32_t>(kAckRaw);
        r_.payload_length = required<std::uint32_t>(kPayloadLength);
        r_.flags = required<std::uint16_t>(kFlags);
        if (r_.flags > 0xfff) bad(kFlags, "the 12 TCP flag bits (0-4095)");
        r_.window_raw = required<std::uint16_t>(kWindow);
        const auto tsval = optional<std::uint32_t>(kTsval);
        const auto tsecr = optional<std::uint32_t>(kTsecr);
        if (tsval.has_value() != tsecr.has_value()) bad(tsval ? kTsecr : kTsval, "given with tcp_tsval/tcp_tsecr (both or neither)");
        r_.has_timestamps = tsval.has_value();
        r_.tsval = tsval.value_or(0);
        r_.tsecr = tsecr.value_or(0);
        r_.mss = optional<std::uint16_t>(kMss).value_or(0);
        const auto scale = optional<std::uint8_t>(kWindowScale);
        if (scale && *scale > 127) bad(kWindowScale, "a shift count of 0-127");
        r_.window_scale = scale ? static_cast<std::int8_t>(*scale) : std::int8_t{-1};
        r_.options_unavailable = flag(kOptionsUnavailable);
        const auto sum = optional<std::uint16_t>(kPayloadSum);
        r_.has_payload_sum = sum.has_value();
        r_.payload_sum = sum.value_or(0);
        const auto mptcp_stream = optional<std::uint32_t>(kMptcpStream);
        if (mptcp_stream && (*mptcp_stream > static_cast<std::uint32_t>(std::numeric_limits<std::int32_t>::max()) ||
                             *mptcp_stream > row_ + kStreamLead)) {
            bad(kMptcpStream, "an mptcp.stream number (they count the connections seen)");
        }
        r_.mptcp_stream = mptcp_stream ? std::int64_t{*mptcp_stream} : PacketRecord::kUnknownMptcpStream;
        options();

        PacketTable& table = result_.table;
        table.append(r_);
        const std::size_t at = table.size() - 1;
        // Derived values the file states: equal to ours, or a cell was changed.
        check_derived(kSeqRelative, table.columns().seq_relative[at], "the relative sequence number of the rows before");
        check_derived(kAckRelative, table.columns().ack_relative[at], "the relative acknowledgment number of the rows before");
    }

    std::uint64_t rows() const { return row_; }

private:
    [[noreturn]] void bad(std::size_t slot, std::string_view expected) const {
        throw Error(ExitCode::InputInvalid,
                    fmt::format("{}: damaged table: row {}{}, column {}: '{}' is not {}", name_, row_,
                                line ? fmt::format(", line {}", line) : std::string{},
                                kSlots[slot].column, present[slot] ? shown(cells[slot]) : std::string{}, expected));
    }

    template <class T>
    std::optional<T> optional(std::size_t slot) const {
        if (!present[slot]) return std::nullopt;
        const std::string_view v = cells[slot];
        using Wide = std::conditional_t<std::is_signed_v<T>, std::int64_t, std::uint64_t>;
        Wide wide = 0;
        const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), wide);
        if (v.empty() || ec != std::errc{} || end != v.data() + v.size() || wide < Wide{std::numeric_limits<T>::min()} ||
            wide > Wide{std::numeric_limits<T>::max()}) {
            bad(slot, fmt::format("an integer of {} to {}", Wide{std::numeric_limits<T>::min()},
                                  Wide{std::numeric_limits<T>::max()}));
        }
        return static_cast<T>(wide);
    }
    template <class T>
    T required(std::size_t slot) const {
        if (!present[slot]) bad(slot, "allowed to be empty");
        return *optional<T>(slot);
    }
    bool flag(std::size_t slot) const {
        if (!present[slot] || (cells[slot] != "0" && cells[slot] != "1")) bad(slot, "0 or 1 (false or true)");
        return cells[slot] == "1";
    }
    IpAddress address(std::size_t slot, std::uint8_t version) {
        if (!present[slot]) bad(slot, "allowed to be empty");
        const std::string_view v = cells[slot];
        auto it = addresses_.find(v);
        if (it == addresses_.end()) {
            const auto parsed = IpAddress::parse(v);
            if (!parsed) bad(slot, "an IPv4 or IPv6 address");
            it = addresses_.emplace(std::string(v), *parsed).first;
        }
        if (it->second.family != version) bad(slot, fmt::format("an IPv{} address (ip_version)", version));
        return it->second;
    }
    void options() {
        if (!present[kMptcpOptions]) {
            if (present[kMptcpSubtypes]) bad(kMptcpOptions, "empty when mptcp_subtypes is not");
            return;
        }
        std::string_view all = cells[kMptcpOptions];
        std::string& subtypes = subtypes_;
        subtypes.clear();
        while (true) {
            const auto semicolon = all.find(';');
            MptcpOption m;
            if (r_.mptcp_options.size() >= 40) bad(kMptcpOptions, "at most 40 options (a TCP header holds no more)");
            if (auto problem = parse_option_text(all.substr(0, semicolon), m)) {
                bad(kMptcpOptions, fmt::format("a list of MPTCP options ({})", *problem));
            }
            if (!subtypes.empty()) subtypes += ';';
            const auto subtype = static_cast<unsigned>(m.subtype);  // 0-15
            if (subtype >= 10) subtypes += '1';
            subtypes += static_cast<char>('0' + subtype % 10);
            r_.mptcp_options.push_back(std::move(m));
            if (semicolon == std::string_view::npos) break;
            all.remove_prefix(semicolon + 1);
        }
        if (present[kMptcpSubtypes] && cells[kMptcpSubtypes] != subtypes) {
            bad(kMptcpSubtypes, fmt::format("the subtypes of mptcp_options ({})", subtypes));
        }
    }
    void check_derived(std::size_t slot, std::uint32_t ours, std::string_view rule) const {
        if (!present[slot]) return;
        const std::string_view v = cells[slot];
        std::uint64_t stated = 0;
        const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), stated);
        if (ec != std::errc{} || end != v.data() + v.size() || stated != ours) {
            bad(slot, fmt::format("{} (the rule gives {})", rule, ours));
        }
    }

    const std::string& name_;
    ReadResult& result_;
    PacketRecord r_;
    std::uint64_t row_ = 0;
    std::uint64_t expected_rows_ = 0;
    std::uint32_t last_frame_ = 0;
    std::map<std::string, IpAddress, std::less<>> addresses_;  // few distinct ones: parsed once
    std::string subtypes_;
};

// Applies the metadata once every row is in, and checks the table is complete.
void finish(ReadResult& result, const Metadata& m, const RowDecoder& rows, const std::string& name) {
    if (!m.frames) throw Error(ExitCode::InputInvalid, name + ": damaged table: its metadata has no frames count");
    if (!m.packet_count) throw Error(ExitCode::InputInvalid, name + ": damaged table: its metadata has no packet_count");
    if (rows.rows() != *m.packet_count) {
        throw Error(ExitCode::InputInvalid,
                    fmt::format("{}: damaged table: it holds {} packet rows where its metadata says {} (cut off?)", name,
                                rows.rows(), *m.packet_count));
    }
    if (rows.rows() == 0) throw Error(ExitCode::NoData, name + ": the table contains no packets");
    const auto& c = result.table.columns();
    const std::uint32_t last_frame = c.frame_number[c.frame_number.size() - 1];
    if (last_frame > *m.frames) {
        throw Error(ExitCode::InputInvalid, fmt::format("{}: damaged table: frame {} in a capture of {} frames", name,
                                                        last_frame, *m.frames));
    }
    result.frames = *m.frames;
    result.truncated = m.truncated.value_or(false);
    result.truncation_detail = m.truncation_detail.value_or("");
    result.file_type = m.file_type.value_or("");
    result.libwireshark_version = m.libwireshark_version.value_or("");
    result.wireshark_preferences = m.wireshark_preferences.value_or(std::vector<std::string>{});
    result.table.set_interface_names(m.interface_names.value_or(std::vector<std::string>{}));
    result.table.finish_appending();
}

[[noreturn]] void missing_columns(const std::array<bool, kSlotCount>& have, const std::string& name) {
    std::string missing;
    for (std::size_t i = 0; i < kSlotCount; ++i) {
        if (kSlots[i].required && !have[i]) missing += (missing.empty() ? "" : ", ") + std::string(kSlots[i].column);
    }
    throw Error(ExitCode::InputInvalid, fmt::format("{}: damaged or incomplete table: missing column(s) {}", name, missing));
}

// ---- CSV ----

ReadResult read_csv(std::string_view bytes, const std::string& name) {
    ReadResult result;
    Metadata meta;
    std::size_t pos = 0;
    std::uint64_t line = 0;
    const auto next_line = [&]() -> std::string_view {
        const auto nl = bytes.find('\n', pos);
        const std::size_t end = nl == std::string_view::npos ? bytes.size() : nl;
        std::string_view text = bytes.substr(pos, end - pos);
        if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
        pos = nl == std::string_view::npos ? bytes.size() : nl + 1;
        ++line;
        return text;
    };
    // Metadata lines, then the header.
    std::string_view header;
    while (true) {
        if (pos >= bytes.size()) throw Error(ExitCode::InputInvalid, name + ": damaged table: it ends before its header row");
        const std::string_view text = next_line();
        if (text.empty() || text.front() != '#') {
            header = text;
            break;
        }
        const auto colon = text.find(':');
        if (colon == std::string_view::npos) {
            throw Error(ExitCode::InputInvalid, fmt::format("{}: damaged table: line {}: metadata is '#key: value'", name, line));
        }
        const std::string_view key = text.substr(1, colon - 1);
        const auto value = nlohmann::json::parse(text.substr(colon + 1), nullptr, false);
        if (value.is_discarded()) {
            throw Error(ExitCode::InputInvalid,
                        fmt::format("{}: damaged table: line {}: metadata {} is not a JSON value", name, line, shown(key)));
        }
        if (auto problem = set_metadata(meta, key, value)) {
            throw Error(ExitCode::InputInvalid, fmt::format("{}: damaged table: line {}: {}", name, line, *problem));
        }
        if (key == "format_version") check_format(meta, name);
    }
    check_format(meta, name);

    // The header: snake_case names, so its first other character is the delimiter.
    const auto delimiter_at = header.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_");
    if (delimiter_at == std::string_view::npos || delimiter_at == 0) {
        throw Error(ExitCode::InputInvalid, fmt::format("{}: damaged table: line {} is not a header row", name, line));
    }
    const char delimiter = header[delimiter_at];
    std::vector<std::optional<std::size_t>> slot_of_column;
    std::array<bool, kSlotCount> have{};
    for (std::size_t start = 0;;) {
        const auto end = header.find(delimiter, start);
        const auto slot = slot_of(header.substr(start, end == std::string_view::npos ? end : end - start));
        if (slot && have[*slot]) {
            throw Error(ExitCode::InputInvalid, fmt::format("{}: damaged table: column {} appears twice", name, kSlots[*slot].column));
        }
        if (slot) have[*slot] = true;
        slot_of_column.push_back(slot);
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    if (std::find(have.begin(), have.end(), false) != have.end()) {
        bool any_required_missing = false;
        for (std::size_t i = 0; i < kSlotCount; ++i) any_required_missing |= kSlots[i].required && !have[i];
        if (any_required_missing) missing_columns(have, name);
    }

    RowDecoder decoder(name, result);
    if (meta.packet_count) result.table.reserve(std::min<std::uint64_t>(*meta.packet_count, bytes.size() / 32 + 1));
    std::vector<std::string> unquoted(slot_of_column.size());
    while (pos < bytes.size()) {
        const std::uint64_t row_line = line + 1;
        decoder.present.fill(false);
        // One row: cells up to the newline that is not inside quotes (RFC 4180).
        std::size_t column = 0;
        bool row_done = false;
        while (!row_done) {
            if (column >= slot_of_column.size()) {
                throw Error(ExitCode::InputInvalid, fmt::format("{}: damaged table: line {} has more cells than the header",
                                                                name, row_line));
            }
            std::string_view cell;
            if (pos < bytes.size() && bytes[pos] == '"') {
                std::string& out = unquoted[column];
                out.clear();
                ++pos;
                while (true) {
                    if (pos >= bytes.size()) {
                        throw Error(ExitCode::InputInvalid, fmt::format("{}: damaged table: line {}: a quoted cell never ends (cut off?)",
                                                                        name, row_line));
                    }
                    const char ch = bytes[pos++];
                    if (ch == '\n') ++line;
                    if (ch != '"') {
                        out += ch;
                    } else if (pos < bytes.size() && bytes[pos] == '"') {
                        out += '"';
                        ++pos;
                    } else {
                        break;
                    }
                }
                cell = out;
                if (pos < bytes.size() && bytes[pos] != delimiter && bytes[pos] != '\n' && bytes[pos] != '\r') {
                    throw Error(ExitCode::InputInvalid,
                                fmt::format("{}: damaged table: line {}: text after a quoted cell", name, row_line));
                }
            } else {
                const std::size_t start = pos;
                while (pos < bytes.size() && bytes[pos] != delimiter && bytes[pos] != '\n' && bytes[pos] != '\r') ++pos;
                cell = bytes.substr(start, pos - start);
            }
            if (const auto slot = slot_of_column[column]) {
                decoder.cells[*slot] = cell;
                decoder.present[*slot] = !cell.empty();
            }
            ++column;
            if (pos < bytes.size() && bytes[pos] == '\r') ++pos;
            if (pos >= bytes.size()) {
                // Every row ends with a newline: without it, the last cell may be a cut one that
                // still parses (a shorter number).
                throw Error(ExitCode::InputInvalid,
                            fmt::format("{}: damaged table: line {} does not end with a newline (cut off?)", name, row_line));
            }
            if (bytes[pos] == '\n') {
                row_done = true;
                ++line;
                ++pos;
            } else {
                ++pos;  // the delimiter
            }
        }
        if (column != slot_of_column.size()) {
            throw Error(ExitCode::InputInvalid,
                        fmt::format("{}: damaged table: line {} has {} cells where the header has {} (cut off?)", name,
                                    row_line, column, slot_of_column.size()));
        }
        decoder.line = row_line;
        decoder.decode_row();
    }
    finish(result, meta, decoder, name);
    return result;
}

// ---- JSON ----

// SAX events of nlohmann::json: the metadata keys as small JSON values, every packet object as
// a row of cells, without building the document (a 1M-packet export stays a stream).
class JsonTable : public nlohmann::json::json_sax_t {
public:
    JsonTable(const std::string& name, ReadResult& result) : name_(name), result_(result), decoder_(name, result) {}

    bool null() override { return scalar(std::nullopt, nullptr); }
    bool boolean(bool v) override { return scalar(std::string_view(v ? "1" : "0"), v); }
    bool number_integer(number_integer_t v) override {
        if (in_row()) return number(fmt::format_int(static_cast<long long>(v)));
        return scalar(std::string_view(), v);
    }
    bool number_unsigned(number_unsigned_t v) override {
        if (in_row()) return number(fmt::format_int(static_cast<unsigned long long>(v)));
        return scalar(std::string_view(), v);
    }
    bool number_float(number_float_t v, const string_t& text) override {
        if (in_row() && current_slot_) bad_cell(text, "a whole number");
        return scalar(std::string_view(text), v);
    }
    bool string(string_t& v) override { return scalar(std::string_view(v), v); }
    bool binary(binary_t&) override { return fail("unexpected binary value"); }
    bool start_object(std::size_t) override {
        ++depth_;
        if (depth_ == 1) return true;
        if (depth_ == 3 && in_packets_) {
            decoder_.present.fill(false);
            seen_.fill(false);
            key_index_ = 0;
            return true;
        }
        if (depth_ == 2 && meta_key_) return fail(fmt::format("metadata {} is an object", *meta_key_));
        return fail("unexpected object");
    }
    bool key(string_t& k) override {
        if (depth_ == 1) {
            if (k == "packets") {
                check_format(meta_, name_);
                packets_key_ = true;
                meta_key_.reset();
            } else {
                if (first_key_ && k != "format") {
                    throw Error(ExitCode::InputInvalid, name_ + ": not an mptcpanalyzer table (its first key is not \"format\")");
                }
                meta_key_ = k;
                packets_key_ = false;
            }
            first_key_ = false;
            return true;
        }
        // Rows repeat their keys in one order: the slot of the key at this position is known.
        if (key_index_ < key_slots_.size() && key_slots_[key_index_].first == k) {
            current_slot_ = key_slots_[key_index_].second;
        } else {
            current_slot_ = slot_of(k);
            if (key_index_ < key_slots_.size()) key_slots_[key_index_] = {k, current_slot_};
            else if (key_slots_.size() < 256) key_slots_.emplace_back(k, current_slot_);
        }
        ++key_index_;
        if (current_slot_ && seen_[*current_slot_]) return fail(fmt::format("packet {}: key {} twice", decoder_.rows() + 1, k));
        return true;
    }
    bool end_object() override {
        if (depth_ == 3 && in_packets_) {
            for (std::size_t i = 0; i < kSlotCount; ++i) {
                if (kSlots[i].required && !seen_[i]) {
                    if (decoder_.rows() == 0) missing_columns(seen_, name_);
                    throw Error(ExitCode::InputInvalid, fmt::format("{}: damaged table: row {} has no key {}", name_,
                                                                    decoder_.rows() + 1, kSlots[i].column));
                }
            }
            for (std::size_t i = 0; i < kSlotCount; ++i) decoder_.cells[i] = row_text_[i];
            decoder_.decode_row();
        }
        --depth_;
        return true;
    }
    bool start_array(std::size_t) override {
        ++depth_;
        if (depth_ == 2 && packets_key_) {
            if (meta_.packet_count) {
                result_.table.reserve(std::min<std::uint64_t>(*meta_.packet_count, 1U << 20));
            }
            in_packets_ = true;
            return true;
        }
        if (depth_ == 2 && meta_key_) {
            array_ = nlohmann::json::array();
            return true;
        }
        if (in_row()) bad_cell("[", "a single value");
        return fail("unexpected array");
    }
    bool end_array() override {
        if (depth_ == 2 && in_packets_) {
            in_packets_ = false;
            packets_done_ = true;
        } else if (depth_ == 2 && meta_key_) {
            set(*meta_key_, array_);
            meta_key_.reset();
        }
        --depth_;
        return true;
    }
    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) override {
        const std::string what = e.what();
        const auto bracket = what.find("] ");
        throw Error(ExitCode::InputInvalid, fmt::format("{}: damaged table: not valid JSON at byte {} ({})", name_, position,
                                                        bracket == std::string::npos ? what : what.substr(bracket + 2)));
    }

    ReadResult finish_table() {
        if (!packets_done_) throw Error(ExitCode::InputInvalid, name_ + ": damaged table: no \"packets\" array");
        finish(result_, meta_, decoder_, name_);
        return std::move(result_);
    }

private:
    bool in_row() const { return in_packets_ && depth_ == 3; }
    [[noreturn]] bool fail(const std::string& what) {
        throw Error(ExitCode::InputInvalid, fmt::format("{}: damaged table: {}", name_, what));
    }
    [[noreturn]] void bad_cell(std::string_view value, std::string_view expected) {
        throw Error(ExitCode::InputInvalid,
                    fmt::format("{}: damaged table: row {}, column {}: '{}' is not {}", name_, decoder_.rows() + 1,
                                current_slot_ ? kSlots[*current_slot_].column : std::string_view("?"), shown(value), expected));
    }
    bool number(const fmt::format_int& text) { return scalar(std::string_view(text.data(), text.size()), 0); }
    // `text`: the value as a cell's text (nullopt: null), used in rows; `value`: in metadata.
    template <class V>
    bool scalar(std::optional<std::string_view> text, V&& value) {
        if (in_row()) {
            if (current_slot_) {
                seen_[*current_slot_] = true;
                decoder_.present[*current_slot_] = text.has_value();
                row_text_[*current_slot_].assign(text.value_or(std::string_view()));
            }
            return true;
        }
        if (depth_ == 2 && meta_key_ && array_.is_array()) {
            array_.push_back(nlohmann::json(value));
            return true;
        }
        if (depth_ == 1 && meta_key_) {
            set(*meta_key_, nlohmann::json(value));
            if (*meta_key_ == "format" && (!meta_.format || *meta_.format != kTableFormatName)) check_format(meta_, name_);
            meta_key_.reset();
            return true;
        }
        if (depth_ == 1 && packets_key_) return fail("\"packets\" is not an array");
        return fail("unexpected value");
    }
    void set(const std::string& key, const nlohmann::json& value) {
        if (auto problem = set_metadata(meta_, key, value)) fail(*problem);
        array_ = nlohmann::json();
    }

    const std::string& name_;
    ReadResult& result_;
    RowDecoder decoder_;
    Metadata meta_;
    int depth_ = 0;
    bool first_key_ = true;
    bool packets_key_ = false;
    bool in_packets_ = false;
    bool packets_done_ = false;
    std::optional<std::string> meta_key_;
    nlohmann::json array_;
    std::optional<std::size_t> current_slot_;
    std::array<bool, kSlotCount> seen_{};
    std::array<std::string, kSlotCount> row_text_{};
    std::vector<std::pair<std::string, std::optional<std::size_t>>> key_slots_;  // by position in a row
    std::size_t key_index_ = 0;
};

ReadResult read_json(std::string_view bytes, const std::string& name) {
    ReadResult result;
    JsonTable table(name, result);
    nlohmann::json::sax_parse(bytes.begin(), bytes.end(), &table);
    return table.finish_table();
}

std::string_view skip_space(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) s.remove_prefix(1);
    return s;
}

bool consume(std::string_view& s, std::string_view prefix) {
    s = skip_space(s);
    if (!s.starts_with(prefix)) return false;
    s.remove_prefix(prefix.size());
    return true;
}

// An mmap of a whole file, unmapped on every path.
class MappedFile {
public:
    explicit MappedFile(const std::string& path) {
        fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0) throw Error(ExitCode::InputMissing, path + ": " + std::strerror(errno));
        struct stat st {};
        if (::fstat(fd_, &st) != 0) throw Error(ExitCode::InputMissing, path + ": " + std::strerror(errno));
        size_ = static_cast<std::size_t>(st.st_size);
        if (size_ == 0) return;
        void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0);
        if (p == MAP_FAILED) throw Error(ExitCode::InputMissing, path + ": " + std::strerror(errno));
        data_ = static_cast<const char*>(p);
        ::madvise(p, size_, MADV_SEQUENTIAL);
    }
    ~MappedFile() {
        if (data_) ::munmap(const_cast<char*>(data_), size_);
        if (fd_ >= 0) ::close(fd_);
    }
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    std::string_view bytes() const { return {data_, size_}; }

private:
    int fd_ = -1;
    const char* data_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace

std::optional<TableSyntax> table_export_syntax(std::string_view head) {
    const std::string quoted_name = fmt::format("\"{}\"", kTableFormatName);
    std::string_view s = head;
    if (consume(s, "#format:")) {
        return consume(s, quoted_name) ? std::optional(TableSyntax::Csv) : std::nullopt;
    }
    s = head;
    if (consume(s, "{") && consume(s, "\"format\"") && consume(s, ":") && consume(s, quoted_name)) return TableSyntax::Json;
    return std::nullopt;
}

ReadResult read_table_export(std::string_view bytes, const std::string& name) {
    const auto syntax = table_export_syntax(bytes.substr(0, 256));
    if (!syntax) {
        throw Error(ExitCode::InputInvalid, fmt::format("{}: not an mptcpanalyzer table (it does not start with its "
                                                        "format, \"{}\")", name, kTableFormatName));
    }
    return *syntax == TableSyntax::Csv ? read_csv(bytes, name) : read_json(bytes, name);
}

std::optional<ReadResult> read_table_export_file(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;  // the capture reader says why
    char head[256];
    std::size_t got = 0;
    {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return std::nullopt;
        const ssize_t n = ::read(fd, head, sizeof head);
        ::close(fd);
        if (n <= 0) return std::nullopt;
        got = static_cast<std::size_t>(n);
    }
    const std::string_view start(head, got);
    if (!table_export_syntax(start)) {
        // An export of mptcpanalyzer before table format 1 (no metadata): say so rather than let
        // libwireshark guess at it.
        std::string_view s = start;
        if (start.starts_with("frame_number") || (consume(s, "[") && consume(s, "{\"frame_number\""))) {
            throw Error(ExitCode::InputInvalid,
                        path + ": an export of an older mptcpanalyzer (no table format metadata): it cannot be read "
                               "back; export the capture again");
        }
        return std::nullopt;
    }
    const MappedFile file(path);
    return read_table_export(file.bytes(), path);
}

}  // namespace mptcpanalyzer
