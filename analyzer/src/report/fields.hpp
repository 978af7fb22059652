#pragma once
// Row objects and column helpers shared by the report definitions of this folder.

#include <fmt/format.h>

#include <functional>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

#include "mptcpanalyzer/analysis/session.hpp"
#include "mptcpanalyzer/report/render.hpp"
#include "mptcpanalyzer/report/report.hpp"

namespace mptcpanalyzer::report {

struct TcpRow {
    const AnalysisSession* session;
    const TcpConnection* tcp;
};
struct ConnectionRow {
    const AnalysisSession* session;
    const MptcpConnection* mptcp;
};
struct SubflowRow {
    const AnalysisSession* session;
    const MptcpConnection* mptcp;
    std::size_t index;  // in mptcp->subflows
    const Subflow& subflow() const { return mptcp->subflows[index]; }
    const TcpConnection& tcp() const { return session->tcp_of(subflow()); }
};

inline Value stream_value(std::int64_t mptcp_stream) {
    return mptcp_stream >= 0 ? Value(mptcp_stream) : Value();
}

// The fields of `all` named in `names`, in that order: one report reusing another's columns.
template <class Row>
std::vector<Field<Row>> pick(const std::vector<Field<Row>>& all, std::initializer_list<const char*> names) {
    std::vector<Field<Row>> out;
    for (const char* n : names) {
        bool found = false;
        for (const auto& f : all) {
            if (f.column.name == n) {
                out.push_back(f);
                found = true;
            }
        }
        if (!found) throw std::logic_error(std::string("no report field ") + n);
    }
    return out;
}

template <class Row>
std::vector<Field<Row>> concat(std::vector<Field<Row>> a, const std::vector<Field<Row>>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// Counts with their unit in text for people: "1 byte", "5712 bytes", "1 packet", "3 packets".
inline std::string byte_count(std::uint64_t n) { return fmt::format("{} {}", n, n == 1 ? "byte" : "bytes"); }
inline std::string packet_count(std::uint64_t n) { return fmt::format("{} {}", n, n == 1 ? "packet" : "packets"); }

// A list report's text: `line(row)` for each record of the root's table `table`, or `none`.
std::string lines_of(const Document& document, const std::string& table, const char* none,
                     const std::function<std::string(const RowRef&)>& line);

// Shared by several reports.
const std::vector<Field<TcpRow>>& tcp_connection_fields();
const std::vector<Field<ConnectionRow>>& connection_fields();
const std::vector<Field<SubflowRow>>& subflow_fields();
const RecordSpec<const Anomaly*>& anomaly_spec();
Table anomalies_table(const AnalysisSession& session, std::uint32_t tcp_stream);
// "  anomaly at frame N: kind (detail)" lines of an anomalies table.
std::string anomalies_text(const Value& anomalies, const std::string& indent);
std::string connection_text(const RowRef& connection);
const Schema& reinjection_schema();
const Schema& mptcp_retransmission_schema();
const Schema& event_schema();
const Schema* tcp_summary_schema();
const Schema* mptcp_summary_schema();
const Schema* reordering_schema();
const Schema& qualify_reinjections_schema();
const Schema& summary_extended_schema();
const Schema* one_way_delays_schema();

}  // namespace mptcpanalyzer::report
