// The packed column encoding (model/packed_column.hpp): every value decodes back to itself, the
// widths are the ones the frame-of-reference rule gives, and a damaged layout is rejected
// before any decoding.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "mptcpanalyzer/model/column.hpp"
#include "mptcpanalyzer/model/packed_column.hpp"

using namespace mptcpanalyzer::packed;

namespace {

// A packed column and its group column, encoded block by block from whole vectors.
template <class T>
struct Packed {
    PackedEncoder groups{0, false, false};
    PackedEncoder values;
    std::vector<std::uint32_t> group_counts;
    PackedReader group_reader, reader;

    Packed(const std::vector<T>& column, const std::vector<std::uint32_t>& group_of_row, T default_value, bool allow_default)
        : values(to_bits(default_value), allow_default, true) {
        rows_ = column.size();
        const std::size_t rows = column.size();
        for (std::size_t b = 0; b < block_count_for(rows); ++b) {
            const std::size_t first = b * kBlockRows, n = rows_in_block(rows, b);
            // Dense ids per block, as assign_groups gives them.
            std::vector<std::uint32_t> ids(n);
            std::vector<std::uint32_t> seen;
            for (std::size_t i = 0; i < n; ++i) {
                const std::uint32_t key = group_of_row.empty() ? 0 : group_of_row[first + i];
                auto it = std::find(seen.begin(), seen.end(), key);
                if (it == seen.end()) it = seen.insert(seen.end(), key);
                ids[i] = static_cast<std::uint32_t>(it - seen.begin());
            }
            group_counts.push_back(static_cast<std::uint32_t>(seen.size()));
            groups.add_block(std::span<const std::uint32_t>(ids), {}, 1);
            values.add_block(std::span<const T>(column.data() + first, n), ids, group_counts.back());
        }
        groups.finish();
        values.finish();
        std::string why;
        REQUIRE(validate(group_layout(), {}, &why));
        REQUIRE(validate(value_layout(), group_counts, &why));
        group_reader = PackedReader(group_layout(), nullptr, group_counts);
        reader = PackedReader(value_layout(), &group_reader, group_counts);
    }
    Packed(const Packed&) = delete;
    Packed& operator=(const Packed&) = delete;
    PackedLayout group_layout() const { return {rows(), 0, groups.blocks(), groups.bases(), groups.data()}; }
    PackedLayout value_layout() const { return {rows(), values.default_bits(), values.blocks(), values.bases(), values.data()}; }
    std::size_t rows() const { return rows_; }
    T operator[](std::size_t row) const { return from_bits<T>(reader.bits(row)); }
    std::size_t rows_ = 0;
};

// Built in place (guaranteed elision): the readers point into the object.
template <class T>
Packed<T> packed_of(const std::vector<T>& column, const std::vector<std::uint32_t>& groups = {}, T default_value = T{},
                    bool allow_default = false) {
    return Packed<T>(column, groups, default_value, allow_default);
}

template <class T>
void require_round_trip(const Packed<T>& packed, const std::vector<T>& column) {
    for (std::size_t r = 0; r < column.size(); ++r) {
        INFO("row " << r);
        REQUIRE(packed[r] == column[r]);
    }
}

}  // namespace

TEST_CASE("A constant block takes no value bytes and decodes to its base", "[packed]") {
    const std::vector<std::uint16_t> column(kBlockRows, 443);
    const auto p = packed_of(column);
    REQUIRE(p.values.blocks().size() == 1);
    CHECK(p.values.blocks()[0].width == 0);
    CHECK(p.values.data().size() == kTailPadding);
    require_round_trip(p, column);
}

TEST_CASE("int64 minimum and maximum in one block take 8 bytes and decode exactly", "[packed]") {
    std::vector<std::int64_t> column{std::numeric_limits<std::int64_t>::min(), 0, std::numeric_limits<std::int64_t>::max(),
                                     -1, std::numeric_limits<std::int64_t>::min() + 1};
    // Allowing the default code must not break the full 2^64 range (code 2^64 would not fit).
    const auto p = packed_of(column, {}, std::int64_t{0}, true);
    CHECK(p.values.blocks()[0].width == 8);
    CHECK(p.values.blocks()[0].default_coded == 0);
    require_round_trip(p, column);
}

