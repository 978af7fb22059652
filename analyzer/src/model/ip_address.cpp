#include "mptcpanalyzer/model/ip_address.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace mptcpanalyzer {

IpAddress IpAddress::v4(std::uint32_t host_order) {
    IpAddress a;
    a.family = 4;
    a.bytes[0] = static_cast<std::uint8_t>(host_order >> 24);
    a.bytes[1] = static_cast<std::uint8_t>(host_order >> 16);
    a.bytes[2] = static_cast<std::uint8_t>(host_order >> 8);
    a.bytes[3] = static_cast<std::uint8_t>(host_order);
    return a;
}

IpAddress IpAddress::from_bytes(std::uint8_t family, const std::uint8_t* data) {
    IpAddress a;
    a.family = family;
    std::memcpy(a.bytes.data(), data, family == 4 ? 4 : 16);
    return a;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    const std::string s(text);
    IpAddress a;
    if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
        a.family = 4;
        return a;
    }
    if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
        a.family = 6;
        return a;
    }
    return std::nullopt;
}

std::string IpAddress::to_string() const {
    char buf[INET6_ADDRSTRLEN] = {};
    if (family == 4) {
        inet_ntop(AF_INET, bytes.data(), buf, sizeof buf);
    } else if (family == 6) {
        inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
    }
    return buf;
}

}  // namespace mptcpanalyzer
