#include "output.hpp"

#include <cerrno>
#include <cstring>

#include "mptcpanalyzer/util/error.hpp"

namespace mptcpanalyzer::cli {

OutputTarget::OutputTarget(const std::string& path) : path_(path) {
    if (path_ != "-") file_ = std::make_unique<AtomicFile>(path_);
}

std::FILE* OutputTarget::stream() { return file_ ? file_->stream() : stdout; }

void OutputTarget::finish() {
    if (file_) {
        file_->commit();
        return;
    }
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
        throw Error(ExitCode::OutputFailed, std::string("standard output: write failed: ") + std::strerror(errno));
    }
}

}  // namespace mptcpanalyzer::cli
