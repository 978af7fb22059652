// `mptcpanalyzer config show [--json]`: the effective configuration, and where each value came
// from (default, FILE:LINE, command line). Keys: docs/config.md.

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "commands.hpp"
#include "mptcpanalyzer/cache/table_cache.hpp"
#include "mptcpanalyzer/util/error.hpp"

namespace mptcpanalyzer::cli {
namespace {

struct Setting {
    std::string key;
    nlohmann::ordered_json value;  // string, number or array
    std::string text;              // the value as shown in text output
    ValueSource source;
};

std::vector<Setting> effective_settings(const GlobalOptions& g) {
    // The keys print themselves (config_key_table); the one global option that overrides a key,
    // --cache-dir, is applied first, and the folder shown is the one actually used.
    Config c = g.config;
    const std::string folder = effective_cache_folder(g);
    c.cache_folder = folder.empty() ? TableCache::default_directory().string() : folder;
    if (!g.cache_directory.empty()) c.set_source("cache.folder", ValueSource::command_line());
    std::vector<Setting> out;
    for (const ConfigKey& k : config_key_table()) {
        Setting s{std::string(k.key), {}, {}, c.sources.at(std::string(k.key))};
        k.show(c, s.value, s.text);
        out.push_back(std::move(s));
    }
    for (const auto& p : effective_wireshark_preferences(g)) {
        out.push_back({"wireshark." + p.name, p.value, p.value, p.source});
    }
    return out;
}

void run_config_show(const GlobalOptions& g, bool json) {
    const std::string file = g.config.file.empty() ? std::string() : g.config.file;
    const auto settings = effective_settings(g);
    std::string body;
    if (json) {
        nlohmann::ordered_json j;
        j["file"] = file.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(file);
        j["default_file"] = default_config_path().string();
        j["settings"] = nlohmann::ordered_json::array();
        for (const auto& s : settings) {
            nlohmann::ordered_json item = {{"key", s.key}, {"value", s.value}};
            switch (s.source.kind) {
                case ValueSource::Kind::Default: item["source"] = "default"; break;
                case ValueSource::Kind::CommandLine: item["source"] = "command_line"; break;
                case ValueSource::Kind::File:
                    item["source"] = "file";
                    item["file"] = s.source.file;
                    item["line"] = s.source.line;
                    break;
            }
            j["settings"].push_back(std::move(item));
        }
        body = j.dump(2) + "\n";
    } else {
        body = file.empty() ? fmt::format("configuration file: none ({} does not exist)\n", default_config_path().string())
                            : fmt::format("configuration file: {}\n", file);
        std::size_t width = 0;
        for (const auto& s : settings) width = std::max(width, s.key.size() + 3 + s.text.size());
        for (const auto& s : settings) {
            const std::string left = s.key + " = " + s.text;
            body += fmt::format("{:<{}}  # {}\n", left, width, s.source.describe());
        }
    }
    if (std::fwrite(body.data(), 1, body.size(), stdout) != body.size() || std::fflush(stdout) != 0) {
        throw Error(ExitCode::OutputFailed, "standard output: write failed");
    }
}

}  // namespace

void setup_config(CLI::App& app, const GlobalOptions& global) {
    CLI::App* cmd = app.add_subcommand("config", "The configuration file (see docs/config.md)");
    cmd->require_subcommand(1);
    auto json = std::make_shared<bool>(false);
    CLI::App* show = cmd->add_subcommand("show", "Effective configuration and where each value comes from");
    show->add_flag("--json", *json, "Output JSON");
    show->callback([json, &global] { run_config_show(global, *json); });
}

}  // namespace mptcpanalyzer::cli
