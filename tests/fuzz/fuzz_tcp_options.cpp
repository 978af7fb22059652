// Fuzz target: the TCP option parser (model/tcp_option_parser), which decodes option bytes
// straight from captured packets. Input: byte 0 picks `complete` and how much of the rest is a
// whole header for find_tcp_header; the rest is an option block (the seeds are the option
// blocks of the corpus captures, tools/fuzz/make_seeds.py).

#include <cstdint>
#include <span>

#include "mptcpanalyzer/model/tcp_option_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace mptcpanalyzer;
    if (size == 0) return 0;
    const bool complete = (data[0] & 1) != 0;
    const std::span<const std::uint8_t> options(data + 1, size - 1);
    PacketRecord record;
    parse_tcp_options(options, complete, record);
    if (!options.empty() && options[0] == 30) (void)parse_mptcp_option(options);
    (void)ones_complement_sum(options);
    // The header finder on the same bytes, with the fields a header at offset 0 would carry.
    if (options.size() >= 20) {
        const auto be16 = [&](std::size_t i) { return static_cast<std::uint16_t>(options[i] << 8 | options[i + 1]); };
        const auto be32 = [&](std::size_t i) {
            return static_cast<std::uint32_t>(options[i]) << 24 | static_cast<std::uint32_t>(options[i + 1]) << 16 |
                   static_cast<std::uint32_t>(options[i + 2]) << 8 | options[i + 3];
        };
        (void)find_tcp_header(options, be16(0), be16(2), be32(4), be32(8), static_cast<std::uint8_t>((options[12] >> 4) * 4));
    }
    return 0;
}
