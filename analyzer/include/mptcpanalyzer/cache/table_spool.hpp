#pragma once
// TableSpool: where the cold path keeps a table's rows while the capture is still being
// dissected, so that the process never holds the whole table in memory (issue 17). One file per
// column (Columns::for_each order), each unlinked from the moment it exists (O_TMPFILE, or
// mkstemp then unlink where the file system has no O_TMPFILE): nothing of it can outlive the
// process, whatever ends it (a signal, SIGKILL, a crash). Its rows are then copied, column after
// column, into the final file (TableCache::store_spooled, TableCache::open_spooled), which is
// the layout the readers already know (cache/README.md): readers do not change.
//
// Memory: the table keeps at most CaptureReader::kSpillRows rows (the chunk each column file
// receives in one write); the spool itself holds no buffer.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "mptcpanalyzer/model/packet_table.hpp"

namespace mptcpanalyzer {

class TableSpool {
public:
    // The column files in `directory` (which must exist). Throws Error(OutputFailed) naming the
    // folder when a file cannot be created.
    explicit TableSpool(const std::filesystem::path& directory);
    ~TableSpool();
    TableSpool(const TableSpool&) = delete;
    TableSpool& operator=(const TableSpool&) = delete;

    // CaptureReader's RowSpill: appends the rows `table` holds to the column files and has the
    // table forget them (PacketTable::spill_rows). When a write fails (disk full), the rows
    // already spooled are given back to the table (PacketTable::restore_spilled_rows) and the
    // spool takes no more: the read goes on in memory, as without a spool, and failed() says so.
    void take_rows(PacketTable& table);

    bool failed() const { return !failure_.empty(); }
    // Why the spool gave up ("" when it did not).
    const std::string& failure() const { return failure_; }
    // Rows held in the files.
    std::size_t rows() const { return rows_; }
    const std::filesystem::path& directory() const { return directory_; }

    // Hands column `index`'s spooled values (rows() of them) to `sink`, in pieces of at most
    // 1 MiB, from the first row. Throws Error(OutputFailed) when a file cannot be read back.
    void copy_column(std::size_t index, const std::function<void(std::string_view)>& sink) const;
    // Reads `count` spooled values of column `index` from row `first` into `values` (count x the
    // column's width bytes): the packed writer's blocks. Throws as copy_column.
    void read_rows(std::size_t index, std::size_t first, std::size_t count, void* values) const;

    // Puts the spooled rows back in front of the rows `table` holds (the table is then whole in
    // memory, as if read without a spool) and closes the files: for a caller whose final file
    // could not be written. Nothing to do once failed(). Throws Error(OutputFailed) when a file
    // cannot be read back.
    void give_back(PacketTable& table);

private:

    std::filesystem::path directory_;
    std::vector<int> files_;  // by column index
    std::size_t rows_ = 0;
    std::string failure_;
};

// An open, unlinked file in `directory` (O_TMPFILE, else mkstemp then unlink at once), mode 0600.
// -1 with errno set when it cannot be made.
int make_unlinked_file(const std::filesystem::path& directory);
// Writes all of `bytes` to `fd`; false with errno set when the file takes no more.
bool write_whole(int fd, std::string_view bytes);

}  // namespace mptcpanalyzer
