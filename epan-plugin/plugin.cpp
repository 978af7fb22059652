// mptcpanalyzer's Wireshark epan plugin: `tshark -z mptcp,conns|subflows|reinjections[,filter]`.
//
// Each -z argument creates a Session that listens to the `tcp` and `mptcp` taps, builds
// PacketRecords with the SHARED RecordBuilder (as the terminal program's capture reader does)
// into a PacketTable, and at draw time builds the ConnectionModel and the analyses of
// mptcpanalyzer_core and prints the table. The reset callback drops everything (retap).
// No exception crosses into Wireshark: every callback catches everything.

#include <epan/epan_dissect.h>
#include <epan/packet_info.h>
#include <epan/stat_tap_ui.h>
#include <epan/tap.h>
#include <glib.h>
#include <ws_version.h>

#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "mptcp_tables.hpp"
#include "record_builder.hpp"

#define PLUGIN_EXPORT __attribute__((visibility("default")))

namespace mptcpanalyzer::plugin {
namespace {

struct Session;

// The mptcp listener needs a tapdata pointer of its own (remove_tap_listener matches on it).
struct MptcpTag {
    Session* session = nullptr;
};

struct Session {
    View view = View::Connections;
    std::string filter;
    capture::RecordBuilder builder;
    PacketTable table;
    PacketRecord pending;
    bool has_pending = false;
    bool failed = false;  // an exception was caught: report it at draw time
    std::string error;
    MptcpTag tag;

    void reset() {
        builder = capture::RecordBuilder{};
        table = PacketTable{};
        pending = PacketRecord{};
        has_pending = false;
        failed = false;
        error.clear();
    }
    void flush() {
        if (has_pending) table.append(pending);
        has_pending = false;
    }
    void fail(const char* where, const char* what) {
        if (!failed) error = std::string(where) + ": " + what;
        failed = true;
    }
};

tap_packet_status on_tcp(void* tapdata, packet_info* pinfo, epan_dissect_t* edt, const void* data, tap_flags_t) {
    auto* s = static_cast<Session*>(tapdata);
    try {
        if (s->failed || !data) return TAP_PACKET_DONT_REDRAW;
        s->flush();  // the previous segment is complete: its mptcp tap, if any, came before this
        PacketRecord rec;
        if (s->builder.from_tcp_tap(pinfo, edt, static_cast<const tcp_info_t*>(data), rec)) {
            s->pending = std::move(rec);
            s->has_pending = true;
        }
    } catch (const std::exception& e) {
        s->fail("tcp tap", e.what());
    } catch (...) {
        s->fail("tcp tap", "unknown error");
    }
    return TAP_PACKET_DONT_REDRAW;
}

tap_packet_status on_mptcp(void* tapdata, packet_info*, epan_dissect_t*, const void* data, tap_flags_t) {
    Session* s = static_cast<MptcpTag*>(tapdata)->session;
    try {
        // Queued right after the tcp tap of the same segment (see capture_reader.cpp).
        if (!s->failed && s->has_pending && data) {
            s->builder.apply_mptcp_tap(static_cast<const struct tcp_analysis*>(data), s->pending);
        }
    } catch (const std::exception& e) {
        s->fail("mptcp tap", e.what());
    } catch (...) {
        s->fail("mptcp tap", "unknown error");
    }
    return TAP_PACKET_DONT_REDRAW;
}

void on_reset(void* tapdata) {
    auto* s = static_cast<Session*>(tapdata);
    try {
        s->reset();
    } catch (...) {
        s->failed = true;
    }
}

void on_draw(void* tapdata) {
    auto* s = static_cast<Session*>(tapdata);
    std::string out;
    try {
        s->flush();
        if (s->failed) {
            out = "mptcpanalyzer plugin: " + s->error + "\n";
        } else {
            PacketTable table = s->table;  // draw may be called more than once: keep ours appendable
            table.finish_appending();
            out = render(s->view, table, s->filter);
        }
    } catch (const std::exception& e) {
        out = std::string("mptcpanalyzer plugin: cannot compute the table: ") + e.what() + "\n";
    } catch (...) {
        out = "mptcpanalyzer plugin: cannot compute the table\n";
    }
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
}

void on_finish(void* tapdata) { delete static_cast<Session*>(tapdata); }

struct ViewSpec {
    View view;
    const char* cli;  // "-z" prefix
    const char* title;
};
const ViewSpec kViews[] = {
    {View::Connections, "mptcp,conns", "MPTCP Connections (mptcpanalyzer)"},
    {View::Subflows, "mptcp,subflows", "MPTCP Subflows (mptcpanalyzer)"},
    {View::Reinjections, "mptcp,reinjections", "MPTCP Reinjections (mptcpanalyzer)"},
};

void init_view(const char* opt_arg, void* userdata) {
    const auto* spec = static_cast<const ViewSpec*>(userdata);
    try {
        auto session = std::make_unique<Session>();
        session->view = spec->view;
        session->tag.session = session.get();
        // "-z mptcp,conns[,filter]"
        const std::string arg = opt_arg ? opt_arg : "";
        const std::string prefix = std::string(spec->cli) + ",";
        if (arg.size() > prefix.size() && arg.compare(0, prefix.size(), prefix) == 0) {
            session->filter = arg.substr(prefix.size());
        }
        const char* fstring = session->filter.empty() ? nullptr : session->filter.c_str();
        GString* err = register_tap_listener(capture::kTcpTap, session.get(), fstring, TL_REQUIRES_NOTHING, on_reset,
                                             on_tcp, on_draw, on_finish);
        if (err) {
            std::fprintf(stderr, "tshark: couldn't register %s tap: %s\n", spec->cli, err->str);
            g_string_free(err, TRUE);
            return;  // tshark goes on without this table
        }
        Session* s = session.release();  // owned by the tcp listener (freed in on_finish)
        err = register_tap_listener(capture::kMptcpTap, &s->tag, fstring, TL_REQUIRES_NOTHING, nullptr, on_mptcp,
                                    nullptr, nullptr);
        if (err) {
            std::fprintf(stderr, "tshark: couldn't register the mptcp tap for %s: %s\n", spec->cli, err->str);
            g_string_free(err, TRUE);
            remove_tap_listener(s);
        }
    } catch (...) {
        std::fprintf(stderr, "tshark: %s: cannot set up the mptcpanalyzer table\n", spec->cli);
    }
}

stat_tap_ui g_uis[3];

void register_listeners() {
    try {
        for (std::size_t i = 0; i < 3; ++i) {
            g_uis[i] = stat_tap_ui{REGISTER_PACKET_STAT_GROUP_UNSORTED, kViews[i].title, kViews[i].cli, init_view, 0,
                                   nullptr};
            register_stat_tap_ui(&g_uis[i], const_cast<ViewSpec*>(&kViews[i]));
        }
    } catch (...) {
    }
}

}  // namespace
}  // namespace mptcpanalyzer::plugin

extern "C" {
extern PLUGIN_EXPORT const char plugin_version[];
extern PLUGIN_EXPORT const int plugin_want_major;
extern PLUGIN_EXPORT const int plugin_want_minor;
PLUGIN_EXPORT void plugin_register(void);

const char plugin_version[] = "0.1.0";
const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

void plugin_register(void) {
    static const tap_plugin tap = {mptcpanalyzer::plugin::register_listeners};
    tap_register_plugin(&tap);
}
}
