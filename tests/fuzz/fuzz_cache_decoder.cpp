// Fuzz target: the cache decoder (TableCache::deserialize), which reads files from the cache
// folder. A cache file ends with a checksum of the rest and names its key: random bytes would
// never get past those checks, so byte 0 chooses: odd, the input is taken as a whole file (the
// header checks); even, the rest is a body wrapped in a valid header for a fixed key and sealed
// with the right checksum, so the fuzzer explores the body parser (columns, addresses, options).
// Seeds: the bodies of real cache entries of the corpus captures (tools/fuzz/make_seeds.py).

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "mptcpanalyzer/cache/table_cache.hpp"

namespace mptcpanalyzer::cache_detail {
std::uint64_t checksum(std::string_view data);  // table_cache.cpp
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace mptcpanalyzer;
    if (size == 0) return 0;
    static const CacheKey key = [] {
        CacheKey k;
        k.real_path = "/fuzz/capture.pcapng";
        k.size = 1;
        k.tool_version = "fuzz";
        k.libwireshark_version = "fuzz";
        return k;
    }();
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (data[0] & 1) {
        (void)TableCache::deserialize(key, rest);
        return 0;
    }
    const std::string key_text = key.canonical();
    std::string file("MPTCPTBL", 8);
    const std::uint32_t version = TableCache::kFormatVersion, byte_order = 0x01020304U;
    const std::uint64_t key_size = key_text.size();
    file.append(reinterpret_cast<const char*>(&version), 4);
    file.append(reinterpret_cast<const char*>(&byte_order), 4);
    file.append(reinterpret_cast<const char*>(&key_size), 8);
    file += key_text;
    file += rest;
    const std::uint64_t sum = cache_detail::checksum(file);
    file.append(reinterpret_cast<const char*>(&sum), 8);
    (void)TableCache::deserialize(key, file);
    return 0;
}
