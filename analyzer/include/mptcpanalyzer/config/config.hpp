#pragma once
// The user's configuration file (INI, read with GLib's GKeyFile) and where each effective value
// came from. Keys, defaults and meaning: config_key_table() (docs/config.md's key table is checked
// against it). Precedence: command line > file > default; the command-line side is applied by the
// CLI (it marks values with ValueSource::Kind::CommandLine).

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

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

// The effective configuration. The defaults are not spelled here: Config() applies every key's
// default from config_key_table().
struct Config {
    // [output]
    std::string output_format;  // text, json or csv (report commands)
    char csv_delimiter = 0;
    // [cache]
    std::string cache_folder;            // empty: TableCache::default_directory()
    std::uint64_t cache_size_limit = 0;  // bytes; 0 = no limit
    // [shell]
    int history_size = 0;
    // [plot]
    std::string plot_terminal;  // empty: from the output file name
    int plot_width = 0;
    int plot_height = 0;
    std::string plot_font;  // gnuplot "family,size"
    double plot_point_size = 0;
    double plot_line_width = 0;
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

// A value of the file as GKeyFile gives it: unescaped text, and for list keys its ';' items.
struct ConfigValue {
    std::string text;
    std::vector<std::string> items;
};

// One key of the configuration file, with everything about it: reading it, its default, how
// `config show` prints it and its row in docs/config.md. Adding a key is adding an entry to
// config_key_table() in config.cpp (and its field to Config).
struct ConfigKey {
    std::string_view key;            // "group.key"
    std::string_view default_value;  // read like a value from the file by Config(); "" = none
    std::string_view default_doc;    // Markdown, shown when there is no default_value
    std::string_view values_doc;     // Markdown: the values it takes and what they do
    std::string_view overridden_by;  // Markdown: the command-line options that win over it ("" = none)
    bool is_list = false;            // a GKeyFile list (items separated by ';')
    // Stores `value` in `config`; throws std::invalid_argument saying what was expected.
    void (*parse)(Config& config, const ConfigValue& value) = nullptr;
    // The effective value for `config show`: as JSON, and as text.
    void (*show)(const Config& config, nlohmann::ordered_json& value, std::string& text) = nullptr;
};

// Every key besides [wireshark] (whose keys are preference names), in documentation order.
std::span<const ConfigKey> config_key_table();

// The "group.key" of every entry of config_key_table(), in the same order.
const std::vector<std::string>& config_keys();

// The key table of docs/config.md (between its config-keys markers), in Markdown.
std::string config_keys_markdown();

// $XDG_CONFIG_HOME/mptcpanalyzer/config, or ~/.config/mptcpanalyzer/config when XDG_CONFIG_HOME
// is unset or not absolute.
std::filesystem::path default_config_path();

// Reads `path` on top of the defaults. A missing file is fine (defaults) unless `must_exist`.
// Unknown groups and keys add a warning "FILE:LINE: ..." to `warnings`. Throws
// Error(ExitCode::Config) naming the file (and the key, for a bad value): unreadable or missing
// (when must_exist) file, syntax error, bad value.
Config load_config(const std::filesystem::path& path, bool must_exist, std::vector<std::string>& warnings);

// The reader behind load_config, on the file's text (`name` is what messages call the file).
// Refuses a NUL byte; values echoed in messages are cut to 80 characters.
Config parse_config_text(const std::string& name, const std::string& text, std::vector<std::string>& warnings);

// `text` as shown in a message: at most 80 characters, then "... (N bytes)".
std::string shorten_for_message(std::string_view text);

// "1024", "512K", "2G" (1024-based K, M, G, T): bytes. Throws std::invalid_argument.
std::uint64_t parse_byte_size(const std::string& text);
// "1024x640" with both sides in 100..10000. Throws std::invalid_argument.
void parse_image_size(const std::string& text, int& width, int& height);

}  // namespace mptcpanalyzer
