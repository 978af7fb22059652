#pragma once
// XDG base directories (cache, config, data, state), resolved one way for every module.

#include <glib.h>

#include <cstdlib>
#include <filesystem>

namespace mptcpanalyzer {

// $VARIABLE when it is an absolute path (the specification says a relative one is invalid and
// must be ignored), else $HOME/`fallback_under_home`; g_get_home_dir() reads the password
// database when HOME is unset or empty (e.g. under some daemons).
inline std::filesystem::path xdg_base_directory(const char* variable, const char* fallback_under_home) {
    const char* value = std::getenv(variable);
    if (value && value[0] == '/') return value;
    const char* home = std::getenv("HOME");
    const std::filesystem::path home_dir = home && home[0] != '\0' ? home : g_get_home_dir();
    return home_dir / fallback_under_home;
}

}  // namespace mptcpanalyzer
