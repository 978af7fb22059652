#include "mptcpanalyzer/config/config.hpp"

#include <glib.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "mptcpanalyzer/export/packet_export.hpp"
#include "mptcpanalyzer/util/error.hpp"
#include "mptcpanalyzer/util/xdg.hpp"

namespace mptcpanalyzer {
namespace {

struct KeyFileDeleter {
    void operator()(GKeyFile* k) const { g_key_file_free(k); }
};
using KeyFilePtr = std::unique_ptr<GKeyFile, KeyFileDeleter>;

std::string trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t\r");
    return std::string(s.substr(first, last - first + 1));
}

// GKeyFile knows no line numbers: one pass over the text finds the line of every group header
// and key (the last occurrence, which is the one GKeyFile keeps).
struct FileLayout {
    struct Entry {
        std::string group;
        std::string key;  // empty for a group header
        int line = 0;
    };
    std::vector<Entry> entries;  // file order
    std::map<std::string, int> line_of;  // "group" or "group.key" -> line

    explicit FileLayout(const std::string& text) {
        std::istringstream in(text);
        std::string raw;
        std::string group;
        int line = 0;
        while (std::getline(in, raw)) {
            ++line;
            const std::string s = trim(raw);
            if (s.empty() || s[0] == '#') continue;
            if (s[0] == '[') {
                const auto close = s.rfind(']');
                group = s.substr(1, close == std::string::npos ? std::string::npos : close - 1);
                entries.push_back({group, {}, line});
                line_of.emplace(group, line);  // first header of a group
                continue;
            }
            const auto eq = s.find('=');
            if (eq == std::string::npos) continue;  // GKeyFile has already refused such a file
            const std::string key = trim(std::string_view(s).substr(0, eq));
            entries.push_back({group, key, line});
            line_of[group + "." + key] = line;
        }
    }
};

// The first line that is neither blank, a comment, a [group] header nor key=value (0: none).
int first_malformed_line(const std::string& text) {
    std::istringstream in(text);
    std::string raw;
    int line = 0;
    while (std::getline(in, raw)) {
        ++line;
        const std::string s = trim(raw);
        if (s.empty() || s[0] == '#') continue;
        if (s[0] == '[' ? s.back() != ']' : s.find('=') == std::string::npos) return line;
    }
    return 0;
}

std::string free_string(gchar* s) {
    std::string out = s ? s : "";
    g_free(s);
    return out;
}

const std::vector<std::string>& known_groups() {
    static const std::vector<std::string> groups = {"output", "cache", "shell", "plot", "wireshark", "plugins"};
    return groups;
}

}  // namespace

std::string ValueSource::describe() const {
    switch (kind) {
        case Kind::Default: return "default";
        case Kind::File: return fmt::format("{}:{}", file, line);
        case Kind::CommandLine: return "command line";
    }
    return "default";
}

const std::vector<std::string>& config_keys() {
    static const std::vector<std::string> keys = {
        "output.format", "output.csv_delimiter", "cache.folder", "cache.size_limit", "shell.history_size",
        "plot.terminal", "plot.size", "plot.font", "plot.point_size", "plot.line_width", "plugins.folders",
    };
    return keys;
}

Config::Config() {
    for (const auto& k : config_keys()) sources[k] = ValueSource{};
}

std::filesystem::path default_config_path() {
    return xdg_base_directory("XDG_CONFIG_HOME", ".config") / "mptcpanalyzer" / "config";
}

std::uint64_t parse_byte_size(const std::string& text) {
    if (text.empty() || text[0] < '0' || text[0] > '9') throw std::invalid_argument("expected a size in bytes");
    std::size_t end = 0;
    unsigned long long value = 0;
    try {
        value = std::stoull(text, &end);
    } catch (const std::exception&) {
        throw std::invalid_argument("expected a size in bytes");
    }
    const std::string suffix = text.substr(end);
    unsigned shift = 0;
    if (suffix.empty()) {
        shift = 0;
    } else if (suffix == "K" || suffix == "k") {
        shift = 10;
    } else if (suffix == "M") {
        shift = 20;
    } else if (suffix == "G") {
        shift = 30;
    } else if (suffix == "T") {
        shift = 40;
    } else {
        throw std::invalid_argument("expected a number of bytes with an optional K, M, G or T suffix");
    }
    if (shift && value > (~0ULL >> shift)) throw std::invalid_argument("too large");
    return static_cast<std::uint64_t>(value) << shift;
}

