// mptcpanalyzer's Wireshark epan plugin: three stat_tap_table UIs ("MPTCP Connections",
// "MPTCP Subflows", "MPTCP Reinjections" in Wireshark's Statistics menu; `tshark -z
// mptcp,conns|mptcp,subflows|mptcp,reinjections[,filter]`).
//
// Wireshark's table UI gives each view one listener (the "main" one, on the `tcp` tap, with the
// user's display filter) and draws the table itself; it has no end-of-capture callback. Our
// analyses need the whole capture, so all views are fed by ONE record stream, the shared
// capture::EpanCollector (analyzer/src/capture/epan_collector.*, also the reader's):
//   - its `tcp` and `mptcp` listeners, without a filter, build a PacketRecord per TCP segment;
//   - its `frame` listener (the frame tap is queued at the very end of a frame's dissection)
//     appends the frame's records and calls on_frame_end() with the rows the frame produced;
//   - each view's main listener only notes that its filter let the current frame through, and
//     on_frame_end() adds the frame's rows to the view's RowSelection. Views whose selections are
//     equal (same filter, or none) are rendered from the same table; a filtered view from the
//     rows it selected, as if the capture held only those;
//   - on the capture's LAST frame on_frame_end() fills every table. That is what makes the
//     Wireshark dialog right: after its retap the dialog draws at once, no hook between. "Last
//     frame" = the packet provider knows no frame after it (Wireshark and `tshark -2` know every
//     frame; single-pass tshark knows none ahead, see epan_session_probe.*);
//   - for single-pass tshark, a draw-only listener registered during the first frame: listeners
//     are prepended to Wireshark's queue and drawn in queue order, so this one, registered after
//     tshark's table printers, is drawn (fills the tables) just before the printers print them.
// A view's init callback (before its main listener is registered) and its table's reset callback
// (every retap of a dialog, which refeeds every listener) restart the stream.
// No exception crosses into Wireshark: the collector catches in its listeners, and every callback
// of ours catches everything.

#include <epan/epan_dissect.h>
#include <epan/packet_info.h>
#include <epan/stat_tap_ui.h>
#include <epan/tap.h>
#include <dlfcn.h>
#include <glib.h>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "epan_collector.hpp"
#include "epan_session_probe.hpp"
#include "mptcp_tables.hpp"
#include "mptcpanalyzer/version.hpp"
#include "wireshark_compat.hpp"

#define PLUGIN_EXPORT __attribute__((visibility("default")))

namespace mptcpanalyzer::plugin {
namespace {

constexpr int kViews = 3;

// The rows of the collector's table that a view's filter let through, as [begin, end) runs: one
// run when unfiltered, so equal selections are cheap to find.
class RowSelection {
public:
    void add(std::size_t first, std::size_t count) {
        if (count == 0) return;
        if (!runs_.empty() && runs_.back().second == first) {
            runs_.back().second += count;
        } else {
            runs_.emplace_back(first, first + count);
        }
    }
    void clear() { runs_.clear(); }
    // Every row of a table of `rows` rows.
    bool covers_all(std::size_t rows) const {
        return rows == 0 || (runs_.size() == 1 && runs_[0].first == 0 && runs_[0].second == rows);
    }
    // The selected rows, appended again (relative sequence numbers as if the capture held only those).
    PacketTable select_from(const PacketTable& all) const {
        PacketTable out;
        PacketRecord record;
        for (const auto& [begin, end] : runs_) {
            for (std::size_t row = begin; row < end && row < all.size(); ++row) {
                all.record_into(row, record);
                out.append(record);
            }
        }
        return out;
    }
    bool operator==(const RowSelection&) const = default;

private:
    std::vector<std::pair<std::size_t, std::size_t>> runs_;
};

// One of our stat_tap_table UIs.
struct ViewState {
    View view = View::Connections;
    const char* cli = "";
    const char* table_title = "";
    stat_tap_table_ui* ui = nullptr;
    std::vector<stat_tap_table_item> fields;  // Wireshark keeps a pointer to this array
    // tshark only: the column names and cell formats `fields` points to, sized to the cells.
    std::vector<std::string> tshark_titles, tshark_formats;

