#include "common_options.hpp"

#include <unistd.h>

#include <cstdio>

#include "mptcpanalyzer/util/log.hpp"

namespace mptcpanalyzer::cli {

void add_global_options(CLI::App& app, GlobalOptions& o) {
    app.add_flag("-v,--verbose", o.verbose, "Debug messages on stderr (cache hits, libwireshark reports)");
    app.add_flag("--no-cache", o.no_cache, "Neither read nor write the on-disk cache");
    app.add_flag("--regen", o.regenerate, "Dissect the capture again and replace its cache entry");
    app.add_option("--cache-dir", o.cache_directory, "Cache folder (default: $XDG_CACHE_HOME/mptcpanalyzer)");
    app.add_option("--wireshark-pref", o.wireshark_preferences,
                   "Extra Wireshark preference, module.name:value (as tshark -o); repeatable")->take_all();
    app.parse_complete_callback([&o] {
        if (o.verbose) log::set_level(log::Level::Debug);
    });
}

void add_capture_option(CLI::App& command, std::string& capture_path) {
    command.add_option("-r,--read", capture_path, "Capture file to analyse (pcap, pcapng, compressed, ...)")
        ->required();
}

ReadResult load_capture(const GlobalOptions& o, const std::string& capture_path) {
    LoadOptions lo;
    lo.use_cache = !o.no_cache;
    lo.regenerate = o.regenerate;
    if (!o.cache_directory.empty()) lo.cache_directory = o.cache_directory;
    lo.read.extra_preferences = o.wireshark_preferences;
    const bool show_progress = ::isatty(STDERR_FILENO) == 1;
    bool shown = false;
    if (show_progress) {
        lo.read.progress = [&shown, capture_path](std::uint64_t done, std::uint64_t total) {
            if (total == 0) return;
            shown = true;
            std::fprintf(stderr, "\rmptcpanalyzer: dissecting %s: %3u%%", capture_path.c_str(),
                         static_cast<unsigned>(done * 100 / total));
            std::fflush(stderr);
        };
    }
    ReadResult result = mptcpanalyzer::load_capture(capture_path, lo);
    if (shown) std::fprintf(stderr, "\r\033[K");
    return result;
}

}  // namespace mptcpanalyzer::cli
