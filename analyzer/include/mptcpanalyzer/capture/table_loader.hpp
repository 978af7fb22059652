#pragma once
// load_capture: the way every command gets a capture's table — from the cache when a valid
// entry exists, else by dissecting the file (and then storing the result).

#include <filesystem>
#include <optional>
#include <string>

#include "mptcpanalyzer/capture/capture_reader.hpp"

namespace mptcpanalyzer {

struct LoadOptions {
    bool use_cache = true;        // --no-cache turns it off (no lookup, no store)
    bool regenerate = false;      // --regen: dissect again and overwrite the entry
    std::optional<std::filesystem::path> cache_directory;  // default: TableCache::default_directory()
    std::uint64_t cache_size_limit = 0;  // bytes kept after a store, least recently used evicted (0 = no limit)
    ReadOptions read;
};

ReadResult load_capture(const std::string& path, const LoadOptions& options);

}  // namespace mptcpanalyzer
