#pragma once
// The libwireshark version in the cache key, known without loading libwireshark (issue 17).
//
// A cache entry is keyed by the version of the libwireshark that dissected it: an upgraded
// libwireshark (a Debian point release) must not serve tables its predecessor made. But asking
// libwireshark its version loads it, which is exactly what a cached run avoids. So a run that
// loaded it records, next to the cache entries, which file it was and what decided that file:
//   the backend (capture module) file, LD_LIBRARY_PATH and LD_PRELOAD, the dynamic linker's
//   cache (/etc/ld.so.cache), the real path of the libwireshark loaded; each file by device,
//   inode, size and modification time;
// and the version that file reported. A later run trusts that version only when every one of
// these is still the same (a few stat calls); otherwise it loads the backend and asks.

#include <filesystem>
#include <string>

namespace mptcpanalyzer::capture {

inline constexpr const char* kLibwiresharkIdentityFile = "libwireshark-identity";

struct LibwiresharkVersion {
    std::string version;
    bool from_record = false;  // true: read from the record, libwireshark not loaded
};

// The version of the libwireshark the backend loads (or would load): from `cache_folder`'s record
// when it still holds, else from the backend, loaded for it.
LibwiresharkVersion libwireshark_version_for_cache(const std::filesystem::path& cache_folder);

// Records the loaded libwireshark in `cache_folder` (which exists: an entry was just stored
// there). Loads the backend if not loaded yet. A failure to write is only logged (-v): the next
// cached run then loads libwireshark to learn its version, nothing worse.
void record_libwireshark_identity(const std::filesystem::path& cache_folder);

}  // namespace mptcpanalyzer::capture
