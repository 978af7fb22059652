#include "mptcpanalyzer/report/report.hpp"

#include <stdexcept>

namespace mptcpanalyzer::report {

std::size_t Schema::index_of(const std::string& column) const {
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (columns[i].name == column) return i;
    }
    throw std::logic_error("report schema " + name + " has no column " + column);
}

Value::Value(Table t) : data(std::make_shared<const Table>(std::move(t))) {}
Value::Value(Record r) : data(std::make_shared<const Record>(std::move(r))) {}

const Table* Value::table() const {
    const auto* p = std::get_if<std::shared_ptr<const Table>>(&data);
    return p ? p->get() : nullptr;
}

const Record* Value::record() const {
    const auto* p = std::get_if<std::shared_ptr<const Record>>(&data);
    return p ? p->get() : nullptr;
}

}  // namespace mptcpanalyzer::report
