// The packet table's schema (model/packet_schema.hpp): its lines drive PacketRecord, the table's
// columns, append/record_into and the cache codec. The tests iterate the schema itself, so a
// column or option field added later is covered without touching them.

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "mptcpanalyzer/cache/table_cache.hpp"
#include "mptcpanalyzer/model/packet_record.hpp"
#include "mptcpanalyzer/model/packet_table.hpp"

namespace mptcpanalyzer::cache_detail {
// Defined in table_cache.cpp, deliberately not in the public header.
std::uint64_t checksum(std::string_view data);
}  // namespace mptcpanalyzer::cache_detail

using namespace mptcpanalyzer;

namespace {

CacheKey schema_key() {
    CacheKey key;
    key.real_path = "/captures/schema.pcapng";
    key.tool_version = "test";
    key.libwireshark_version = "4.0.17";
    return key;
}

PacketRecord plain_record(std::uint32_t frame) {
    PacketRecord r;
    r.frame_number = frame;
    r.src = IpAddress::v4(0x0a000001);
    r.dst = IpAddress::v4(0x0a000002);
    r.flags = tcp_flag::kAck;
    return r;
}

// The raw bytes of every column, in schema order.
std::vector<std::string> column_bytes(const PacketTable& table) {
    std::vector<std::string> out;
    table.columns().for_each([&](const auto& column) {
        std::string& bytes = out.emplace_back();
        for (const auto value : column) bytes.append(reinterpret_cast<const char*>(&value), sizeof value);
    });
    return out;
}

// A value of T unlike its default, derived from `k`.
template <class T>
T distinct(int k) {
    if constexpr (std::is_same_v<T, bool>) {
        return true;
    } else if constexpr (std::is_enum_v<T>) {
        return static_cast<T>(k % 9);
    } else if constexpr (std::is_same_v<T, MptcpHmac>) {
        MptcpHmac h{};
        for (std::size_t i = 0; i < h.size(); ++i) h[i] = static_cast<std::uint8_t>(k + static_cast<int>(i) + 1);
        return h;
    } else if constexpr (std::is_same_v<T, IpAddress>) {
        return IpAddress::v4(0xc0000200U + static_cast<std::uint32_t>(k));
    } else if constexpr (std::is_same_v<T, MptcpAddressIds>) {
        return {static_cast<std::uint8_t>(k), static_cast<std::uint8_t>(k + 1)};
    } else {
        static_assert(std::is_integral_v<T>);
        return static_cast<T>(3 * k + 1);
    }
}

}  // namespace

TEST_CASE("column_infos() names every column of Columns::for_each, in order, with its width", "[schema]") {
    const PacketTable table;
    std::vector<std::size_t> widths;
    table.columns().for_each([&](const auto& column) { widths.push_back(sizeof(typename std::remove_cvref_t<decltype(column)>::value_type)); });
    const auto infos = PacketTable::column_infos();
    REQUIRE(infos.size() == widths.size());
    std::set<std::string_view> names;
    for (std::size_t i = 0; i < infos.size(); ++i) {
        INFO(infos[i].name);
        CHECK(infos[i].element_bytes == widths[i]);
        CHECK_FALSE(infos[i].meaning.empty());
        CHECK(names.insert(infos[i].name).second);
    }
    CHECK(infos.front().name == "frame_number");
}

