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
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

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

// ---------------------------------------------------------------------------------------------
// The keys. Each entry is everything about one key; load_config, Config(), `config show` and
// docs/config.md follow from this table.

std::string expand_home(std::string path) {
    if (path.rfind("~/", 0) == 0) return (std::filesystem::path(g_get_home_dir()) / path.substr(2)).string();
    return path;
}

// A number from `low` to `high` (the plot sizes).
double parse_number(const std::string& text, double low, double high) {
    char* end = nullptr;
    const double d = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(d >= low && d <= high)) {
        throw std::invalid_argument(fmt::format("expected a number from {} to {}", low, high));
    }
    return d;
}

std::string delimiter_text(char c) {
    if (c == '\t') return "\\t";
    if (c == ' ') return "\\s";
    return std::string(1, c);
}

using Json = nlohmann::ordered_json;

const ConfigKey kKeys[] = {
    {"output.format", "text", "",
     "`text`, `json`, `csv`: the format of the report commands (`list-tcp`, `list-mptcp`, `list-subflows`, "
     "`tcp-summary`, `mptcp-summary`, `list-reinjections`, `events`)",
     "`--text`, `--json`, `--csv`", false,
     [](Config& c, const ConfigValue& v) {
         if (v.text != "text" && v.text != "json" && v.text != "csv") {
             throw std::invalid_argument("expected text, json or csv");
         }
         c.output_format = v.text;
     },
     [](const Config& c, Json& value, std::string& text) {
         value = c.output_format;
         text = c.output_format;
     }},
    {"output.csv_delimiter", ",", "",
     "one character (after GKeyFile unescaping: `\\t` is a tab); refused like `--delimiter` (`;`, quotes, letters, "
     "digits, `-`, `.`, `+`)",
     "`-d/--delimiter` of the report commands and of `export`", false,
     [](Config& c, const ConfigValue& v) {
         if (v.text.size() != 1) throw std::invalid_argument("expected one character (\\t for a tab)");
         try {
             validate_csv_delimiter(v.text[0]);
         } catch (const Error& e) {
             throw std::invalid_argument(e.what());
         }
         c.csv_delimiter = v.text[0];
     },
     [](const Config& c, Json& value, std::string& text) {
         value = std::string(1, c.csv_delimiter);
         text = delimiter_text(c.csv_delimiter);
     }},
    {"cache.folder", "", "`$XDG_CACHE_HOME/mptcpanalyzer`", "an absolute path, or `~/...`", "`--cache-dir`", false,
     [](Config& c, const ConfigValue& v) {
         std::string folder = expand_home(v.text);
         if (folder.empty() || folder[0] != '/') throw std::invalid_argument("expected an absolute path (or ~/...)");
         c.cache_folder = std::move(folder);
     },
     [](const Config& c, Json& value, std::string& text) {
         value = c.cache_folder;
         text = c.cache_folder;
     }},
    {"cache.size_limit", "2G", "",
     "bytes, with an optional `K`, `M`, `G`, `T` (1024-based) suffix; `0` = no limit", "", false,
     [](Config& c, const ConfigValue& v) {
         try {
             c.cache_size_limit = parse_byte_size(v.text);
         } catch (const std::invalid_argument& e) {
             throw std::invalid_argument(std::string(e.what()) + " (0 = no limit)");
         }
     },
     [](const Config& c, Json& value, std::string& text) {
         value = c.cache_size_limit;
         text = c.cache_size_limit == 0 ? std::string("0 (no limit)") : fmt::format("{} bytes", c.cache_size_limit);
     }},
    {"shell.history_size", "1000", "", "lines of shell history kept, 0 to 1000000", "", false,
     [](Config& c, const ConfigValue& v) {
         char* end = nullptr;
         errno = 0;
         const long n = std::strtol(v.text.c_str(), &end, 10);
         if (v.text.empty() || *end != '\0' || errno != 0 || n < 0 || n > 1000000) {
             throw std::invalid_argument("expected a number of lines, 0 to 1000000");
         }
         c.history_size = static_cast<int>(n);
     },
     [](const Config& c, Json& value, std::string& text) {
         value = c.history_size;
         text = std::to_string(c.history_size);
     }},
    {"plot.terminal", "", "(from the file name)", "`png`, `svg`, `pdf`, `dumb`", "`--terminal`", false,
     [](Config& c, const ConfigValue& v) {
         if (v.text != "png" && v.text != "svg" && v.text != "pdf" && v.text != "dumb") {
             throw std::invalid_argument("expected png, svg, pdf or dumb");
         }
         c.plot_terminal = v.text;
     },
     [](const Config& c, Json& value, std::string& text) {
         value = c.plot_terminal;
         text = c.plot_terminal.empty() ? std::string("(from the output file name)") : c.plot_terminal;
     }},
    {"plot.size", "1024x640", "", "`WIDTHxHEIGHT` in pixels, 100 to 10000 each", "`--size`", false,
     [](Config& c, const ConfigValue& v) { parse_image_size(v.text, c.plot_width, c.plot_height); },
     [](const Config& c, Json& value, std::string& text) {
         text = fmt::format("{}x{}", c.plot_width, c.plot_height);
         value = text;
     }},
    {"plot.font", "sans,10", "", "gnuplot font `family,size` (letters, digits, spaces, `,`, `-`)", "", false,
     [](Config& c, const ConfigValue& v) {
         // The font reaches the gnuplot script: only the characters of "family,size" names.
         const bool safe = !v.text.empty() && v.text.size() <= 64 && std::all_of(v.text.begin(), v.text.end(), [](char ch) {
             return std::isalnum(static_cast<unsigned char>(ch)) || ch == ' ' || ch == ',' || ch == '-';
         });
         if (!safe) throw std::invalid_argument("expected \"family,size\" (letters, digits, spaces, ',', '-')");
         c.plot_font = v.text;
     },
     [](const Config& c, Json& value, std::string& text) {
         value = c.plot_font;
         text = c.plot_font;
     }},
    {"plot.point_size", "0.5", "", "0.1 to 10", "", false,
     [](Config& c, const ConfigValue& v) { c.plot_point_size = parse_number(v.text, 0.1, 10); },
     [](const Config& c, Json& value, std::string& text) {
         value = c.plot_point_size;
         text = fmt::format("{}", c.plot_point_size);
     }},
    {"plot.line_width", "1.5", "", "0.1 to 10", "", false,
     [](Config& c, const ConfigValue& v) { c.plot_line_width = parse_number(v.text, 0.1, 10); },
     [](const Config& c, Json& value, std::string& text) {
         value = c.plot_line_width;
         text = fmt::format("{}", c.plot_line_width);
     }},
    {"plugins.folders", "", "—",
     "absolute folders (or `~/...`) separated by `;`, searched before the user and system plugin folders "
     "(docs/plugins.md)",
     "", true,
     [](Config& c, const ConfigValue& v) {
         for (const auto& item : v.items) {
             std::string folder = expand_home(trim(item));
             if (folder.empty()) continue;
             if (folder[0] != '/') throw std::invalid_argument("expected absolute folders separated by ';'");
             c.plugin_folders.push_back(std::move(folder));
         }
     },
     [](const Config& c, Json& value, std::string& text) {
         value = c.plugin_folders;
         text = fmt::format("{}", fmt::join(c.plugin_folders, ";"));
     }},
};