TEST_CASE("Time going backwards inside a block is an offset from the block's minimum", "[packed]") {
    std::vector<std::int64_t> column;
    for (int i = 0; i < 1000; ++i) column.push_back(1'700'000'000'000'000'000 + (i % 7 == 3 ? -50'000 : i * 1'000));
    const auto p = packed_of(column);
    // Span of the block: 999,000 + 50,000 ns < 2^24: 3 bytes per row, by the rule.
    CHECK(p.values.blocks()[0].width == 3);
    require_round_trip(p, column);
}

TEST_CASE("The default code keeps absent values from stretching the range", "[packed]") {
    // An MSS-like column: 0 (absent) on most rows, 1460 on a few; window scale: -1 when absent.
    std::vector<std::uint16_t> mss(kBlockRows, 0);
    mss[0] = 1460;
    mss[17] = 1448;
    const auto p = packed_of(mss, {}, std::uint16_t{0}, true);
    // Without the code: range 0..1460 needs 2 bytes; with it, codes 0..13 need 1.
    CHECK(p.values.blocks()[0].default_coded == 1);
    CHECK(p.values.blocks()[0].width == 1);
    require_round_trip(p, mss);

    std::vector<std::int8_t> window_scale(100, -1);
    window_scale[3] = 7;
    window_scale[4] = 14;
    const auto w = packed_of(window_scale, {}, std::int8_t{-1}, true);
    require_round_trip(w, window_scale);
}

TEST_CASE("Interleaved connections take one base per group where that pays", "[packed]") {
    // 300 directions interleaved in one block, each a sequence number growing by 100 from a far
    // apart start: against one base that is 4 bytes; per group, offsets below 2^16.
    std::vector<std::uint32_t> seq, group;
    for (std::size_t i = 0; i < kBlockRows; ++i) {
        const auto g = static_cast<std::uint32_t>(i % 300);
        group.push_back(g);
        seq.push_back(g * 10'000'000U + static_cast<std::uint32_t>(i / 300) * 100U);
    }
    const auto p = packed_of(seq, group);
    CHECK(p.group_counts[0] == 300);
    CHECK(p.values.blocks()[0].grouped == 1);
    CHECK(p.values.blocks()[0].width == 2);
    // The rule: rows x width + one 8-byte base per group + one 16-byte block header.
    CHECK(p.values.encoded_bytes() == kBlockRows * 2 + 300 * 8 + sizeof(BlockHeader));
    require_round_trip(p, seq);

    // Where groups do not pay (values already close), one base stays.
    std::vector<std::uint32_t> close(kBlockRows);
    for (std::size_t i = 0; i < close.size(); ++i) close[i] = 1000 + static_cast<std::uint32_t>(i % 200);
    const auto q = packed_of(close, group);
    CHECK(q.values.blocks()[0].grouped == 0);
    CHECK(q.values.blocks()[0].width == 1);
    require_round_trip(q, close);
}

TEST_CASE("The last, partial block and every block boundary decode", "[packed]") {
    std::vector<std::uint32_t> frame;
    for (std::size_t i = 0; i < 2 * kBlockRows + 5; ++i) frame.push_back(static_cast<std::uint32_t>(i * 3 + 1));
    const auto p = packed_of(frame);
    REQUIRE(p.values.blocks().size() == 3);
    // 4096 rows x 3 span 12,285 < 2^16: 2 bytes; the 5-row block spans 12: 1 byte.
    CHECK(p.values.blocks()[0].width == 2);
    CHECK(p.values.blocks()[2].width == 1);
    require_round_trip(p, frame);
}

TEST_CASE("assign_groups gives dense ids per connection direction in order of appearance", "[packed]") {
    const std::vector<std::uint32_t> stream{5, 5, 9, 5, 9, 5};
    const std::vector<std::uint32_t> src{0, 1, 0, 0, 2, 1};
    const std::vector<std::uint16_t> sport{80, 4000, 80, 80, 80, 4000};
    std::vector<std::uint32_t> ids;
    CHECK(assign_groups(stream, src, sport, ids) == 4);
    CHECK(ids == std::vector<std::uint32_t>{0, 1, 2, 0, 3, 1});
}

