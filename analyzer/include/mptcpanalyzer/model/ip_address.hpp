#pragma once
// An IPv4 or IPv6 address as plain bytes: the model never sees libwireshark's `address`.

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mptcpanalyzer {

struct IpAddress {
    // 0 = no address, 4 = IPv4 (first 4 bytes used), 6 = IPv6.
    std::uint8_t family = 0;
    std::array<std::uint8_t, 16> bytes{};

    static IpAddress v4(std::uint32_t host_order);
    static IpAddress from_bytes(std::uint8_t family, const std::uint8_t* data);
    // Parses dotted IPv4 or textual IPv6; nullopt when the text is neither.
    static std::optional<IpAddress> parse(std::string_view text);

    bool empty() const { return family == 0; }
    // Dotted quad for IPv4, RFC 5952 compressed form for IPv6 (as Wireshark prints).
    std::string to_string() const;

    auto operator<=>(const IpAddress&) const = default;
};

}  // namespace mptcpanalyzer