void parse_image_size(const std::string& text, int& width, int& height) {
    int w = 0, h = 0;
    char x = 0, trailing = 0;
    if (std::sscanf(text.c_str(), "%d%c%d%c", &w, &x, &h, &trailing) != 3 || x != 'x' || w < 100 || h < 100 ||
        w > 10000 || h > 10000) {
        throw std::invalid_argument("expected WIDTHxHEIGHT in pixels, 100 to 10000");
    }
    width = w;
    height = h;
}

Config load_config(const std::filesystem::path& path, bool must_exist, std::vector<std::string>& warnings) {
    Config config;
    const std::string name = path.string();
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        const int e = errno;
        if (e == ENOENT && !must_exist) return config;
        throw Error(ExitCode::Config, fmt::format("{}: cannot read the configuration file: {}", name, std::strerror(e)));
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    std::string text = buffer.str();
    if (in.bad()) throw Error(ExitCode::Config, fmt::format("{}: cannot read the configuration file", name));
    if (std::filesystem::is_directory(path)) {
        throw Error(ExitCode::Config, fmt::format("{}: is a directory, not a configuration file", name));
    }

    KeyFilePtr keys(g_key_file_new());
    GError* error = nullptr;
    if (!g_key_file_load_from_data(keys.get(), text.data(), text.size(), G_KEY_FILE_NONE, &error)) {
        const std::string why = error ? error->message : "unknown error";
        g_clear_error(&error);
        // GLib names the line's text, not its number: find the first line it cannot have accepted.
        const int line = first_malformed_line(text);
        throw Error(ExitCode::Config, fmt::format("{}{}: not a valid configuration file: {}", name,
                                                  line > 0 ? fmt::format(":{}", line) : std::string(), why));
    }
    config.file = name;
    const FileLayout layout(text);

    // Unknown groups and keys: warnings, in file order.
    for (const auto& e : layout.entries) {
        const bool known_group =
            std::find(known_groups().begin(), known_groups().end(), e.group) != known_groups().end();
        if (e.key.empty()) {
            if (!known_group) warnings.push_back(fmt::format("{}:{}: unknown group [{}] ignored", name, e.line, e.group));
            continue;
        }
        if (!known_group || e.group == "wireshark") continue;
        const std::string full = e.group + "." + e.key;
        if (std::find(config_keys().begin(), config_keys().end(), full) == config_keys().end()) {
            warnings.push_back(fmt::format("{}:{}: unknown key '{}' in group [{}] ignored", name, e.line, e.key, e.group));
        }
    }

    auto line_of = [&](const std::string& key) {
        const auto it = layout.line_of.find(key);
        return it == layout.line_of.end() ? 0 : it->second;
    };
    auto bad_value = [&](const std::string& key, const std::string& value, const std::string& why) {
        return Error(ExitCode::Config,
                     fmt::format("{}:{}: bad value '{}' for {}: {}", name, line_of(key), value, key, why));
    };
    // The value of group.key when present (unescaped by GKeyFile), with its source recorded.
    auto get = [&](const std::string& key, std::string& out) {
        const auto dot = key.find('.');
        const std::string group = key.substr(0, dot), item = key.substr(dot + 1);
        if (!g_key_file_has_key(keys.get(), group.c_str(), item.c_str(), nullptr)) return false;
        GError* e = nullptr;
        gchar* v = g_key_file_get_string(keys.get(), group.c_str(), item.c_str(), &e);
        if (!v) {
            const std::string why = e ? e->message : "unreadable value";
            g_clear_error(&e);
            throw bad_value(key, free_string(g_key_file_get_value(keys.get(), group.c_str(), item.c_str(), nullptr)), why);
        }
        out = free_string(v);
        config.set_source(key, ValueSource::from_file(name, line_of(key)));
        return true;
    };

    std::string v;
    if (get("output.format", v)) {
        if (v != "text" && v != "json" && v != "csv") throw bad_value("output.format", v, "expected text, json or csv");
        config.output_format = v;
    }
    if (get("output.csv_delimiter", v)) {
        if (v.size() != 1) throw bad_value("output.csv_delimiter", v, "expected one character (\\t for a tab)");
        config.csv_delimiter = v[0];
        try {
            validate_csv_delimiter(config.csv_delimiter);
        } catch (const Error& ex) {
            throw bad_value("output.csv_delimiter", v, ex.what());
        }
    }
    if (get("cache.folder", v)) {
        if (v.rfind("~/", 0) == 0) v = (std::filesystem::path(g_get_home_dir()) / v.substr(2)).string();
        if (v.empty() || v[0] != '/') throw bad_value("cache.folder", v, "expected an absolute path (or ~/...)");
        config.cache_folder = v;
    }
    if (get("cache.size_limit", v)) {
        try {
            config.cache_size_limit = parse_byte_size(v);
        } catch (const std::invalid_argument& ex) {
            throw bad_value("cache.size_limit", v, std::string(ex.what()) + " (0 = no limit)");
        }
    }
    if (get("shell.history_size", v)) {
        char* end = nullptr;
        errno = 0;
        const long n = std::strtol(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0' || errno != 0 || n < 0 || n > 1000000) {
            throw bad_value("shell.history_size", v, "expected a number of lines, 0 to 1000000");
        }
        config.history_size = static_cast<int>(n);
    }
    if (get("plot.terminal", v)) {
        if (v != "png" && v != "svg" && v != "pdf" && v != "dumb") {
            throw bad_value("plot.terminal", v, "expected png, svg, pdf or dumb");
        }
        config.plot_terminal = v;
    }
    if (get("plot.size", v)) {
        try {
            parse_image_size(v, config.plot_width, config.plot_height);
        } catch (const std::invalid_argument& ex) {
            throw bad_value("plot.size", v, ex.what());
        }
    }
    if (get("plot.font", v)) {
        // The font reaches the gnuplot script: only the characters of "family,size" names.
        const bool safe = !v.empty() && v.size() <= 64 && std::all_of(v.begin(), v.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == ' ' || c == ',' || c == '-';
        });
        if (!safe) throw bad_value("plot.font", v, "expected \"family,size\" (letters, digits, spaces, ',', '-')");
        config.plot_font = v;
    }
    auto get_number = [&](const std::string& key, double low, double high, double& out) {
        if (!get(key, v)) return;
        char* end = nullptr;
        const double d = std::strtod(v.c_str(), &end);
        if (v.empty() || *end != '\0' || !(d >= low && d <= high)) {
            throw bad_value(key, v, fmt::format("expected a number from {} to {}", low, high));
        }
        out = d;
    };
    get_number("plot.point_size", 0.1, 10, config.plot_point_size);
    get_number("plot.line_width", 0.1, 10, config.plot_line_width);
    if (get("plugins.folders", v)) {
        gsize count = 0;
        gchar** list = g_key_file_get_string_list(keys.get(), "plugins", "folders", &count, nullptr);
        for (gsize i = 0; list && i < count; ++i) {
            std::string folder = trim(list[i]);
            if (folder.empty()) continue;
            if (folder.rfind("~/", 0) == 0) folder = (std::filesystem::path(g_get_home_dir()) / folder.substr(2)).string();
            if (folder[0] != '/') {
                g_strfreev(list);
                throw bad_value("plugins.folders", v, "expected absolute folders separated by ';'");
            }
            config.plugin_folders.push_back(folder);
        }
        g_strfreev(list);
    }
    if (g_key_file_has_group(keys.get(), "wireshark")) {
        gsize count = 0;
        gchar** names = g_key_file_get_keys(keys.get(), "wireshark", &count, nullptr);
        for (gsize i = 0; names && i < count; ++i) {
            const std::string pref = names[i];
            const std::string key = "wireshark." + pref;
            gchar* value = g_key_file_get_string(keys.get(), "wireshark", names[i], nullptr);
            const std::string text_value = free_string(value);
            if (pref.find('.') == std::string::npos || pref.find(':') != std::string::npos) {
                g_strfreev(names);
                throw bad_value(key, text_value, "expected a Wireshark preference name module.name");
            }
            config.wireshark_preferences.push_back({pref, text_value, ValueSource::from_file(name, line_of(key))});
        }
        g_strfreev(names);
    }
    return config;
}

}  // namespace mptcpanalyzer
