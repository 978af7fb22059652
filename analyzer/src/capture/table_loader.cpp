#include "mptcpanalyzer/capture/table_loader.hpp"

#include "mptcpanalyzer/cache/table_cache.hpp"
#include "mptcpanalyzer/util/log.hpp"

namespace mptcpanalyzer {

ReadResult load_capture(const std::string& path, const LoadOptions& options) {
    CaptureReader reader(options.read);
    if (!options.use_cache) return reader.read(path);

    // The key stats the file; a missing file fails here with the same message as the reader.
    const CacheKey key = CacheKey::for_capture(path, CaptureReader::libwireshark_version(), reader.preferences());
    TableCache cache(options.cache_directory.value_or(TableCache::default_directory()), options.cache_size_limit);
    if (!options.regenerate) {
        if (auto cached = cache.load(key)) {
            if (cached->truncated) {
                log::warning("{}: {}; using the {} packets before it", path, cached->truncation_detail, cached->frames);
            }
            return std::move(*cached);
        }
    }
    ReadResult result = reader.read(path);
    // The stored file then replaces the table just built: the analyses read it in place, and
    // the memory of the columns goes back (a run's memory then no longer grows with them).
    if (cache.store(key, result)) {
        if (auto stored = cache.reopen_stored(key)) return std::move(*stored);
    }
    return result;
}

}  // namespace mptcpanalyzer
