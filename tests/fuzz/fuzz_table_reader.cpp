// Fuzz target: the reader of our CSV and JSON table exports (export/table_import.cpp,
// read_table_export), which `-r`, `load` and `--peer` hand any file that starts like one. A bad
// table must end in Error (exit 4, or 5 for a table with no rows); anything else escaping, or a
// sanitizer report, is a finding. Seeds: CSV and JSON exports of small corpus captures, whole and
// cut (tools/fuzz/make_seeds.py).

#include <cstdint>
#include <string>
#include <string_view>

#include "mptcpanalyzer/export/table_import.hpp"
#include "mptcpanalyzer/util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace mptcpanalyzer;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    try {
        (void)read_table_export(bytes, "fuzz.csv");
    } catch (const Error& e) {
        if (e.code() != ExitCode::InputInvalid && e.code() != ExitCode::NoData) __builtin_trap();
    }
    return 0;
}
