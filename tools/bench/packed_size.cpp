// Bytes per packet per column of the packed encoding (model/packed_column.hpp), measured on
// cache files of format 2 (every column at its full width): what the packed cache would cost.
// Checks as it goes that every row decodes back to its value.
//
//   g++ -std=c++20 -O2 -I analyzer/include tools/bench/packed_size.cpp -o /tmp/packed_size
//   /tmp/packed_size FILE.mptable...   (several files: one total over all of them)
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "mptcpanalyzer/model/packed_column.hpp"

using namespace mptcpanalyzer::packed;

namespace {

struct Raw {
    std::string name;
    std::uint32_t width = 0;
    const unsigned char* values = nullptr;
};

// Signedness and schema default of each column (packet_schema.hpp).
bool is_signed(const std::string& n) { return n == "time_ns" || n == "window_scale" || n == "mptcp_stream"; }
std::uint64_t default_of(const std::string& n) {
    if (n == "window_scale" || n == "mptcp_stream") return ~std::uint64_t{0};  // -1
    if (n == "interface_id") return 0xffffffffU;
    return 0;
}

std::uint64_t bits_at(const Raw& c, std::size_t row) {
    const unsigned char* p = c.values + row * c.width;
    switch (c.width) {
    case 1: {
        std::uint8_t v;
        std::memcpy(&v, p, 1);
        return is_signed(c.name) ? to_bits(static_cast<std::int8_t>(v)) : v;
    }
    case 2: {
        std::uint16_t v;
        std::memcpy(&v, p, 2);
        return is_signed(c.name) ? to_bits(static_cast<std::int16_t>(v)) : v;
    }
    case 4: {
        std::uint32_t v;
        std::memcpy(&v, p, 4);
        return is_signed(c.name) ? to_bits(static_cast<std::int32_t>(v)) : v;
    }
    default: {
        std::uint64_t v;
        std::memcpy(&v, p, 8);
        return v;
    }
    }
}

struct Totals {
    std::map<std::string, double> alternative_bytes;
    std::map<std::string, double> bytes;  // per column, in schema order by first sight
    std::vector<std::string> order;
    double rows = 0, full_width_bytes = 0, other_bytes = 0;
};

template <class T>
bool get(const std::string& f, std::size_t& at, T& out) {
    if (at + sizeof out > f.size()) return false;
    std::memcpy(&out, f.data() + at, sizeof out);
    at += sizeof out;
    return true;
}

bool measure(const char* path, Totals& t) {
    std::ifstream in(path, std::ios::binary);
    const std::string f((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::size_t at = 8;
    std::uint32_t version = 0, bom = 0;
    std::uint64_t len = 0, frames = 0, rows = 0;
    std::uint8_t truncated = 0;
    std::uint32_t columns = 0;
    if (f.compare(0, 8, "MPTCPTBL") != 0 || !get(f, at, version) || version != 2 || !get(f, at, bom) || !get(f, at, len)) {
        std::fprintf(stderr, "%s: not a format-2 cache file\n", path);
        return false;
    }
    at += len;
    get(f, at, frames);
    get(f, at, truncated);
    for (int s = 0; s < 2; ++s) {
        get(f, at, len);
        at += len;
    }
    get(f, at, rows);
    get(f, at, columns);
    std::vector<Raw> raw(columns);
    for (auto& c : raw) {
        get(f, at, len);
        c.name.assign(f, at, len);
        at += len;
        get(f, at, c.width);
        at = (at + 7) / 8 * 8;
        c.values = reinterpret_cast<const unsigned char*>(f.data()) + at;
        at += rows * c.width;
        t.full_width_bytes += static_cast<double>(rows) * c.width;
    }
    t.other_bytes += static_cast<double>(f.size() - at);
    auto find = [&](const char* n) -> const Raw& {
        for (auto& c : raw)
            if (c.name == n) return c;
        std::abort();
    };
    const Raw &stream = find("tcp_stream"), &src = find("src"), &sport = find("sport");

    // The group column: block-local ids, itself packed (never grouped, no default).
    PackedEncoder group_encoder(0, false, false);
    std::vector<std::vector<std::uint32_t>> block_groups;
    std::vector<std::uint32_t> group_counts;
    for (std::size_t b = 0; b < block_count_for(rows); ++b) {
        const std::size_t first = b * kBlockRows, n = rows_in_block(rows, b);
        std::vector<std::uint32_t> s(n), a(n);
        std::vector<std::uint16_t> p(n);
        for (std::size_t i = 0; i < n; ++i) {
            s[i] = static_cast<std::uint32_t>(bits_at(stream, first + i));
            a[i] = static_cast<std::uint32_t>(bits_at(src, first + i));
            p[i] = static_cast<std::uint16_t>(bits_at(sport, first + i));
        }
        std::vector<std::uint32_t> ids;
        group_counts.push_back(assign_groups(s, a, p, ids));
        group_encoder.add_block(std::span<const std::uint32_t>(ids), {}, 1);
        block_groups.push_back(std::move(ids));
    }
    group_encoder.finish();
    auto account = [&](const std::string& name, double bytes) {
        if (!t.bytes.count(name)) t.order.push_back(name);
        t.bytes[name] += bytes;
    };
    account("(group ids + counts)", static_cast<double>(group_encoder.encoded_bytes() + 4 * group_counts.size()));
    const PackedLayout group_layout{rows, 0, group_encoder.blocks(), group_encoder.bases(), group_encoder.data()};
    std::string why;
    if (!validate(group_layout, {}, &why)) {
        std::fprintf(stderr, "group layout rejected: %s\n", why.c_str());
        return false;
    }
    const PackedReader groups(group_layout, nullptr, group_counts);

    for (auto& c : raw) {
        PackedEncoder enc(default_of(c.name), true, true);
        for (std::size_t b = 0; b < block_count_for(rows); ++b) {
            const std::size_t first = b * kBlockRows, n = rows_in_block(rows, b);
            // Through the typed entry point, as the cache will: signed columns as int64.
            std::vector<std::int64_t> sv;
            std::vector<std::uint64_t> uv;
            for (std::size_t i = 0; i < n; ++i) {
                const std::uint64_t v = bits_at(c, first + i);
                if (is_signed(c.name)) {
                    sv.push_back(static_cast<std::int64_t>(v));
                } else {
                    uv.push_back(v);
                }
            }
            if (is_signed(c.name)) {
                enc.add_block(std::span<const std::int64_t>(sv), block_groups[b], group_counts[b]);
            } else {
                enc.add_block(std::span<const std::uint64_t>(uv), block_groups[b], group_counts[b]);
            }
        }
        enc.finish();
        const PackedLayout layout{rows, enc.default_bits(), enc.blocks(), enc.bases(), enc.data()};
        if (!validate(layout, group_counts, &why)) {
            std::fprintf(stderr, "%s rejected: %s\n", c.name.c_str(), why.c_str());
            return false;
        }
        const PackedReader reader(layout, &groups, group_counts);
        for (std::size_t r = 0; r < rows; ++r) {
            if (reader.bits(r) != bits_at(c, r)) {
                std::fprintf(stderr, "%s row %zu decodes to %" PRIu64 ", not %" PRIu64 "\n", c.name.c_str(), r,
                             reader.bits(r), bits_at(c, r));
                return false;
            }
        }
        account(c.name, static_cast<double>(enc.encoded_bytes()));
        if (c.name == "frame_number") {
            // The alternative of storing frame_number minus the row number (the table's rows are
            // the capture's TCP frames in order: the difference grows only at non-TCP frames).
            PackedEncoder minus_row(0, true, true);
            for (std::size_t b = 0; b < block_count_for(rows); ++b) {
                const std::size_t first = b * kBlockRows, n = rows_in_block(rows, b);
                std::vector<std::uint64_t> uv;
                for (std::size_t i = 0; i < n; ++i) uv.push_back(bits_at(c, first + i) - (first + i));
                minus_row.add_block(std::span<const std::uint64_t>(uv), block_groups[b], group_counts[b]);
            }
            minus_row.finish();
            t.alternative_bytes[c.name + " - row (not in the file)"] += static_cast<double>(minus_row.encoded_bytes());
        }
    }
    t.rows += static_cast<double>(rows);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    Totals t;
    for (int i = 1; i < argc; ++i) {
        if (!measure(argv[i], t)) return 1;
    }
    if (t.rows == 0) return 1;
    double packed = 0;
    std::printf("%-24s %10s\n", "column", "B/packet");
    for (const auto& name : t.order) {
        std::printf("%-24s %10.2f\n", name.c_str(), t.bytes[name] / t.rows);
        packed += t.bytes[name];
    }
    std::printf("%-24s %10.2f\n", "(addresses, options...)", t.other_bytes / t.rows);
    for (const auto& [name, bytes] : t.alternative_bytes) std::printf("%s: %.2f B/packet\n", name.c_str(), bytes / t.rows);
    std::printf("rows %.0f: full width %.2f B/packet, packed columns %.2f, packed + rest %.2f\n", t.rows,
                t.full_width_bytes / t.rows, packed / t.rows, (packed + t.other_bytes) / t.rows);
    return 0;
}
