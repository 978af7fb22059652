#include "mptcpanalyzer/export/mptcp_option_text.hpp"

#include <fmt/format.h>

#include <charconv>
#include <concepts>
#include <iterator>
#include <limits>
#include <type_traits>

namespace mptcpanalyzer {
namespace {

template <std::unsigned_integral T>
void append_value(std::string& out, T v) {
    fmt::format_to(std::back_inserter(out), "{}", static_cast<std::uint64_t>(v));
}
void append_value(std::string& out, bool v) { out += v ? '1' : '0'; }
void append_value(std::string& out, MptcpSubtype v) { append_value(out, static_cast<std::uint8_t>(v)); }
void append_value(std::string& out, const MptcpHmac& v) {
    for (auto b : v) fmt::format_to(std::back_inserter(out), "{:02x}", b);
}
void append_value(std::string& out, const IpAddress& v) { out += v.to_string(); }
void append_value(std::string& out, const MptcpAddressIds& v) {
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) out += '/';
        append_value(out, v[i]);
    }
}

template <std::unsigned_integral T>
bool parse_value(std::string_view text, T& v) {
    std::uint64_t wide = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), wide);
    if (ec != std::errc{} || end != text.data() + text.size() || wide > std::numeric_limits<T>::max()) return false;
    v = static_cast<T>(wide);
    return true;
}
bool parse_value(std::string_view text, bool& v) {
    if (text != "0" && text != "1") return false;
    v = text == "1";
    return true;
}
bool parse_value(std::string_view text, MptcpSubtype& v) {
    std::uint8_t n = 0;
    if (!parse_value(text, n) || n > 15) return false;  // a 4-bit field on the wire
    v = static_cast<MptcpSubtype>(n);
    return true;
}
bool parse_value(std::string_view text, MptcpHmac& v) {
    if (text.size() != v.size() * 2) return false;
    for (std::size_t i = 0; i < v.size(); ++i) {
        const auto [end, ec] = std::from_chars(text.data() + 2 * i, text.data() + 2 * i + 2, v[i], 16);
        if (ec != std::errc{} || end != text.data() + 2 * i + 2) return false;
    }
    return true;
}
bool parse_value(std::string_view text, IpAddress& v) {
    const auto parsed = IpAddress::parse(text);
    if (!parsed) return false;
    v = *parsed;
    return true;
}
bool parse_value(std::string_view text, MptcpAddressIds& v) {
    v.clear();
    while (true) {
        const auto slash = text.find('/');
        std::uint8_t id = 0;
        if (v.size() >= 255 || !parse_value(text.substr(0, slash), id)) return false;  // a length byte bounds them
        v.push_back(id);
        if (slash == std::string_view::npos) return true;
        text.remove_prefix(slash + 1);
    }
}

}  // namespace

void append_option_text(std::string& out, const MptcpOption& m) {
    static const MptcpOption defaults{};
    out += "subtype=";
    append_value(out, m.subtype);
#define MPTCP_APPEND_FIELD(name, type, initial, meaning)                           \
    if constexpr (std::string_view(#name) != "subtype") {                          \
        if (!(m.name == defaults.name)) {                                          \
            out += " " #name "=";                                                  \
            append_value(out, m.name);                                             \
        }                                                                          \
    }
    MPTCP_OPTION_FIELDS(MPTCP_APPEND_FIELD)
#undef MPTCP_APPEND_FIELD
}

std::optional<std::string> parse_option_text(std::string_view text, MptcpOption& m) {
    m = MptcpOption{};
    bool first = true;
    while (!text.empty() || first) {
        const auto space = text.find(' ');
        const std::string_view pair = text.substr(0, space);
        text = space == std::string_view::npos ? std::string_view{} : text.substr(space + 1);
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos) return fmt::format("'{}' is not field=value", pair);
        const std::string_view name = pair.substr(0, eq);
        const std::string_view value = pair.substr(eq + 1);
        if (first && name != "subtype") return std::string("an option must start with subtype=");
        first = false;
        bool known = false;
        bool parsed = false;
#define MPTCP_PARSE_FIELD(field, type, initial, meaning) \
    if (!known && name == #field) {                       \
        known = true;                                     \
        parsed = parse_value(value, m.field);             \
    }
        MPTCP_OPTION_FIELDS(MPTCP_PARSE_FIELD)
#undef MPTCP_PARSE_FIELD
        if (!known) return fmt::format("unknown MPTCP option field '{}'", name);
        if (!parsed) return fmt::format("bad value '{}' for MPTCP option field {}", value, name);
    }
    return std::nullopt;
}

}  // namespace mptcpanalyzer
