#pragma once
// Where a command's output goes: stdout for "-"; a regular file is written atomically (never
// left half-written under its final name, a symlink keeps pointing at the new file); a FIFO or
// device (e.g. /dev/null) is written in place, never replaced. The capture being read is never
// overwritten.

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "mptcpanalyzer/util/atomic_file.hpp"

namespace mptcpanalyzer::cli {

class OutputTarget {
public:
    // Throws Error(Usage) when `path` is one of `inputs`, Error(OutputFailed) when it cannot be
    // opened for writing.
    explicit OutputTarget(const std::string& path, const std::vector<std::string>& inputs = {});
    ~OutputTarget();
    OutputTarget(const OutputTarget&) = delete;
    OutputTarget& operator=(const OutputTarget&) = delete;

    std::FILE* stream();
    // The path, or "standard output": what error messages name.
    const std::string& name() const { return name_; }
    // Completes the output (rename into place, or flush and close). Throws Error(OutputFailed).
    void finish();

private:
    std::string name_;
    std::unique_ptr<AtomicFile> file_;
    std::FILE* direct_ = nullptr;  // stdout or a special file
    bool owns_direct_ = false;
};

}  // namespace mptcpanalyzer::cli
