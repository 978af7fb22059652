#include "mptcp_tables.hpp"

#include <deque>

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
            for (const auto& c : described[i]) out[i].push_back({c.title.c_str(), c.numeric ? CellKind::Count : CellKind::Text});
        }
        return out;
    }();
    return columns[static_cast<std::size_t>(view)];
}

std::array<Table, 3> build_tables(PacketTable table) {
    const AnalysisSession session(std::move(table));
    return {render(View::Connections, session), render(View::Subflows, session), render(View::Reinjections, session)};
}

}  // namespace mptcpanalyzer::plugin