TEST_CASE("every record column is stored by append and read back by record_into", "[schema]") {
    PacketRecord r = plain_record(0);
    int k = 0;
    // Values unlike every field's default (0, -1, kNoInterface), small enough for any column type.
#define MPTCP_TEST_SET(name, column_type, record_type, ...) r.name = static_cast<record_type>(3 * ++k + 1);
    MPTCP_PACKET_RECORD_COLUMNS(MPTCP_TEST_SET)
#undef MPTCP_TEST_SET
    PacketTable table;
    table.append(r);
    const PacketRecord back = table.record(0);
    const PacketRecord defaults;
#define MPTCP_TEST_SAME(name, column_type, record_type, ...)                  \
    {                                                                          \
        INFO(#name);                                                           \
        CHECK(r.name != defaults.name);                                        \
        CHECK(table.columns().name[0] == static_cast<column_type>(r.name));    \
        CHECK(back.name == r.name);                                            \
    }
    MPTCP_PACKET_RECORD_COLUMNS(MPTCP_TEST_SAME)
#undef MPTCP_TEST_SAME
}

TEST_CASE("every column round-trips through the cache codec, whatever it holds", "[schema][cache]") {
    PacketTable table;
    for (std::uint32_t frame = 1; frame <= 5; ++frame) table.append(plain_record(frame));
    // Fill every column with a pattern unlike what append wrote: a column the codec forgot to
    // write or read would come back different.
    int column_index = 0;
    table.mutable_columns().for_each([&](auto& column) {
        ++column_index;
        auto* bytes = reinterpret_cast<unsigned char*>(column.data());
        const std::size_t size = column.size() * sizeof(*column.data());
        for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<unsigned char>(column_index * 37 + static_cast<int>(i) * 11 + 1);
    });
    auto& c = table.mutable_columns();
    for (std::size_t row = 0; row < table.size(); ++row) {  // addresses must stay valid indices
        c.src[row] = 0;
        c.dst[row] = 1;
    }
    REQUIRE(table.validate());

    ReadResult original;
    original.table = table;
    original.frames = 5;
    const CacheKey key = schema_key();
    const std::string bytes = TableCache::serialize(key, original);
    const auto loaded = TableCache::deserialize(key, bytes);
    REQUIRE(loaded.has_value());
    const auto expected = column_bytes(table);
    const auto actual = column_bytes(loaded->table);
    const auto infos = PacketTable::column_infos();
    REQUIRE(actual.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        INFO("column " << infos[i].name);
        CHECK(actual[i] == expected[i]);
    }

    SECTION("each column is named in the file, followed by its element width") {
        for (std::size_t i = 0; i < infos.size(); ++i) {
            INFO("column " << infos[i].name);
            std::string label(8, '\0');
            const std::uint64_t length = infos[i].name.size();
            std::memcpy(label.data(), &length, 8);
            label += infos[i].name;
            const std::size_t at = bytes.find(label);
            REQUIRE(at != std::string::npos);
            std::uint32_t width = 0;
            std::memcpy(&width, bytes.data() + at + label.size(), 4);
            CHECK(width == infos[i].element_bytes);
        }
    }
    SECTION("a file whose columns are not ours is rejected, even with a valid checksum") {
        std::string renamed = bytes;
        const std::size_t at = renamed.find("dss_dsn");
        REQUIRE(at != std::string::npos);
        renamed[at + 4] = 'D';  // "dss_Dsn"
        const std::uint64_t sum =
            cache_detail::checksum(std::string_view(renamed).substr(0, renamed.size() - 8));
        std::memcpy(renamed.data() + renamed.size() - 8, &sum, 8);
        CHECK_FALSE(TableCache::deserialize(key, renamed).has_value());
    }
}

TEST_CASE("every MptcpOption field round-trips through the cache codec", "[schema][cache]") {
    MptcpOption option;
    int k = 0;
#define MPTCP_TEST_SET(name, type, ...) option.name = distinct<type>(++k);
    MPTCP_OPTION_FIELDS(MPTCP_TEST_SET)
#undef MPTCP_TEST_SET
    option.subtype = MptcpSubtype::AddAddr;  // not a DSS: kept whole in the side list
    PacketRecord r = plain_record(1);
    r.mptcp_options = {option, option};
    r.mptcp_options[1].subtype = MptcpSubtype::Fail;
    r.mptcp_options[1].address_ids.clear();  // an empty list too

    ReadResult original;
    original.table.append(r);
    const CacheKey key = schema_key();
    const auto loaded = TableCache::deserialize(key, TableCache::serialize(key, original));
    REQUIRE(loaded.has_value());
    const PacketRecord back = loaded->table.record(0);
    REQUIRE(back.mptcp_options.size() == 2);
    const MptcpOption defaults;
    for (std::size_t i = 0; i < 2; ++i) {
        const MptcpOption& a = r.mptcp_options[i];
        const MptcpOption& b = back.mptcp_options[i];
#define MPTCP_TEST_SAME(name, ...)                               \
    {                                                             \
        INFO("option " << i << ": " #name);                       \
        if (i == 0 && #name != std::string("subtype")) CHECK_FALSE(a.name == defaults.name); \
        CHECK(b.name == a.name);                                  \
    }
        MPTCP_OPTION_FIELDS(MPTCP_TEST_SAME)
#undef MPTCP_TEST_SAME
    }
}
