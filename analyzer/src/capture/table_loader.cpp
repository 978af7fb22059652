#include "mptcpanalyzer/capture/table_loader.hpp"

#include <new>

#include "mptcpanalyzer/cache/table_cache.hpp"
#include "mptcpanalyzer/export/table_import.hpp"
#include "mptcpanalyzer/util/error.hpp"
#include "mptcpanalyzer/util/log.hpp"
#include "mptcpanalyzer/util/out_of_memory.hpp"

namespace mptcpanalyzer {

namespace {

// A table export read back: its rows were dissected by the libwireshark and preferences it names,
// which this run's preferences cannot change; say so when they differ.
ReadResult from_table(ReadResult table, const std::string& path, const CaptureReader& reader) {
    log::debug("{}: an mptcpanalyzer table ({} packets of {} frames; libwireshark {}, exported by {})", path,
               table.table.size(), table.frames, table.libwireshark_version,
               table.file_type.empty() ? "an unnamed capture type" : table.file_type);
    if (table.wireshark_preferences != reader.preferences()) {
        log::warning("{}: a table exported with other Wireshark preferences than this run's; it is analysed as "
                     "exported (export the capture again to apply them)",
                     path);
    }
    if (table.truncated) {
        log::warning("{}: {}; using the {} packets before it", path, table.truncation_detail, table.frames);
    }
    return table;
}

ReadResult from_capture(const std::string& path, const LoadOptions& options, const CaptureReader& reader) {
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

ReadResult load(const std::string& path, const LoadOptions& options) {
    CaptureReader reader(options.read);
    // Our own exports first (by content, whatever the name): libwireshark would take a CSV for
    // some other text format. Read whole and fast, so not cached.
    if (auto table = read_table_export_file(path)) return from_table(std::move(*table), path, reader);
    ReadResult result = from_capture(path, options, reader);
    result.libwireshark_version = CaptureReader::libwireshark_version();
    result.wireshark_preferences = reader.preferences();
    return result;
}

}  // namespace

ReadResult load_capture(const std::string& path, const LoadOptions& options) {
    // Out of memory names the file, be it a std::bad_alloc here or GLib's failed allocation
    // inside libwireshark (util/out_of_memory.hpp).
    const OutOfMemoryFileScope reading(path);
    try {
        return load(path, options);
    } catch (const std::bad_alloc&) {
        throw Error(ExitCode::OutOfMemory, path + ": " + kOutOfMemoryMessage);
    }
}

}  // namespace mptcpanalyzer
