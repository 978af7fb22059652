#pragma once
// MappedFile: a whole regular file mapped read-only, for reading a cache file in place.
//
// A mapped file that shrinks (another program truncates it) turns every read past its new end
// into SIGBUS, which would kill the process. A SIGBUS handler (installed on the first mapping)
// tells apart a fault inside one of our mappings from any other (those go to the previous
// handler, i.e. crash as before), and then:
//   - while the mapping is being checked (`begin_check` .. `end_check`: the checksum pass of
//     the cache loader), it replaces the whole mapping with zero pages and marks it lost; the
//     check goes on over zeros, `end_check` returns false and the caller rejects the file;
//   - afterwards (an analysis reading columns in place), the results would be wrong, so the
//     process prints `mptcpanalyzer: error: <path>: the cache file shrank while in use ...` and
//     exits at once with ExitCode::InputMissing (3): a clear error, never a crash or a wrong
//     answer.
// Our own writers never change a cache file in place (they rename a new one over it, and a
// removed file stays readable while mapped), so only a foreign truncation can get there.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace mptcpanalyzer {

class MappedFile {
public:
    // Maps `size` bytes of the open regular file `fd` (which may be closed afterwards), after
    // checking with fstat, once mapped, that the file still holds them. nullptr with `error`
    // set when it cannot (size 0, file shorter than `size`, mmap failure). `path` is for the
    // message above.
    static std::shared_ptr<MappedFile> map(int fd, std::size_t size, const std::string& path, std::string& error);

    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const char* data() const { return data_; }
    std::size_t size() const { return size_; }
    std::string_view bytes() const { return {data_, size_}; }

    // Brackets the first reading of the whole file (see above). end_check returns false when
    // the file shrank meanwhile: its bytes were then replaced by zeros and must not be used.
    void begin_check();
    bool end_check();

    // Drops the pages read so far from this process's resident memory (they stay in the page
    // cache and come back on the next read, as a minor fault). For a checksum pass over a file
    // larger than what an analysis then reads.
    void release_resident() const;
    // The same for the whole pages inside [offset, offset + length): for a pass that reads the
    // file front to back and drops what it has read as it goes, so the pass's own peak stays a
    // step's size whatever the file's.
    void release_resident(std::size_t offset, std::size_t length) const;
    // release_resident() of every file mapped by this process (one per loaded capture): what a
    // long pass over a table's rows calls every so often (ResidentRelease), knowing only that
    // its columns may be mapped.
    static void release_all_resident();

private:
    MappedFile(char* data, std::size_t size, int slot);

    char* data_;
    std::size_t size_;
    int slot_;  // index in the SIGBUS handler's table of live mappings
};

// Counts the rows a pass over a table reads and drops the mapped files' pages from resident
// memory every kRows of them. Columns are read in place from the mapped cache file, and mapped
// pages count in a process's peak like its own allocations: without this, a pass over every row
// leaves every page it read resident, and a cached run's peak grows with the capture. Pages read
// again come back from the page cache as minor faults.
class ResidentRelease {
public:
    // Measured on the 3.2M-packet bench capture (list-tcp, cached): every 65,536 rows left
    // 148 MiB peak, every 4,096 rows 122 MiB, for 0.15 s more system time (each release walks the
    // whole mapping's page table).
    static constexpr unsigned kRows = 1U << 12;
    void tick() {
        if (++rows_ == kRows) {
            rows_ = 0;
            MappedFile::release_all_resident();
        }
    }

private:
    unsigned rows_ = 0;
};

namespace mapped_file_detail {
// How many mappings the SIGBUS handler can watch at once (a process maps one file per loaded
// capture); map() fails cleanly beyond (the caller then reads the file instead).
inline constexpr int kMaxMappings = 64;
}  // namespace mapped_file_detail

}  // namespace mptcpanalyzer
