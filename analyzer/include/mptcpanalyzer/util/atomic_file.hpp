#pragma once
// AtomicFile: write to a temporary file next to the destination, rename it into place on
// commit(). If the writer fails or throws, the destructor removes the temporary: no partial
// output file is ever left behind under the final name.

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

namespace mptcpanalyzer {

class AtomicFile {
public:
    // Throws Error(OutputFailed) naming `destination` when the temporary cannot be created.
    explicit AtomicFile(std::filesystem::path destination);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    std::FILE* stream() { return file_; }
    void write(std::string_view data);
    // Flushes, fsyncs if asked, renames over the destination. Throws Error(OutputFailed).
    void commit(bool durable = false);
    const std::filesystem::path& destination() const { return destination_; }

private:
    std::filesystem::path destination_;
    std::string temp_path_;
    std::FILE* file_ = nullptr;
    bool committed_ = false;
};

}  // namespace mptcpanalyzer
