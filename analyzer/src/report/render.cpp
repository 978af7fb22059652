#include "mptcpanalyzer/report/render.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace mptcpanalyzer::report {
namespace {

template <class... F>
struct Overloaded : F... {
    using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

Column element_column(const Column& list) {
    Column c;
    c.type = list.element;
    c.unit = list.unit;
    return c;
}

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? separator : "") + parts[i];
    return out;
}

std::string details_text(const Value::Details& d) {
    std::vector<std::string> parts;
    for (const auto& [k, v] : d) parts.push_back(k + "=" + v);
    return join(parts, " ");
}

std::string integer_text(const Column& c, std::uint64_t v) {
    if (c.type == Type::Hex64) return fmt::format("{:016x}", v);
    if (c.type == Type::Hex32) return fmt::format("{:08x}", v);
    return std::to_string(v);
}

// The shared walk of a value: `list_separator` and `element` render lists; tables are counts.
template <class Scalar>
std::string render(const Column& c, const Value& v, const std::string& list_separator, Scalar scalar) {
    return std::visit(
        Overloaded{[](std::monostate) { return std::string(); },
                   [&](const std::vector<Value>& list) {
                       const Column e = element_column(c);
                       std::vector<std::string> parts;
                       for (const auto& x : list) parts.push_back(render(e, x, list_separator, scalar));
                       return join(parts, list_separator);
                   },
                   [](const std::shared_ptr<const Table>& t) { return std::to_string(t ? t->rows.size() : 0); },
                   [](const std::shared_ptr<const Record>&) { return std::string(); },
                   [](const Value::Details& d) { return details_text(d); },
                   [&](const auto& x) { return scalar(c, x); }},
        v.data);
}

struct PlainScalar {
    std::string operator()(const Column&, bool b) const { return b ? "1" : "0"; }
    std::string operator()(const Column&, std::int64_t i) const { return std::to_string(i); }
    std::string operator()(const Column& c, std::uint64_t u) const { return integer_text(c, u); }
    std::string operator()(const Column& c, double d) const { return fixed(d, c.decimals); }
    std::string operator()(const Column&, const std::string& s) const { return s; }
};

struct HumanScalar {
    std::string operator()(const Column&, bool b) const { return b ? "yes" : "no"; }
    std::string operator()(const Column& c, std::int64_t i) const {
        if (c.unit == Unit::Duration) return human_duration(i);
        if (c.unit == Unit::Bytes && i >= 0) return human_bytes(static_cast<std::uint64_t>(i));
        return std::to_string(i);
    }
    std::string operator()(const Column& c, std::uint64_t u) const {
        if (c.unit == Unit::Bytes) return human_bytes(u);
        if (c.unit == Unit::Duration) return human_duration(static_cast<std::int64_t>(u));
        return integer_text(c, u);
    }
    std::string operator()(const Column& c, double d) const {
        switch (c.unit) {
            case Unit::Ratio: return fmt::format("{:.2f}%", d * 100.0);
            case Unit::BitsPerSecond: return human_rate(d);
            case Unit::BytesPerSecond: return fmt::format("{:.3f} B/s", d);
            default: return fixed(d, c.decimals);
        }
    }
    std::string operator()(const Column&, const std::string& s) const { return s; }
};

struct CellScalar : PlainScalar {
    using PlainScalar::operator();
    std::string operator()(const Column&, bool b) const { return b ? "yes" : "no"; }
    std::string operator()(const Column& c, std::int64_t i) const {
        return c.unit == Unit::Duration ? exact_seconds(i) : std::to_string(i);
    }
    std::string operator()(const Column& c, double d) const {
        return c.unit == Unit::Ratio ? fmt::format("{:.2f}%", d * 100.0) : fixed(d, c.decimals);
    }
};

nlohmann::ordered_json json_value(const Column& c, const Value& v);

nlohmann::ordered_json json_table(const Table& t) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < t.size(); ++i) out.push_back(to_json(t.row(i)));
    return out;
}

nlohmann::ordered_json json_value(const Column& c, const Value& v) {
    using J = nlohmann::ordered_json;
    return std::visit(
        Overloaded{[](std::monostate) { return J(nullptr); },
                   [](bool b) { return J(b); },
                   [](std::int64_t i) { return J(i); },
                   [&](std::uint64_t u) {
                       return c.type == Type::Hex64 || c.type == Type::Hex32 ? J(integer_text(c, u)) : J(u);
                   },
                   // Fixed decimals, then the shortest double that prints them back.
                   [&](double d) { return J(std::stod(fixed(d, c.decimals))); },
                   [](const std::string& s) { return J(s); },
                   [&](const std::vector<Value>& list) {
                       const Column e = element_column(c);
                       J out = J::array();
                       for (const auto& x : list) out.push_back(json_value(e, x));
                       return out;
                   },
                   [](const std::shared_ptr<const Table>& t) { return t ? json_table(*t) : J::array(); },
                   [](const std::shared_ptr<const Record>& r) { return r ? to_json(r->ref()) : J(nullptr); },
                   [](const Value::Details& d) {
                       J out = J::object();
                       for (const auto& [k, x] : d) out[k] = x;
                       return out;
                   }},
        v.data);
}

