#include "output.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "mptcpanalyzer/util/error.hpp"

namespace mptcpanalyzer::cli {

OutputTarget::OutputTarget(const std::string& path, const std::vector<std::string>& inputs) {
    if (path == "-") {
        name_ = "standard output";
        direct_ = stdout;
        return;
    }
    name_ = path;
    struct stat out_st {};
    if (::stat(path.c_str(), &out_st) == 0) {
        for (const auto& in : inputs) {
            struct stat in_st {};
            if (::stat(in.c_str(), &in_st) == 0 && in_st.st_dev == out_st.st_dev && in_st.st_ino == out_st.st_ino) {
                throw Error(ExitCode::Usage, path + ": is the capture being read; refusing to overwrite it");
            }
        }
        if (!S_ISREG(out_st.st_mode)) {
            // FIFOs, terminals, /dev/null...: write in place; renaming over them would replace them.
            direct_ = std::fopen(path.c_str(), "wb");
            if (!direct_) throw Error(ExitCode::OutputFailed, path + ": cannot open for writing: " + std::strerror(errno));
            owns_direct_ = true;
            return;
        }
        // A symlink to a regular file: replace the file it points at, keep the link.
        char resolved[PATH_MAX];
        if (::realpath(path.c_str(), resolved)) {
            file_ = std::make_unique<AtomicFile>(resolved);
            return;
        }
    }
    file_ = std::make_unique<AtomicFile>(path);
}

OutputTarget::~OutputTarget() {
    if (owns_direct_ && direct_) std::fclose(direct_);
}

std::FILE* OutputTarget::stream() { return file_ ? file_->stream() : direct_; }

void OutputTarget::finish() {
    if (file_) {
        file_->commit();
        return;
    }
    const bool ok = std::fflush(direct_) == 0 && !std::ferror(direct_);
    const int e = errno;
    if (owns_direct_) {
        const bool closed = std::fclose(direct_) == 0;
        direct_ = nullptr;
        if (ok && !closed) throw Error(ExitCode::OutputFailed, name_ + ": write failed: " + std::strerror(errno));
    }
    if (!ok) throw Error(ExitCode::OutputFailed, name_ + ": write failed: " + std::strerror(e));
}

}  // namespace mptcpanalyzer::cli
