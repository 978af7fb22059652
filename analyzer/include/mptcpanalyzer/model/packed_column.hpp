#pragma once
// Packed columns (issue 17): a column's values in blocks of kBlockRows rows, each block a frame of
// reference, read in place with random access.
//
// Per block and column: a byte width w in 0..8 and one base, or one base per *group* (below).
// Row r of the block is stored as the w low bytes of (value - base), native byte order, so it
// decodes with one unaligned 8-byte load, a mask and an add (w = 0: every row is the base).
// Values are compared and subtracted as 64-bit integers (signed types sign-extended), modulo 2^64,
// so int64 minimum and maximum in one block simply take w = 8, and time going backwards is just
// a smaller offset from the block's minimum: no deltas from the previous row, so no row depends
// on another.
//
// Groups: the rows of a block are split by connection and direction (tcp_stream, src, sport;
// see assign_groups); a group id per row, dense per block, is itself a packed column. Sequence
// numbers, timestamps, DSNs and ports of several connections interleave in a block and would
// need w = 4 or 8 against one base; against one base per group they are offsets within one
// direction of one connection (ports, addresses, streams: w = 0). The encoder takes per-group
// bases only where they pay (bases cost 8 bytes each).
//
// Default code: a column whose value is usually one default (DSS fields on segments without a
// DSS, TSval without timestamps, MSS, window scale) may reserve code 0 for it, so absent values
// do not stretch the range: code c > 0 is base + c - 1. Again only where it pays.
//
// Decoding never reads outside the arrays a PackedLayout names, whatever their contents, once
// validate() accepted the layout: every block's bytes (plus kTailPadding for the 8-byte load)
// and bases are bounds-checked there, and a group id past its block's group count reads group 0.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace mptcpanalyzer::packed {

// Codes are the low bytes of a 64-bit word (memcpy of the first w bytes); the cache rejects
// files of another byte order anyway.
static_assert(std::endian::native == std::endian::little, "packed codes are the first bytes of a little-endian word");

inline constexpr std::size_t kBlockRows = 4096;
// Bytes readable after a column's last value, so the last row's 8-byte load stays inside.
inline constexpr std::size_t kTailPadding = 8;

// One per block and column, 16 bytes, in the file as is.
struct BlockHeader {
    std::uint64_t data_offset = 0;  // first byte of the block's values in the column's data
    std::uint32_t base_index = 0;   // first of the block's bases in the column's bases
    std::uint8_t width = 0;         // bytes per row, 0..8
    std::uint8_t grouped = 0;       // 1: base = bases[base_index + group of the row]; 0: bases[base_index]
    std::uint8_t default_coded = 0; // 1: code 0 is the column's default; code c is base + c - 1
    std::uint8_t reserved = 0;
};
static_assert(sizeof(BlockHeader) == 16);

// Values as 64-bit patterns: signed types sign-extended, so the order below is the value order.
template <class T>
constexpr std::uint64_t to_bits(T value) noexcept {
    static_assert(std::is_integral_v<T> || std::is_enum_v<T>);
    if constexpr (std::is_enum_v<T>) {
        return to_bits(static_cast<std::underlying_type_t<T>>(value));
    } else if constexpr (std::is_signed_v<T>) {
        return static_cast<std::uint64_t>(static_cast<std::int64_t>(value));
    } else {
        return static_cast<std::uint64_t>(value);
    }
}
template <class T>
constexpr T from_bits(std::uint64_t bits) noexcept {
    if constexpr (std::is_enum_v<T>) {
        return static_cast<T>(from_bits<std::underlying_type_t<T>>(bits));
    } else {
        return static_cast<T>(bits);  // modulo 2^N: the low bytes, as stored
    }
}
// Order of to_bits patterns of T: signed patterns compare as int64.
template <class T>
constexpr bool bits_less(std::uint64_t a, std::uint64_t b) noexcept {
    bool is_signed = false;
    if constexpr (std::is_enum_v<T>) {
        is_signed = std::is_signed_v<std::underlying_type_t<T>>;
    } else {
        is_signed = std::is_signed_v<T>;
    }
    return is_signed ? static_cast<std::int64_t>(a) < static_cast<std::int64_t>(b) : a < b;
}

