#pragma once
// Reports as data: every report (TCP list, MPTCP list, summaries, reinjections, events, ...) is
// produced once as a typed document, and renderers turn any document into text, JSON, CSV or
// the cells of a Wireshark table. A column is described once (name, title, type, unit, one-line
// meaning) next to the code that computes its value (RecordSpec), so adding a column to a report
// is one line, and every rendering, the Wireshark plugin and the documentation follow.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace mptcpanalyzer::report {

// What a value is, independently of how it is shown.
enum class Type : std::uint8_t {
    Bool,
    Integer,   // signed 64-bit
    Unsigned,  // unsigned 64-bit, exact in every rendering
    Count,     // unsigned below 2^32 (stream and frame numbers, counts): a number cell in Wireshark
    Real,      // fixed decimals (Column::decimals)
    Text,      // free text or a stable snake_case enumeration value
    Hex64,     // an unsigned 64-bit value shown as 16 hex digits (keys)
    Hex32,     // 8 hex digits (tokens)
    List,      // a list of scalars of Column::element
    Records,   // a nested table (Column::nested describes its records)
    Record,    // one nested record (Column::nested), a JSON object
    Details,   // ordered key/value pairs whose keys vary by row (event details)
};

enum class Unit : std::uint8_t {
    None,
    Bytes,
    Packets,
    Duration,        // nanoseconds
    Timestamp,       // nanoseconds since the Unix epoch
    BytesPerSecond,
    BitsPerSecond,
    Ratio,           // 0..1 (shown as a percentage in text and in Wireshark)
    Frame,           // a frame number
    Dsn,             // a relative data sequence number
};

struct Schema;

struct Column {
    std::string name;     // snake_case: JSON key, CSV header
    std::string title;    // for people: Wireshark column header, documentation
    Type type = Type::Text;
    Unit unit = Unit::None;
    std::string meaning;  // one line, for the documentation
    bool nullable = false;          // may be absent (JSON null, empty cell)
    int decimals = 0;               // Type::Real
    Type element = Type::Unsigned;  // Type::List
    const Schema* nested = nullptr; // Type::Records and Type::Record
    // CSV and Wireshark cells: a Records column is a count by default; `expand` turns it into one
    // column per Expansion (that nested column of every row, joined). A Record column is
    // flattened in CSV with `csv_prefix` before its columns' names. `csv` false leaves the
    // column out of CSV rows.
    struct Expansion {
        std::string name;    // CSV header
        std::string nested;  // the nested column
        std::string title;   // Wireshark column header
    };
    std::vector<Expansion> expand;
    std::string csv_prefix;
    bool csv = true;
};

// The description of one kind of record (a row).
struct Schema {
    std::string name;     // e.g. "mptcp_connection"
    std::string meaning;
    std::vector<Column> columns;
    // CSV rows of a descendant table carry these columns of this record too. `key` ones go first
    // (unprefixed), `context` ones last, named `csv_name`; `path` may go into a Record column
    // ("application_rate.bytes_per_second").
    struct CsvCarry {
        std::string csv_name;
        std::string path;
        bool key = true;
    };
    std::vector<CsvCarry> csv_carry;

    // Index of a column, or throws std::logic_error (a report refers to its own columns).
    std::size_t index_of(const std::string& column) const;
};

struct Table;
struct Record;

// One value. Absent values are Null.
struct Value {
    using Details = std::vector<std::pair<std::string, std::string>>;
    std::variant<std::monostate, bool, std::int64_t, std::uint64_t, double, std::string, std::vector<Value>,
                 std::shared_ptr<const Table>, std::shared_ptr<const Record>, Details>
        data;

    Value() = default;
    Value(std::nullptr_t) {}
    Value(bool v) : data(v) {}
    Value(std::int64_t v) : data(v) {}
    Value(std::int32_t v) : data(std::int64_t{v}) {}
    Value(std::uint64_t v) : data(v) {}
    Value(std::uint32_t v) : data(std::uint64_t{v}) {}
    Value(std::uint16_t v) : data(std::uint64_t{v}) {}
    Value(std::uint8_t v) : data(std::uint64_t{v}) {}
    Value(double v) : data(v) {}
    Value(std::string v) : data(std::move(v)) {}
    Value(const char* v) : data(std::string(v)) {}
    Value(std::vector<Value> v) : data(std::move(v)) {}
    Value(Table t);
    Value(Record r);
    Value(Details d) : data(std::move(d)) {}
    template <class T>
    static Value optional(const std::optional<T>& v) {
        return v ? Value(*v) : Value();
    }

    bool is_null() const { return std::holds_alternative<std::monostate>(data); }
    const Table* table() const;
    const Record* record() const;
};

// A read-only view of one record: a table row or a Record.
struct RowRef {
    const Schema* schema = nullptr;
    const std::vector<Value>* values = nullptr;
    const Value& operator[](const std::string& column) const { return (*values)[schema->index_of(column)]; }
    const Column& column(const std::string& name) const { return schema->columns[schema->index_of(name)]; }
};

struct Record {
    const Schema* schema = nullptr;
    std::vector<Value> values;  // one per schema column
    RowRef ref() const { return {schema, &values}; }
    const Value& operator[](const std::string& column) const { return ref()[column]; }
};

struct Table {
    const Schema* schema = nullptr;
    std::vector<std::vector<Value>> rows;
    std::size_t size() const { return rows.size(); }
    RowRef row(std::size_t i) const { return {schema, &rows[i]}; }
};

// A column whose value is computed from a row object `Row` (a connection, a subflow, ...).
template <class Row>
struct Field {
    Column column;
    std::function<Value(const Row&)> value;
};

// The columns of one kind of record with the code that computes each: built once (a function
// static), it yields the Schema and turns row objects into records.
template <class Row>
class RecordSpec {
public:
    RecordSpec(std::string name, std::string meaning, std::vector<Field<Row>> fields,
               std::vector<Schema::CsvCarry> carry = {})
        : fields_(std::move(fields)) {
        schema_.name = std::move(name);
        schema_.meaning = std::move(meaning);
        for (const auto& f : fields_) schema_.columns.push_back(f.column);
        schema_.csv_carry = std::move(carry);
    }
    const Schema& schema() const { return schema_; }
    std::vector<Value> row(const Row& r) const {
        std::vector<Value> out;
        out.reserve(fields_.size());
        for (const auto& f : fields_) out.push_back(f.value(r));
        return out;
    }
    Record record(const Row& r) const { return Record{&schema_, row(r)}; }
    template <class Range>
    Table table(const Range& rows) const {
        Table t{&schema_, {}};
        for (const auto& r : rows) t.rows.push_back(row(r));
        return t;
    }

private:
    Schema schema_;
    std::vector<Field<Row>> fields_;
};

// A report: what a command prints. `root` is one record (a JSON object): a summary's fields, or
// a list report's named tables. `csv_rows` is the path through Records columns to the table whose
// records are the CSV rows ("mptcp_connections/subflows"); `text` renders it for people (the
// generic renderer when empty).
struct Document {
    Record root;
    std::string csv_rows;
    std::function<std::string(const Document&)> text;
};

}  // namespace mptcpanalyzer::report