// --- CSV --------------------------------------------------------------------------------------

// How to get one CSV cell of a leaf row from the chain of records above it.
struct CsvCell {
    std::string name;
    std::size_t level = 0;        // 0 = root, chain.size()-1 = the leaf
    std::vector<std::string> path;  // column, then nested Record columns
    std::string expand;           // a Records column: this nested column of every row, ';'-joined
};

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        const auto end = s.find(sep, start);
        out.push_back(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return out;
}

void leaf_cells(const Schema& s, std::size_t level, std::vector<std::string> path, const std::string& prefix,
                std::vector<CsvCell>& out) {
    for (const Column& c : s.columns) {
        if (!c.csv) continue;
        auto p = path;
        p.push_back(c.name);
        if (c.type == Type::Record && c.nested) {
            leaf_cells(*c.nested, level, p, prefix + c.csv_prefix, out);
        } else if (c.type == Type::Records && !c.expand.empty()) {
            for (const auto& e : c.expand) out.push_back({prefix + e.name, level, p, e.nested});
        } else {
            out.push_back({prefix + c.name, level, p, {}});
        }
    }
}

std::string csv_cell_value(const std::vector<RowRef>& chain, const CsvCell& cell) {
    RowRef r = chain[cell.level];
    const Column* c = nullptr;
    const Value* v = nullptr;
    for (std::size_t i = 0; i < cell.path.size(); ++i) {
        c = &r.column(cell.path[i]);
        v = &r[cell.path[i]];
        if (i + 1 < cell.path.size()) {
            const Record* nested = v->record();
            if (!nested) return "";
            r = nested->ref();
        }
    }
    if (!cell.expand.empty()) {
        const Table* t = v->table();
        std::vector<std::string> parts;
        if (t) {
            for (std::size_t i = 0; i < t->size(); ++i) parts.push_back(plain(t->row(i), cell.expand));
        }
        return join(parts, ";");
    }
    return plain_value(*c, *v);
}

void collect_rows(const std::vector<std::string>& path, std::vector<RowRef>& chain, const std::vector<CsvCell>& cells,
                  CsvTable& out) {
    const std::size_t depth = chain.size() - 1;
    if (depth == path.size()) {
        std::vector<std::string> row;
        row.reserve(cells.size());
        for (const auto& cell : cells) row.push_back(csv_cell_value(chain, cell));
        out.rows.push_back(std::move(row));
        return;
    }
    const Table* t = chain.back()[path[depth]].table();
    if (!t) return;
    for (std::size_t i = 0; i < t->size(); ++i) {
        chain.push_back(t->row(i));
        collect_rows(path, chain, cells, out);
        chain.pop_back();
    }
}

// --- text -------------------------------------------------------------------------------------

void aligned_table(const Table& t, const std::string& indent, std::string& out) {
    std::vector<std::size_t> shown;
    for (std::size_t i = 0; i < t.schema->columns.size(); ++i) {
        if (t.schema->columns[i].type != Type::Record) shown.push_back(i);
    }
    std::vector<std::vector<std::string>> cells(1);
    for (auto i : shown) cells[0].push_back(t.schema->columns[i].name);
    for (const auto& row : t.rows) {
        cells.emplace_back();
        for (auto i : shown) cells.back().push_back(human_value(t.schema->columns[i], row[i]));
    }
    std::vector<std::size_t> width(shown.size(), 0);
    for (const auto& r : cells)
        for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
    for (const auto& r : cells) {
        std::string line = indent;
        for (std::size_t i = 0; i < r.size(); ++i) line += fmt::format("{:<{}}", r[i], i + 1 < r.size() ? width[i] + 2 : 0);
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
    }
}

