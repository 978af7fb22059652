#pragma once
// The user's configuration file (INI, read with GLib's GKeyFile) and where each effective value
// came from. Keys and their meaning: docs/config.md. Precedence: command line > file > default;
// the command-line side is applied by the CLI (it marks values with ValueSource::Kind::CommandLine).

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace mptcpanalyzer {

struct ValueSource {
    enum class Kind { Default, File, CommandLine };
    Kind kind = Kind::Default;
    std::string file;  // for File
    int line = 0;      // for File (1-based)

    static ValueSource from_file(std::string file, int line) { return {Kind::File, std::move(file), line}; }
    static ValueSource command_line() { return {Kind::CommandLine, {}, 0}; }
    // "default", "/home/u/.config/mptcpanalyzer/config:12", "command line"
    std::string describe() const;
};

struct WiresharkPreference {
    std::string name;   // module.name
    std::string value;
    ValueSource source;
    std::string to_option() const { return name + ":" + value; }  // as tshark -o
};

struct Config {
    // [output]
    std::string output_format = "text";  // text, json or csv (report commands)
    char csv_delimiter = ',';
    // [cache]
    std::string cache_folder;                        // empty: TableCache::default_directory()
    std::uint64_t cache_size_limit = 2ULL << 30;     // bytes; 0 = no limit
    // [shell]
    int history_size = 1000;
    // [plot]
    std::string plot_terminal;  // empty: from the output file name
    int plot_width = 1024;
    int plot_height = 640;
    std::string plot_font = "sans,10";  // gnuplot "family,size"
    double plot_point_size = 0.5;
    double plot_line_width = 1.5;
    // [wireshark]
    std::vector<WiresharkPreference> wireshark_preferences;
    // [plugins]
    std::vector<std::string> plugin_folders;

    std::string file;  // the file read ("" when none)
    // Source of every scalar key, by "group.key" (all keys present, Default until set).
    std::map<std::string, ValueSource> sources;

    Config();
    void set_source(const std::string& key, ValueSource source) { sources[key] = std::move(source); }
};

// Every "group.key" the file may hold besides [wireshark] (whose keys are preference names), in
// documentation order.
const std::vector<std::string>& config_keys();

// $XDG_CONFIG_HOME/mptcpanalyzer/config, or ~/.config/mptcpanalyzer/config when XDG_CONFIG_HOME
// is unset or not absolute.
std::filesystem::path default_config_path();

// Reads `path` on top of the defaults. A missing file is fine (defaults) unless `must_exist`.
// Unknown groups and keys add a warning "FILE:LINE: ..." to `warnings`. Throws
// Error(ExitCode::Config) naming the file (and the key, for a bad value): unreadable or missing
// (when must_exist) file, syntax error, bad value.
Config load_config(const std::filesystem::path& path, bool must_exist, std::vector<std::string>& warnings);

// "1024", "512K", "2G" (1024-based K, M, G, T): bytes. Throws std::invalid_argument.
std::uint64_t parse_byte_size(const std::string& text);
// "1024x640" with both sides in 100..10000. Throws std::invalid_argument.
void parse_image_size(const std::string& text, int& width, int& height);

}  // namespace mptcpanalyzer
