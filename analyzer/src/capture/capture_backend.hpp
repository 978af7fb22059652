#pragma once
// The line between the program and libwireshark (issue 17): everything that calls libwireshark
// (the runtime, the reader, the tap collector) is the *backend*; CaptureReader and the cache
// lookup (table_loader) are the *front*, which a cached run needs and which never calls
// libwireshark itself. The front reaches the backend through this table of functions, bound in
// one of two ways:
//   - the program: the backend is the module mptcpanalyzer-capture.so, loaded with dlopen the
//     first time a capture must be dissected (backend_module.cpp), so that a run served from
//     the cache never maps libwireshark (67 MB of resident memory, 33 MB of it relocations);
//   - the static library mptcpanalyzer_capture (unit tests, the -dev package): the backend is
//     linked in (backend_static.cpp).
// The module resolves the program's own symbols (logging, errors, the packet table, the
// out-of-memory handler, the temporary folders) from the executable, which exports them: one
// copy of every global. See README.md.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mptcpanalyzer/capture/capture_reader.hpp"

namespace mptcpanalyzer::capture {

// Changed whenever Backend changes; the module must have been built with the program (same
// version, same layout of the types crossing the line), else it is refused.
inline constexpr std::uint32_t kBackendAbi = 1;

struct Backend {
    std::uint32_t abi;
    const char* tool_version;  // kVersion of the build
    std::size_t read_result_size, read_options_size, packet_table_size;
    ReadResult (*read)(const ReadOptions& options, const std::vector<std::string>& preferences,
                       const std::string& path, const RowSpill& spill);
    void (*initialize)(const std::vector<std::string>& preferences);
    std::string (*libwireshark_version)();
    // The libwireshark file actually loaded (real path), "" when unknown.
    std::string (*libwireshark_path)();
};

// The backend's own table (backend_table.cpp, compiled into the module and the static library).
const Backend& backend_table();

// The binding: the backend, loaded on first use. Throws Error(Environment) naming the module and
// dlerror() when it is missing or cannot be loaded.
const Backend& backend();

// The file that holds the backend without loading it (the module, else the program itself):
// its identity is part of what lets a cached run trust a libwireshark version it did not load
// (libwireshark_identity.hpp). "" when none is found.
std::string backend_location();

// Its ABI check, shared by both bindings.
inline bool backend_compatible(const Backend& b, const char* tool_version) {
    return b.abi == kBackendAbi && std::string(b.tool_version) == tool_version &&
           b.read_result_size == sizeof(ReadResult) && b.read_options_size == sizeof(ReadOptions) &&
           b.packet_table_size == sizeof(PacketTable);
}

// The backend side (capture_reader.cpp, epan_runtime.cpp).
ReadResult read_capture(const ReadOptions& options, const std::vector<std::string>& preferences,
                        const std::string& path, const RowSpill& spill);
std::string loaded_libwireshark_version();
std::string loaded_libwireshark_path();

}  // namespace mptcpanalyzer::capture
