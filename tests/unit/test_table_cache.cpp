// The on-disk cache of dissected captures: round trip, key coverage, damage detection,
// failure handling, concurrency, housekeeping.

#include <fcntl.h>
#include <glib.h>
#include <malloc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <csignal>
#include <catch2/catch.hpp>
#if defined(__SANITIZE_ADDRESS__)
// ASan's allocator statistics (sanitizer/allocator_interface.h, not installed with GCC here).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#endif
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "mptcpanalyzer/cache/table_cache.hpp"
#include "mptcpanalyzer/capture/capture_reader.hpp"
#include "mptcpanalyzer/model/packed_column.hpp"
#include "mptcpanalyzer/model/connections.hpp"
#include "mptcpanalyzer/util/error.hpp"
#include "mptcpanalyzer/util/log.hpp"
#include "mptcpanalyzer/util/mapped_file.hpp"
#include "mptcpanalyzer/version.hpp"

namespace mptcpanalyzer::cache_detail {
// Defined in table_cache.cpp, deliberately not in the public header.
std::uint64_t checksum(std::string_view data);
extern std::function<void(int fd)> after_map_hook;
}  // namespace mptcpanalyzer::cache_detail

using namespace mptcpanalyzer;
namespace fs = std::filesystem;

namespace {

// A fresh folder under $TMPDIR, removed with everything in it.
class TempDir {
public:
    TempDir() {
        GError* error = nullptr;
        gchar* made = g_dir_make_tmp("mptcp-cache-test-XXXXXX", &error);
        if (!made) {
            const std::string message = error ? error->message : "unknown error";
            g_clear_error(&error);
            throw std::runtime_error("cannot create a temporary folder: " + message);
        }
        path_ = made;
        g_free(made);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

// Sets (or unsets) an environment variable and restores the previous state.
class EnvOverride {
public:
    EnvOverride(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) saved_ = old;
        if (value) {
            ::setenv(name, value, 1);
        } else {
            ::unsetenv(name);
        }
    }
    ~EnvOverride() {
        if (saved_) {
            ::setenv(name_.c_str(), saved_->c_str(), 1);
        } else {
            ::unsetenv(name_.c_str());
        }
    }
    EnvOverride(const EnvOverride&) = delete;
    EnvOverride& operator=(const EnvOverride&) = delete;

private:
    std::string name_;
    std::optional<std::string> saved_;
};

std::string read_file(const fs::path& path) {
    std::string bytes;
    if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
        char buffer[65536];
        std::size_t n;
        while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) bytes.append(buffer, n);
        std::fclose(f);
    }
    return bytes;
}

// Captures what the logger writes to stderr (and turns debug output on) while alive.
class LogCapture {
public:
    LogCapture() : saved_level_(log::level()) {
        log::set_level(log::Level::Debug);
        std::fflush(stderr);
        char name[] = "/tmp/mptcp-cache-log-XXXXXX";
        capture_fd_ = ::mkstemp(name);
        capture_path_ = name;
        saved_stderr_ = ::dup(STDERR_FILENO);
        ::dup2(capture_fd_, STDERR_FILENO);
    }
    ~LogCapture() {
        restore();
        ::close(capture_fd_);
        ::unlink(capture_path_.c_str());
        log::set_level(saved_level_);
    }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;

    // Everything logged so far.
    std::string text() {
        std::fflush(stderr);
        return read_file(capture_path_);
    }
    bool contains(const std::string& needle) { return text().find(needle) != std::string::npos; }

private:
    void restore() {
        if (saved_stderr_ < 0) return;
        std::fflush(stderr);
        ::dup2(saved_stderr_, STDERR_FILENO);
        ::close(saved_stderr_);
        saved_stderr_ = -1;
    }
    log::Level saved_level_;
    int capture_fd_ = -1;
    int saved_stderr_ = -1;
    std::string capture_path_;
};

void write_file(const fs::path& path, std::string_view bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::vector<fs::path> files_in(const fs::path& directory) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(directory)) files.push_back(entry.path());
    return files;
}

CacheKey sample_key() {
    CacheKey key;
    key.real_path = "/captures/transfer.pcapng";
    key.size = 123456;
    key.mtime_ns = 1700000000123456789LL;
    key.inode = 424242;
    key.device = 2049;
    key.tool_version = kVersion;
    key.libwireshark_version = "4.0.17";
    key.schema_version = PacketTable::kSchemaVersion;
    key.preferences = {"tcp.relative_sequence_numbers:TRUE", "mptcp.analyze_mptcp:TRUE"};
    return key;
}

IpAddress v6(const char* text) { return *IpAddress::parse(text); }

PacketRecord base_record(std::uint32_t frame, bool from_client) {
    PacketRecord r;
    r.frame_number = frame;
    r.time_ns = 1700000000000000000LL + frame * 1000LL;
    r.interface_id = 0;
    r.src = from_client ? IpAddress::v4(0x0a000001) : IpAddress::v4(0x0a000002);
    r.dst = from_client ? IpAddress::v4(0x0a000002) : IpAddress::v4(0x0a000001);
    r.sport = from_client ? 40000 : 80;
    r.dport = from_client ? 80 : 40000;
    r.tcp_stream = 0;
    r.flags = tcp_flag::kAck;
    r.window_raw = 502;
    r.has_timestamps = true;
    r.tsval = 1000 + frame;
    r.tsecr = 2000 + frame;
    r.mptcp_stream = 0;
    return r;
}

