// mptcpanalyzer's Wireshark epan plugin: three stat_tap_table UIs ("MPTCP Connections",
// "MPTCP Subflows", "MPTCP Reinjections" in Wireshark's Statistics menu; `tshark -z
// mptcp,conns|mptcp,subflows|mptcp,reinjections[,filter]`).
//
// Wireshark's table UI gives us one listener (the "main" one, on the `tcp` tap, with the user's
// display filter) and draws the table itself; it has no end-of-capture callback. Our analyses need
// the whole capture, so each view has a Session fed by:
//   - the main listener: builds a PacketRecord per TCP segment with the SHARED RecordBuilder;
//   - an `mptcp` listener: completes that record (the mptcp tap follows the tcp tap of the same
//     segment in the tap queue);
//   - a `frame` listener: the frame tap is queued at the very end of a frame's dissection, so it
//     closes the frame's record, and on the capture's LAST frame it fills the table. That is what
//     makes the Wireshark dialog right: after its retap the dialog draws at once, no hook between.
//     "Last frame" = the packet provider knows no frame after it (Wireshark and `tshark -2` know
//     every frame; single-pass tshark knows none ahead, see epan_session_probe.*);
//   - for single-pass tshark, a draw-only listener registered during the first frame: listeners
//     are prepended to Wireshark's queue and drawn in queue order, so this one, registered after
//     tshark's own table printer, is drawn (fills the table) just before the printer prints it.
// The table's reset callback (called on every retap of the dialog) drops all state.
// No exception crosses into Wireshark: every callback catches everything.

#include <epan/epan.h>
#include <epan/epan_dissect.h>
#include <epan/packet_info.h>
#include <epan/stat_tap_ui.h>
#include <epan/tap.h>
#include <glib.h>
#include <ws_version.h>

#include <charconv>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "epan_session_probe.hpp"
#include "mptcp_tables.hpp"
#include "record_builder.hpp"

#define PLUGIN_EXPORT __attribute__((visibility("default")))

namespace mptcpanalyzer::plugin {
namespace {

constexpr int kViews = 3;

struct Session;
// Each listener needs a tapdata pointer of its own (remove_tap_listener matches on it).
struct Tag {
    Session* session = nullptr;
};

struct Session {
    View view = View::Connections;
    const char* cli = "";
    const char* table_title = "";
    stat_tap_table_ui* ui = nullptr;
    std::vector<stat_tap_table_item> fields;  // Wireshark keeps a pointer to this array

    capture::RecordBuilder builder;
    PacketTable packets;
    PacketRecord pending;
    bool has_pending = false;
    std::uint32_t pending_frame = 0;
    const void* main_listener = nullptr;  // first main listener seen since init (one per view)
    bool active = false;         // collecting for a main listener
    bool random_access = false;  // the provider knows frames ahead of the current one
    bool dirty = false;          // records arrived since the table was last filled
    std::string error;           // first exception caught while collecting

    bool aux_registered = false;
    bool drawer_registered = false;
    Tag mptcp_tag, frame_tag, drawer_tag;

