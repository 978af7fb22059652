#pragma once
// Column<T>: one column of the packet table, a contiguous array of a trivially copyable T.
//
// Readers (the analyses, exporters, commands, plugins) see a column through `const Column<T>&`
// and read it by row: size(), operator[] (a T by value), and a const iterator yielding T. There
// is no pointer to a column's values for readers: a packed column has none. Only the table
// itself, the cache codec and tests grow or edit one. The values are either the column's own
// (a std::vector, while a table is built by append) or a view of values someone else keeps alive
// (the cache file mapped in place: PacketTable holds the mapping), raw or packed
// (model/packed_column.hpp: decoded row by row on read, random access kept, nothing copied to
// the heap). Readers cannot tell; that is why this is not simply a std::vector. Any write to a
// viewed or packed column first copies its values into its own storage (never needed in
// practice: a loaded table is only read). The raw/packed test in operator[] is one flag per
// column, the same for every row of a loop: the branch predicts.

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "mptcpanalyzer/model/packed_column.hpp"

namespace mptcpanalyzer {

template <class T>
class Column {
    static_assert(std::is_trivially_copyable_v<T>, "columns are stored and cached as raw bytes");

public:
    using value_type = T;

    // Yields T by value (a packed row has no address).
    class const_iterator {
    public:
        using iterator_concept = std::random_access_iterator_tag;
        using iterator_category = std::input_iterator_tag;
        using value_type = T;
        using difference_type = std::ptrdiff_t;
        using reference = T;
        using pointer = void;
        const_iterator() = default;
        const_iterator(const Column* column, std::size_t row) noexcept : column_(column), row_(row) {}
        T operator*() const { return (*column_)[row_]; }
        T operator[](difference_type n) const { return (*column_)[row_ + static_cast<std::size_t>(n)]; }
        const_iterator& operator++() noexcept { ++row_; return *this; }
        const_iterator operator++(int) noexcept { auto old = *this; ++row_; return old; }
        const_iterator& operator--() noexcept { --row_; return *this; }
        const_iterator operator--(int) noexcept { auto old = *this; --row_; return old; }
        const_iterator& operator+=(difference_type n) noexcept { row_ += static_cast<std::size_t>(n); return *this; }
        const_iterator& operator-=(difference_type n) noexcept { row_ -= static_cast<std::size_t>(n); return *this; }
        friend const_iterator operator+(const_iterator it, difference_type n) noexcept { return it += n; }
        friend const_iterator operator+(difference_type n, const_iterator it) noexcept { return it += n; }
        friend const_iterator operator-(const_iterator it, difference_type n) noexcept { return it -= n; }
        friend difference_type operator-(const const_iterator& a, const const_iterator& b) noexcept {
            return static_cast<difference_type>(a.row_) - static_cast<difference_type>(b.row_);
        }
        friend bool operator==(const const_iterator& a, const const_iterator& b) noexcept { return a.row_ == b.row_; }
        friend auto operator<=>(const const_iterator& a, const const_iterator& b) noexcept { return a.row_ <=> b.row_; }

    private:
        const Column* column_ = nullptr;
        std::size_t row_ = 0;
    };
    using iterator = const_iterator;

    Column() = default;
    Column(const Column& other) { *this = other; }
    Column(Column&& other) noexcept { *this = std::move(other); }
    Column& operator=(const Column& other) {
        if (this == &other) return *this;
        viewed_ = other.viewed_;
        packed_ = other.packed_;
        reader_ = other.reader_;
        values_ = other.values_;
        if (viewed_) {
            data_ = other.data_;
            size_ = other.size_;
        } else {
            sync();
        }
        return *this;
    }
    Column& operator=(Column&& other) noexcept {
        if (this == &other) return *this;
        viewed_ = other.viewed_;
        packed_ = other.packed_;
        reader_ = other.reader_;
        values_ = std::move(other.values_);
        if (viewed_) {
            data_ = other.data_;
            size_ = other.size_;
        } else {
            sync();
        }
        other.values_.clear();
        other.viewed_ = false;
        other.packed_ = false;
        other.sync();
        return *this;
    }

    // Reading.
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    T operator[](std::size_t row) const {
        if (packed_) [[unlikely]] return packed::from_bits<T>(reader_.bits(row));
        return data_[row];
    }
    const_iterator begin() const noexcept { return {this, 0}; }
    const_iterator end() const noexcept { return {this, size_}; }
    // The raw values, for the cache writer; null for a packed column (no raw values exist).
    const T* raw_values() const noexcept { return packed_ ? nullptr : data_; }

    // Writing: the table, the cache codec, tests.
    T& operator[](std::size_t row) {
        own();
        return values_[row];
    }
    T* data() noexcept {
        own();
        return values_.data();
    }
    void push_back(T value) {
        own();
        values_.push_back(value);
        sync();
    }
    void pop_back() {
        own();
        values_.pop_back();
        sync();
    }
    void resize(std::size_t rows) {
        own();
        values_.resize(rows);
        sync();
    }
    void reserve(std::size_t rows) {
        own();
        values_.reserve(rows);
        sync();
    }
    void clear() noexcept {
        viewed_ = false;
        packed_ = false;
        values_.clear();
        sync();
    }
    // Reads `rows` values at `values` in place, without copying; whoever calls this keeps them
    // alive and unchanged as long as the column (and its copies) are used.
    void view(const T* values, std::size_t rows) noexcept {
        values_ = std::vector<T>();
        viewed_ = true;
        packed_ = false;
        data_ = values;
        size_ = rows;
    }
    // Reads a validated packed layout in place (packed::validate); whoever calls this keeps the
    // layout's bytes and the group reader alive and unchanged as long as the column is used.
    void view_packed(const packed::PackedReader& reader) noexcept {
        values_ = std::vector<T>();
        viewed_ = true;
        packed_ = true;
        reader_ = reader;
        data_ = nullptr;
        size_ = reader.size();
    }
    bool is_view() const noexcept { return viewed_; }
    bool is_packed() const noexcept { return packed_; }
    // Heap bytes held (for PacketTable::memory_bytes); a view holds none.
    std::size_t allocated_bytes() const noexcept { return values_.capacity() * sizeof(T); }

    friend bool operator==(const Column& a, const Column& b) { return std::ranges::equal(a, b); }
    friend bool operator==(const Column& a, const std::vector<T>& b) { return std::ranges::equal(a, b); }

private:
    void sync() noexcept {
        data_ = values_.data();
        size_ = values_.size();
    }
    void own() {
        if (!viewed_) return;
        if (packed_) {
            std::vector<T> values(size_);
            for (std::size_t row = 0; row < size_; ++row) values[row] = packed::from_bits<T>(reader_.bits(row));
            values_ = std::move(values);
        } else {
            values_.assign(data_, data_ + size_);
        }
        viewed_ = false;
        packed_ = false;
        sync();
    }

    std::vector<T> values_;
    const T* data_ = nullptr;  // values_.data(), or the viewed values (null when packed)
    std::size_t size_ = 0;
    bool viewed_ = false;
    bool packed_ = false;  // viewed_ too: reader_ decodes the rows
    packed::PackedReader reader_;
};

}  // namespace mptcpanalyzer