// A handful of segments covering every kind of data the table stores: both address
// families, several option subtypes (DSS in the columns, the rest in the side list), an
// option list where DSS is not first, and rows without MPTCP.
std::vector<PacketRecord> sample_records() {
    std::vector<PacketRecord> records;

    PacketRecord syn = base_record(1, true);
    syn.flags = tcp_flag::kSyn;
    syn.seq_raw = 1000;
    syn.window_scale = 7;
    syn.mss = 1460;
    MptcpOption capable;
    capable.subtype = MptcpSubtype::Capable;
    capable.length = 12;
    capable.flags = 0x81;
    capable.version = 1;
    capable.has_sender_key = true;
    capable.sender_key = 0x0123456789abcdefULL;
    syn.mptcp_options.push_back(capable);
    records.push_back(syn);

    PacketRecord syn_ack = base_record(2, false);
    syn_ack.flags = tcp_flag::kSyn | tcp_flag::kAck;
    syn_ack.seq_raw = 5000;
    syn_ack.ack_raw = 1001;
    syn_ack.window_scale = 9;
    syn_ack.mss = 1400;
    MptcpOption capable_reply = capable;
    capable_reply.sender_key = 0xfedcba9876543210ULL;
    syn_ack.mptcp_options.push_back(capable_reply);
    records.push_back(syn_ack);

    PacketRecord third_ack = base_record(3, true);
    third_ack.seq_raw = 1001;
    third_ack.ack_raw = 5001;
    MptcpOption capable_ack = capable;
    capable_ack.length = 20;
    capable_ack.has_receiver_key = true;
    capable_ack.receiver_key = 0xfedcba9876543210ULL;
    third_ack.mptcp_options.push_back(capable_ack);
    records.push_back(third_ack);

    PacketRecord data = base_record(4, true);
    data.seq_raw = 1001;
    data.ack_raw = 5001;
    data.payload_length = 1428;
    data.flags = tcp_flag::kAck | tcp_flag::kPsh;
    MptcpOption dss;
    dss.subtype = MptcpSubtype::Dss;
    dss.length = 28;
    dss.flags = 0x0f;
    dss.has_data_ack = true;
    dss.data_ack_8 = true;
    dss.data_ack = 0x1122334455667788ULL;
    dss.has_mapping = true;
    dss.dsn_8 = true;
    dss.dsn = 0x8877665544332211ULL;
    dss.subflow_seq = 1;
    dss.data_level_length = 1428;
    dss.has_checksum = true;
    dss.checksum = 0xbeef;
    data.mptcp_options.push_back(dss);
    records.push_back(data);

    PacketRecord announce = base_record(5, false);
    announce.seq_raw = 5001;
    announce.ack_raw = 2429;
    announce.interface_id = 1;
    MptcpOption add_addr;
    add_addr.subtype = MptcpSubtype::AddAddr;
    add_addr.length = 30;
    add_addr.address_id = 3;
    add_addr.echo = false;
    add_addr.address = v6("2001:db8::1:2");
    add_addr.has_port = true;
    add_addr.port = 8080;
    announce.mptcp_options.push_back(add_addr);
    MptcpOption data_fin = dss;
    data_fin.length = 8;
    data_fin.flags = 0x11;
    data_fin.data_ack_8 = false;
    data_fin.has_mapping = false;
    data_fin.dsn_8 = false;
    data_fin.has_checksum = false;
    data_fin.data_fin = true;
    data_fin.data_ack = 0x55667788;
    announce.mptcp_options.push_back(data_fin);  // DSS after ADD_ADDR: position 1
    records.push_back(announce);

    PacketRecord removal = base_record(6, true);
    removal.seq_raw = 2429;
    removal.ack_raw = 5002;
    MptcpOption remove_addr;
    remove_addr.subtype = MptcpSubtype::RemoveAddr;
    remove_addr.length = 5;
    remove_addr.address_ids = {3, 7};
    removal.mptcp_options.push_back(remove_addr);
    MptcpOption prio;
    prio.subtype = MptcpSubtype::Prio;
    prio.length = 4;
    prio.backup = true;
    prio.has_address_id = true;
    prio.address_id = 7;
    removal.mptcp_options.push_back(prio);
    records.push_back(removal);

    PacketRecord join = base_record(7, false);
    join.src = v6("2001:db8::1:2");
    join.dst = v6("2001:db8::99");
    join.tcp_stream = 1;
    join.flags = tcp_flag::kSyn | tcp_flag::kAck;
    join.seq_raw = 777;
    join.ack_raw = 888;
    join.interface_id = PacketRecord::kNoInterface;
    join.mptcp_stream = PacketRecord::kUnknownMptcpStream;
    MptcpOption join_option;
    join_option.subtype = MptcpSubtype::Join;
    join_option.length = 16;
    join_option.backup = true;
    join_option.address_id = 3;
    join_option.has_nonce = true;
    join_option.nonce = 0xcafef00d;
    join_option.hmac_length = 8;
    for (std::size_t i = 0; i < 8; ++i) join_option.hmac[i] = static_cast<std::uint8_t>(0xa0 + i);
    join.mptcp_options.push_back(join_option);
    records.push_back(join);

    PacketRecord reset = base_record(8, true);
    reset.flags = tcp_flag::kRst;
    reset.has_timestamps = false;
    reset.options_unavailable = true;
    MptcpOption tcp_rst;
    tcp_rst.subtype = MptcpSubtype::TcpRst;
    tcp_rst.length = 4;
    tcp_rst.flags = 0x1;
    tcp_rst.reason = 5;
    tcp_rst.truncated = true;
    reset.mptcp_options.push_back(tcp_rst);
    MptcpOption fast_close;
    fast_close.subtype = MptcpSubtype::FastClose;
    fast_close.length = 12;
    fast_close.has_receiver_key = true;
    fast_close.receiver_key = 0xfedcba9876543210ULL;
    reset.mptcp_options.push_back(fast_close);
    records.push_back(reset);

    PacketRecord plain = base_record(9, true);  // plain TCP, another stream
    plain.tcp_stream = 2;
    plain.sport = 40001;
    plain.seq_raw = 42;
    plain.mptcp_stream = PacketRecord::kUnknownMptcpStream;
    records.push_back(plain);
    return records;
}

// What sample_result says besides its rows.
void set_sample_metadata(ReadResult& result) {
    result.table.set_interface_names({"eth0", "wlan0"});
    result.frames = 12;
    result.truncated = true;
    result.truncation_detail = "the capture file appears to have been cut short in the middle of a packet";
    result.file_type = "Wireshark/... - pcapng";
}

ReadResult sample_result() {
    ReadResult result;
    for (const auto& r : sample_records()) result.table.append(r);
    set_sample_metadata(result);
    return result;
}

void check_same_option(const MptcpOption& a, const MptcpOption& b) {
    CHECK(a.subtype == b.subtype);
    CHECK(a.length == b.length);
    CHECK(a.flags == b.flags);
    CHECK(a.version == b.version);
    CHECK(a.address_id == b.address_id);
    CHECK(a.has_address_id == b.has_address_id);
    CHECK(a.backup == b.backup);
    CHECK(a.truncated == b.truncated);
    CHECK(a.has_sender_key == b.has_sender_key);
    CHECK(a.has_receiver_key == b.has_receiver_key);
    CHECK(a.sender_key == b.sender_key);
    CHECK(a.receiver_key == b.receiver_key);
    CHECK(a.has_token == b.has_token);
    CHECK(a.token == b.token);
    CHECK(a.has_nonce == b.has_nonce);
    CHECK(a.nonce == b.nonce);
    CHECK(a.hmac_length == b.hmac_length);
    CHECK(a.hmac == b.hmac);
    CHECK(a.has_data_ack == b.has_data_ack);
    CHECK(a.data_ack_8 == b.data_ack_8);
    CHECK(a.data_ack == b.data_ack);
    CHECK(a.has_mapping == b.has_mapping);
    CHECK(a.dsn_8 == b.dsn_8);
    CHECK(a.dsn == b.dsn);
    CHECK(a.subflow_seq == b.subflow_seq);
    CHECK(a.data_level_length == b.data_level_length);
    CHECK(a.has_checksum == b.has_checksum);
    CHECK(a.checksum == b.checksum);
    CHECK(a.data_fin == b.data_fin);
    CHECK(a.echo == b.echo);
    CHECK(a.address == b.address);
    CHECK(a.has_port == b.has_port);
    CHECK(a.port == b.port);
    CHECK(a.address_ids == b.address_ids);
    CHECK(a.reason == b.reason);
}

void check_same_record(const PacketRecord& a, const PacketRecord& b) {
    CHECK(a.frame_number == b.frame_number);
    CHECK(a.time_ns == b.time_ns);
    CHECK(a.interface_id == b.interface_id);
    CHECK(a.src == b.src);
    CHECK(a.dst == b.dst);
    CHECK(a.sport == b.sport);
    CHECK(a.dport == b.dport);
    CHECK(a.tcp_stream == b.tcp_stream);
    CHECK(a.seq_raw == b.seq_raw);
    CHECK(a.ack_raw == b.ack_raw);
    CHECK(a.payload_length == b.payload_length);
    CHECK(a.flags == b.flags);
    CHECK(a.window_raw == b.window_raw);
    CHECK(a.has_timestamps == b.has_timestamps);
    CHECK(a.tsval == b.tsval);
    CHECK(a.tsecr == b.tsecr);
    CHECK(a.window_scale == b.window_scale);
    CHECK(a.mss == b.mss);
    CHECK(a.options_unavailable == b.options_unavailable);
    CHECK(a.mptcp_stream == b.mptcp_stream);
    REQUIRE(a.mptcp_options.size() == b.mptcp_options.size());
    for (std::size_t i = 0; i < a.mptcp_options.size(); ++i) {
        INFO("option " << i);
        check_same_option(a.mptcp_options[i], b.mptcp_options[i]);
    }
}