// The [wireshark] group is not a key of the table (its keys are Wireshark's preference names):
// its row of docs/config.md is here, next to the table, and load_config reads it.
constexpr std::string_view kWiresharkGroupDoc =
    "| `wireshark.<module.name>` | — | any Wireshark preference, one key per preference (group `[wireshark]`), "
    "applied like `--wireshark-pref module.name:value`; refused preferences fail as on the command line (exit 2) "
    "| `--wireshark-pref` with the same name wins; others add to the file's |\n";

const std::vector<std::string>& known_groups() {
    static const std::vector<std::string> groups = [] {
        std::vector<std::string> out{"wireshark"};
        for (const auto& k : kKeys) {
            std::string group(k.key.substr(0, k.key.find('.')));
            if (std::find(out.begin(), out.end(), group) == out.end()) out.push_back(std::move(group));
        }
        return out;
    }();
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

std::span<const ConfigKey> config_key_table() { return kKeys; }

const std::vector<std::string>& config_keys() {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> out;
        for (const auto& k : kKeys) out.emplace_back(k.key);
        return out;
    }();
    return keys;
}

std::string config_keys_markdown() {
    std::string out = "| key | default | values | command-line option that overrides it |\n|---|---|---|---|\n";
    for (const auto& k : kKeys) {
        const std::string default_text =
            k.default_value.empty() ? std::string(k.default_doc) : fmt::format("`{}`", k.default_value);
        out += fmt::format("| `{}` | {} | {} | {} |\n", k.key, default_text, k.values_doc,
                           k.overridden_by.empty() ? std::string_view("—") : k.overridden_by);
    }
    out += kWiresharkGroupDoc;
    return out;
}

