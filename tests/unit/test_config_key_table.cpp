// The configuration key table (config_key_table(), config/config.cpp): each entry drives how its
// key is read, its default, how `config show` prints it and its row of docs/config.md. The
// tests iterate the table, so a key added later is covered without touching them.

#include <catch2/catch.hpp>
#include <glib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "doc_sections.hpp"
#include "mptcpanalyzer/config/config.hpp"
#include "mptcpanalyzer/util/error.hpp"

using namespace mptcpanalyzer;

namespace {

struct ConfigFile {
    std::filesystem::path path;
    explicit ConfigFile(const std::string& text) {
        gchar* dir = g_dir_make_tmp("mptcp-config-keys-XXXXXX", nullptr);
        path = std::filesystem::path(dir) / "config";
        g_free(dir);
        std::ofstream(path) << text;
    }
    ~ConfigFile() { std::filesystem::remove_all(path.parent_path()); }
};

std::pair<std::string, std::string> split_key(std::string_view key) {
    const auto dot = key.find('.');
    return {std::string(key.substr(0, dot)), std::string(key.substr(dot + 1))};
}

// What `config show` prints for `key` in `config`: JSON value and text.
std::pair<std::string, std::string> shown(const ConfigKey& key, const Config& config) {
    nlohmann::ordered_json value;
    std::string text;
    key.show(config, value, text);
    return {value.dump(), text};
}

}  // namespace

TEST_CASE("config keys: config_keys() and Config's sources are the table's keys, in order", "[config][schema]") {
    const auto table = config_key_table();
    REQUIRE(config_keys().size() == table.size());
    const Config defaults;
    CHECK(defaults.sources.size() == table.size());
    for (std::size_t i = 0; i < table.size(); ++i) {
        INFO(table[i].key);
        CHECK(config_keys()[i] == table[i].key);
        CHECK(defaults.sources.at(config_keys()[i]).kind == ValueSource::Kind::Default);
        CHECK(table[i].parse != nullptr);
        CHECK(table[i].show != nullptr);
        CHECK_FALSE(table[i].values_doc.empty());
        CHECK((table[i].default_value.empty() != table[i].default_doc.empty()));
    }
}

TEST_CASE("config keys: a file giving every key its documented default changes values nowhere, sources everywhere",
          "[config][schema]") {
    // The default goes through the same parser as a file's value: both give the same Config.
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> groups;
    for (const auto& k : config_key_table()) {
        if (k.default_value.empty()) continue;
        const auto [group, item] = split_key(k.key);
        groups[group].emplace_back(item, std::string(k.default_value));
    }
    std::string text;
    std::map<std::string, int> line_of;
    int line = 0;
    for (const auto& [group, items] : groups) {
        text += "[" + group + "]\n";
        ++line;
        for (const auto& [item, value] : items) {
            text += item + " = " + value + "\n";
            line_of[group + "." + item] = ++line;
        }
    }
    const Config defaults;
    const ConfigFile file(text);
    std::vector<std::string> warnings;
    const Config loaded = load_config(file.path, true, warnings);
    CHECK(warnings.empty());
    for (const auto& k : config_key_table()) {
        const std::string key(k.key);
        INFO(key);
        CHECK(shown(k, loaded) == shown(k, defaults));
        if (k.default_value.empty()) {
            CHECK(loaded.sources.at(key).kind == ValueSource::Kind::Default);
        } else {
            CHECK(loaded.sources.at(key).describe() == file.path.string() + ":" + std::to_string(line_of.at(key)));
        }
    }
}

TEST_CASE("config keys: every key's parser refuses a bad value, naming the file, line and key", "[config][schema]") {
    for (const auto& k : config_key_table()) {
        const std::string key(k.key);
        INFO(key);
        const auto [group, item] = split_key(k.key);
        const ConfigFile file("[" + group + "]\n" + item + " = %%%\n");
        std::vector<std::string> warnings;
        try {
            (void)load_config(file.path, true, warnings);
            FAIL_CHECK("accepted");
        } catch (const Error& e) {
            CHECK(e.code() == ExitCode::Config);
            CHECK(std::string(e.what()).find(file.path.string() + ":2: bad value '%%%' for " + key + ": ") !=
                  std::string::npos);
        }
    }
}

TEST_CASE("config keys: a key of the table is known, another key of its group is warned about", "[config][schema]") {
    for (const auto& k : config_key_table()) {
        INFO(k.key);
        const auto [group, item] = split_key(k.key);
        const ConfigFile file("[" + group + "]\nno_such_key = 1\n");
        std::vector<std::string> warnings;
        (void)load_config(file.path, true, warnings);
        REQUIRE(warnings.size() == 1);
        CHECK(warnings[0].find("unknown key 'no_such_key' in group [" + group + "]") != std::string::npos);
    }
}

TEST_CASE("docs/config.md's key table is config_key_table()", "[config][schema][docs]") {
    const std::string table = config_keys_markdown();
    for (const auto& k : config_key_table()) {
        INFO(k.key);
        const std::string row_start = "| `" + std::string(k.key) + "` | ";
        const auto at = table.find(row_start);
        REQUIRE(at != std::string::npos);
        const std::string row = table.substr(at, table.find('\n', at) - at);
        if (!k.default_value.empty()) CHECK(row.find("| `" + std::string(k.default_value) + "` |") != std::string::npos);
        CHECK(row.find(std::string(k.values_doc)) != std::string::npos);
    }
    doc_sections::check_or_update("config.md", "config-keys", table);
}