void check_same_result(const ReadResult& expected, const ReadResult& actual) {
    CHECK(actual.frames == expected.frames);
    CHECK(actual.truncated == expected.truncated);
    CHECK(actual.truncation_detail == expected.truncation_detail);
    CHECK(actual.file_type == expected.file_type);
    CHECK(actual.table.interface_names() == expected.table.interface_names());
    CHECK(actual.table.addresses() == expected.table.addresses());
    CHECK(actual.table.columns().seq_relative == expected.table.columns().seq_relative);
    CHECK(actual.table.columns().ack_relative == expected.table.columns().ack_relative);
    REQUIRE(actual.table.size() == expected.table.size());
    for (std::size_t row = 0; row < expected.table.size(); ++row) {
        INFO("row " << row);
        check_same_record(expected.table.record(row), actual.table.record(row));
    }
}

// Bytes from the start of a serialized file to the end of its key text.
std::size_t header_size(const CacheKey& key) { return 8 + 4 + 4 + 8 + key.canonical().size(); }

// `bytes` with its trailing checksum recomputed (to get past it and reach the parser).
std::string with_valid_checksum(std::string bytes) {
    const std::uint64_t sum = cache_detail::checksum(std::string_view(bytes).substr(0, bytes.size() - 8));
    std::memcpy(bytes.data() + bytes.size() - 8, &sum, 8);
    return bytes;
}

}  // namespace

TEST_CASE("a stored table loads back identical", "[cache]") {
    TempDir dir;
    const TableCache cache(dir.path() / "cache");
    const CacheKey key = sample_key();
    const ReadResult original = sample_result();
    const std::string path = (cache.directory() / key.file_name()).string();
    LogCapture logs;

    CHECK_FALSE(cache.load(key).has_value());
    CHECK(logs.contains("cache: miss " + path));

    REQUIRE(cache.store(key, original));
    CHECK(logs.contains("cache: stored " + path));

    std::optional<ReadResult> loaded = cache.load(key);
    REQUIRE(loaded.has_value());
    CHECK(logs.contains("cache: hit " + path));
    check_same_result(original, *loaded);
    CHECK(TableCache::serialize(key, *loaded) == TableCache::serialize(key, original));

    SECTION("the address index is rebuilt: known addresses are not interned twice") {
        const std::size_t addresses = loaded->table.addresses().size();
        loaded->table.append(base_record(10, true));
        CHECK(loaded->table.addresses().size() == addresses);
    }
}

TEST_CASE("an empty table round-trips", "[cache]") {
    const CacheKey key = sample_key();
    ReadResult empty;
    empty.frames = 3;  // frames but no TCP
    const auto loaded = TableCache::deserialize(key, TableCache::serialize(key, empty));
    REQUIRE(loaded.has_value());
    CHECK(loaded->table.empty());
    CHECK(loaded->frames == 3);
}

TEST_CASE("a changed key misses", "[cache]") {
    TempDir dir;
    const TableCache cache(dir.path());
    const CacheKey key = sample_key();
    const ReadResult original = sample_result();
    REQUIRE(cache.store(key, original));
    const std::string bytes = TableCache::serialize(key, original);

    struct Change {
        const char* field;
        void (*apply)(CacheKey&);
    };
    const Change changes[] = {
        {"real_path", [](CacheKey& k) { k.real_path += ".old"; }},
        {"size", [](CacheKey& k) { k.size += 1; }},
        {"mtime_ns", [](CacheKey& k) { k.mtime_ns += 1; }},
        {"inode", [](CacheKey& k) { k.inode += 1; }},
        {"device", [](CacheKey& k) { k.device += 1; }},
        {"tool_version", [](CacheKey& k) { k.tool_version = "0.0.1"; }},
        {"libwireshark_version", [](CacheKey& k) { k.libwireshark_version = "4.2.0"; }},
        {"schema_version", [](CacheKey& k) { k.schema_version += 1; }},
        {"an extra preference", [](CacheKey& k) { k.preferences.push_back("tcp.analyze_sequence_numbers:FALSE"); }},
        {"a changed preference", [](CacheKey& k) { k.preferences[0] = "tcp.relative_sequence_numbers:FALSE"; }},
        {"preference order", [](CacheKey& k) { std::swap(k.preferences[0], k.preferences[1]); }},
        {"no preferences", [](CacheKey& k) { k.preferences.clear(); }},
    };
    for (const auto& change : changes) {
        INFO("changed: " << change.field);
        CacheKey changed = key;
        change.apply(changed);
        CHECK(changed.canonical() != key.canonical());
        CHECK(changed.file_name() != key.file_name());
        CHECK_FALSE(cache.load(changed).has_value());
        // Even under the right name, a file for another key is refused.
        CHECK_FALSE(TableCache::deserialize(changed, bytes).has_value());
    }
    CHECK(cache.load(key).has_value());  // the original entry is untouched
}

TEST_CASE("the key's text is unambiguous and its file name is its SHA-256", "[cache]") {
    const CacheKey key = sample_key();
    const std::string name = key.file_name();
    REQUIRE(name.size() == 64 + std::strlen(".mptable"));
    CHECK(name.substr(64) == ".mptable");
    CHECK(name.find_first_not_of("0123456789abcdef") == 64);
    gchar* digest = g_compute_checksum_for_string(G_CHECKSUM_SHA256, key.canonical().c_str(), -1);
    CHECK(name.substr(0, 64) == digest);
    g_free(digest);

    // A newline in a path cannot forge another field.
    CacheKey a = key, b = key;
    a.real_path = "/x\nsize=1";
    b.real_path = "/x";
    b.preferences.insert(b.preferences.begin(), "size=1");
    CHECK(a.canonical() != b.canonical());
    CHECK(a.canonical().find("/x\\nsize=1") != std::string::npos);
}

TEST_CASE("CacheKey::for_capture describes the file by its real path and identity", "[cache]") {
    TempDir dir;
    const fs::path capture = dir.path() / "capture.pcap";
    write_file(capture, "0123456789");
    fs::create_directory(dir.path() / "sub");
    const CacheKey key = CacheKey::for_capture((dir.path() / "sub" / ".." / "capture.pcap").string(), "4.0.17", {"a:b"});
    struct stat st {};
    REQUIRE(::stat(capture.c_str(), &st) == 0);
    CHECK(key.real_path == fs::canonical(capture).string());
    CHECK(key.size == 10);
    CHECK(key.inode == st.st_ino);
    CHECK(key.device == st.st_dev);
    CHECK(key.mtime_ns == static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec);
    CHECK(key.tool_version == kVersion);
    CHECK(key.libwireshark_version == "4.0.17");
    CHECK(key.schema_version == PacketTable::kSchemaVersion);
    CHECK(key.preferences == std::vector<std::string>{"a:b"});

    // Rewriting the capture (same size) changes the key.
    struct timespec times[2] = {{0, UTIME_OMIT}, {st.st_mtim.tv_sec + 5, 0}};
    REQUIRE(::utimensat(AT_FDCWD, capture.c_str(), times, 0) == 0);
    CHECK(CacheKey::for_capture(capture.string(), "4.0.17", {"a:b"}).file_name() != key.file_name());
}

TEST_CASE("CacheKey::for_capture on a missing file throws InputMissing naming the file", "[cache]") {
    TempDir dir;
    const std::string missing = (dir.path() / "no-such-capture.pcapng").string();
    try {
        (void)CacheKey::for_capture(missing, "4.0.17", {});
        FAIL("no exception");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::InputMissing);
        CHECK(std::string(e.what()).find(missing) != std::string::npos);
    }
}

