#include "mptcp_tables.hpp"

#include <algorithm>
#include <cstring>
#include <deque>
#include <stdexcept>

#include "mptcpanalyzer/analysis/session.hpp"
#include "mptcpanalyzer/report/render.hpp"
#include "mptcpanalyzer/report/reports.hpp"

namespace mptcpanalyzer::plugin {
namespace {

report::Overview overview_of(View view) {
    switch (view) {
        case View::Connections: return report::Overview::Connections;
        case View::Subflows: return report::Overview::Subflows;
        case View::Reinjections: break;
    }
    return report::Overview::Reinjections;
}

bool numeric_type(report::Type type) {
    switch (type) {
        case report::Type::Integer:
        case report::Type::Unsigned:
        case report::Type::Count:
        case report::Type::Real:
        case report::Type::Hex64:
        case report::Type::Hex32:
            return true;
        default:
            return false;
    }
}

// Numbers, and lists of numbers (frames, tcp.streams), align right; words and lists of words left.
Align align_of(const report::Column& c) {
    if (numeric_type(c.type) || c.type == report::Type::Records) return Align::Right;  // Records: a count
    if (c.type == report::Type::List && numeric_type(c.element)) return Align::Right;
    return Align::Left;
}

// Mirrors report::cell_columns' walk over the schema (a Record column has no cell, an expanded
// Records column one cell per expansion: that nested column of every row, joined; any other
// column one cell) to know each cell's report type; columns_of checks both walks agree.
std::vector<Align> cell_alignments(const report::Schema& schema) {
    std::vector<Align> out;
    for (const report::Column& c : schema.columns) {
        if (c.type == report::Type::Record) continue;
        if (c.type == report::Type::Records && !c.expand.empty()) {
            for (const auto& e : c.expand) {
                const report::Column* nested = nullptr;
                if (c.nested) {
                    for (const auto& n : c.nested->columns) {
                        if (n.name == e.nested) nested = &n;
                    }
                }
                // A list of that nested column's values.
                out.push_back(nested && numeric_type(nested->type) ? Align::Right : Align::Left);
            }
            continue;
        }
        out.push_back(align_of(c));
    }
    return out;
}

Table render(View view, const AnalysisSession& session) {
    report::Cells cells = report::to_cells(report::overview(session, overview_of(view)));
    return {columns_of(view), std::move(cells.rows)};
}

}  // namespace

const std::vector<Column>& columns_of(View view) {
    // Built once from the report schemas; the titles' storage never moves.
    static const std::deque<std::vector<report::CellColumn>> described = [] {
        std::deque<std::vector<report::CellColumn>> d;
        for (View v : kViews) d.push_back(report::cell_columns(report::overview_schema(overview_of(v))));
        return d;
    }();
    static const std::array<std::vector<Column>, 3> columns = [] {
        std::array<std::vector<Column>, 3> out;
        for (std::size_t i = 0; i < kViews.size(); ++i) {
            const std::vector<Align> aligns = cell_alignments(report::overview_schema(overview_of(kViews[i])));
            if (aligns.size() != described[i].size()) {
                throw std::logic_error("epan plugin: the report's cell columns and the schema walk disagree");
            }
            for (std::size_t c = 0; c < aligns.size(); ++c) {
                const report::CellColumn& cell = described[i][c];
                out[i].push_back({cell.title.c_str(), cell.numeric ? CellKind::Count : CellKind::Text, aligns[c]});
            }
        }
        return out;
    }();
    return columns[static_cast<std::size_t>(view)];
}

std::vector<std::size_t> column_widths(const Table& t) {
    std::vector<std::size_t> widths;
    for (const Column& c : t.columns) widths.push_back(std::strlen(c.name));
    for (const auto& row : t.rows) {
        for (std::size_t c = 0; c < row.size() && c < widths.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
    }
    return widths;
}

std::string padded_title(const Column& column, std::size_t width) {
    std::string title = column.name;
    if (title.size() >= width) return title;
    const std::string padding(width - title.size(), ' ');
    return column.align == Align::Right ? padding + title : title + padding;
}

Table error_table(View view, const std::string& why) {
    Table t{columns_of(view), {}};
    std::vector<std::string> row(t.columns.size());
    const auto text = std::find_if(t.columns.begin(), t.columns.end(), [](const Column& c) { return c.kind == CellKind::Text; });
    // Every view has text columns (endpoints); the fallback keeps the message somewhere.
    row[text == t.columns.end() ? 0 : static_cast<std::size_t>(text - t.columns.begin())] = "mptcpanalyzer: " + why;
    t.rows.push_back(std::move(row));
    return t;
}

std::array<Table, 3> build_tables(PacketTable table) {
    const AnalysisSession session(std::move(table));
    return {render(View::Connections, session), render(View::Subflows, session), render(View::Reinjections, session)};
}

}  // namespace mptcpanalyzer::plugin
