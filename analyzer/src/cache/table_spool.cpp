#include "mptcpanalyzer/cache/table_spool.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <type_traits>

#include "mptcpanalyzer/util/error.hpp"
#include "mptcpanalyzer/util/log.hpp"

namespace mptcpanalyzer {
namespace {

constexpr std::size_t kCopyBytes = std::size_t{1} << 20;

// Writes all of `bytes`; false with errno set when the file takes no more.
bool write_all(int fd, const char* bytes, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, bytes, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (n == 0) {
            errno = ENOSPC;
            return false;
        }
        bytes += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

// Reads `size` bytes at `offset`; false with errno set (EIO for a file shorter than that).
bool read_all(int fd, char* bytes, std::size_t size, off_t offset) {
    while (size > 0) {
        const ssize_t n = ::pread(fd, bytes, size, offset);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (n == 0) {
            errno = EIO;
            return false;
        }
        bytes += n;
        size -= static_cast<std::size_t>(n);
        offset += n;
    }
    return true;
}

}  // namespace

bool write_whole(int fd, std::string_view bytes) { return write_all(fd, bytes.data(), bytes.size()); }

int make_unlinked_file(const std::filesystem::path& directory) {
    // O_TMPFILE: a file without a name from the start (Linux >= 3.11, most local file systems).
    int fd = ::open(directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) return fd;
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) return -1;
    // Elsewhere: a name for as long as it takes to remove it again.
    std::string name = (directory / ".mptcpanalyzer-spool-XXXXXX").string();
    fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd < 0) return -1;
    ::unlink(name.c_str());
    return fd;
}

TableSpool::TableSpool(const std::filesystem::path& directory) : directory_(directory) {
    const std::size_t columns = PacketTable::column_infos().size();
    files_.reserve(columns);
    for (std::size_t i = 0; i < columns; ++i) {
        const int fd = make_unlinked_file(directory_);
        if (fd < 0) {
            const int e = errno;
            for (const int f : files_) ::close(f);
            files_.clear();
            throw Error(ExitCode::OutputFailed,
                        directory_.string() + ": cannot create a temporary file: " + std::strerror(e));
        }
        files_.push_back(fd);
    }
}

TableSpool::~TableSpool() {
    for (const int fd : files_) ::close(fd);
}

void TableSpool::take_rows(PacketTable& table) {
    if (failed() || table.empty()) return;
    // Every column's chunk is written before the table forgets any: a failure in the middle
    // leaves each file with rows_ whole rows at its start (what follows is ignored).
    std::size_t index = 0;
    int error = 0;
    const std::size_t rows = table.size();
    table.mutable_columns().for_each([&](const auto& column) {
        const int fd = files_[index++];
        if (error != 0) return;
        if (::lseek(fd, static_cast<off_t>(rows_ * sizeof(typename std::remove_cvref_t<decltype(column)>::value_type)), SEEK_SET) < 0 ||
            !write_all(fd, reinterpret_cast<const char*>(column.raw_values()), rows * sizeof(typename std::remove_cvref_t<decltype(column)>::value_type))) {
            error = errno;
        }
    });
    if (error != 0) {
        failure_ = std::strerror(error);
        log::debug("cache: cannot spool rows into {}: {}; keeping them in memory", directory_.string(), failure_);
        give_back(table);
        return;
    }
    table.spill_rows([](const auto&) {});
    rows_ += rows;
}

void TableSpool::give_back(PacketTable& table) {
    if (files_.empty()) return;
    std::size_t index = 0;
    table.restore_spilled_rows([&](auto& column, std::size_t spilled) {
        const int fd = files_[index++];
        const std::size_t held = column.size();
        const std::size_t width = sizeof(typename std::remove_cvref_t<decltype(column)>::value_type);
        column.resize(spilled + held);
        auto* values = column.data();
        std::memmove(values + spilled, values, held * width);
        if (!read_all(fd, reinterpret_cast<char*>(values), spilled * width, 0)) {
            throw Error(ExitCode::OutputFailed,
                        directory_.string() + ": cannot read back a temporary file: " + std::strerror(errno));
        }
    });
    rows_ = 0;
    for (const int fd : files_) ::close(fd);
    files_.clear();
}

void TableSpool::copy_column(std::size_t index, const std::function<void(std::string_view)>& sink) const {
    if (rows_ == 0) return;
    const std::size_t width = PacketTable::column_infos()[index].element_bytes;
    std::string buffer(std::min(kCopyBytes, rows_ * width), '\0');
    std::size_t left = rows_ * width;
    off_t offset = 0;
    while (left > 0) {
        const std::size_t piece = std::min(left, buffer.size());
        if (!read_all(files_[index], buffer.data(), piece, offset)) {
            throw Error(ExitCode::OutputFailed,
                        directory_.string() + ": cannot read back a temporary file: " + std::strerror(errno));
        }
        sink(std::string_view(buffer.data(), piece));
        offset += static_cast<off_t>(piece);
        left -= piece;
    }
}

void TableSpool::read_rows(std::size_t index, std::size_t first, std::size_t count, void* values) const {
    const std::size_t width = PacketTable::column_infos()[index].element_bytes;
    if (count == 0) return;
    if (first + count > rows_ ||
        !read_all(files_[index], static_cast<char*>(values), count * width, static_cast<off_t>(first * width))) {
        throw Error(ExitCode::OutputFailed,
                    directory_.string() + ": cannot read back a temporary file: " + std::strerror(errno));
    }
}

}  // namespace mptcpanalyzer