TEST_CASE("a truncated file is a miss and is removed", "[cache]") {
    TempDir dir;
    const TableCache cache(dir.path());
    const CacheKey key = sample_key();
    const std::string bytes = TableCache::serialize(key, sample_result());
    const fs::path path = cache.directory() / key.file_name();

    // Every length through the header and the read metadata, then a spread over the body.
    std::vector<std::size_t> lengths;
    for (std::size_t n = 0; n < header_size(key) + 64; ++n) lengths.push_back(n);
    for (std::size_t n = header_size(key) + 64; n < bytes.size(); n += 37) lengths.push_back(n);
    lengths.push_back(bytes.size() - 8);
    lengths.push_back(bytes.size() - 1);

    for (const std::size_t n : lengths) {
        INFO("truncated to " << n << " of " << bytes.size() << " bytes");
        CHECK_FALSE(TableCache::deserialize(key, std::string_view(bytes).substr(0, n)).has_value());
    }

    LogCapture logs;
    for (std::size_t i = 0; i < lengths.size(); i += 7) {
        const std::size_t n = lengths[i];
        INFO("truncated to " << n << " of " << bytes.size() << " bytes");
        write_file(path, std::string_view(bytes).substr(0, n));
        CHECK_FALSE(cache.load(key).has_value());
        CHECK_FALSE(fs::exists(path));
    }
    CHECK(logs.contains("cache: ignoring " + path.string() + ": "));
    CHECK(logs.contains("cache: miss " + path.string()));
    CHECK_FALSE(logs.contains("cache: hit"));
}

TEST_CASE("a flipped byte is detected", "[cache]") {
    TempDir dir;
    const TableCache cache(dir.path());
    const CacheKey key = sample_key();
    const ReadResult original = sample_result();
    const std::string bytes = TableCache::serialize(key, original);
    REQUIRE(TableCache::deserialize(key, bytes).has_value());

    // Every position: magic, version, key, metadata, each column, addresses, side options, checksum.
    for (std::size_t position = 0; position < bytes.size(); ++position) {
        for (const std::uint8_t mask : {std::uint8_t{0x01}, std::uint8_t{0x80}, std::uint8_t{0xff}}) {
            std::string damaged = bytes;
            damaged[position] = static_cast<char>(static_cast<unsigned char>(damaged[position]) ^ mask);
            if (TableCache::deserialize(key, damaged).has_value()) {
                FAIL_CHECK("damage at byte " << position << " (mask " << int{mask} << ") went unnoticed");
            }
        }
    }

    const fs::path path = cache.directory() / key.file_name();
    const std::size_t column_data = header_size(key) + 64;  // well inside frame_number/time_ns
    LogCapture logs;
    for (const std::size_t position : {std::size_t{3}, std::size_t{10}, header_size(key) - 2, column_data,
                                       bytes.size() / 2, bytes.size() - 20, bytes.size() - 1}) {
        INFO("flipped byte " << position);
        std::string damaged = bytes;
        damaged[position] = static_cast<char>(damaged[position] ^ 0x20);
        write_file(path, damaged);
        CHECK_FALSE(cache.load(key).has_value());
        CHECK_FALSE(fs::exists(path));
    }
    CHECK(logs.contains("cache: ignoring " + path.string() + ": checksum mismatch"));
}

TEST_CASE("corrupt contents behind a valid checksum are rejected without reading out of bounds", "[cache]") {
    // The checksum is for accidents; the parser must still never trust a length. Forge files
    // whose checksum is right but whose contents are not (run under ASan to see overreads).
    const CacheKey key = sample_key();
    const ReadResult original = sample_result();
    const std::string bytes = TableCache::serialize(key, original);
    const std::size_t body = header_size(key);

    auto survives = [&](const std::string& forged) {
        const auto loaded = TableCache::deserialize(key, forged);
        return !loaded || loaded->table.validate();
    };
    for (std::size_t position = body; position + 8 < bytes.size(); ++position) {
        for (const std::uint8_t value : {std::uint8_t{0x00}, std::uint8_t{0x02}, std::uint8_t{0x7f}, std::uint8_t{0xff}}) {
            std::string forged = bytes;
            forged[position] = static_cast<char>(value);
            if (!survives(with_valid_checksum(forged))) FAIL_CHECK("byte " << position << " = " << int{value});
        }
    }
    // Huge counts and lengths at every offset: none may be believed.
    for (std::size_t position = body; position + 16 <= bytes.size(); ++position) {
        std::string forged = bytes;
        const std::uint64_t huge = 0x4000000000000000ULL;
        std::memcpy(forged.data() + position, &huge, 8);
        if (!survives(with_valid_checksum(forged))) FAIL_CHECK("huge value at byte " << position);
    }
    std::mt19937 rng(20240611);
    for (int round = 0; round < 2000; ++round) {
        std::string forged = bytes;
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int i = 0; i < flips; ++i) {
            const std::size_t position = body + rng() % (bytes.size() - 8 - body);
            forged[position] = static_cast<char>(rng());
        }
        if (rng() % 4 == 0) forged.erase(body + rng() % (bytes.size() - 8 - body), 1 + rng() % 16);
        if (forged.size() >= body + 8) CHECK(survives(with_valid_checksum(forged)));
    }
}

TEST_CASE("a file for another key is not trusted", "[cache]") {
    TempDir dir;
    const TableCache cache(dir.path());
    const CacheKey key_a = sample_key();
    CacheKey key_b = sample_key();
    key_b.real_path = "/captures/other.pcapng";
    ReadResult result_b = sample_result();
    result_b.frames = 99;
    REQUIRE(cache.store(key_a, sample_result()));
    REQUIRE(cache.store(key_b, result_b));

    const fs::path path_a = cache.directory() / key_a.file_name();
    const fs::path path_b = cache.directory() / key_b.file_name();
    fs::copy_file(path_a, path_b, fs::copy_options::overwrite_existing);

    LogCapture logs;
    CHECK_FALSE(cache.load(key_b).has_value());
    CHECK(logs.contains("cache: ignoring " + path_b.string() + ": written for another key"));
    CHECK_FALSE(fs::exists(path_b));
    CHECK(cache.load(key_a).has_value());
}

TEST_CASE("an empty or garbage file is a miss", "[cache]") {
    TempDir dir;
    const TableCache cache(dir.path());
    const CacheKey key = sample_key();
    const fs::path path = cache.directory() / key.file_name();
    std::string other_version = TableCache::serialize(key, sample_result());
    other_version[8] = static_cast<char>(other_version[8] + 1);

    std::mt19937 rng(7);
    std::string noise(1 << 20, '\0');
    for (auto& c : noise) c = static_cast<char>(rng());

    const std::pair<const char*, std::string> cases[] = {
        {"empty", ""},
        {"text", "hello, world\n"},
        {"magic only", "MPTCPTBL"},
        {"magic and a huge key length", std::string("MPTCPTBL\x01\0\0\0\x04\x03\x02\x01\xff\xff\xff\xff\xff\xff\xff\x7f", 24)},
        {"another format version", other_version},
        {"1 MiB of noise", noise},
    };
    LogCapture logs;
    for (const auto& [what, bytes] : cases) {
        INFO(what);
        write_file(path, bytes);
        CHECK_FALSE(cache.load(key).has_value());
        CHECK_FALSE(fs::exists(path));
    }
    const std::string log_text = logs.text();
    CHECK(log_text.find("cache: ignoring " + path.string() + ": empty file") != std::string::npos);
    CHECK(log_text.find("cache: ignoring " + path.string() + ": not a cache file") != std::string::npos);
    CHECK(log_text.find("cache: ignoring " + path.string() + ": format version") != std::string::npos);

    SECTION("a folder in the file's place is a miss and left alone") {
        fs::create_directory(path);
        CHECK_FALSE(cache.load(key).has_value());
        CHECK(fs::is_directory(path));
    }
}

