#include "epan_runtime.hpp"

#include <epan/epan.h>
#include <epan/prefs.h>
#include <epan/timestamp.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <wiretap/wtap.h>
#include <wsutil/filesystem.h>
#include <wsutil/privileges.h>
#include <wsutil/report_message.h>
#include <wsutil/wslog.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "mptcpanalyzer/util/error.hpp"
#include "mptcpanalyzer/util/out_of_memory.hpp"
#include "mptcpanalyzer/util/temp_directory.hpp"
#include "mptcpanalyzer/util/log.hpp"
#include "wireshark_compat.hpp"

namespace mptcpanalyzer::capture {
namespace {

std::string vformat(const char* fmt, va_list ap) {
    char* s = g_strdup_vprintf(fmt, ap);
    std::string out = s ? s : "";
    g_free(s);
    return out;
}

// libwireshark reports through these; dissection-time messages are at most debug for us.
void on_failure(const char* fmt, va_list ap) { log::debug("libwireshark: {}", vformat(fmt, ap)); }
void on_warning(const char* fmt, va_list ap) { log::debug("libwireshark: {}", vformat(fmt, ap)); }
// The two routines whose parameter types differ between 4.0 and 4.4 take them from
// wireshark_compat.hpp.
void on_open_failure(const char* name, int err, wireshark::ForWriting) {
    log::debug("libwireshark: cannot open {}: {}", name, g_strerror(err));
}
void on_read_failure(const char* name, int err) {
    log::debug("libwireshark: cannot read {}: {}", name, g_strerror(err));
}
void on_write_failure(const char* name, int err) {
    log::debug("libwireshark: cannot write {}: {}", name, g_strerror(err));
}
void on_cfile_open_failure(const char* name, int err, gchar*) {
    log::debug("libwireshark: cannot open capture {}: {}", name, wtap_strerror(err));
}
void on_cfile_dump_open_failure(const char* name, int err, gchar*, int) {
    log::debug("libwireshark: cannot create {}: {}", name, wtap_strerror(err));
}
void on_cfile_read_failure(const char* name, int err, gchar*) {
    log::debug("libwireshark: cannot read capture {}: {}", name, wtap_strerror(err));
}
void on_cfile_write_failure(const char*, const char* out, int err, gchar*, wireshark::WrittenFrame, int) {
    log::debug("libwireshark: cannot write {}: {}", out ? out : "", wtap_strerror(err));
}
void on_cfile_close_failure(const char* name, int err, gchar*) {
    log::debug("libwireshark: cannot close {}: {}", name, wtap_strerror(err));
}

void on_cmdarg_err(const char* fmt, va_list ap) { log::debug("libwireshark: {}", vformat(fmt, ap)); }

const report_message_routines kRoutines = {
    on_failure,          on_warning,
    on_open_failure,     on_read_failure,
    on_write_failure,    on_cfile_open_failure,
    on_cfile_dump_open_failure, on_cfile_read_failure,
    on_cfile_write_failure,     on_cfile_close_failure,
};

bool g_ready = false;
std::vector<std::string> g_applied;
std::string g_config_dir;

void cleanup_at_exit() {
    // The folder first: should libwireshark's cleanup abort, the folder is gone already.
    if (!g_config_dir.empty()) release_temp_directory(g_config_dir);
    if (!g_ready) return;
    epan_cleanup();
    wtap_cleanup();
}

// A Wireshark user profile must not change our results (disabled protocols, heuristics,
// preferences): point libwireshark at an empty configuration folder of our own.
void isolate_user_profile() {
    g_config_dir = make_temp_directory("mptcpanalyzer-wsconf-XXXXXX", "a temporary Wireshark configuration folder").string();
    g_setenv("WIRESHARK_CONFIG_DIR", g_config_dir.c_str(), TRUE);
}

}  // namespace

void ensure_epan_ready(const std::vector<std::string>& preferences) {
    if (!g_ready) {
        if (g_config_dir.empty()) {
            isolate_user_profile();
            std::atexit(cleanup_at_exit);  // also when the initialisation below fails
        }
        ws_log_init("mptcpanalyzer", on_cmdarg_err);
        // ws_log_init routes GLib's messages through libwireshark's log, whose fatal level aborts:
        // a failed g_malloc (GLib's g_error) must reach the program's handler first.
        reinstall_glib_out_of_memory_handler_if_installed();
        // Dissector chatter (e.g. "malformed packet") is data for us, not user-facing noise.
        ws_log_set_level(LOG_LEVEL_CRITICAL);
        init_process_policies();
        if (char* err = configuration_init("mptcpanalyzer", nullptr)) {
            std::string msg = err;
            g_free(err);
            throw Error(ExitCode::Environment, "libwireshark configuration failed: " + msg);
        }
        init_report_message("mptcpanalyzer", &kRoutines);
        timestamp_set_type(TS_RELATIVE);
        timestamp_set_precision(TS_PREC_AUTO);
        timestamp_set_seconds_type(TS_SECONDS_DEFAULT);
        wtap_init(FALSE);
        if (!epan_init(nullptr, nullptr, FALSE)) {
            throw Error(ExitCode::Environment, "libwireshark (epan) failed to initialise");
        }
        epan_load_settings();
        g_ready = true;
    }
    if (preferences == g_applied) return;
    for (const auto& pref : preferences) {
        std::string arg = pref;  // prefs_set_pref modifies its argument
        char* errmsg = nullptr;
        const auto rc = prefs_set_pref(arg.data(), &errmsg);
        if (rc != PREFS_SET_OK) {
            std::string detail = errmsg ? errmsg : "unknown or invalid preference";
            g_free(errmsg);
            throw Error(ExitCode::Usage, "Wireshark preference \"" + pref + "\" refused: " + detail);
        }
        g_free(errmsg);
    }
    prefs_apply_all();
    g_applied = preferences;
}

}  // namespace mptcpanalyzer::capture
