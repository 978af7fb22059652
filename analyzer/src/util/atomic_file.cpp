#include "mptcpanalyzer/util/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "mptcpanalyzer/util/error.hpp"

namespace mptcpanalyzer {

AtomicFile::AtomicFile(std::filesystem::path destination) : destination_(std::move(destination)) {
    auto dir = destination_.parent_path();
    if (dir.empty()) dir = ".";
    temp_path_ = (dir / ("." + destination_.filename().string() + ".tmp-XXXXXX")).string();
    int fd = ::mkstemp(temp_path_.data());
    if (fd < 0) {
        throw Error(ExitCode::OutputFailed, destination_.string() + ": cannot create output file: " + std::strerror(errno));
    }
    // mkstemp creates 0600; give the final file the usual permissions (umask applies).
    const mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);
    file_ = ::fdopen(fd, "wb");
    if (!file_) {
        const int e = errno;
        ::close(fd);
        ::unlink(temp_path_.c_str());
        throw Error(ExitCode::OutputFailed, destination_.string() + ": cannot write output file: " + std::strerror(e));
    }
}

AtomicFile::~AtomicFile() {
    if (file_) std::fclose(file_);
    if (!committed_) ::unlink(temp_path_.c_str());
}

void AtomicFile::write(std::string_view data) {
    if (!data.empty() && std::fwrite(data.data(), 1, data.size(), file_) != data.size()) {
        throw Error(ExitCode::OutputFailed, destination_.string() + ": write failed: " + std::strerror(errno));
    }
}

void AtomicFile::commit(bool durable) {
    const bool flushed = std::fflush(file_) == 0 && !std::ferror(file_);
    const int e = errno;
    if (!flushed) {
        throw Error(ExitCode::OutputFailed, destination_.string() + ": write failed: " + std::strerror(e));
    }
    if (durable) ::fsync(::fileno(file_));
    std::fclose(file_);
    file_ = nullptr;
    if (::rename(temp_path_.c_str(), destination_.c_str()) != 0) {
        throw Error(ExitCode::OutputFailed, destination_.string() + ": cannot move output into place: " + std::strerror(errno));
    }
    committed_ = true;
}

}  // namespace mptcpanalyzer