// Bytes needed for a code up to `max_code`.
constexpr std::uint8_t width_for(std::uint64_t max_code) noexcept {
    std::uint8_t w = 0;
    while (max_code != 0) {
        ++w;
        max_code >>= 8;
    }
    return w;
}
constexpr std::uint64_t width_mask(std::uint8_t width) noexcept {
    return width >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * width)) - 1;
}

// Where a packed column's parts are (mapped file, or an encoder's buffers).
struct PackedLayout {
    std::size_t rows = 0;
    std::uint64_t default_bits = 0;
    std::span<const BlockHeader> blocks;
    std::span<const std::uint64_t> bases;
    std::span<const unsigned char> data;  // includes kTailPadding bytes at the end
};

constexpr std::size_t block_count_for(std::size_t rows) noexcept { return (rows + kBlockRows - 1) / kBlockRows; }
constexpr std::size_t rows_in_block(std::size_t rows, std::size_t block) noexcept {
    return std::min(kBlockRows, rows - block * kBlockRows);
}

// Checks a layout before any decoding: block count, each block's width, values (and the 8-byte
// load of its last row) inside `data`, its bases inside `bases`. `group_counts` (one per block,
// empty for the group column itself) bounds the bases of grouped blocks.
inline bool validate(const PackedLayout& layout, std::span<const std::uint32_t> group_counts, std::string* why) {
    auto fail = [&](std::string reason) {
        if (why != nullptr) *why = std::move(reason);
        return false;
    };
    const std::size_t blocks = block_count_for(layout.rows);
    if (layout.blocks.size() != blocks) return fail("block count does not match the row count");
    if (layout.data.size() < kTailPadding) return fail("values shorter than their padding");
    const std::uint64_t value_bytes = layout.data.size() - kTailPadding;
    for (std::size_t b = 0; b < blocks; ++b) {
        const BlockHeader& h = layout.blocks[b];
        if (h.width > 8 || h.grouped > 1 || h.default_coded > 1 || h.reserved != 0) return fail("bad block header");
        const std::uint64_t bytes = std::uint64_t{h.width} * rows_in_block(layout.rows, b);
        if (h.data_offset > value_bytes || bytes > value_bytes - h.data_offset) return fail("block values out of bounds");
        std::uint64_t base_count = 1;
        if (h.grouped != 0) {
            if (b >= group_counts.size() || group_counts[b] == 0) return fail("grouped block without groups");
            base_count = group_counts[b];
        }
        if (h.base_index > layout.bases.size() || base_count > layout.bases.size() - h.base_index) {
            return fail("block bases out of bounds");
        }
    }
    return true;
}

inline std::uint64_t load_code(const unsigned char* at, std::uint8_t width) noexcept {
    std::uint64_t word = 0;
    std::memcpy(&word, at, sizeof word);  // 8 readable bytes: kTailPadding
    return word & width_mask(width);
}

// Decodes rows of a validated layout. `groups` is the block-local group id column (null for the
// group column itself, whose blocks are never grouped), `group_counts` one count per block.
class PackedReader {
public:
    PackedReader() = default;
    PackedReader(const PackedLayout& layout, const PackedReader* groups, std::span<const std::uint32_t> group_counts) noexcept
        : blocks_(layout.blocks.data()), bases_(layout.bases.data()), data_(layout.data.data()),
          default_bits_(layout.default_bits), rows_(layout.rows), groups_(groups), group_counts_(group_counts.data()) {}

    std::size_t size() const noexcept { return rows_; }