    const void* main_listener = nullptr;  // the first main listener seen since init (one per view)
    std::uint32_t passed_frame = 0;       // the last frame the main listener's filter let through
    RowSelection rows;                    // what the view sees of the collector's table
    bool active = false;                  // its table waits for the current pass
};

ViewState g_views[kViews];

// The one record stream of every view. Allocated once and never destroyed: a destructor at exit
// would remove listeners from an already cleaned-up libwireshark.
struct Stream {
    std::unique_ptr<capture::EpanCollector> collector;
    std::unique_ptr<capture::TapListener> drawer;  // single-pass tshark only
    bool random_access = false;                    // the provider knows frames ahead of the current one
};
Stream& stream() {
    static Stream* const s = new Stream;
    return *s;
}

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

ViewState* view_of_ui(const stat_tap_table_ui* ui) {
    for (auto& v : g_views) {
        if (v.ui == ui) return &v;
    }
    return nullptr;
}

stat_tap_table* table_of(ViewState& v) {
    if (!v.ui || !v.ui->tables || v.ui->tables->len == 0) return nullptr;
    return g_array_index(v.ui->tables, stat_tap_table*, 0);
}

ViewState* view_of_table(const stat_tap_table* table) {
    for (auto& v : g_views) {
        if (table && table_of(v) == table) return &v;
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

// Whether the tables are printed by tshark's text printer rather than shown by the Qt dialog.
// tshark 4.0 prints each title as "%s |" and each cell with its column's field_format and " |"
// (ui/cli/tap-simple_stattable.c): no width, no alignment, so a column lines up only when its
// format and title carry both. The Qt dialog formats its cells with field_format too, but aligns
// them itself, sizes its columns to their contents, and puts the titles in its header and in its
// CSV/XML/YAML exports: there they stay plain. Wireshark is the process with Qt loaded (tshark
// links no Qt).
bool text_printer_host() {
    static const bool text = dlsym(RTLD_DEFAULT, "qVersion") == nullptr;
    return text;
}

// tshark only: each column as wide as its widest cell or title (set before tshark prints), numbers
// right-aligned ("%12s"), words left-aligned ("%-12s"): every row's separators line up.
void fit_columns_to_cells(ViewState& v, const Table& t) {
    if (!text_printer_host() || t.columns.size() != v.fields.size()) return;
    const std::vector<std::size_t> widths = column_widths(t);
    std::vector<std::string> titles, formats;
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
        const Column& column = t.columns[c];
        titles.push_back(padded_title(column, widths[c]));
        formats.push_back(std::string("%") + (column.align == Align::Right ? "" : "-") + std::to_string(widths[c]) +
                          (column.kind == CellKind::Count ? "u" : "s"));
    }
    // Nothing reads the old strings between here and the pointers' update (tshark prints later).
    v.tshark_titles = std::move(titles);
    v.tshark_formats = std::move(formats);
    for (std::size_t c = 0; c < v.fields.size(); ++c) {
        v.fields[c].column_name = v.tshark_titles[c].c_str();
        v.fields[c].field_format = v.tshark_formats[c].c_str();
    }
}

void set_rows(ViewState& v, const Table& t) {
    stat_tap_table* table = table_of(v);
    if (!table) return;
    fit_columns_to_cells(v, t);
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

// A failed analysis: one row whose text cell says why (error_table), the others empty/zero.
void set_error_row(ViewState& v, const std::string& why) noexcept {
    try {
        set_rows(v, error_table(v.view, why));
        std::fprintf(stderr, "mptcpanalyzer plugin: %s: %s\n", v.cli, why.c_str());
    } catch (...) {
    }
}

// Renders each of `views` from one finished PacketTable: the plugin's only use of build_tables
// (the report API replaces it here).
void fill_tables(std::span<ViewState* const> views, const PacketTable& packets) {
    try {
        // One analysis of these packets serves every view that selected them.
        const auto tables = build_tables(packets);
        for (ViewState* v : views) set_rows(*v, tables[static_cast<std::size_t>(v->view)]);
    } catch (const std::exception& e) {
        for (ViewState* v : views) set_error_row(*v, std::string("cannot compute the table: ") + e.what());
    } catch (...) {
        for (ViewState* v : views) set_error_row(*v, "cannot compute the table");
    }
}

// Views that selected the same rows share one table; a view that selected every row uses `all`.
void render_selections(std::vector<ViewState*> views, const PacketTable& all) {
    while (!views.empty()) {
        const RowSelection& selection = views.front()->rows;
        std::vector<ViewState*> same, others;
        for (ViewState* v : views) (v->rows == selection ? same : others).push_back(v);
        if (selection.covers_all(all.size())) {
            fill_tables(same, all);
        } else {
            PacketTable selected = selection.select_from(all);
            selected.finish_appending();
            fill_tables(same, selected);
        }
        views = std::move(others);
    }
}

// Fills the tables of the active views. `last`: no more packets will come (we may consume ours,
// and the views wait for the next init or retap).
void compute_tables(bool last) {
    capture::EpanCollector& collector = *stream().collector;
    std::vector<ViewState*> views;
    for (auto& v : g_views) {
        if (v.active && table_of(v)) views.push_back(&v);
    }
    try {
        collector.end_frame();
        collector.take_new_rows_flag();
        if (collector.failed()) {
            for (ViewState* v : views) set_error_row(*v, collector.failure_message());
        } else if (last) {
            collector.table().finish_appending();
            render_selections(views, collector.table());
        } else {
            PacketTable copy = collector.table();  // more packets may come: keep ours appendable
            copy.finish_appending();
            render_selections(views, copy);
        }
    } catch (const std::exception& e) {
        for (ViewState* v : views) set_error_row(*v, std::string("cannot compute the table: ") + e.what());
    } catch (...) {
        for (ViewState* v : views) set_error_row(*v, "cannot compute the table");
    }
    if (last) {
        collector.reset();  // the tables hold the answer: free the records
        collector.set_collecting(false);
        for (auto& v : g_views) v.active = false;
    }
}

// --- listeners ------------------------------------------------------------------------------

// The view's main listener (Wireshark's, with the view's filter): the frame passed the filter.
tap_packet_status on_main_tcp(void* tapdata, packet_info* pinfo, epan_dissect_t*, const void*, tap_flags_t) {
    auto* sd = static_cast<stat_data_t*>(tapdata);
    ViewState* v = sd ? view_of_ui(sd->stat_tap_data) : nullptr;
    if (!v || !v->active || !pinfo) return TAP_PACKET_DONT_REDRAW;
    if (!v->main_listener) v->main_listener = tapdata;
    if (v->main_listener == tapdata) v->passed_frame = pinfo->num;  // else a second -z of this view
    return TAP_PACKET_DONT_REDRAW;
}

void on_drawer_draw(void*) {
    try {
        capture::EpanCollector* collector = stream().collector.get();
        if (!collector || !collector->collecting()) return;
        collector->end_frame();
        if (collector->take_new_rows_flag() || collector->failed()) compute_tables(false);
    } catch (...) {
    }
}

// The collector's frame listener calls this at the end of every frame (inside the tap loop; an
// exception becomes the collector's failure, shown in the tables).
void on_frame_end(const packet_info& pinfo, capture::FrameRows rows) {
    for (auto& v : g_views) {
        if (v.active && v.passed_frame == pinfo.num) v.rows.add(rows.first, rows.count);
    }
    Stream& s = stream();
    if (provider_knows_frame(pinfo, pinfo.num + 1)) {
        s.random_access = true;
    } else if (s.random_access) {
        compute_tables(true);  // the last frame of a retap (Wireshark) or of `tshark -2`
    } else {
        // Single-pass tshark (no frame is known ahead) or a one-frame capture: the drawer fills
        // the tables at draw time; fill them now too in case this is the only frame.
        if (pinfo.num <= 1) compute_tables(false);
        if (!s.drawer) {
            // Safe inside the tap loop: the new listener is prepended, the loop goes on from the
            // current one. No filter, no per-packet callback, flags 0: dissection unchanged.
            s.drawer = std::make_unique<capture::TapListener>("frame", nullptr, nullptr, on_drawer_draw);
        }
    }
}

// --- the stat_tap_table_ui callbacks ---------------------------------------------------------

// A new pass over the capture starts: every view collects again from the first frame.
void restart_stream() {
    Stream& s = stream();
    s.collector->reset();
    s.collector->set_collecting(true);
    s.random_access = false;
    for (auto& v : g_views) {
        v.rows.clear();
        v.passed_frame = 0;
    }
}

// Called by Wireshark's dialog (each time it fills) and by tshark (once per -z), right before
// the main listener is registered; never from inside the tap loop.
void on_init(stat_tap_table_ui* ui) {
    ViewState* v = view_of_ui(ui);
    if (!v) return;
    try {
        v->active = false;
        v->main_listener = nullptr;
        if (!table_of(*v)) {
            // Our cells only: in Wireshark `fields` also holds the dialog's filler column.
            const int cells = static_cast<int>(columns_of(v->view).size());
            stat_tap_add_table(ui, stat_tap_init_table(v->table_title, cells, 0, nullptr));
        }
        Stream& s = stream();
        s.drawer.reset();
        if (!s.collector) s.collector = std::make_unique<capture::EpanCollector>(on_frame_end);
        restart_stream();
        v->active = true;
    } catch (const std::exception& e) {
        set_error_row(*v, std::string("cannot listen to the tcp, mptcp and frame taps: ") + e.what());
    } catch (...) {
        set_error_row(*v, "cannot listen to the tcp, mptcp and frame taps");
    }
}

// Wireshark's dialog resets the tables at the start of each retap, before any packet.
void on_reset_table(stat_tap_table* table) {
    ViewState* v = view_of_table(table);
    try {
        clear_rows(table);
        if (v && stream().collector) {
            restart_stream();
            v->main_listener = nullptr;
            v->active = true;
        }
    } catch (...) {
    }
}

void on_free_cell(stat_tap_table*, guint, guint, stat_tap_table_item_type* cell) { free_cell(cell); }

void register_tables() {
    try {
        for (int i = 0; i < kViews; ++i) {
            ViewState& v = g_views[i];
            const ViewSpec& spec = kSpecs[i];
            v.view = spec.view;
            v.cli = spec.cli;
            v.table_title = spec.table_title;
            for (const Column& c : columns_of(spec.view)) {
                const bool count = c.kind == CellKind::Count;
                // Numbers right-aligned whether their cell is a number or text (64-bit counters):
                // in tshark's table and in the dialog's cells and header.
                v.fields.push_back(stat_tap_table_item{count ? TABLE_ITEM_UINT : TABLE_ITEM_STRING,
                                                       c.align == Align::Right ? TAP_ALIGN_RIGHT : TAP_ALIGN_LEFT,
                                                       c.name, count ? "%u" : "%s"});
            }
            if (!text_printer_host()) {
                // Wireshark's dialog sizes every column to its contents but the last, which Qt
                // stretches over the room left or, when the table is wider than the dialog, leaves
                // at its default width (about 100 px), cutting a longer title or cell. A last,
                // empty header-only column (the tables' rows have no cell for it) takes that role,
                // so each of our columns shows its whole title and cells. Not in tshark, which
                // prints every title.
                v.fields.push_back(stat_tap_table_item{TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "", "%s"});
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
            ui.nfields = v.fields.size();
            ui.fields = v.fields.data();
            ui.nparams = 0;
            ui.params = nullptr;
            ui.tables = nullptr;
            v.ui = &ui;
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

// The project version (CMakeLists.txt `project(... VERSION)`), as `mptcpanalyzer version` prints it.
const char plugin_version[] = MPTCPANALYZER_VERSION;
// The Wireshark ABI the plugin was built for, MAJOR.MINOR of the libwireshark headers
// (wireshark_compat.hpp): Wireshark loads a plugin only when both equal its own, from
// plugins/MAJOR.MINOR/epan.
const int plugin_want_major = mptcpanalyzer::capture::wireshark::kMajor;
const int plugin_want_minor = mptcpanalyzer::capture::wireshark::kMinor;

void plugin_register(void) {
    static const tap_plugin tap = {mptcpanalyzer::plugin::register_tables};
    tap_register_plugin(&tap);
}

#if defined(MPTCPANALYZER_WIRESHARK_PLUGIN_DESCRIBE)
// What the plugin registers, for Wireshark's plugin lists (`tshark -G plugins`, About >
// Plugins): tap listeners and their statistics tables.
PLUGIN_EXPORT uint32_t plugin_describe(void);
uint32_t plugin_describe(void) { return WS_PLUGIN_DESC_TAP_LISTENER; }
#endif
}
