// The backend linked in (capture_backend.hpp): the static library mptcpanalyzer_capture, which
// unit tests and the -dev package's users link. The program uses backend_module.cpp instead.

#include "capture_backend.hpp"
#include "mptcpanalyzer/util/executable_path.hpp"

namespace mptcpanalyzer::capture {

const Backend& backend() { return backend_table(); }

std::string backend_location() { return executable_path(); }

}  // namespace mptcpanalyzer::capture