TEST_CASE("store into an unwritable folder warns and returns false", "[cache]") {
    // Tests run as root, which ignores permission bits: a path below a regular file cannot
    // be created by anyone.
    TempDir dir;
    write_file(dir.path() / "file", "not a folder");
    const TableCache cache(dir.path() / "file" / "sub");
    const CacheKey key = sample_key();
    {
        LogCapture logs;
        CHECK_FALSE(cache.store(key, sample_result()));
        CHECK(logs.contains("warning: cache: cannot store "));
        CHECK_FALSE(cache.load(key).has_value());
    }
    CHECK(cache.info().files == 0);
    CHECK(cache.clean() == 0);

    SECTION("also when the folder exists but the file cannot be created in it") {
        const TableCache blocked(dir.path());
        fs::create_directory(dir.path() / key.file_name());  // rename onto a folder fails
        LogCapture logs;
        CHECK_FALSE(blocked.store(key, sample_result()));
        CHECK(logs.contains("warning: cache: cannot store "));
        // No temporary is left behind.
        for (const auto& file : files_in(dir.path())) CHECK(file.filename().string().find(".tmp-") == std::string::npos);
    }
}

TEST_CASE("store creates the folder and its parents private", "[cache]") {
    TempDir dir;
    const TableCache cache(dir.path() / "a" / "b" / "mptcpanalyzer");
    REQUIRE(cache.store(sample_key(), sample_result()));
    for (const fs::path& folder : {dir.path() / "a", dir.path() / "a" / "b", dir.path() / "a" / "b" / "mptcpanalyzer"}) {
        INFO(folder);
        struct stat st {};
        REQUIRE(::stat(folder.c_str(), &st) == 0);
        CHECK((st.st_mode & 07777) == 0700);
    }
}

TEST_CASE("concurrent stores of the same key leave one valid file", "[cache]") {
    TempDir dir;
    const CacheKey key = sample_key();
    const ReadResult original = sample_result();
    const std::string expected = TableCache::serialize(key, original);
    constexpr int kThreads = 8;

    for (int round = 0; round < 10; ++round) {
        // Catch2 assertions are not thread-safe: threads only record what they saw.
        std::atomic<int> stored{0}, loaded_identical{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&] {
                const TableCache cache(dir.path() / "cache");
                if (cache.store(key, original)) ++stored;
                const auto loaded = cache.load(key);
                if (loaded && TableCache::serialize(key, *loaded) == expected) ++loaded_identical;
            });
        }
        for (auto& t : threads) t.join();
        INFO("round " << round);
        CHECK(stored == kThreads);
        CHECK(loaded_identical == kThreads);
        const auto files = files_in(dir.path() / "cache");
        REQUIRE(files.size() == 1);
        CHECK(files[0].filename() == key.file_name());
        CHECK(read_file(files[0]) == expected);
    }
}

TEST_CASE("clean removes cache files and temporaries", "[cache]") {
    TempDir dir;
    const TableCache cache(dir.path());
    CacheKey other = sample_key();
    other.size += 1;
    REQUIRE(cache.store(sample_key(), sample_result()));
    REQUIRE(cache.store(other, sample_result()));
    const fs::path leftover = dir.path() / ("." + other.file_name() + ".tmp-Ab12Cd");  // as AtomicFile names them
    write_file(leftover, "half-written");
    write_file(dir.path() / "notes.txt", "not ours");

    const auto info = cache.info();
    CHECK(info.files == 2);
    CHECK(info.bytes == 2 * fs::file_size(dir.path() / other.file_name()));

    CHECK(cache.clean() == 3);
    CHECK(cache.info().files == 0);
    CHECK(cache.info().bytes == 0);
    CHECK_FALSE(fs::exists(leftover));
    CHECK(fs::exists(dir.path() / "notes.txt"));

    const TableCache missing(dir.path() / "never-created");
    CHECK(missing.info().files == 0);
    CHECK(missing.clean() == 0);
}

TEST_CASE("default_directory follows XDG_CACHE_HOME and falls back to HOME/.cache", "[cache]") {
    const EnvOverride home("HOME", "/home/tester");
    {
        const EnvOverride xdg("XDG_CACHE_HOME", "/var/cache/tester");
        CHECK(TableCache::default_directory() == fs::path("/var/cache/tester/mptcpanalyzer"));
    }
    {
        const EnvOverride xdg("XDG_CACHE_HOME", nullptr);
        CHECK(TableCache::default_directory() == fs::path("/home/tester/.cache/mptcpanalyzer"));
    }
    {
        const EnvOverride xdg("XDG_CACHE_HOME", "");
        CHECK(TableCache::default_directory() == fs::path("/home/tester/.cache/mptcpanalyzer"));
    }
    {
        // XDG: a relative path is invalid and ignored.
        const EnvOverride xdg("XDG_CACHE_HOME", "relative/cache");
        CHECK(TableCache::default_directory() == fs::path("/home/tester/.cache/mptcpanalyzer"));
    }
}

TEST_CASE("the checksum is XXH64 with seed 0", "[cache]") {
    // Reference values from xxhsum / libxxhash 0.8.
    CHECK(cache_detail::checksum("") == 0xef46db3751d8e999ULL);
    CHECK(cache_detail::checksum("abc") == 0x44bc2cf5ad770999ULL);
    CHECK(cache_detail::checksum("MPTCPTBL") == 0x2823a16789a44c09ULL);
    CHECK(cache_detail::checksum("The quick brown fox jumps over the lazy dog") == 0x0b242d361fda71bcULL);
}

// ---------------------------------------------------------------------------------------------
// The cache file read in place (memory-mapped), and what happens when it shrinks under us.

namespace {

// A table of `rows` data segments, several pages of cache file per column.
ReadResult large_result(std::uint32_t rows) {
    ReadResult result;
    for (std::uint32_t i = 0; i < rows; ++i) {
        PacketRecord r = base_record(i + 1, i % 2 == 0);
        r.seq_raw = 1000 + i * 1400;
        r.payload_length = 1400;
        result.table.append(r);
    }
    result.table.finish_appending();
    result.frames = rows;
    return result;
}

// Sets cache_detail::after_map_hook while alive.
class AfterMapHook {
public:
    explicit AfterMapHook(std::function<void(int)> hook) { cache_detail::after_map_hook = std::move(hook); }
    ~AfterMapHook() { cache_detail::after_map_hook = nullptr; }
    AfterMapHook(const AfterMapHook&) = delete;
    AfterMapHook& operator=(const AfterMapHook&) = delete;
};

}  // namespace

TEST_CASE("a cache hit reads the columns in place from the file, which may then be removed", "[cache][mmap]") {
    TempDir dir;
    const TableCache cache(dir.path());
    const CacheKey key = sample_key();
    const ReadResult original = large_result(5000);
    REQUIRE(cache.store(key, original));

    std::optional<ReadResult> loaded = cache.load(key);
    REQUIRE(loaded.has_value());
    // No column holds a copy: the table's heap is the side lists and addresses only.
    bool all_views = true;
    loaded->table.columns().for_each([&](const auto& column) { all_views = all_views && column.is_view(); });
    CHECK(all_views);
    CHECK(loaded->table.memory_bytes() < original.table.memory_bytes() / 100);

    // `cache clean` (or eviction) while the table is in use: the mapping keeps the data.
    CHECK(cache.clean() == 1);
    ReadResult copy = *loaded;
    loaded.reset();
    check_same_result(original, copy);
    CHECK(TableCache::serialize(key, copy) == TableCache::serialize(key, original));
}

