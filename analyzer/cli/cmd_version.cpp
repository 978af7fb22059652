// `mptcpanalyzer version` and `mptcpanalyzer checkhealth`: our version, the libwireshark in
// use, and whether everything we depend on at run time is there and works. Both load the
// capture module (src/capture/README.md), hence libwireshark: they ask it its version.

#include <fmt/core.h>
#include <glib.h>
#include <unistd.h>

#include "commands.hpp"
#include "mptcpanalyzer/cache/table_cache.hpp"
#include "mptcpanalyzer/capture/capture_reader.hpp"
#include "mptcpanalyzer/util/error.hpp"
#include "mptcpanalyzer/version.hpp"

namespace mptcpanalyzer::cli {
namespace {

void run_version() {
    fmt::print("mptcpanalyzer {}\nlibwireshark {}\n", kVersion, CaptureReader::libwireshark_version());
}

void run_checkhealth(const GlobalOptions& g) {
    bool healthy = true;
    auto report = [&healthy](bool ok, const std::string& what, const std::string& detail) {
        fmt::print("[{}] {}: {}\n", ok ? " ok " : "FAIL", what, detail);
        healthy = healthy && ok;
    };
    report(true, "mptcpanalyzer", kVersion);
    // The libwireshark version loads the capture module (and libwireshark): a missing or broken
    // module is a failed check with its message (which names the module and dlerror), not an exit.
    bool libwireshark_loaded = false;
    try {
        report(true, "libwireshark", CaptureReader::libwireshark_version());
        libwireshark_loaded = true;
    } catch (const Error& e) {
        report(false, "libwireshark", e.what());
    }
    if (libwireshark_loaded) {
        try {
            // Initialises libwireshark and applies our preferences: fails if MPTCP is unknown.
            ReadOptions ro;
            ro.extra_preferences = g.wireshark_preferences;
            const CaptureReader reader(ro);
            reader.initialize();
            report(true, "dissection preferences", fmt::format("{} applied", reader.preferences().size()));
        } catch (const Error& e) {
            report(false, "dissection preferences", e.what());
        }
    }
    const auto dir = g.cache_directory.empty() ? TableCache::default_directory() : std::filesystem::path(g.cache_directory);
    // A check must not change the machine: test the folder, or the nearest existing parent that
    // the first cached run would create it in, without creating anything.
    std::filesystem::path probe = dir;
    std::error_code ec;
    while (!probe.empty() && !std::filesystem::exists(probe, ec) && probe.has_parent_path() && probe != probe.parent_path()) {
        probe = probe.parent_path();
    }
    const bool writable = ::access(probe.c_str(), W_OK | X_OK) == 0;
    const bool exists = probe == dir;
    report(writable, "cache folder",
           dir.string() + (!writable ? " (not writable: caching is skipped)" : exists ? "" : " (created on first use)"));
    gchar* gnuplot = g_find_program_in_path("gnuplot");
    report(gnuplot != nullptr, "gnuplot (plots)", gnuplot ? gnuplot : "not found: apt-get install gnuplot-nox");
    g_free(gnuplot);
    if (!healthy) throw Error(ExitCode::Environment, "checkhealth found problems (see above)");
}

}  // namespace

void setup_version(CLI::App& app, const GlobalOptions&) {
    app.add_subcommand("version", "Print our version and the libwireshark version in use")->callback(run_version);
}

void setup_checkhealth(CLI::App& app, const GlobalOptions& global) {
    app.add_subcommand("checkhealth", "Check the run-time dependencies")->callback([&global] {
        run_checkhealth(global);
    });
}

}  // namespace mptcpanalyzer::cli