    std::uint64_t bits(std::size_t row) const noexcept {
        const std::size_t block = row / kBlockRows;
        const BlockHeader& h = blocks_[block];
        std::size_t base_index = h.base_index;
        if (h.grouped != 0 && groups_ != nullptr) {
            const auto group = static_cast<std::uint32_t>(groups_->bits(row));
            if (group < group_counts_[block]) base_index += group;
        }
        const std::uint64_t code = load_code(data_ + h.data_offset + (row % kBlockRows) * h.width, h.width);
        if (h.default_coded != 0) return code == 0 ? default_bits_ : bases_[base_index] + (code - 1);
        return bases_[base_index] + code;
    }

private:
    const BlockHeader* blocks_ = nullptr;
    const std::uint64_t* bases_ = nullptr;
    const unsigned char* data_ = nullptr;
    std::uint64_t default_bits_ = 0;
    std::size_t rows_ = 0;
    const PackedReader* groups_ = nullptr;
    const std::uint32_t* group_counts_ = nullptr;
};

// Block-local groups: one id per row, dense in order of first appearance, for each distinct
// (tcp_stream, src, sport), i.e. one direction of one connection. Returns the group count.
inline std::uint32_t assign_groups(std::span<const std::uint32_t> tcp_stream, std::span<const std::uint32_t> src,
                                   std::span<const std::uint16_t> sport, std::vector<std::uint32_t>& ids) {
    struct Key {
        std::uint32_t stream, src;
        std::uint16_t sport;
        std::uint32_t id;
    };
    std::vector<Key> seen;  // few groups per block: a linear scan of the recent ones first
    ids.resize(tcp_stream.size());
    std::uint32_t last = 0;
    for (std::size_t i = 0; i < tcp_stream.size(); ++i) {
        const Key key{tcp_stream[i], src[i], sport[i], 0};
        auto same = [&](const Key& k) { return k.stream == key.stream && k.src == key.src && k.sport == key.sport; };
        if (!seen.empty() && same(seen[last])) {
            ids[i] = seen[last].id;
            continue;
        }
        auto it = std::find_if(seen.begin(), seen.end(), same);
        if (it == seen.end()) {
            seen.push_back({key.stream, key.src, key.sport, static_cast<std::uint32_t>(seen.size())});
            it = seen.end() - 1;
        }
        last = static_cast<std::uint32_t>(it - seen.begin());
        ids[i] = it->id;
    }
    return static_cast<std::uint32_t>(seen.size());
}

// Encodes one column, block by block (the caller hands each block's rows as they come: the
// cold path never holds a second copy of the column). The header's data_offset and base_index
// count from the start of this column's data and bases.
class PackedEncoder {
public:
    explicit PackedEncoder(std::uint64_t default_bits = 0, bool allow_default = false, bool allow_groups = true)
        : default_bits_(default_bits), allow_default_(allow_default), allow_groups_(allow_groups) {}

    // `values` are one block's rows (kBlockRows, fewer only for the last block); `groups` their
    // group ids (< group_count), or empty for one group.
    template <class T>
    void add_block(std::span<const T> values, std::span<const std::uint32_t> groups, std::uint32_t group_count) {
        std::vector<std::uint64_t> bits(values.size());
        for (std::size_t i = 0; i < values.size(); ++i) bits[i] = to_bits(values[i]);
        add_bits(bits, groups, group_count, [](std::uint64_t a, std::uint64_t b) { return bits_less<T>(a, b); });
    }

