#pragma once
// On-disk cache of dissected captures (ReadResult: the PacketTable and its read metadata).
//
// Key: the capture's identity (real path, size, mtime in ns, inode, device) and everything that
// changes the table (tool version, libwireshark version, table schema version, dissection
// preferences). File name = SHA-256 of the key's canonical text; the full text is stored in the
// file too and compared on load, so a hash collision or a foreign file is never trusted.
// Files are written atomically (temporary + rename) and checksummed; a damaged, truncated,
// foreign or stale file is reported at debug level, removed and treated as a miss.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mptcpanalyzer/cache/table_spool.hpp"
#include "mptcpanalyzer/capture/capture_reader.hpp"

namespace mptcpanalyzer {

struct CacheKey {
    std::string real_path;
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::uint64_t inode = 0;
    std::uint64_t device = 0;
    std::string tool_version;
    std::string libwireshark_version;
    std::uint32_t schema_version = PacketTable::kSchemaVersion;
    std::vector<std::string> preferences;

    // Stats `capture_path` (throws Error(InputMissing) naming it when it cannot).
    static CacheKey for_capture(const std::string& capture_path, std::string libwireshark_version,
                                std::vector<std::string> preferences);
    // Stable, human-readable text of every field, one per line.
    std::string canonical() const;
    // Lower-case hex SHA-256 of canonical() + ".mptable".
    std::string file_name() const;
};

class TableCache {
public:
    // `size_limit`: total bytes of entries kept after a store (0 = no limit); see evict().
    explicit TableCache(std::filesystem::path directory, std::uint64_t size_limit = 0);

    // $XDG_CACHE_HOME/mptcpanalyzer, or ~/.cache/mptcpanalyzer when XDG_CACHE_HOME is unset
    // or not absolute (XDG Base Directory rules).
    static std::filesystem::path default_directory();

    const std::filesystem::path& directory() const { return directory_; }
    std::uint64_t size_limit() const { return size_limit_; }

    // The cached result for `key`, or nullopt (miss, or a bad file, which is then removed).
    // The table's columns are read in place from the file, memory-mapped (the table keeps the
    // mapping; the entry may be removed meanwhile). The file is checked (checksum, key, layout,
    // consistency) before use; should it shrink while mapped, see util/mapped_file.hpp.
    std::optional<ReadResult> load(const CacheKey& key) const;
    // The same, logged as `cache: reopened` (not a lookup): the cold path maps the entry it has
    // just stored and drops its in-memory table.
    std::optional<ReadResult> reopen_stored(const CacheKey& key) const;

    // Stores atomically; creates the folder if needed. Failure is a warning, never fatal:
    // returns false and the caller goes on with its freshly read table. Then evicts (below).
    bool store(const CacheKey& key, const ReadResult& result) const;

    // The cold path, which stores the table while the capture is read: a spool in the cache
    // folder (created if needed) for CaptureReader::read's RowSpill, or nullptr (logged with -v)
    // when the folder cannot take one; the caller then reads in memory and store() warns.
    std::unique_ptr<TableSpool> start_spool() const;
    // store() of a table whose first rows are in `spool` (`result.table` holds the rest): the
    // same file, atomic, checksummed, evicting. On false (a warning was shown) the spool still
    // holds its rows (TableSpool::give_back).
    bool store_spooled(const CacheKey& key, const TableSpool& spool, const ReadResult& result) const;
    // --no-cache: the table of `spool` and `result` written to an unlinked file next to the
    // spool's, mapped and read in place as a cache hit is (no name ever exists: nothing is left
    // behind). nullopt with `error` set when it cannot be written; the spool still holds its rows.
    static std::optional<ReadResult> open_spooled(const TableSpool& spool, const ReadResult& result, std::string& error);

    // Least-recently-used eviction: while the entries total more than size_limit(), removes the
    // entry used longest ago (a hit refreshes an entry's mtime, so mtime = last use), never
    // `keep`. One process evicts at a time (flock on `.evict.lock`, waited for); an entry
    // another process is reading stays readable through its open descriptor.
    // Returns how many entries were removed.
    std::size_t evict(const std::filesystem::path& keep = {}) const;

    struct Info {
        std::size_t files = 0;
        std::uint64_t bytes = 0;
    };
    Info info() const;
    // Removes every cache file of ours (and stale temporaries); returns how many.
    std::size_t clean() const;

    // Exposed for tests: the serialized form of a result and its inverse (nullopt when the
    // bytes are damaged, truncated or for another key).
    static std::string serialize(const CacheKey& key, const ReadResult& result);
    static std::optional<ReadResult> deserialize(const CacheKey& key, std::string_view bytes);

    // 2: columns named and 8-byte aligned, side options in MPTCP_OPTION_FIELDS order.
    // 3: packed columns (model/packed_column.hpp; cache/README.md "Packed columns").
    static constexpr std::uint32_t kFormatVersion = 3;

private:
    std::optional<ReadResult> load_entry(const CacheKey& key, const char* hit_word) const;
    bool store_table(const CacheKey& key, const ReadResult& result, const TableSpool* spool) const;

    std::filesystem::path directory_;
    std::uint64_t size_limit_ = 0;
};

}  // namespace mptcpanalyzer
