#include "mptcpanalyzer/capture/table_loader.hpp"

#include <malloc.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <new>
#include <optional>

#include "libwireshark_identity.hpp"
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

// Where --no-cache keeps the table of a run: the system's folder for large temporary files
// (disk, where /tmp may be memory), unless TMPDIR names another.
std::filesystem::path temporary_folder() {
    const char* tmpdir = std::getenv("TMPDIR");
    if (tmpdir && tmpdir[0] == '/') return tmpdir;
    return "/var/tmp";
}

// Tests: MPTCPANALYZER_TEST_PAUSE_AFTER_READ=NAME stops the process (SIGSTOP) once the read of
// every file named NAME (the last path component) has returned, before its table is stored, mapped
// and analysed: every libwireshark object of the read (epan session, conversations, file-scope
// memory) is released by then, which a test checks in the stopped process' memory
// (tests/integration/release_memory_after_read.py).
void pause_if_asked_after_read(const std::string& path) {
    const char* name = std::getenv("MPTCPANALYZER_TEST_PAUSE_AFTER_READ");
    if (name && path.substr(path.find_last_of('/') + 1) == name) ::raise(SIGSTOP);
}

// Once a read has returned (or thrown: the shell goes on after a failed load), libwireshark has
// freed the capture's file-scope state (conversations, TCP/MPTCP analysis, frame data: the epan
// session, capture_reader.cpp), which grew with the capture. The allocator keeps what was freed
// inside its heap, resident, unless told to give it back: the first read's large blocks are
// mmapped and unmapped, but freeing them raises glibc's mmap threshold, so that the next read in
// the same process (a batch or the shell loading a second capture) gets its blocks from the heap,
// and after it the process stayed ~70% of that read's growth above its floor while the analysis
// ran. malloc_trim(0) returns every free page of the heap to the system.
class ReleaseFreedMemory {
public:
    ReleaseFreedMemory() = default;
    ~ReleaseFreedMemory() { ::malloc_trim(0); }
    ReleaseFreedMemory(const ReleaseFreedMemory&) = delete;
    ReleaseFreedMemory& operator=(const ReleaseFreedMemory&) = delete;
};

// CaptureReader::read, the freed memory given back, then the test hook above.
ReadResult read_capture(const std::string& path, const CaptureReader& reader, const RowSpill& spill = {}) {
    ReadResult result;
    {
        const ReleaseFreedMemory release;
        result = reader.read(path, spill);
    }
    pause_if_asked_after_read(path);
    return result;
}

// Reads the capture with its rows going into `spool` as they are dissected, so that the whole
// table is never in memory; the spool's rows are given back to the table (built in memory, as
// without a spool) when `finish` cannot make the file the analyses then read in place.
ReadResult read_spooled(const std::string& path, const CaptureReader& reader, TableSpool& spool,
                        const std::function<std::optional<ReadResult>(ReadResult&)>& finish) {
    ReadResult result = read_capture(path, reader, [&spool](PacketTable& table) { spool.take_rows(table); });
    log::debug("{}: {} rows written to disk while reading, {} in memory", path, spool.rows(), result.table.size());
    if (!spool.failed()) {
        if (auto mapped = finish(result)) return std::move(*mapped);
    }
    spool.give_back(result.table);
    return result;
}

// Sets `libwireshark_version` to the version in the cache key, when it makes one: on a cache hit,
// libwireshark is not loaded at all (libwireshark_identity.hpp).
ReadResult from_capture(const std::string& path, const LoadOptions& options, const CaptureReader& reader,
                        std::string& libwireshark_version) {
    if (!options.use_cache) {
        // Nothing goes to the cache folder: the table is written to an unnamed file, mapped.
        std::unique_ptr<TableSpool> spool;
        try {
            spool = std::make_unique<TableSpool>(temporary_folder());
        } catch (const Error& e) {
            log::debug("no temporary table file ({}): the table is kept in memory", e.what());
            return read_capture(path, reader);
        }
        return read_spooled(path, reader, *spool, [&](ReadResult& result) -> std::optional<ReadResult> {
            std::string error;
            auto mapped = TableCache::open_spooled(*spool, result, error);
            if (!mapped) log::debug("no temporary table file ({}): the table is kept in memory", error);
            return mapped;
        });
    }

    // The key stats the file first, so a missing file is reported before any libwireshark is
    // loaded; the version goes in after it.
    CacheKey key = CacheKey::for_capture(path, {}, reader.preferences());
    const std::filesystem::path cache_folder = options.cache_directory.value_or(TableCache::default_directory());
    // --regen dissects in any case: the loaded libwireshark's own version.
    const capture::LibwiresharkVersion version = options.regenerate
                                                     ? capture::LibwiresharkVersion{CaptureReader::libwireshark_version(), false}
                                                     : capture::libwireshark_version_for_cache(cache_folder);
    key.libwireshark_version = libwireshark_version = version.version;
    TableCache cache(cache_folder, options.cache_size_limit);
    // After a hit or a store, when libwireshark was loaded to learn its version: what lets the
    // next run trust this version without loading it.
    const auto record_identity = [&] {
        if (!version.from_record) capture::record_libwireshark_identity(cache_folder);
    };
    if (!options.regenerate) {
        if (auto cached = cache.load(key)) {
            record_identity();
            if (cached->truncated) {
                log::warning("{}: {}; using the {} packets before it", path, cached->truncation_detail, cached->frames);
            }
            return std::move(*cached);
        }
    }
    // The table goes to the cache file while the capture is dissected; the stored file is then
    // mapped and the analyses read it in place (a run's memory no longer grows with the table).
    if (std::unique_ptr<TableSpool> spool = cache.start_spool()) {
        return read_spooled(path, reader, *spool, [&](ReadResult& result) -> std::optional<ReadResult> {
            if (!cache.store_spooled(key, *spool, result)) return std::nullopt;
            record_identity();
            return cache.reopen_stored(key);
        });
    }
    ReadResult result = read_capture(path, reader);
    if (cache.store(key, result)) {
        record_identity();
        if (auto stored = cache.reopen_stored(key)) return std::move(*stored);
    }
    return result;
}

ReadResult load(const std::string& path, const LoadOptions& options) {
    CaptureReader reader(options.read);
    // Our own exports first (by content, whatever the name): libwireshark would take a CSV for
    // some other text format. Read whole and fast, so not cached.
    if (auto table = read_table_export_file(path)) return from_table(std::move(*table), path, reader);
    std::string libwireshark_version;
    ReadResult result = from_capture(path, options, reader, libwireshark_version);
    // Without a cache key (--no-cache), libwireshark has just dissected the file: ask it.
    result.libwireshark_version =
        libwireshark_version.empty() ? CaptureReader::libwireshark_version() : libwireshark_version;
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