TEST_CASE("A damaged layout is rejected before decoding", "[packed]") {
    std::vector<std::uint32_t> seq, group;
    for (std::size_t i = 0; i < kBlockRows + 10; ++i) {
        group.push_back(static_cast<std::uint32_t>(i % 3));
        seq.push_back(static_cast<std::uint32_t>(i % 3) * 100'000'000U + static_cast<std::uint32_t>(i));
    }
    const auto p = packed_of(seq, group);
    const PackedLayout good = p.value_layout();
    std::string why;
    REQUIRE(validate(good, p.group_counts, &why));

    auto with_block = [&](auto edit) {
        std::vector<BlockHeader> blocks(good.blocks.begin(), good.blocks.end());
        edit(blocks);
        PackedLayout bad = good;
        bad.blocks = blocks;
        return validate(bad, p.group_counts, &why);
    };
    CHECK_FALSE(with_block([](auto& b) { b[0].width = 9; }));
    CHECK_FALSE(with_block([](auto& b) { b[1].data_offset = 1'000'000; }));
    CHECK_FALSE(with_block([&](auto& b) { b[1].data_offset = good.data.size() - kTailPadding - 1; }));
    CHECK_FALSE(with_block([](auto& b) { b[1].base_index = 1'000; }));
    CHECK_FALSE(with_block([](auto& b) { b[0].reserved = 1; }));
    CHECK_FALSE(with_block([](auto& b) { b.pop_back(); }));
    // Grouped blocks need their group counts.
    CHECK_FALSE(validate(good, {}, &why));
    PackedLayout short_data = good;
    short_data.data = good.data.first(good.data.size() - 1);
    CHECK_FALSE(validate(short_data, p.group_counts, &why));

    // A group id past its block's count (a crafted group column) reads group 0, in bounds.
    std::vector<std::uint32_t> counts = p.group_counts;
    counts[0] = 1;  // ids 1 and 2 are now out of range, the bases still 3 long: stays in bounds
    const PackedReader reader(good, &p.group_reader, counts);
    CHECK(reader.bits(1) == p.values.bases()[0] + (seq[1] - p.values.bases()[1]));
}

TEST_CASE("A packed Column reads its rows in place, by index and by iterator, and copies keep reading", "[packed]") {
    std::vector<std::int64_t> time_ns;
    std::vector<std::uint32_t> groups;
    for (std::size_t i = 0; i < kBlockRows + 100; ++i) {
        groups.push_back(static_cast<std::uint32_t>(i % 2));
        time_ns.push_back(1'700'000'000'000'000'000 + static_cast<std::int64_t>(i) * 1'000 - (i % 5 == 0 ? 7'000 : 0));
    }
    const auto p = packed_of(time_ns, groups);
    mptcpanalyzer::Column<std::int64_t> packed_column;
    packed_column.view_packed(p.reader);
    // Readers hold a const Column& (a non-const operator[] is a write: it copies the values out).
    const mptcpanalyzer::Column<std::int64_t>& column = packed_column;
    REQUIRE(column.is_packed());
    REQUIRE(column.size() == time_ns.size());
    CHECK(column.raw_values() == nullptr);
    CHECK(column.allocated_bytes() == 0);  // nothing decoded into the heap
    for (std::size_t r = 0; r < time_ns.size(); ++r) REQUIRE(column[r] == time_ns[r]);
    CHECK(std::ranges::equal(column, time_ns));
    CHECK(column == time_ns);
    const mptcpanalyzer::Column<std::int64_t> copy = column;
    CHECK(copy.is_packed());
    CHECK(copy == time_ns);
    // A write copies the values out first (never needed by readers, but never wrong).
    mptcpanalyzer::Column<std::int64_t> edited = column;
    REQUIRE(edited.is_packed());
    edited[3] = 42;
    CHECK_FALSE(edited.is_packed());
    CHECK(edited[3] == 42);
    CHECK(edited[4] == time_ns[4]);
    CHECK(column[3] == time_ns[3]);
}
