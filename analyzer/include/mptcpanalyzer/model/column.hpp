#pragma once
// Column<T>: one column of the packet table, a contiguous array of a trivially copyable T.
//
// Readers (the analyses, exporters, commands, plugins) see a column through `const Column<T>&`
// and use it as they would a span: size(), operator[], iterators, data(), span(). Only the table
// itself, the cache codec and tests grow or edit one. The storage is a std::vector today; a
// memory-mapped table (the cache file read in place) changes this class, not its readers, which is
// why it is not simply a std::vector: nothing outside can come to depend on vector-only calls.

#include <algorithm>
#include <cstddef>
#include <span>
#include <type_traits>
#include <vector>

namespace mptcpanalyzer {

template <class T>
class Column {
    static_assert(std::is_trivially_copyable_v<T>, "columns are stored and cached as raw bytes");

public:
    using value_type = T;
    using const_iterator = const T*;

    // Reading.
    std::size_t size() const noexcept { return values_.size(); }
    bool empty() const noexcept { return values_.empty(); }
    const T& operator[](std::size_t row) const { return values_[row]; }
    const T* data() const noexcept { return values_.data(); }
    const T* begin() const noexcept { return values_.data(); }
    const T* end() const noexcept { return values_.data() + values_.size(); }
    std::span<const T> span() const noexcept { return {values_.data(), values_.size()}; }

    // Writing: the table, the cache codec, tests.
    T& operator[](std::size_t row) { return values_[row]; }
    T* data() noexcept { return values_.data(); }
    void push_back(T value) { values_.push_back(value); }
    void pop_back() { values_.pop_back(); }
    void resize(std::size_t rows) { values_.resize(rows); }
    void reserve(std::size_t rows) { values_.reserve(rows); }
    void clear() noexcept { values_.clear(); }
    // Heap bytes held (for PacketTable::memory_bytes).
    std::size_t allocated_bytes() const noexcept { return values_.capacity() * sizeof(T); }

    friend bool operator==(const Column& a, const Column& b) { return std::ranges::equal(a, b); }
    friend bool operator==(const Column& a, const std::vector<T>& b) { return std::ranges::equal(a, b); }

private:
    std::vector<T> values_;
};

}  // namespace mptcpanalyzer