TEST_CASE("a cache file truncated after it is mapped and before it is checked is a miss, not a crash",
          "[cache][mmap]") {
    TempDir dir;
    const TableCache cache(dir.path());
    const CacheKey key = sample_key();
    REQUIRE(cache.store(key, large_result(50000)));  // packed: about 17 bytes a row
    const fs::path path = cache.directory() / key.file_name();
    REQUIRE(fs::file_size(path) > 64 * 4096);

    LogCapture logs;
    std::optional<ReadResult> loaded;
    {
        // Cut to one page: reading the mapping's later pages raises SIGBUS.
        AfterMapHook hook([&](int) { REQUIRE(::truncate(path.c_str(), 4096) == 0); });
        loaded = cache.load(key);
    }
    CHECK_FALSE(loaded.has_value());
    CHECK(logs.contains("cache: ignoring " + path.string() + ": truncated while being read"));
    CHECK(logs.contains("cache: miss " + path.string()));
    CHECK_FALSE(fs::exists(path));

    // The handler is still there for the next mapping, and a good file still loads.
    REQUIRE(cache.store(key, large_result(5000)));
    CHECK(cache.load(key).has_value());
}

TEST_CASE("a cache file truncated while its table is in use ends the process with a clear error and exit code 3",
          "[cache][mmap]") {
    TempDir dir;
    const TableCache cache(dir.path());
    const CacheKey key = sample_key();
    const ReadResult original = large_result(20000);
    REQUIRE(cache.store(key, original));
    const fs::path path = cache.directory() / key.file_name();
    const fs::path child_stderr = dir.path() / "stderr.txt";
    std::uint64_t expected_sum = 0;
    for (const auto t : original.table.columns().time_ns) expected_sum += static_cast<std::uint64_t>(t);

    std::fflush(nullptr);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        const int err = ::open(child_stderr.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(err, STDERR_FILENO);
        std::optional<ReadResult> loaded = cache.load(key);
        if (!loaded) ::_exit(20);
        // Read once while whole (must match), then cut the file and read again.
        std::uint64_t sum = 0;
        for (const auto t : loaded->table.columns().time_ns) sum += static_cast<std::uint64_t>(t);
        if (sum != expected_sum) ::_exit(21);
        if (::truncate(path.c_str(), 4096) != 0) ::_exit(22);
        sum = 0;
        for (const auto t : loaded->table.columns().time_ns) sum += static_cast<std::uint64_t>(t);
        ::_exit(sum == expected_sum ? 23 : 24);  // never reached: the read past the end is caught
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    INFO("child stderr: " << read_file(child_stderr));
    REQUIRE_FALSE(WIFSIGNALED(status));
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == static_cast<int>(ExitCode::InputMissing));
    CHECK(read_file(child_stderr) ==
          "mptcpanalyzer: error: " + path.string() +
              ": the cache file shrank while in use (truncated by another program); run the command again: the "
              "capture is then read afresh\n");

    // The next load of that entry is a miss (the truncated file fails its check).
    CHECK_FALSE(cache.load(key).has_value());
}

namespace {

// Resident bytes of this process's mapping of `path` (the Rss lines of /proc/self/smaps):
// what the kernel counts in the process's peak for that file.
std::uint64_t resident_bytes_of_mapping(const fs::path& path) {
    std::ifstream smaps("/proc/self/smaps");
    std::string line;
    bool in_mapping = false;
    std::uint64_t total = 0;
    const std::string name = fs::canonical(path).string();
    while (std::getline(smaps, line)) {
        const bool header = !line.empty() && std::isxdigit(static_cast<unsigned char>(line[0])) &&
                            line.find('-') != std::string::npos && line.find(':') != 0;
        if (header && line.find(' ') < line.find(':')) {
            in_mapping = line.size() >= name.size() && line.compare(line.size() - name.size(), name.size(), name) == 0;
        } else if (in_mapping && line.rfind("Rss:", 0) == 0) {
            total += std::stoull(line.substr(4)) * 1024;
        }
    }
    return total;
}

// The sample rows appended one by one, the table's rows going to `spool` whenever it holds
// `chunk` of them (as CaptureReader::read does with kSpillRows).
ReadResult spooled_sample(TableSpool& spool, std::size_t chunk) {
    ReadResult result;
    for (const auto& r : sample_records()) {
        result.table.append(r);
        if (result.table.size() >= chunk) spool.take_rows(result.table);
    }
    set_sample_metadata(result);
    return result;
}

std::string file_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> names_in(const fs::path& folder) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(folder)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// The most one page fault maps of `file`: mapped again here, each 64 KiB of it read alone (one
// byte) after dropping what was resident, the largest resident size seen. Since Linux 6.18 a
// fault on a file maps the whole page-cache folio it falls in, and ext4 (6.16) caches files in
// large folios, sized by how the file was written (measured: up to 512 KiB for the cache writer's
// 1 MiB writes, 2 MiB for one 8 MiB write); below 64 KiB folios, the fault-around block (an
// aligned 64 KiB, fault_around_bytes' default) is what one fault maps. A folio of 64 KiB or more
// holds a 64 KiB-aligned offset, so one read every 64 KiB finds the largest.
std::uint64_t largest_fault_bytes(const fs::path& file) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    const auto size = static_cast<std::size_t>(fs::file_size(file));
    void* mapping = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    ::close(fd);
    REQUIRE(mapping != MAP_FAILED);
    const auto* bytes = static_cast<const volatile char*>(mapping);
    std::uint64_t largest = 0;
    for (std::size_t at = 0; at < size; at += 65536) {
        ::madvise(mapping, size, MADV_DONTNEED);
        (void)bytes[at];
        largest = std::max(largest, resident_bytes_of_mapping(file));
    }
    ::munmap(mapping, size);
    return largest;
}

}  // namespace

TEST_CASE("a pass over every row of a mapped table keeps only its last window of rows resident", "[cache][mmap]") {
    // The rule behind a cached run's flat peak: mapped pages count as the process's memory, and
    // a pass that ticks ResidentRelease drops them every kRows rows, so after reading one
    // column over N rows at most its last kRows values stay resident, plus what the faults on
    // their first and last page mapped around them: not N rows.
    TempDir dir;
    const TableCache cache(dir.path());
    const CacheKey key = sample_key();
    constexpr std::uint32_t kRows = 320 * ResidentRelease::kRows;
    // Times spread over the whole int64 range (time may go backwards): every block of the
    // packed time column takes 8 bytes a row by the frame-of-reference rule, so the column is
    // 10 MiB, larger than the bound below can be on a kernel mapping 2 MiB folios.
    ReadResult stored = large_result(kRows);
    auto& stored_time = stored.table.mutable_columns().time_ns;
    for (std::uint32_t row = 0; row < kRows; ++row) {
        stored_time[row] = static_cast<std::int64_t>(std::uint64_t{row} * 0x9E3779B97F4A7C15ULL);
    }
    REQUIRE(cache.store(key, stored));
    stored = ReadResult{};
    std::optional<ReadResult> loaded = cache.load(key);
    REQUIRE(loaded.has_value());
    const fs::path file = dir.path() / key.file_name();
    const auto& time = loaded->table.columns().time_ns;
    REQUIRE(time.size() == kRows);
    constexpr std::uint64_t time_width = 8;
    const std::uint64_t column_bytes = std::uint64_t{kRows} * time_width;

    MappedFile::release_all_resident();
    const std::uint64_t per_fault = largest_fault_bytes(file);
    INFO("one fault maps up to " << per_fault << " bytes");
    const std::uint64_t bound = std::uint64_t{ResidentRelease::kRows} * time_width + 2 * per_fault;
    // The check below says something only if the column is well beyond the bound.
    REQUIRE(2 * bound < column_bytes);

    // Control: the same pass without releasing leaves the whole column resident (the
    // measurement sees what the test is about).
    std::uint64_t sum = 0;  // unsigned: the sum of nanosecond times wraps, defined
    for (std::uint32_t row = 0; row < kRows; ++row) sum += static_cast<std::uint64_t>(time[row]);
    CHECK(resident_bytes_of_mapping(file) >= column_bytes);

    MappedFile::release_all_resident();
    CHECK(resident_bytes_of_mapping(file) == 0);
    ResidentRelease release;
    std::uint64_t again = 0;
    for (std::uint32_t row = 0; row < kRows; ++row) {
        release.tick();
        again += static_cast<std::uint64_t>(time[row]);
    }
    CHECK(again == sum);
    const std::uint64_t resident = resident_bytes_of_mapping(file);
    INFO(resident << " bytes of the mapping resident, bound " << bound);
    CHECK(resident <= bound);
}

