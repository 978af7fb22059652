// The backend's table of functions (capture_backend.hpp), and the module's one entry point.

#include "capture_backend.hpp"
#include "epan_runtime.hpp"
#include "mptcpanalyzer/version.hpp"

namespace mptcpanalyzer::capture {

const Backend& backend_table() {
    static const Backend table = {
        kBackendAbi,
        kVersion,
        sizeof(ReadResult),
        sizeof(ReadOptions),
        sizeof(PacketTable),
        read_capture,
        ensure_epan_ready,
        loaded_libwireshark_version,
        loaded_libwireshark_path,
    };
    return table;
}

}  // namespace mptcpanalyzer::capture

// What backend_module.cpp looks up with dlsym (C linkage: a name that does not depend on the
// compiler's mangling). In the static library it is an ordinary, unused function.
extern "C" __attribute__((visibility("default"))) const mptcpanalyzer::capture::Backend* mptcpanalyzer_capture_backend() {
    return &mptcpanalyzer::capture::backend_table();
}
