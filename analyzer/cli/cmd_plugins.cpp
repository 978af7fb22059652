// `mptcpanalyzer plugins [--json]`: the plugin API version of this program, the plugin folders
// searched, the plugins loaded (with the API version each was built for, their commands and plot
// kinds) and those refused, with the reason. See docs/plugins.md.

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>

#include "commands.hpp"
#include "mptcpanalyzer/util/error.hpp"
#include "mptcpanalyzer/util/log.hpp"
#include "plugin_loader.hpp"

namespace mptcpanalyzer::cli {
namespace {

nlohmann::ordered_json version_json(PluginApiVersion v) { return {{"major", v.major}, {"minor", v.minor}}; }

void run_plugins(const PluginRegistry& r, bool json) {
    std::string body;
    if (json) {
        nlohmann::ordered_json j;
        j["api_version"] = version_json(host_plugin_api_version());
        j["folders"] = r.folders;
        if (!r.disabled_by.empty()) j["disabled_by"] = r.disabled_by;
        j["plugins"] = nlohmann::ordered_json::array();
        for (const auto& p : r.plugins) {
            nlohmann::ordered_json item = {{"path", p.path}, {"status", p.loaded ? "loaded" : "refused"}};
            if (p.api_version) item["api_version"] = version_json(*p.api_version);
            if (p.loaded) {
                item["commands"] = p.commands;
                item["plot_kinds"] = p.plot_kinds;
                item["notes"] = p.notes;
            } else {
                item["reason"] = p.reason;
            }
            j["plugins"].push_back(std::move(item));
        }
        body = j.dump(2) + "\n";
    } else {
        body = fmt::format("plugin API version {}\nfolders searched: {}\n", to_string(host_plugin_api_version()),
                           fmt::join(r.folders, ", "));
        if (!r.disabled_by.empty()) {
            body += fmt::format("no plugin loaded: {}\n", r.disabled_by);
        } else if (r.plugins.empty()) {
            body += "no plugin found\n";
        }
        for (const auto& p : r.plugins) {
            if (p.loaded) {
                body += fmt::format("loaded  {} (API {}): commands: {}; plot kinds: {}\n", log::printable(p.path),
                                    p.api_version ? to_string(*p.api_version) : "?",
                                    p.commands.empty() ? "none" : fmt::format("{}", fmt::join(p.commands, ", ")),
                                    p.plot_kinds.empty() ? "none" : fmt::format("{}", fmt::join(p.plot_kinds, ", ")));
                for (const auto& n : p.notes) body += fmt::format("        {}\n", n);
            } else {
                body += fmt::format("refused {}: {}\n", log::printable(p.path), log::printable(p.reason));
            }
        }
    }
    if (std::fwrite(body.data(), 1, body.size(), stdout) != body.size() || std::fflush(stdout) != 0) {
        throw Error(ExitCode::OutputFailed, "standard output: write failed");
    }
}

}  // namespace

void setup_plugins(CLI::App& app, const GlobalOptions&, const PluginRegistry& plugins) {
    CLI::App* cmd = app.add_subcommand("plugins", "Plugins loaded, and those refused with the reason");
    auto json = std::make_shared<bool>(false);
    cmd->add_flag("--json", *json, "Output JSON");
    cmd->callback([json, &plugins] { run_plugins(plugins, *json); });
}

}  // namespace mptcpanalyzer::cli