    void clear_data() {
        builder = capture::RecordBuilder{};
        packets = PacketTable{};
        pending = PacketRecord{};
        has_pending = false;
        pending_frame = 0;
        random_access = false;
        dirty = false;
        error.clear();
    }
    void flush() {
        if (has_pending) {
            packets.append(pending);
            dirty = true;
        }
        has_pending = false;
    }
    void fail(const char* where, const char* what) {
        if (error.empty()) error = std::string(where) + ": " + what;
    }
};

Session g_sessions[kViews];

struct ViewSpec {
    View view;
    const char* cli;          // tshark -z name
    // Wireshark's Statistics menu item (sorted by name: the three stay together; a "/" would
    // not make a submenu for this kind of UI in 4.0) and tshark's table header.
    const char* title;
    const char* table_title;  // the one table of the UI
};
const ViewSpec kSpecs[kViews] = {
    {View::Connections, "mptcp,conns", "MPTCP Connections", "MPTCP connections"},
    {View::Subflows, "mptcp,subflows", "MPTCP Subflows", "MPTCP subflows"},
    {View::Reinjections, "mptcp,reinjections", "MPTCP Reinjections", "MPTCP reinjections"},
};
stat_tap_table_ui g_uis[kViews];

Session* session_of_ui(const stat_tap_table_ui* ui) {
    for (auto& s : g_sessions) {
        if (s.ui == ui) return &s;
    }
    return nullptr;
}

stat_tap_table* table_of(Session& s) {
    if (!s.ui || !s.ui->tables || s.ui->tables->len == 0) return nullptr;
    return g_array_index(s.ui->tables, stat_tap_table*, 0);
}

Session* session_of_table(const stat_tap_table* table) {
    for (auto& s : g_sessions) {
        if (table && table_of(s) == table) return &s;
    }
    return nullptr;
}

void free_cell(stat_tap_table_item_type* cell) {
    if (cell && cell->type == TABLE_ITEM_STRING) {
        g_free(const_cast<char*>(cell->value.string_value));
        cell->value.string_value = nullptr;
    }
}

// Drops every row (the arrays were allocated by stat_tap_init_table_row with GLib).
void clear_rows(stat_tap_table* table) {
    if (!table) return;
    for (guint r = 0; r < table->num_elements; ++r) {
        for (guint c = 0; c < table->num_fields; ++c) free_cell(&table->elements[r][c]);
        g_free(table->elements[r]);
    }
    g_free(table->elements);
    table->elements = nullptr;
    table->num_elements = 0;
}

std::uint32_t count_value(const std::string& cell) {
    std::uint32_t v = 0;
    std::from_chars(cell.data(), cell.data() + cell.size(), v);
    return v;
}

void set_rows(Session& s, const Table& t) {
    stat_tap_table* table = table_of(s);
    if (!table) return;
    clear_rows(table);
    std::vector<stat_tap_table_item_type> items(t.columns.size());
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
        for (std::size_t c = 0; c < t.columns.size(); ++c) {
            const std::string& cell = c < t.rows[r].size() ? t.rows[r][c] : std::string();
            items[c] = stat_tap_table_item_type{};
            if (t.columns[c].kind == CellKind::Count) {
                items[c].type = TABLE_ITEM_UINT;
                items[c].value.uint_value = count_value(cell);
            } else {
                items[c].type = TABLE_ITEM_STRING;
                items[c].value.string_value = g_strdup(cell.c_str());
            }
        }
        stat_tap_init_table_row(table, static_cast<guint>(r), static_cast<guint>(items.size()), items.data());
    }
}

// A failed analysis: one row whose first (text) cell says why, the others empty/zero.
void set_error_row(Session& s, const std::string& why) {
    Table t{columns_of(s.view), {}};
    std::vector<std::string> row(t.columns.size());
    row[0] = "mptcpanalyzer: " + why;
    t.rows.push_back(std::move(row));
    set_rows(s, t);
    std::fprintf(stderr, "mptcpanalyzer plugin: %s: %s\n", s.cli, why.c_str());
}

// Builds the model and fills the table. `last`: no more packets will come (we may consume ours).
void compute(Session& s, bool last) {
    try {
        s.flush();
        s.dirty = false;
        if (!s.error.empty()) {
            set_error_row(s, s.error);
            return;
        }
        if (last) {
            s.packets.finish_appending();
            set_rows(s, build_table(s.view, s.packets));
            s.packets = PacketTable{};  // the table holds the answer: free the records
        } else {
            PacketTable copy = s.packets;  // more packets may come: keep ours appendable
            copy.finish_appending();
            set_rows(s, build_table(s.view, copy));
        }
    } catch (const std::exception& e) {
        try {
            set_error_row(s, std::string("cannot compute the table: ") + e.what());
        } catch (...) {
        }
    } catch (...) {
        try {
            set_error_row(s, "cannot compute the table");
        } catch (...) {
        }
    }
}

bool frame_exists(const packet_info* pinfo, guint32 number) {
    return pinfo && provider_knows_frame(*pinfo, number);
}

// --- listeners ------------------------------------------------------------------------------

tap_packet_status on_main_tcp(void* tapdata, packet_info* pinfo, epan_dissect_t* edt, const void* data, tap_flags_t) {
    try {
        auto* sd = static_cast<stat_data_t*>(tapdata);
        Session* s = sd ? session_of_ui(sd->stat_tap_data) : nullptr;
        if (!s || !s->active || !data || !pinfo) return TAP_PACKET_DONT_REDRAW;
        if (!s->main_listener) s->main_listener = tapdata;
        if (s->main_listener != tapdata) return TAP_PACKET_DONT_REDRAW;  // a second -z of this view
        try {
            s->flush();  // a second TCP segment in the same frame (tunnels)
            PacketRecord rec;
            if (s->builder.from_tcp_tap(pinfo, edt, static_cast<const tcp_info_t*>(data), rec)) {
                s->pending = std::move(rec);
                s->has_pending = true;
                s->pending_frame = pinfo->num;
                s->dirty = true;
            }
        } catch (const std::exception& e) {
            s->fail("tcp tap", e.what());
        } catch (...) {
            s->fail("tcp tap", "unknown error");
        }
    } catch (...) {
    }
    return TAP_PACKET_DONT_REDRAW;
}

tap_packet_status on_mptcp(void* tapdata, packet_info* pinfo, epan_dissect_t*, const void* data, tap_flags_t) {
    Session* s = static_cast<Tag*>(tapdata)->session;
    try {
        // Only the segment the main listener kept (it passed the filter) in this very frame.
        if (s->active && s->has_pending && data && pinfo && pinfo->num == s->pending_frame) {
            s->builder.apply_mptcp_tap(static_cast<const struct tcp_analysis*>(data), s->pending);
        }
    } catch (const std::exception& e) {
        s->fail("mptcp tap", e.what());
    } catch (...) {
        s->fail("mptcp tap", "unknown error");
    }
    return TAP_PACKET_DONT_REDRAW;
}

void on_drawer_draw(void* tapdata);

tap_packet_status on_frame(void* tapdata, packet_info* pinfo, epan_dissect_t*, const void*, tap_flags_t) {
    Session* s = static_cast<Tag*>(tapdata)->session;
    try {
        if (!s->active || !pinfo) return TAP_PACKET_DONT_REDRAW;
        s->flush();
        if (frame_exists(pinfo, pinfo->num + 1)) {
            s->random_access = true;
        } else if (s->random_access) {
            compute(*s, true);  // the last frame of a retap (Wireshark) or of `tshark -2`
            s->active = false;  // until the dialog's next retap (table reset callback)
        } else {
            // Single-pass tshark (no frame is known ahead) or a one-frame capture: the drawer
            // fills the table at draw time; fill it now too in case this is the only frame.
            if (pinfo->num <= 1) compute(*s, false);
            if (!s->drawer_registered) {
                // Safe inside the tap loop: the new listener is prepended, the loop goes on from
                // the current one. No filter, no per-packet callback, flags 0: dissection unchanged.
                GString* err = register_tap_listener("frame", &s->drawer_tag, nullptr, TL_REQUIRES_NOTHING, nullptr,
                                                     nullptr, on_drawer_draw, nullptr);
                if (err) {
                    s->fail("draw listener", err->str);
                    g_string_free(err, TRUE);
                } else {
                    s->drawer_registered = true;
                }
            }
        }
    } catch (const std::exception& e) {
        s->fail("frame tap", e.what());
    } catch (...) {
        s->fail("frame tap", "unknown error");
    }
    return TAP_PACKET_DONT_REDRAW;
}

void on_drawer_draw(void* tapdata) {
    Session* s = static_cast<Tag*>(tapdata)->session;
    try {
        if (s->active && (s->dirty || s->has_pending || !s->error.empty())) compute(*s, false);
    } catch (...) {
    }
}

// --- the stat_tap_table_ui callbacks ---------------------------------------------------------

void remove_aux_listeners(Session& s) {
    if (s.aux_registered) {
        remove_tap_listener(&s.mptcp_tag);
        remove_tap_listener(&s.frame_tag);
        s.aux_registered = false;
    }
    if (s.drawer_registered) {
        remove_tap_listener(&s.drawer_tag);
        s.drawer_registered = false;
    }
}

// Called by Wireshark's dialog (each time it fills) and by tshark (once per -z), right before
// the main listener is registered; never from inside the tap loop.
void on_init(stat_tap_table_ui* ui) {
    Session* s = session_of_ui(ui);
    if (!s) return;
    try {
        remove_aux_listeners(*s);
        s->clear_data();
        s->main_listener = nullptr;
        if (!table_of(*s)) {
            stat_tap_add_table(ui, stat_tap_init_table(s->table_title, static_cast<int>(s->fields.size()), 0, nullptr));
        }
        GString* err = register_tap_listener(capture::kMptcpTap, &s->mptcp_tag, nullptr, TL_REQUIRES_NOTHING, nullptr,
                                             on_mptcp, nullptr, nullptr);
        if (!err) {
            err = register_tap_listener("frame", &s->frame_tag, nullptr, TL_REQUIRES_NOTHING, nullptr, on_frame,
                                        nullptr, nullptr);
            if (err) remove_tap_listener(&s->mptcp_tag);
        }
        if (err) {
            s->fail("cannot listen to the mptcp and frame taps", err->str);
            g_string_free(err, TRUE);
            set_error_row(*s, s->error);
            s->active = false;
            return;
        }
        s->aux_registered = true;
        s->active = true;
    } catch (...) {
        s->active = false;
    }
}

// Wireshark's dialog resets the tables at the start of each retap.
void on_reset_table(stat_tap_table* table) {
    Session* s = session_of_table(table);
    try {
        clear_rows(table);
        if (s) {
            s->clear_data();
            s->main_listener = nullptr;
            s->active = s->aux_registered;
        }
    } catch (...) {
    }
}

void on_free_cell(stat_tap_table*, guint, guint, stat_tap_table_item_type* cell) { free_cell(cell); }

void register_tables() {
    try {
        for (int i = 0; i < kViews; ++i) {
            Session& s = g_sessions[i];
            const ViewSpec& spec = kSpecs[i];
            s.view = spec.view;
            s.cli = spec.cli;
            s.table_title = spec.table_title;
            s.mptcp_tag.session = s.frame_tag.session = s.drawer_tag.session = &s;
            for (const Column& c : columns_of(spec.view)) {
                const bool count = c.kind == CellKind::Count;
                s.fields.push_back(stat_tap_table_item{count ? TABLE_ITEM_UINT : TABLE_ITEM_STRING,
                                                       count ? TAP_ALIGN_RIGHT : TAP_ALIGN_LEFT, c.name,
                                                       count ? "%u" : "%s"});
            }
            stat_tap_table_ui& ui = g_uis[i];
            ui = stat_tap_table_ui{};
            ui.group = REGISTER_PACKET_STAT_GROUP_UNSORTED;
            ui.title = spec.title;
            ui.tap_name = capture::kTcpTap;
            ui.cli_string = spec.cli;
            ui.stat_tap_init_cb = on_init;
            ui.packet_func = on_main_tcp;
            ui.stat_tap_reset_table_cb = on_reset_table;
            ui.stat_tap_free_table_item_cb = on_free_cell;
            ui.stat_filter_check_cb = nullptr;
            ui.nfields = s.fields.size();
            ui.fields = s.fields.data();
            ui.nparams = 0;
            ui.params = nullptr;
            ui.tables = nullptr;
            s.ui = &ui;
            register_stat_tap_table_ui(&ui);
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

const char plugin_version[] = "0.2.0";
const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

void plugin_register(void) {
    static const tap_plugin tap = {mptcpanalyzer::plugin::register_tables};
    tap_register_plugin(&tap);
}
}
