#include "common_options.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "interrupt.hpp"
#include "mptcpanalyzer/util/log.hpp"

namespace mptcpanalyzer::cli {

void add_global_options(CLI::App& app, GlobalOptions& o) {
    app.add_flag("-v,--verbose", o.verbose, "Debug messages on stderr (cache hits, libwireshark reports)");
    // Acted on before parsing (main.cpp: plugins load first); declared here so it parses.
    app.add_flag("--no-plugins", o.no_plugins, "Load no third-party plugin (also: MPTCPANALYZER_NO_PLUGINS=1)");
    app.add_flag("--no-cache", o.no_cache, "Neither read nor write the on-disk cache");
    app.add_flag("--regen", o.regenerate, "Dissect the capture again and replace its cache entry");
    app.add_option("--cache-dir", o.cache_directory, "Cache folder (default: $XDG_CACHE_HOME/mptcpanalyzer)");
    app.add_option("--wireshark-pref", o.wireshark_preferences,
                   "Extra Wireshark preference, module.name:value (as tshark -o); repeatable")->take_all();
    app.add_option("--config", o.config_file,
                   "Configuration file (default: $XDG_CONFIG_HOME/mptcpanalyzer/config, see docs/config.md)")
        ->type_name("FILE");
    app.parse_complete_callback([&o] {
        if (o.verbose) log::set_level(log::Level::Debug);
    });
}

const CLI::Validator& stream_number_check() {
    // No description: the help text stays the option's own.
    static const CLI::Validator check(
        [](std::string& text) -> std::string {
            constexpr std::uint64_t kLargest = 4294967295ULL;
            std::uint64_t value = 0;
            bool ok = !text.empty() && text.size() <= 10;
            for (const char c : text) {
                if (c < '0' || c > '9') ok = false;
                if (ok) value = value * 10 + static_cast<std::uint64_t>(c - '0');
            }
            if (ok && value <= kLargest) return {};
            const std::string shown = text.size() > 40 ? text.substr(0, 40) + "..." : text;
            return "'" + shown + "' is not a stream number: expected decimal digits only, 0 to 4294967295";
        },
        "");
    return check;
}

std::string effective_cache_folder(const GlobalOptions& o) {
    return o.cache_directory.empty() ? o.config.cache_folder : o.cache_directory;
}

std::vector<WiresharkPreference> effective_wireshark_preferences(const GlobalOptions& o) {
    std::vector<WiresharkPreference> from_command_line;
    for (const auto& p : o.wireshark_preferences) {
        const auto colon = p.find(':');
        from_command_line.push_back({p.substr(0, colon), colon == std::string::npos ? "" : p.substr(colon + 1),
                                     ValueSource::command_line()});
    }
    std::vector<WiresharkPreference> out;
    for (const auto& p : o.config.wireshark_preferences) {
        const bool overridden = std::any_of(from_command_line.begin(), from_command_line.end(),
                                            [&](const WiresharkPreference& c) { return c.name == p.name; });
        if (!overridden) out.push_back(p);
    }
    out.insert(out.end(), from_command_line.begin(), from_command_line.end());
    return out;
}

void add_capture_option(CLI::App& command, std::string& capture_path) {
    command.add_option("-r,--read", capture_path, "Capture file to analyse (pcap, pcapng, compressed, ...)")
        ->required();
}

void add_peer_option(CLI::App& command, std::string& peer_path) {
    command.add_option("--peer", peer_path, "Capture of the same traffic at the other end (or elsewhere on its path)")
        ->required();
}

namespace {
std::vector<std::string>& command_captures() {
    static std::vector<std::string> captures;
    return captures;
}
}  // namespace

void note_command_capture(const std::string& capture_path) {
    auto& captures = command_captures();
    if (std::find(captures.begin(), captures.end(), capture_path) == captures.end()) captures.push_back(capture_path);
}

void forget_command_captures() { command_captures().clear(); }

std::string command_captures_named() {
    std::string named;
    for (const auto& path : command_captures()) named += (named.empty() ? "" : ", ") + path;
    return named.empty() ? named : named + ": ";
}

ReadResult load_capture(const GlobalOptions& o, const std::string& capture_path) {
    note_command_capture(capture_path);
    LoadOptions lo;
    lo.use_cache = !o.no_cache;
    lo.regenerate = o.regenerate;
    if (const std::string folder = effective_cache_folder(o); !folder.empty()) lo.cache_directory = folder;
    lo.cache_size_limit = o.config.cache_size_limit;
    // The file's preferences first, the command line's exactly as given (libwireshark judges them).
    for (const auto& p : effective_wireshark_preferences(o)) {
        if (p.source.kind != ValueSource::Kind::CommandLine) lo.read.extra_preferences.push_back(p.to_option());
    }
    lo.read.extra_preferences.insert(lo.read.extra_preferences.end(), o.wireshark_preferences.begin(),
                                     o.wireshark_preferences.end());
    const bool show_progress = ::isatty(STDERR_FILENO) == 1;
    bool shown = false;
    // Always set: it is also where a Ctrl-C in the shell stops a long dissection.
    const std::string shown_path = log::printable(capture_path);
    lo.read.progress = [&shown, show_progress, shown_path](std::uint64_t done, std::uint64_t total) {
        throw_if_interrupted();
        if (!show_progress || total == 0) return;
        shown = true;
        std::fprintf(stderr, "\rmptcpanalyzer: dissecting %s: %3u%%", shown_path.c_str(),
                     static_cast<unsigned>(done * 100 / total));
        std::fflush(stderr);
    };
    const auto clear_progress_line = [&shown] {
        if (shown) std::fprintf(stderr, "\r\033[K");
        shown = false;
    };
    try {
        ReadResult result = mptcpanalyzer::load_capture(capture_path, lo);
        clear_progress_line();
        return result;
    } catch (...) {
        clear_progress_line();
        throw;
    }
}

}  // namespace mptcpanalyzer::cli
