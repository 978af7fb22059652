#include "plugin_loader.hpp"

#include <gmodule.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <string_view>

#include <fmt/format.h>

#include "mptcpanalyzer/util/log.hpp"
#include "mptcpanalyzer/util/xdg.hpp"

#ifndef MPTCP_SYSTEM_PLUGIN_DIR
#define MPTCP_SYSTEM_PLUGIN_DIR "/usr/lib/mptcpanalyzer/plugins"
#endif

namespace mptcpanalyzer::cli {
namespace {

constexpr const char* kVersionSymbol = "mptcpanalyzer_plugin_api_version";
constexpr const char* kRegisterSymbol = "mptcpanalyzer_plugin_register";

// ssh's rule for its own files: code we run must be writable only by the user running us or by
// root. Empty when `st` (of `what`, "folder" or "file") passes; else why it is refused.
std::string ownership_refusal(const struct stat& st, const char* what) {
    const uid_t me = ::geteuid();
    if (st.st_uid != me && st.st_uid != 0) {
        return fmt::format("{} owned by uid {}, neither you (uid {}) nor root: anyone who owns it can run code as you",
                           what, st.st_uid, me);
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        return fmt::format("{} writable by {} (mode {:04o}): anyone who can write there can run code as you "
                           "(chmod go-w)",
                           what, (st.st_mode & S_IWOTH) ? "everyone" : "its group", st.st_mode & 07777);
    }
    return {};
}

// Why the plugin folder `folder` must not be used ("" when it may, or when it does not exist).
std::string folder_refusal(const std::string& folder) {
    struct stat st {};
    if (::stat(folder.c_str(), &st) != 0) return {};
    return ownership_refusal(st, "folder");
}

// Loads one file; fills `record`, appends the entries of a plugin that loaded.
void load_one(const std::string& path, PluginRecord& record, std::vector<PluginEntrySpec>& entries) {
    record.path = path;
    // Loading runs the library's constructors: say which one before, so a plugin that takes the
    // process down is named (run with --no-plugins to get past it).
    log::debug("plugins: loading {}", path);
    GModule* module = g_module_open(path.c_str(), G_MODULE_BIND_LOCAL);
    if (!module) {
        const char* why = g_module_error();
        record.reason = fmt::format("cannot load: {}", why ? why : "");
        return;
    }
    auto refuse = [&](std::string why) {
        record.reason = std::move(why);
        g_module_close(module);
    };
    // The version is asked first: nothing else of a plugin built for another major is called.
    gpointer version_symbol = nullptr;
    if (!g_module_symbol(module, kVersionSymbol, &version_symbol) || !version_symbol) {
        return refuse(fmt::format("not an mptcpanalyzer plugin: no {} symbol", kVersionSymbol));
    }
    const auto version_function = reinterpret_cast<std::uint32_t (*)()>(version_symbol);
    record.api_version = decode_plugin_api_version(version_function());
    if (std::string refusal = plugin_version_refusal(*record.api_version); !refusal.empty()) {
        return refuse(std::move(refusal));
    }
    gpointer register_symbol = nullptr;
    if (!g_module_symbol(module, kRegisterSymbol, &register_symbol) || !register_symbol) {
        return refuse(fmt::format("not an mptcpanalyzer plugin: no {} symbol", kRegisterSymbol));
    }
    PluginRegistration registration;
    try {
        registration = call_plugin_register(reinterpret_cast<PluginRegisterFunction>(register_symbol), path);
    } catch (const std::exception& e) {
        return refuse(fmt::format("its register function threw: {}", e.what()));
    } catch (...) {
        return refuse("its register function threw an exception");
    }
    if (registration.status != 0) {
        return refuse(fmt::format("its register function failed (status {}){}", registration.status,
                                  registration.first_error.empty() ? "" : ": " + registration.first_error));
    }
    if (!registration.first_error.empty()) return refuse(registration.first_error);
    // Its functions are called until the process exits: never unload it.
    g_module_make_resident(module);
    record.loaded = true;
    for (auto& e : registration.entries) {
        (e.plot ? record.plot_kinds : record.commands).push_back(e.name);
        entries.push_back(std::move(e));
    }
}

std::vector<std::filesystem::path> shared_libraries_in(const std::string& folder) {
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        const auto name = it->path().filename().string();
        if (name.size() > 3 && name.ends_with(".so") && name[0] != '.') files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

std::vector<std::string> plugin_folders(const GlobalOptions& global) {
    std::vector<std::string> folders = global.config.plugin_folders;
    folders.push_back(xdg_base_directory("XDG_DATA_HOME", ".local/share").string() + "/mptcpanalyzer/plugins");
    folders.push_back(MPTCP_SYSTEM_PLUGIN_DIR);
    return folders;
}

bool plugins_disabled_by_environment() {
    const char* value = std::getenv(kNoPluginsVariable);
    return value && *value && std::strcmp(value, "0") != 0;
}

bool no_plugins_in_arguments(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--") break;
        if (arg == "--no-plugins") return true;
    }
    return false;
}

std::shared_ptr<PluginRegistry> load_plugins(const GlobalOptions& global, const std::string& disabled_by) {
    auto registry = std::make_shared<PluginRegistry>();
    registry->folders = plugin_folders(global);
    registry->disabled_by = disabled_by;
    if (!disabled_by.empty()) {
        log::debug("plugins: none loaded ({})", disabled_by);
        return registry;
    }
    if (!g_module_supported()) return registry;
    std::map<std::string, std::string> claimed;  // file name -> path that claimed it
    for (const auto& folder : registry->folders) {
        const std::string refused_folder = folder_refusal(folder);
        for (const auto& file : shared_libraries_in(folder)) {
            PluginRecord record;
            record.path = file.string();
            std::error_code type_ec;
            bool claimed_elsewhere = false;
            struct stat st {};
            if (!refused_folder.empty()) {
                record.reason = fmt::format("{} ({})", refused_folder, folder);
            } else if (!std::filesystem::is_regular_file(file, type_ec) || ::stat(record.path.c_str(), &st) != 0) {
                record.reason = "not a regular file";
            } else if (std::string refused_file = ownership_refusal(st, "file"); !refused_file.empty()) {
                record.reason = std::move(refused_file);
            } else if (const auto it = claimed.find(file.filename().string()); it != claimed.end()) {
                claimed_elsewhere = true;
                record.reason = fmt::format("hidden by {} (same file name, earlier folder)", it->second);
            } else {
                claimed.emplace(file.filename().string(), file.string());
                load_one(file.string(), record, registry->entries);
            }
            // Reported on every run until the user removes or fixes it (a shadowed copy is deliberate).
            if (!record.loaded && !claimed_elsewhere) {
                log::warning("plugin {} refused: {} (see `mptcpanalyzer plugins`)", record.path, record.reason);
            }
            registry->plugins.push_back(std::move(record));
        }
    }
    return registry;
}

}  // namespace mptcpanalyzer::cli