    const std::vector<BlockHeader>& blocks() const noexcept { return blocks_; }
    const std::vector<std::uint64_t>& bases() const noexcept { return bases_; }
    // The values so far, without the tail padding (finish() appends it).
    const std::vector<unsigned char>& data() const noexcept { return data_; }
    void finish() {
        data_.insert(data_.end(), kTailPadding, 0);
        finished_ = true;
    }
    std::uint64_t default_bits() const noexcept { return default_bits_; }
    // Bytes the column takes: values, block headers, bases (not the padding).
    std::size_t encoded_bytes() const noexcept {
        return written_ + data_.size() - (finished_ ? kTailPadding : 0) + blocks_.size() * sizeof(BlockHeader) + bases_.size() * sizeof(std::uint64_t);
    }
    // Values taken out of what was written so far (the cold path writes them to the file).
    std::vector<unsigned char> take_data() {
        std::vector<unsigned char> out;
        out.swap(data_);
        written_ += out.size();
        return out;
    }

private:
    template <class Less>
    void add_bits(const std::vector<std::uint64_t>& bits, std::span<const std::uint32_t> groups, std::uint32_t group_count,
                  Less less) {
        const bool have_groups = allow_groups_ && !groups.empty() && group_count > 1;
        const std::uint32_t g_count = have_groups ? group_count : 1;
        // Per group and per block: minimum and maximum of all values and of non-default values.
        struct Range {
            bool any = false;
            std::uint64_t min = 0, max = 0;
            void add(std::uint64_t v, const Less& less) {
                if (!any) {
                    min = max = v;
                    any = true;
                } else {
                    if (less(v, min)) min = v;
                    if (less(max, v)) max = v;
                }
            }
        };
        std::vector<Range> all(g_count), non_default(g_count);
        Range block_all, block_non_default;
        for (std::size_t i = 0; i < bits.size(); ++i) {
            const std::uint32_t g = have_groups ? groups[i] : 0;
            all[g].add(bits[i], less);
            block_all.add(bits[i], less);
            if (bits[i] != default_bits_) {
                non_default[g].add(bits[i], less);
                block_non_default.add(bits[i], less);
            }
        }
        // Width of a set of ranges against their own minima; with the default code, +1, and not
        // possible when a range spans all 2^64 values.
        auto width_of = [](const std::vector<Range>& ranges, bool coded) -> int {
            std::uint64_t span = 0;
            for (const Range& r : ranges) {
                if (!r.any) continue;
                const std::uint64_t d = r.max - r.min;
                if (coded && d == ~std::uint64_t{0}) return 9;
                span = std::max(span, coded ? d + 1 : d);
            }
            return width_for(span);
        };
        const std::size_t n = bits.size();
        struct Choice {
            bool grouped, coded;
            int width;
            std::size_t cost;
        };
        std::vector<Choice> choices;
        const std::vector<Range> one_all{block_all}, one_nd{block_non_default};
        auto consider = [&](bool grouped, bool coded) {
            const int w = width_of(grouped ? (coded ? non_default : all) : (coded ? one_nd : one_all), coded);
            if (w > 8) return;
            choices.push_back({grouped, coded, w, n * static_cast<std::size_t>(w) + 8 * (grouped ? g_count : 1)});
        };
        consider(false, false);
        if (allow_default_) consider(false, true);
        if (have_groups) {
            consider(true, false);
            if (allow_default_) consider(true, true);
        }
        // Cheapest; ties keep the simpler form (the order above).
        const Choice best = *std::min_element(choices.begin(), choices.end(),
                                              [](const Choice& a, const Choice& b) { return a.cost < b.cost; });
        BlockHeader h;
        h.data_offset = written_ + data_.size();
        h.base_index = static_cast<std::uint32_t>(bases_.size());
        h.width = static_cast<std::uint8_t>(best.width);
        h.grouped = best.grouped ? 1 : 0;
        h.default_coded = best.coded ? 1 : 0;
        const std::vector<Range>& ranges = best.grouped ? (best.coded ? non_default : all) : (best.coded ? one_nd : one_all);
        for (const Range& r : ranges) bases_.push_back(r.any ? r.min : 0);
        blocks_.push_back(h);
        const std::size_t at = data_.size();
        data_.resize(at + n * h.width);
        for (std::size_t i = 0; i < n && h.width != 0; ++i) {
            const std::uint64_t base = bases_[h.base_index + (best.grouped ? groups[i] : 0)];
            std::uint64_t code = 0;
            if (best.coded) {
                code = bits[i] == default_bits_ ? 0 : bits[i] - base + 1;
            } else {
                code = bits[i] - base;
            }
            std::memcpy(data_.data() + at + i * h.width, &code, h.width);  // little-endian: low bytes first
        }
    }

    std::uint64_t default_bits_;
    bool allow_default_;
    bool allow_groups_;
    std::vector<BlockHeader> blocks_;
    std::vector<std::uint64_t> bases_;
    std::vector<unsigned char> data_;
    std::size_t written_ = 0;
    bool finished_ = false;
};

}  // namespace mptcpanalyzer::packed