void generic_record(const RowRef& r, const std::string& indent, std::string& out) {
    for (std::size_t i = 0; i < r.schema->columns.size(); ++i) {
        const Column& c = r.schema->columns[i];
        const Value& v = (*r.values)[i];
        if (const Table* t = v.table()) {
            out += fmt::format("{}{}:\n", indent, c.title.empty() ? c.name : c.title);
            if (t->rows.empty()) {
                out += indent + "  (none)\n";
            } else {
                aligned_table(*t, indent + "  ", out);
            }
        } else if (const Record* nested = v.record()) {
            out += fmt::format("{}{}:\n", indent, c.title.empty() ? c.name : c.title);
            generic_record(nested->ref(), indent + "  ", out);
        } else {
            out += fmt::format("{}{}: {}\n", indent, c.title.empty() ? c.name : c.title,
                               v.is_null() ? std::string("-") : human_value(c, v));
        }
    }
}

const char* type_doc(Type t) {
    switch (t) {
        case Type::Bool: return "bool";
        case Type::Integer: return "int";
        case Type::Unsigned: return "uint64";
        case Type::Count: return "int";
        case Type::Real: return "real";
        case Type::Text: return "text";
        case Type::Hex64: return "hex (16 digits)";
        case Type::Hex32: return "hex (8 digits)";
        case Type::List: return "list";
        case Type::Records: return "table";
        case Type::Record: return "object";
        case Type::Details: return "key/value pairs";
    }
    return "";
}

const char* unit_doc(Unit u) {
    switch (u) {
        case Unit::None: return "";
        case Unit::Bytes: return "bytes";
        case Unit::Packets: return "packets";
        case Unit::Duration: return "ns";
        case Unit::Timestamp: return "ns since the Unix epoch";
        case Unit::BytesPerSecond: return "B/s";
        case Unit::BitsPerSecond: return "bit/s";
        case Unit::Ratio: return "ratio (0 to 1)";
        case Unit::Frame: return "frame number";
        case Unit::Dsn: return "relative DSN";
    }
    return "";
}

}  // namespace

// --- public -----------------------------------------------------------------------------------

std::string fixed(double value, int decimals) { return fmt::format("{:.{}f}", value, decimals); }

std::string count_of(std::uint64_t count, const std::string& singular, const std::string& plural) {
    return fmt::format("{} {}", count, count == 1 ? singular : plural);
}

std::string human_bytes(std::uint64_t b) {
    if (b < 1000) return fmt::format("{} B", b);
    if (b < 1000 * 1000) return fmt::format("{:.2f} kB", static_cast<double>(b) / 1e3);
    if (b < 1000ULL * 1000 * 1000) return fmt::format("{:.2f} MB", static_cast<double>(b) / 1e6);
    return fmt::format("{:.2f} GB", static_cast<double>(b) / 1e9);
}

std::string human_rate(double bps) {
    if (bps < 1e3) return fmt::format("{:.0f} bit/s", bps);
    if (bps < 1e6) return fmt::format("{:.2f} kbit/s", bps / 1e3);
    if (bps < 1e9) return fmt::format("{:.2f} Mbit/s", bps / 1e6);
    return fmt::format("{:.2f} Gbit/s", bps / 1e9);
}

std::string human_duration(std::int64_t ns) { return fmt::format("{:.6f} s", static_cast<double>(ns) / 1e9); }

std::string exact_seconds(std::int64_t ns) {
    const char* sign = ns < 0 ? "-" : "";
    const std::uint64_t a = ns < 0 ? static_cast<std::uint64_t>(-(ns + 1)) + 1 : static_cast<std::uint64_t>(ns);
    return fmt::format("{}{}.{:09d}", sign, a / 1000000000ULL, a % 1000000000ULL);
}

std::string plain_value(const Column& c, const Value& v) { return render(c, v, ";", PlainScalar{}); }
std::string human_value(const Column& c, const Value& v) { return render(c, v, ", ", HumanScalar{}); }
std::string plain(const RowRef& r, const std::string& column) { return plain_value(r.column(column), r[column]); }
std::string human(const RowRef& r, const std::string& column) { return human_value(r.column(column), r[column]); }

nlohmann::ordered_json to_json(const RowRef& r) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < r.schema->columns.size(); ++i) {
        out[r.schema->columns[i].name] = json_value(r.schema->columns[i], (*r.values)[i]);
    }
    return out;
}

nlohmann::ordered_json to_json(const Document& d) { return to_json(d.root.ref()); }