TEST_CASE("building the connection model over a mapped table leaves at most a window of each column resident",
          "[cache][mmap]") {
    // A cached run's peak on 10M packets was the cache file's pages that passes of the model
    // build over every row left resident (they did not tick ResidentRelease): each column must
    // keep at most the last window of rows, plus the kernel's fault-around (an aligned 64 KiB
    // block either side) and the pages the window straddles.
    TempDir dir;
    const TableCache cache(dir.path());
    const CacheKey key = sample_key();
    constexpr std::uint32_t kRows = 1024 * ResidentRelease::kRows;  // 4M rows: the file is tens of MB
    REQUIRE(cache.store(key, large_result(kRows)));
    std::optional<ReadResult> loaded = cache.load(key);
    REQUIRE(loaded.has_value());
    MappedFile::release_all_resident();
    const ConnectionModel model = ConnectionModel::build(loaded->table);
    REQUIRE(model.tcp.size() == 1);
    REQUIRE(model.tcp.front().rows.size() == kRows);
    const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    // Packed columns (format 3): each column's window is at most kRows values of at most 8
    // bytes, plus the kernel's fault-around (an aligned 64 KiB block) on either side; the group
    // column likewise. The file must be well above that bound for the check to say anything.
    const std::size_t columns = PacketTable::column_infos().size() + 1;
    const std::uint64_t bound = columns * (ResidentRelease::kRows * 8 + 2 * 65536 + 2 * page);
    const std::uint64_t resident = resident_bytes_of_mapping(dir.path() / key.file_name());
    INFO(resident << " bytes of the mapping resident, bound " << bound);
    CHECK(resident <= bound);
    CHECK(fs::file_size(dir.path() / key.file_name()) > 2 * bound);
}

namespace {

// Bytes the allocator has handed out and not taken back (ASan's count in the sanitizer build,
// glibc's otherwise): what a load puts in the heap.
std::uint64_t heap_bytes_in_use() {
#if defined(__SANITIZE_ADDRESS__)
    return __sanitizer_get_current_allocated_bytes();
#else
    const struct mallinfo2 info = ::mallinfo2();
    return info.uordblks + info.hblkhd;
#endif
}

}  // namespace

TEST_CASE("a cache file read into memory (no mapping possible) is read in place: a file claiming many rows in few bytes costs no more than its bytes",
          "[cache][packed]") {
    // Packed, a block of constant columns takes no value bytes (w = 0): a file of a few hundred
    // KB may claim millions of rows. When the file cannot be mapped (the SIGBUS handler's slots
    // or the address space used up) it is read into memory; decoding its columns there would
    // put rows x 104 bytes in the heap. They are read in place from the bytes read instead.
    TempDir dir;
    const TableCache cache(dir.path());
    const CacheKey key = sample_key();
    constexpr std::uint32_t kRows = 64 * packed::kBlockRows;
    {
        ReadResult constant;
        for (std::uint32_t i = 0; i < kRows; ++i) constant.table.append(base_record(1, true));
        constant.table.finish_appending();
        constant.frames = kRows;
        REQUIRE(cache.store(key, constant));
    }
    const fs::path file = dir.path() / key.file_name();
    const std::uint64_t file_size = fs::file_size(file);
    // Every column's width summed: what one decoded row takes.
    std::uint64_t row_bytes = 0;
    for (const auto& info : PacketTable::column_infos()) row_bytes += info.element_bytes;
    // The file claims far more than its bytes could hold decoded (the premise).
    REQUIRE(std::uint64_t{kRows} * row_bytes > 100 * file_size);

    // Take every slot of the SIGBUS handler: the load cannot map the file and reads it.
    std::vector<std::shared_ptr<MappedFile>> slots;
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    std::string map_error;
    for (int i = 0; i < mapped_file_detail::kMaxMappings; ++i) {
        auto mapping = MappedFile::map(fd, static_cast<std::size_t>(file_size), file.string(), map_error);
        if (!mapping) break;
        slots.push_back(std::move(mapping));
    }
    CHECK_FALSE(MappedFile::map(fd, static_cast<std::size_t>(file_size), file.string(), map_error));
    ::close(fd);

    const std::uint64_t heap_before = heap_bytes_in_use();
    std::optional<ReadResult> loaded = cache.load(key);
    const std::uint64_t heap_growth = heap_bytes_in_use() - heap_before;
    REQUIRE(loaded.has_value());
    REQUIRE(loaded->table.size() == kRows);
    // The file's bytes, the block headers and bases copied out of them (fewer bytes than the
    // file), and 1 MiB for the rest of a load (metadata, logging): not rows x row_bytes.
    INFO(heap_growth << " bytes of heap for a " << file_size << "-byte file of " << kRows << " rows");
    CHECK(heap_growth <= 2 * file_size + (std::uint64_t{1} << 20));
    bool all_packed = true;
    loaded->table.columns().for_each([&](const auto& column) { all_packed = all_packed && column.is_packed(); });
    CHECK(all_packed);
    // And the rows read back as stored.
    CHECK(loaded->table.columns().frame_number[kRows - 1] == 1);
    CHECK(loaded->table.columns().sport[0] == 40000);
}

TEST_CASE("a table spooled to disk while it is built is stored as the very file of the table built in memory",
          "[cache][spool]") {
    TempDir dir;
    const TableCache cache(dir.path() / "cache");
    const CacheKey key = sample_key();
    const ReadResult original = sample_result();
    const std::size_t rows = original.table.size();
    // 1: every row spilled at once; rows - 1: one spill then one row left in memory; more: none.
    for (const std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{3}, rows - 1, rows + 1}) {
        CAPTURE(chunk);
        std::unique_ptr<TableSpool> spool = cache.start_spool();
        REQUIRE(spool);
        const ReadResult spooled = spooled_sample(*spool, chunk);
        // The rows went to disk: the table in memory holds fewer than a chunk.
        CHECK(spool->rows() == (rows / chunk) * chunk);
        CHECK(spooled.table.size() == rows % chunk);
        CHECK(spooled.table.rows_appended() == rows);
        // The spool's files have no names: the folder shows nothing while the rows are there.
        CHECK(names_in(cache.directory()).empty());

        REQUIRE(cache.store_spooled(key, *spool, spooled));
        const fs::path entry = cache.directory() / key.file_name();
        CHECK(file_bytes(entry) == TableCache::serialize(key, original));
        CHECK(names_in(cache.directory()) == std::vector<std::string>{key.file_name()});
        std::optional<ReadResult> loaded = cache.load(key);
        REQUIRE(loaded.has_value());
        check_same_result(original, *loaded);
        fs::remove(entry);
    }
}

