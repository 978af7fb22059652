#pragma once
// Column<T>: one column of the packet table, a contiguous array of a trivially copyable T.
//
// Readers (the analyses, exporters, commands, plugins) see a column through `const Column<T>&`
// and use it as they would a span: size(), operator[], iterators, data(), span(). Only the table
// itself, the cache codec and tests grow or edit one. The values are either the column's own
// (a std::vector, while a table is built by append) or a view of values someone else keeps alive
// (the cache file mapped in place: PacketTable holds the mapping). Readers cannot tell; that is
// why this is not simply a std::vector. Any write to a viewed column first copies its values
// into its own storage (never needed in practice: a loaded table is only read).

#include <algorithm>
#include <cstddef>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

namespace mptcpanalyzer {

template <class T>
class Column {
    static_assert(std::is_trivially_copyable_v<T>, "columns are stored and cached as raw bytes");

public:
    using value_type = T;
    using const_iterator = const T*;

    Column() = default;
    Column(const Column& other) { *this = other; }
    Column(Column&& other) noexcept { *this = std::move(other); }
    Column& operator=(const Column& other) {
        if (this == &other) return *this;
        viewed_ = other.viewed_;
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
        values_ = std::move(other.values_);
        if (viewed_) {
            data_ = other.data_;
            size_ = other.size_;
        } else {
            sync();
        }
        other.values_.clear();
        other.viewed_ = false;
        other.sync();
        return *this;
    }

    // Reading.
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    const T& operator[](std::size_t row) const { return data_[row]; }
    const T* data() const noexcept { return data_; }
    const T* begin() const noexcept { return data_; }
    const T* end() const noexcept { return data_ + size_; }
    std::span<const T> span() const noexcept { return {data_, size_}; }

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
        values_.clear();
        sync();
    }
    // Reads `rows` values at `values` in place, without copying; whoever calls this keeps them
    // alive and unchanged as long as the column (and its copies) are used.
    void view(const T* values, std::size_t rows) noexcept {
        values_ = std::vector<T>();
        viewed_ = true;
        data_ = values;
        size_ = rows;
    }
    bool is_view() const noexcept { return viewed_; }
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
        values_.assign(data_, data_ + size_);
        viewed_ = false;
        sync();
    }

    std::vector<T> values_;
    const T* data_ = nullptr;  // values_.data(), or the viewed values
    std::size_t size_ = 0;
    bool viewed_ = false;
};

}  // namespace mptcpanalyzer