CsvTable to_csv(const Document& d) {
    const std::vector<std::string> path = d.csv_rows.empty() ? std::vector<std::string>{} : split(d.csv_rows, '/');
    // The schemas from the root to the leaf.
    std::vector<const Schema*> schemas{d.root.schema};
    for (const auto& step : path) {
        const Column& c = schemas.back()->columns[schemas.back()->index_of(step)];
        if (c.type != Type::Records || !c.nested) throw std::logic_error("CSV rows path " + d.csv_rows + " is not a table");
        schemas.push_back(c.nested);
    }
    const std::size_t leaf = schemas.size() - 1;
    std::vector<CsvCell> cells;
    for (std::size_t level = 0; level < leaf; ++level) {
        for (const auto& carry : schemas[level]->csv_carry) {
            if (carry.key) cells.push_back({carry.csv_name, level, split(carry.path, '.'), {}});
        }
    }
    leaf_cells(*schemas[leaf], leaf, {}, "", cells);
    for (std::size_t level = 0; level < leaf; ++level) {
        for (const auto& carry : schemas[level]->csv_carry) {
            if (!carry.key) cells.push_back({carry.csv_name, level, split(carry.path, '.'), {}});
        }
    }
    CsvTable out;
    for (const auto& c : cells) out.columns.push_back(c.name);
    std::vector<RowRef> chain{d.root.ref()};
    collect_rows(path, chain, cells, out);
    return out;
}

std::string csv_text(const CsvTable& t, char delimiter) {
    const auto cell = [delimiter](const std::string& v) {
        if (v.find_first_of(std::string{delimiter} + "\"\n\r") == std::string::npos) return v;
        std::string out = "\"";
        for (char ch : v) {
            if (ch == '"') out += '"';
            out += ch;
        }
        return out + "\"";
    };
    std::string body;
    const auto line = [&](const std::vector<std::string>& cells) {
        for (std::size_t i = 0; i < cells.size(); ++i) {
            if (i) body += delimiter;
            body += cell(cells[i]);
        }
        body += '\n';
    };
    line(t.columns);
    for (const auto& r : t.rows) line(r);
    return body;
}

std::string generic_text(const Document& d) {
    std::string out;
    generic_record(d.root.ref(), "", out);
    return out;
}

std::string to_text(const Document& d) { return d.text ? d.text(d) : generic_text(d); }

std::vector<CellColumn> cell_columns(const Schema& s) {
    std::vector<CellColumn> out;
    for (const Column& c : s.columns) {
        if (c.type == Type::Record) continue;
        if (c.type == Type::Records && !c.expand.empty()) {
            for (const auto& e : c.expand) out.push_back({e.title, false});
            continue;
        }
        // Only values that always fit Wireshark's 32-bit number cells, and are never absent.
        const bool numeric = (c.type == Type::Count || c.type == Type::Records) && !c.nullable;
        out.push_back({c.title.empty() ? c.name : c.title, numeric});
    }
    return out;
}

Cells to_cells(const Table& t) {
    Cells out{cell_columns(*t.schema), {}};
    for (const auto& row : t.rows) {
        std::vector<std::string> cells;
        for (std::size_t i = 0; i < t.schema->columns.size(); ++i) {
            const Column& c = t.schema->columns[i];
            if (c.type == Type::Record) continue;
            if (c.type == Type::Records && !c.expand.empty()) {
                const Table* nested = row[i].table();
                for (const auto& e : c.expand) {
                    std::vector<std::string> parts;
                    for (std::size_t r = 0; nested && r < nested->size(); ++r) {
                        const RowRef n = nested->row(r);
                        parts.push_back(render(n.column(e.nested), n[e.nested], ",", CellScalar{}));
                    }
                    cells.push_back(join(parts, ","));
                }
                continue;
            }
            cells.push_back(render(c, row[i], ",", CellScalar{}));
        }
        out.rows.push_back(std::move(cells));
    }
    return out;
}

std::string markdown_columns(const Schema& s, int level) {
    // Markdown has six heading levels: deeper nested records stay at the sixth.
    std::string out = fmt::format("{} `{}`\n\n{}\n\n| column | type | unit | meaning |\n|---|---|---|---|\n",
                                  std::string(static_cast<std::size_t>(std::min(level, 6)), '#'), s.name, s.meaning);
    std::vector<const Schema*> nested;
    for (const Column& c : s.columns) {
        std::string type = type_doc(c.type);
        if (c.type == Type::List) type += std::string(" of ") + type_doc(c.element);
        if (c.type == Type::Real) type += fmt::format(" ({} decimals)", c.decimals);
        if ((c.type == Type::Records || c.type == Type::Record) && c.nested) {
            type += fmt::format(" of `{}`", c.nested->name);
            if (std::find(nested.begin(), nested.end(), c.nested) == nested.end()) nested.push_back(c.nested);
        }
        if (c.nullable) type += ", may be null";
        out += fmt::format("| `{}` | {} | {} | {} |\n", c.name, type, unit_doc(c.unit), c.meaning);
    }
    for (const Schema* n : nested) out += "\n" + markdown_columns(*n, level + 1);
    return out;
}

}  // namespace mptcpanalyzer::report