TEST_CASE("the spooled table of a --no-cache run is mapped from a file without a name and reads as the table built in memory",
          "[cache][spool]") {
    TempDir dir;
    TableSpool spool(dir.path());
    const ReadResult original = sample_result();
    const ReadResult spooled = spooled_sample(spool, 2);
    REQUIRE(spool.rows() > 0);
    std::string error;
    std::optional<ReadResult> opened = TableCache::open_spooled(spool, spooled, error);
    REQUIRE(opened.has_value());
    CHECK(error.empty());
    check_same_result(original, *opened);
    // Read in place from the mapped file, like a cache hit.
    CHECK(opened->table.columns().frame_number.is_view());
    CHECK(names_in(dir.path()).empty());
}

TEST_CASE("a spool gives its rows back to the table, which is then the table built in memory", "[cache][spool]") {
    TempDir dir;
    const CacheKey key = sample_key();
    TableSpool spool(dir.path());
    ReadResult spooled = spooled_sample(spool, 3);
    REQUIRE(spool.rows() > 0);
    spool.give_back(spooled.table);
    CHECK(spooled.table.spilled_rows() == 0);
    CHECK(TableCache::serialize(key, spooled) == TableCache::serialize(key, sample_result()));
    check_same_result(sample_result(), spooled);
}

TEST_CASE("a spool whose file takes no more gives its rows back and the read goes on in memory", "[cache][spool]") {
    TempDir dir;
    const CacheKey key = sample_key();
    // A child with a file size limit of one byte (SIGXFSZ ignored: write fails with EFBIG),
    // set once the spool's files exist: the first spill fails.
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        TableSpool spool(dir.path());
        ::signal(SIGXFSZ, SIG_IGN);
        struct rlimit limit {1, 1};
        ::setrlimit(RLIMIT_FSIZE, &limit);
        ReadResult result;
        std::size_t spills = 0;
        for (const auto& r : sample_records()) {
            result.table.append(r);
            if (result.table.size() >= 2) {
                spool.take_rows(result.table);
                ++spills;
            }
        }
        set_sample_metadata(result);
        const bool whole = spills > 0 && spool.failed() && spool.rows() == 0 &&
                           result.table.spilled_rows() == 0 &&
                           TableCache::serialize(key, result) == TableCache::serialize(key, sample_result());
        ::_exit(whole ? 0 : 1);
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

namespace {

// Upper bound of a packed cache file's size from the encoding rule, computed from the table
// alone: each block of each column costs at most its rows x the width of its span (one base,
// no default code: one of the encoder's choices, which takes the cheapest) + a 16-byte header +
// one 8-byte base; the group column at most rows x the width of (groups - 1), and 4 bytes of
// group count per block. The rest of the file is that of the same table without rows.
std::uint64_t packed_size_bound(const CacheKey& key, const ReadResult& result) {
    const PacketTable& table = result.table;
    const std::size_t rows = table.size();
    ReadResult empty;
    empty.frames = result.frames;
    empty.truncated = result.truncated;
    empty.truncation_detail = result.truncation_detail;
    empty.file_type = result.file_type;
    empty.table.mutable_addresses() = table.addresses();
    empty.table.set_interface_names(table.interface_names());
    for (const auto& side : table.side_options()) empty.table.mutable_side_options().push_back(side);
    std::uint64_t bound = TableCache::serialize(key, empty).size();
    const std::size_t blocks = packed::block_count_for(rows);
    for (std::size_t b = 0; b < blocks; ++b) {
        const std::size_t first = b * packed::kBlockRows, n = packed::rows_in_block(rows, b);
        std::vector<std::tuple<std::uint32_t, std::uint32_t, std::uint16_t>> directions;
        for (std::size_t r = first; r < first + n; ++r) {
            const auto d = std::make_tuple(table.columns().tcp_stream[r], table.columns().src[r], table.columns().sport[r]);
            if (std::find(directions.begin(), directions.end(), d) == directions.end()) directions.push_back(d);
        }
        bound += 4 + n * packed::width_for(directions.size() - 1) + sizeof(packed::BlockHeader) + 8;
        table.columns().for_each([&](const auto& column) {
            using T = typename std::remove_cvref_t<decltype(column)>::value_type;
            std::uint64_t lo = packed::to_bits(column[first]), hi = lo;
            for (std::size_t r = first; r < first + n; ++r) {
                const std::uint64_t v = packed::to_bits(column[r]);
                if (packed::bits_less<T>(v, lo)) lo = v;
                if (packed::bits_less<T>(hi, v)) hi = v;
            }
            bound += n * packed::width_for(hi - lo) + sizeof(packed::BlockHeader) + 8;
        });
    }
    return bound;
}

}  // namespace

TEST_CASE("a packed cache file is no larger than the frame-of-reference rule allows", "[cache][packed]") {
    const CacheKey key = sample_key();
    for (const std::uint32_t rows : {std::uint32_t{1}, std::uint32_t{5000}, std::uint32_t{3 * 4096 + 17}}) {
        CAPTURE(rows);
        const ReadResult result = large_result(rows);
        const std::uint64_t bound = packed_size_bound(key, result);
        const std::uint64_t size = TableCache::serialize(key, result).size();
        CHECK(size <= bound);
        // And far below the full-width columns of format 2 (104 bytes a row).
        if (rows > 4096) CHECK(size < std::uint64_t{rows} * 40);
    }
}

TEST_CASE("the cache file of every corpus capture is within the packed size rule and reads back every row as dissected",
          "[cache][packed][corpus]") {
    // Real captures (tests/data, the kernel's MPTCP traffic): the table dissected in memory,
    // stored packed (format 3), must take no more bytes than packed_size_bound computes from its
    // values, and read back (checked, decoded block by block) equal to it in every column and
    // row: a cached run sees exactly what a cold one dissected.
    std::vector<std::filesystem::path> captures;
    for (const auto& e : fs::directory_iterator(MPTCP_TEST_DATA_DIR)) {
        if (e.path().extension() == ".pcapng") captures.push_back(e.path());
    }
    std::sort(captures.begin(), captures.end());
    REQUIRE(captures.size() >= 10);
    const CacheKey key = sample_key();
    std::uint64_t all_rows = 0, all_bytes = 0, raw_bytes = 0;
    std::uint64_t row_bytes = 0;
    for (const auto& info : PacketTable::column_infos()) row_bytes += info.element_bytes;
    for (const auto& capture : captures) {
        CAPTURE(capture.filename().string());
        const ReadResult read = CaptureReader().read(capture.string());
        REQUIRE(read.table.size() > 0);
        const std::string file = TableCache::serialize(key, read);
        const std::uint64_t bound = packed_size_bound(key, read);
        INFO(file.size() << " bytes for " << read.table.size() << " rows, bound " << bound);
        CHECK(file.size() <= bound);
        const std::optional<ReadResult> loaded = TableCache::deserialize(key, file);
        REQUIRE(loaded.has_value());
        REQUIRE(loaded->table.size() == read.table.size());
#define MPTCP_SAME_COLUMN(name, ...) CHECK(loaded->table.columns().name == read.table.columns().name);
        MPTCP_PACKET_COLUMNS(MPTCP_SAME_COLUMN)
#undef MPTCP_SAME_COLUMN
        CHECK(loaded->table.side_options().size() == read.table.side_options().size());
        all_rows += read.table.size();
        all_bytes += file.size();
        raw_bytes += read.table.size() * row_bytes;
    }
    // Over the corpus, whole files (keys, per-block headers and bases of mostly one partial
    // block each) below format 2's full-width column values alone (row_bytes a row).
    INFO(all_bytes << " bytes for " << all_rows << " rows; full width " << raw_bytes);
    CHECK(all_bytes < raw_bytes);
}