Config::Config() {
    for (const auto& k : kKeys) {
        sources[std::string(k.key)] = ValueSource{};
        // The defaults go through the parsers, as a file's values do: a default the parser
        // refuses fails every test at once.
        if (!k.default_value.empty()) k.parse(*this, ConfigValue{std::string(k.default_value), {}});
    }
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
    return parse_config_text(name, text, warnings);
}

std::string shorten_for_message(std::string_view text) {
    constexpr std::size_t kShown = 80;
    if (text.size() <= kShown) return std::string(text);
    return fmt::format("{}... ({} bytes)", text.substr(0, kShown), text.size());
}

Config parse_config_text(const std::string& name, const std::string& text, std::vector<std::string>& warnings) {
    Config config;
    // GKeyFile stops at a NUL byte and would silently drop the rest of the file.
    if (const auto nul = text.find('\0'); nul != std::string::npos) {
        const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(nul), '\n');
        throw Error(ExitCode::Config,
                    fmt::format("{}:{}: not a valid configuration file: a NUL byte (a configuration file is text)", name, line));
    }

    KeyFilePtr keys(g_key_file_new());
    GError* error = nullptr;
    if (!g_key_file_load_from_data(keys.get(), text.data(), text.size(), G_KEY_FILE_NONE, &error)) {
        const std::string why = error ? error->message : "unknown error";
        g_clear_error(&error);
        // GLib names the line's text, not its number: find the first line it cannot have accepted.
        const int line = first_malformed_line(text);
        // GLib quotes the whole offending line: a long one is cut (the line number finds it).
        throw Error(ExitCode::Config, fmt::format("{}{}: not a valid configuration file: {}", name,
                                                  line > 0 ? fmt::format(":{}", line) : std::string(),
                                                  why.size() > 300 ? shorten_for_message(why) : why));
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
                     fmt::format("{}:{}: bad value '{}' for {}: {}", name, line_of(key), shorten_for_message(value), key,
                                 why));
    };
    for (const ConfigKey& k : kKeys) {
        const std::string key(k.key);
        const auto dot = key.find('.');
        const std::string group = key.substr(0, dot), item = key.substr(dot + 1);
        if (!g_key_file_has_key(keys.get(), group.c_str(), item.c_str(), nullptr)) continue;
        // The value unescaped by GKeyFile, and a list's items.
        ConfigValue value;
        GError* e = nullptr;
        gchar* unescaped = g_key_file_get_string(keys.get(), group.c_str(), item.c_str(), &e);
        if (!unescaped) {
            const std::string why = e ? e->message : "unreadable value";
            g_clear_error(&e);
            throw bad_value(key, free_string(g_key_file_get_value(keys.get(), group.c_str(), item.c_str(), nullptr)), why);
        }
        value.text = free_string(unescaped);
        if (k.is_list) {
            gsize count = 0;
            gchar** list = g_key_file_get_string_list(keys.get(), group.c_str(), item.c_str(), &count, nullptr);
            for (gsize i = 0; list && i < count; ++i) value.items.emplace_back(list[i]);
            g_strfreev(list);
        }
        config.set_source(key, ValueSource::from_file(name, line_of(key)));
        try {
            k.parse(config, value);
        } catch (const std::invalid_argument& why) {
            throw bad_value(key, value.text, why.what());
        }
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
