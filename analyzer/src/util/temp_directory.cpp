#include "mptcpanalyzer/util/temp_directory.hpp"

#include <glib.h>

#include "mptcpanalyzer/util/error.hpp"

namespace mptcpanalyzer {

std::filesystem::path make_temp_directory(const char* pattern, const std::string& purpose) {
    GError* err = nullptr;
    gchar* dir = g_dir_make_tmp(pattern, &err);
    if (!dir) {
        std::string msg = err ? err->message : "unknown error";
        g_clear_error(&err);
        throw Error(ExitCode::Environment, "cannot create " + purpose + ": " + msg);
    }
    std::filesystem::path path = dir;
    g_free(dir);
    return path;
}

}  // namespace mptcpanalyzer
