#pragma once
// Where a command's output goes: stdout for "-", else a file written atomically (never left
// half-written under its final name when the command fails).

#include <cstdio>
#include <memory>
#include <string>

#include "mptcpanalyzer/util/atomic_file.hpp"

namespace mptcpanalyzer::cli {

class OutputTarget {
public:
    explicit OutputTarget(const std::string& path);
    std::FILE* stream();
    // Completes the output: renames the file into place, or flushes stdout. Throws on failure.
    void finish();

private:
    std::string path_;
    std::unique_ptr<AtomicFile> file_;
};

}  // namespace mptcpanalyzer::cli
