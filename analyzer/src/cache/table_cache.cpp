#include "mptcpanalyzer/cache/table_cache.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <glib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <system_error>
#include <type_traits>

#include <xxhash.h>

#include "mptcpanalyzer/model/packed_column.hpp"
#include "mptcpanalyzer/model/packet_record.hpp"
#include "mptcpanalyzer/util/atomic_file.hpp"
#include "mptcpanalyzer/util/error.hpp"
#include "mptcpanalyzer/util/log.hpp"
#include "mptcpanalyzer/util/mapped_file.hpp"
#include "mptcpanalyzer/version.hpp"
#include "mptcpanalyzer/util/xdg.hpp"

// File layout: see README.md next to this file. All integers are in the writer's native byte
// order; the byte-order mark makes a file from a machine of the other order a foreign file.

namespace mptcpanalyzer {
namespace {

constexpr char kMagic[8] = {'M', 'P', 'T', 'C', 'P', 'T', 'B', 'L'};
constexpr std::uint32_t kByteOrderMark = 0x01020304U;
constexpr std::size_t kHeaderFixedBytes = 8 + 4 + 4 + 8;  // magic, version, byte order, key length
constexpr std::size_t kChecksumBytes = 8;
constexpr const char* kFileSuffix = ".mptable";
constexpr const char* kTempMarker = ".mptable.tmp-";  // AtomicFile: ".<name>.tmp-XXXXXX"

// Column values start at multiples of this from the start of the file, so that a mapped file
// can be read in place (the alignment of every column type).
constexpr std::size_t kColumnAlignment = 8;
// The packed column of block-local group ids (README.md, "Packed columns").
constexpr std::string_view kGroupColumnName = "(group)";
static_assert(sizeof(IpAddress) == 17, "IpAddress changed: update the cache serialization");

}  // namespace

namespace cache_detail {
// XXH64 (seed 0) of libxxhash. Not in the header: exposed only so the unit tests can check it
// against reference XXH64 values and forge well-checksummed files with corrupt contents.
// It detects accidents (torn writes, truncation, flipped bits: a change goes unnoticed with
// probability 2^-64), not an attacker; the cache folder is the user's own (mode 0700). XXH3 is
// faster (measured on the 2-vCPU dev VM: 21-26 ms per 100 MB against XXH64's 33-51 ms), but a
// load of 100 MB takes ~300 ms: not worth changing the checksum the tests pin.
std::uint64_t checksum(std::string_view data) { return XXH64(data.data(), data.size(), 0); }
// Tests only: called by TableCache::load with the entry's descriptor once it is mapped and
// before it is read (to truncate it there).
std::function<void(int fd)> after_map_hook;
}  // namespace cache_detail

namespace {

using cache_detail::checksum;
using packed::PackedEncoder;

// ---------------------------------------------------------------------------------------------
// Writing.

// Writes the file through a bounded buffer: `sink` receives it in pieces of about kFlushBytes
// (and large column arrays straight from the table), the checksum is computed as it goes, so
// storing a table never holds a second copy of it in memory.
class ByteWriter {
public:
    static constexpr std::size_t kFlushBytes = std::size_t{1} << 20;

    explicit ByteWriter(std::function<void(std::string_view)> sink)
        : sink_(std::move(sink)), state_(XXH64_createState()) {
        if (state_ == nullptr) throw std::bad_alloc();
        XXH64_reset(state_, 0);
        buffer_.reserve(kFlushBytes);
    }
    ~ByteWriter() { XXH64_freeState(state_); }
    ByteWriter(const ByteWriter&) = delete;
    ByteWriter& operator=(const ByteWriter&) = delete;

    template <class T>
    void put(T value) {
        static_assert(std::is_trivially_copyable_v<T>);
        put_bytes(&value, sizeof value);
    }
    void put_bool(bool value) { put<std::uint8_t>(value ? 1 : 0); }
    void put_bytes(const void* data, std::size_t size) {
        if (size >= kFlushBytes) {
            flush();
            emit(std::string_view(static_cast<const char*>(data), size));
        } else {
            buffer_.append(static_cast<const char*>(data), size);
            if (buffer_.size() >= kFlushBytes) flush();
        }
        offset_ += size;
    }
    void put_string(std::string_view s) {
        put<std::uint64_t>(s.size());
        put_bytes(s.data(), s.size());
    }
    void put_address(const IpAddress& a) {
        put(a.family);
        put_bytes(a.bytes.data(), a.bytes.size());
    }
    // Zeros up to the next multiple of `alignment` from the start of the file.
    void pad_to(std::size_t alignment) {
        static constexpr char kZeros[16] = {};
        put_bytes(kZeros, (alignment - offset_ % alignment) % alignment);
    }
    // Ends the file with the checksum of everything before it.
    void finish() {
        flush();
        const std::uint64_t sum = XXH64_digest(state_);
        sink_(std::string_view(reinterpret_cast<const char*>(&sum), sizeof sum));
    }

    // One field of an MptcpOption (MPTCP_OPTION_FIELDS), by its type.
    template <class T>
    void put_field(const T& value) {
        if constexpr (std::is_same_v<T, bool>) {
            put_bool(value);
        } else if constexpr (std::is_same_v<T, IpAddress>) {
            put_address(value);
        } else if constexpr (std::is_same_v<T, MptcpAddressIds>) {
            put(static_cast<std::uint32_t>(value.size()));
            put_bytes(value.data(), value.size());
        } else {
            static_assert(std::is_trivially_copyable_v<T>, "add an encoding for this field type");
            put(value);
        }
    }

private:
    void emit(std::string_view bytes) {
        XXH64_update(state_, bytes.data(), bytes.size());
        sink_(bytes);
    }
    void flush() {
        if (buffer_.empty()) return;
        emit(buffer_);
        buffer_.clear();
    }

    std::function<void(std::string_view)> sink_;
    XXH64_state_t* state_;
    std::string buffer_;
    std::size_t offset_ = 0;
};

void write_option(ByteWriter& w, const MptcpOption& m) {
#define MPTCP_WRITE_OPTION_FIELD(name, ...) w.put_field(m.name);
    MPTCP_OPTION_FIELDS(MPTCP_WRITE_OPTION_FIELD)
#undef MPTCP_WRITE_OPTION_FIELD
}

// Bytes a field of type T takes at least (a REMOVE_ADDR list: its count alone).
template <class T>
constexpr std::size_t min_field_bytes() {
    if constexpr (std::is_same_v<T, bool>) return 1;
    if constexpr (std::is_same_v<T, IpAddress>) return 1 + 16;
    if constexpr (std::is_same_v<T, MptcpAddressIds>) return 4;
    return sizeof(T);
}

// The smallest a side option can be on disk: bounds the count a corrupt file may claim.
constexpr std::size_t kOptionFixedBytes = 0
#define MPTCP_OPTION_FIELD_BYTES(name, type, ...) +min_field_bytes<type>()
    MPTCP_OPTION_FIELDS(MPTCP_OPTION_FIELD_BYTES)
#undef MPTCP_OPTION_FIELD_BYTES
    ;
constexpr std::size_t kSideOptionFixedBytes = 4 + 1 + kOptionFixedBytes;

// ---------------------------------------------------------------------------------------------
// Reading: every read checks the bytes left first, so a corrupt length can neither read past
// the buffer nor make us allocate more than the file holds.

class ByteReader {
public:
    // `offset`: where `bytes` starts in the file (for alignment).
    explicit ByteReader(std::string_view bytes, std::size_t offset = 0)
        : data_(bytes.data()), left_(bytes.size()), offset_(offset) {}

    std::size_t remaining() const { return left_; }

    bool get_bytes(void* dst, std::size_t size) {
        if (size > left_) return false;
        if (size != 0) std::memcpy(dst, data_, size);
        advance(size);
        return true;
    }
    template <class T>
    bool get(T& value) {
        static_assert(std::is_trivially_copyable_v<T>);
        return get_bytes(&value, sizeof value);
    }
    bool get_bool(bool& value) {
        std::uint8_t b = 0;
        if (!get(b) || b > 1) return false;
        value = b != 0;
        return true;
    }
    bool get_string(std::string& s) {
        std::uint64_t size = 0;
        if (!get(size) || size > left_) return false;
        s.assign(data_, static_cast<std::size_t>(size));
        advance(static_cast<std::size_t>(size));
        return true;
    }
    bool get_address(IpAddress& a) {
        return get(a.family) && get_bytes(a.bytes.data(), a.bytes.size()) &&
               (a.family == 0 || a.family == 4 || a.family == 6);
    }
    // A count of items that take at least `min_item_bytes` each: fails when the bytes left
    // cannot hold that many (before anyone reserves memory for them).
    bool get_count(std::uint64_t& count, std::size_t min_item_bytes) {
        return get(count) && count <= left_ / min_item_bytes;
    }
    // The zeros ByteWriter::pad_to wrote.
    bool skip_padding(std::size_t alignment) {
        const std::size_t pad = (alignment - offset_ % alignment) % alignment;
        if (pad > left_) return false;
        for (std::size_t i = 0; i < pad; ++i) {
            if (data_[i] != '\0') return false;
        }
        advance(pad);
        return true;
    }
    // The next `size` bytes, in place.
    bool get_view(std::size_t size, const char*& at) {
        if (size > left_) return false;
        at = data_;
        advance(size);
        return true;
    }
    // `count` trivially copyable items, copied out (block headers, bases, group counts: a few
    // bytes per 4,096 rows).
    template <class T>
    bool get_array(std::uint64_t count, std::vector<T>& out) {
        if (count > left_ / sizeof(T)) return false;
        out.resize(static_cast<std::size_t>(count));
        return get_bytes(out.data(), out.size() * sizeof(T));
    }
    // `in_place`: the column views the bytes (a mapped file kept alive by the table) instead
    // of copying them; they must be aligned for T (the writer's padding sees to that).
    template <class T>
    bool get_column_values(Column<T>& column, std::uint64_t rows, bool in_place) {
        if (rows > left_ / sizeof(T)) return false;
        const auto count = static_cast<std::size_t>(rows);
        if (in_place && reinterpret_cast<std::uintptr_t>(data_) % alignof(T) == 0) {
            column.view(reinterpret_cast<const T*>(data_), count);
            advance(count * sizeof(T));
            return true;
        }
        column.resize(count);
        return get_bytes(column.data(), count * sizeof(T));
    }
    // One field of an MptcpOption (MPTCP_OPTION_FIELDS), by its type.
    template <class T>
    bool get_field(T& value) {
        if constexpr (std::is_same_v<T, bool>) {
            return get_bool(value);
        } else if constexpr (std::is_same_v<T, IpAddress>) {
            return get_address(value);
        } else if constexpr (std::is_same_v<T, MptcpAddressIds>) {
            std::uint32_t count = 0;
            if (!get(count) || count > left_) return false;
            value.resize(count);
            return get_bytes(value.data(), count);
        } else {
            return get(value);
        }
    }

private:
    void advance(std::size_t size) {
        data_ += size;
        left_ -= size;
        offset_ += size;
    }

    const char* data_;
    std::size_t left_;
    std::size_t offset_;
};

bool read_option(ByteReader& r, MptcpOption& m) {
#define MPTCP_READ_OPTION_FIELD(name, ...) \
    if (!r.get_field(m.name)) return false;
    MPTCP_OPTION_FIELDS(MPTCP_READ_OPTION_FIELD)
#undef MPTCP_READ_OPTION_FIELD
    return true;
}

// ---------------------------------------------------------------------------------------------

std::string escape_value(std::string_view s) {
    // One field per line: a newline (or backslash) inside a path or preference is escaped so
    // two different keys can never have the same text.
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

// What a table read from a cache file keeps alive: the file's bytes (the mapping, or the copy
// read into memory when it cannot be mapped), and the small parts of each packed column copied
// out of them (headers, bases, group counts), which its readers point into.
struct PackedStorage {
    struct Parts {
        std::uint64_t default_bits = 0;
        std::vector<packed::BlockHeader> blocks;
        std::vector<std::uint64_t> bases;
        packed::PackedLayout layout;
    };
    std::shared_ptr<const void> bytes;
    std::vector<std::uint32_t> group_counts;
    Parts group_column;
    packed::PackedReader groups;
    std::vector<Parts> columns;  // reserved: readers point into them
};

// The result of reading a cache file, with why it was rejected.
struct Parsed {
    std::optional<ReadResult> result;
    std::string reason;
};

Parsed reject(std::string reason) { return Parsed{std::nullopt, std::move(reason)}; }

// The checksum of the first `size` bytes of a mapped cache file, hashed in steps, each dropped
// from resident memory once hashed: the pass reads the whole file, and keeping every page it
// read was a cached run's peak (the whole file, whatever the command touched afterwards).
std::uint64_t checksum_releasing(const MappedFile& mapped, std::size_t size) {
    constexpr std::size_t kStep = std::size_t{4} << 20;
    XXH64_state_t* state = XXH64_createState();
    if (!state) throw std::bad_alloc();
    XXH64_reset(state, 0);
    for (std::size_t at = 0; at < size; at += kStep) {
        const std::size_t n = std::min(kStep, size - at);
        XXH64_update(state, mapped.data() + at, n);
        mapped.release_resident(at, n);
    }
    const std::uint64_t sum = XXH64_digest(state);
    XXH64_freeState(state);
    return sum;
}

// The columns view `bytes` in place, packed, and the table keeps alive what holds them: `mapped`
// (the mapping, checksummed releasing its pages as it goes) or else `in_memory` (the file read
// into memory: never decoded into the heap, so a file claiming many rows in few bytes, as
// zero-width blocks allow, costs no more memory than its own size).
Parsed parse(const CacheKey& key, std::string_view bytes, const std::shared_ptr<MappedFile>& mapped,
             const std::shared_ptr<const std::string>& in_memory = nullptr) {
    if (bytes.empty()) return reject("empty file");
    if (std::memcmp(bytes.data(), kMagic, std::min(bytes.size(), sizeof kMagic)) != 0) {
        return reject("not a cache file (bad magic)");
    }
    ByteReader header(bytes);
    char magic[sizeof kMagic];
    std::uint32_t version = 0, byte_order = 0;
    std::uint64_t key_size = 0;
    if (!header.get_bytes(magic, sizeof magic) || !header.get(version)) {
        return reject(fmt::format("truncated header ({} bytes)", bytes.size()));
    }
    if (version != TableCache::kFormatVersion) {
        return reject(fmt::format("format version {}, expected {}", version, TableCache::kFormatVersion));
    }
    if (!header.get(byte_order) || !header.get(key_size)) {
        return reject(fmt::format("truncated header ({} bytes)", bytes.size()));
    }
    if (byte_order != kByteOrderMark) return reject("written on a machine of another byte order");
    if (key_size > header.remaining() || header.remaining() - key_size < kChecksumBytes) {
        return reject(fmt::format("truncated ({} bytes)", bytes.size()));
    }
    const std::size_t payload_size = bytes.size() - kChecksumBytes;
    std::uint64_t stored_checksum = 0;
    std::memcpy(&stored_checksum, bytes.data() + payload_size, kChecksumBytes);
    if ((mapped ? checksum_releasing(*mapped, payload_size) : checksum(bytes.substr(0, payload_size))) !=
        stored_checksum) {
        return reject("checksum mismatch (damaged or truncated)");
    }
    const std::string_view stored_key = bytes.substr(kHeaderFixedBytes, static_cast<std::size_t>(key_size));
    if (stored_key != key.canonical()) return reject("written for another key");

    const std::size_t body_offset = kHeaderFixedBytes + stored_key.size();
    ByteReader r(bytes.substr(0, payload_size).substr(body_offset), body_offset);
    ReadResult result;
    PacketTable& table = result.table;
    std::uint64_t rows = 0;
    std::uint32_t column_count = 0;
    if (!r.get(result.frames) || !r.get_bool(result.truncated) || !r.get_string(result.truncation_detail) ||
        !r.get_string(result.file_type) || !r.get(rows) || !r.get(column_count)) {
        return reject("malformed read metadata");
    }
    const auto schema = PacketTable::column_infos();
    if (column_count != schema.size()) {
        return reject(fmt::format("{} columns, expected {}", column_count, schema.size()));
    }
    // Each column says what it is: a file whose columns differ from ours by name, order or
    // width is another schema, whatever its version says. Every block header is checked
    // (packed::validate) before a row is read.
    auto storage = std::make_shared<PackedStorage>();
    if (mapped) {
        storage->bytes = mapped;
    } else {
        storage->bytes = in_memory;
    }
    storage->columns.reserve(schema.size());
    const std::size_t blocks = packed::block_count_for(static_cast<std::size_t>(rows));
    std::uint64_t block_count = 0;
    if (rows > std::numeric_limits<std::size_t>::max() / 2 || !r.get(block_count) || block_count != blocks ||
        !r.get_array(block_count, storage->group_counts)) {
        return reject("malformed group counts");
    }
    for (std::size_t b = 0; b < blocks; ++b) {
        const std::uint32_t count = storage->group_counts[b];
        if (count == 0 || count > packed::rows_in_block(static_cast<std::size_t>(rows), b)) {
            return reject("malformed group counts");
        }
    }
    std::string why;
    auto read_packed = [&](PackedStorage::Parts& parts, std::string_view expected_name, std::uint32_t expected_width,
                           std::span<const std::uint32_t> group_counts) -> std::string {
        std::string name;
        std::uint32_t width = 0;
        std::uint64_t count = 0;
        const char* values = nullptr;
        if (!r.get_string(name) || !r.get(width)) return "malformed column data";
        if (name != expected_name || width != expected_width) {
            return fmt::format("column {} ({} bytes), expected {} ({} bytes)", name, width, expected_name, expected_width);
        }
        if (!r.get(parts.default_bits) || !r.get(count) || !r.get_array(count, parts.blocks) || !r.get(count) ||
            !r.get_array(count, parts.bases) || !r.get(count) || !r.get_view(static_cast<std::size_t>(count), values) ||
            count > std::numeric_limits<std::size_t>::max()) {
            return fmt::format("malformed column data ({})", name);
        }
        parts.layout = packed::PackedLayout{static_cast<std::size_t>(rows), parts.default_bits, parts.blocks, parts.bases,
                                            {reinterpret_cast<const unsigned char*>(values), static_cast<std::size_t>(count)}};
        if (!packed::validate(parts.layout, group_counts, &why)) return fmt::format("column {}: {}", name, why);
        return {};
    };
    std::string column_problem = read_packed(storage->group_column, kGroupColumnName, sizeof(std::uint32_t), {});
    if (!column_problem.empty()) return reject(column_problem);
    storage->groups = packed::PackedReader(storage->group_column.layout, nullptr, storage->group_counts);
    std::size_t index = 0;
    table.mutable_columns().for_each([&](auto& column) {
        if (!column_problem.empty()) return;
        const PacketTable::ColumnInfo& expected = schema[index++];
        PackedStorage::Parts& parts = storage->columns.emplace_back();
        column_problem = read_packed(parts, expected.name, static_cast<std::uint32_t>(expected.element_bytes), storage->group_counts);
        if (!column_problem.empty()) return;
        column.view_packed(packed::PackedReader(parts.layout, &storage->groups, storage->group_counts));
    });
    if (!column_problem.empty()) return reject(column_problem);

    std::uint64_t count = 0;
    if (!r.get_count(count, sizeof(IpAddress))) return reject("malformed address list");
    auto& addresses = table.mutable_addresses();
    addresses.resize(static_cast<std::size_t>(count));
    for (auto& a : addresses) {
        if (!r.get_address(a)) return reject("malformed address list");
    }

    if (!r.get_count(count, sizeof(std::uint64_t))) return reject("malformed interface names");
    std::vector<std::string> names(static_cast<std::size_t>(count));
    for (auto& name : names) {
        if (!r.get_string(name)) return reject("malformed interface names");
    }
    table.set_interface_names(std::move(names));

    if (!r.get_count(count, kSideOptionFixedBytes)) return reject("malformed side options");
    auto& side_options = table.mutable_side_options();
    side_options.resize(static_cast<std::size_t>(count));
    for (auto& s : side_options) {
        if (!r.get(s.row) || !r.get(s.position) || !read_option(r, s.option)) return reject("malformed side options");
    }
    if (r.remaining() != 0) return reject(fmt::format("{} unexpected bytes before the checksum", r.remaining()));
    if (!table.validate()) return reject("inconsistent table");
    table.rebuild_indexes();
    table.keep_alive(storage);
    return Parsed{std::move(result), {}};
}

// mkdir -p with mode 0700 for every folder it creates (the cache holds what the user's
// captures contain: addresses, ports, keys).
bool make_private_directories(const std::filesystem::path& directory, std::string& error) {
    std::filesystem::path partial;
    for (const auto& part : directory) {
        partial /= part;
        if (partial.empty() || part == partial.root_path() || part.empty()) continue;
        if (::mkdir(partial.c_str(), 0700) == 0) continue;
        const int e = errno;
        struct stat st {};
        if (e == EEXIST && ::stat(partial.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) continue;
        error = partial.string() + ": cannot create folder: " + std::strerror(e == EEXIST ? ENOTDIR : e);
        return false;
    }
    return true;
}

struct FileDescriptor {
    int fd = -1;
    explicit FileDescriptor(int descriptor) : fd(descriptor) {}
    FileDescriptor(FileDescriptor&& other) noexcept : fd(other.fd) { other.fd = -1; }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor() {
        if (fd >= 0) ::close(fd);
    }
};

bool read_whole_file(int fd, std::uint64_t size_hint, std::string& out, int& error) {
    out.resize(static_cast<std::size_t>(size_hint));
    std::size_t got = 0;
    while (got < out.size()) {
        const ssize_t n = ::read(fd, out.data() + got, out.size() - got);
        if (n < 0) {
            if (errno == EINTR) continue;
            error = errno;
            return false;
        }
        if (n == 0) break;  // shorter than fstat said: the checksum will tell
        got += static_cast<std::size_t>(n);
    }
    out.resize(got);
    return true;
}

// Opens a cache entry for reading: without blocking (a FIFO put in its place would wait for a
// writer forever) and without following a symbolic link, then checks with fstat, on what was
// opened, that it is a regular file. -1 when it is not usable: `why` says why ("" when there is
// no entry). Fills `st` on success.
int open_entry(const std::filesystem::path& path, struct stat& st, std::string& why) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY);
    if (fd < 0) {
        const int e = errno;
        why = e == ENOENT ? std::string() : e == ELOOP ? std::string("a symbolic link, not a cache entry") : std::strerror(e);
        return -1;
    }
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        why = "not a regular file";
        ::close(fd);
        return -1;
    }
    // Reads of a regular file never block; clear the flag all the same for what follows.
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    return fd;
}

// Removes `name` of the folder open as `parent`: a folder with everything in it, anything else
// (a symbolic link included: the link, never what it points to) by unlinking it. Every step is
// relative to an open folder and opens folders with O_NOFOLLOW, so a link swapped in meanwhile
// cannot lead out of the cache folder. false with `error` empty: it was already gone.
bool remove_beneath(int parent, const std::string& name, std::string& error, int depth = 0) {
    if (::unlinkat(parent, name.c_str(), 0) == 0) return true;
    if (errno == ENOENT) return false;
    if (errno != EISDIR && errno != EPERM) {
        error = std::strerror(errno);
        return false;
    }
    if (depth > 64) {
        error = "folders nested too deep";
        return false;
    }
    const int fd = ::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        error = std::strerror(errno);
        return false;
    }
    DIR* dir = ::fdopendir(fd);
    if (!dir) {
        error = std::strerror(errno);
        ::close(fd);
        return false;
    }
    std::vector<std::string> children;
    while (const dirent* e = ::readdir(dir)) {
        const std::string child = e->d_name;
        if (child != "." && child != "..") children.push_back(child);
    }
    for (const auto& child : children) {
        std::string child_error;
        if (!remove_beneath(::dirfd(dir), child, child_error, depth + 1) && !child_error.empty()) {
            error = child + ": " + child_error;
            ::closedir(dir);
            return false;
        }
    }
    ::closedir(dir);
    if (::unlinkat(parent, name.c_str(), AT_REMOVEDIR) == 0 || errno == ENOENT) return true;
    error = std::strerror(errno);
    return false;
}

bool is_cache_file_name(const std::string& name) {
    const std::size_t suffix = std::strlen(kFileSuffix);
    return name.size() > suffix && name[0] != '.' && name.compare(name.size() - suffix, suffix, kFileSuffix) == 0;
}

bool is_temporary_name(const std::string& name) {
    return name.size() > 1 && name[0] == '.' && name.find(kTempMarker) != std::string::npos;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// CacheKey

CacheKey CacheKey::for_capture(const std::string& capture_path, std::string libwireshark_version,
                               std::vector<std::string> preferences) {
    std::unique_ptr<char, decltype(&std::free)> resolved(::realpath(capture_path.c_str(), nullptr), &std::free);
    if (!resolved) throw Error(ExitCode::InputMissing, capture_path + ": " + std::strerror(errno));
    struct stat st {};
    if (::stat(resolved.get(), &st) != 0) throw Error(ExitCode::InputMissing, capture_path + ": " + std::strerror(errno));
    CacheKey key;
    key.real_path = resolved.get();
    key.size = static_cast<std::uint64_t>(st.st_size);
    key.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
    key.inode = static_cast<std::uint64_t>(st.st_ino);
    key.device = static_cast<std::uint64_t>(st.st_dev);
    key.tool_version = kVersion;
    key.libwireshark_version = std::move(libwireshark_version);
    key.schema_version = PacketTable::kSchemaVersion;
    key.preferences = std::move(preferences);
    return key;
}

std::string CacheKey::canonical() const {
    std::string text = "mptcpanalyzer table cache key\n";
    text += "real_path=" + escape_value(real_path) + "\n";
    text += fmt::format("size={}\nmtime_ns={}\ninode={}\ndevice={}\n", size, mtime_ns, inode, device);
    text += "tool_version=" + escape_value(tool_version) + "\n";
    text += "libwireshark_version=" + escape_value(libwireshark_version) + "\n";
    text += fmt::format("schema_version={}\npreferences={}\n", schema_version, preferences.size());
    for (const auto& p : preferences) text += "preference=" + escape_value(p) + "\n";
    return text;
}

std::string CacheKey::file_name() const {
    const std::string text = canonical();
    gchar* digest = g_compute_checksum_for_string(G_CHECKSUM_SHA256, text.data(), static_cast<gssize>(text.size()));
    std::string name = std::string(digest) + kFileSuffix;
    g_free(digest);
    return name;
}

// ---------------------------------------------------------------------------------------------
// TableCache

TableCache::TableCache(std::filesystem::path directory, std::uint64_t size_limit)
    : directory_(std::move(directory)), size_limit_(size_limit) {}

std::filesystem::path TableCache::default_directory() {
    return xdg_base_directory("XDG_CACHE_HOME", ".cache") / "mptcpanalyzer";
}

namespace {

// ---------------------------------------------------------------------------------------------
// Packed columns (format 3, README.md "Packed columns").

// Each column's default (code 0 of the packed encoding): the record's default for record columns,
// 0 for the columns the table derives.
std::vector<std::uint64_t> column_defaults() {
    std::vector<std::uint64_t> defaults;
    const PacketRecord record{};
#define MPTCP_RECORD_DEFAULT(name, column_type, ...) \
    defaults.push_back(packed::to_bits(static_cast<column_type>(record.name)));
    MPTCP_PACKET_RECORD_COLUMNS(MPTCP_RECORD_DEFAULT)
#undef MPTCP_RECORD_DEFAULT
#define MPTCP_DERIVED_DEFAULT(name, ...) defaults.push_back(0);
    MPTCP_PACKET_DERIVED_COLUMNS(MPTCP_DERIVED_DEFAULT)
#undef MPTCP_DERIVED_DEFAULT
    return defaults;
}

// Rows [first, first + count) of a column whose first `spooled` rows are in the spool (column
// `index`) and the rest in `column`.
template <class T>
void fetch_rows(const TableSpool* spool, std::size_t spooled, std::size_t index, const Column<T>& column,
                std::size_t first, std::size_t count, std::vector<T>& out) {
    out.resize(count);
    std::size_t i = 0;
    if (first < spooled) {
        i = std::min(count, spooled - first);
        spool->read_rows(index, first, i, out.data());
    }
    for (; i < count; ++i) out[i] = column[first + i - spooled];
}

std::size_t column_index(std::string_view name) {
    const auto schema = PacketTable::column_infos();
    for (std::size_t i = 0; i < schema.size(); ++i) {
        if (schema[i].name == name) return i;
    }
    throw std::logic_error("no column " + std::string(name));
}

// One packed column: name, element width, default, block headers, bases, then its values block
// by block. The values are encoded twice: once for the headers and bases (they come first, so a
// reader finds them without the values' length), once to write them; the column is never held.
void write_packed_column(ByteWriter& w, std::string_view name, std::uint32_t width, std::uint64_t default_bits,
                         bool allow_groups, std::size_t rows,
                         const std::function<void(PackedEncoder&, std::size_t block)>& add_block) {
    PackedEncoder first_pass(default_bits, allow_groups, allow_groups);
    for (std::size_t b = 0; b < packed::block_count_for(rows); ++b) {
        add_block(first_pass, b);
        first_pass.take_data();
    }
    w.put_string(name);
    w.put(width);
    w.put(default_bits);
    w.put<std::uint64_t>(first_pass.blocks().size());
    w.put_bytes(first_pass.blocks().data(), first_pass.blocks().size() * sizeof(packed::BlockHeader));
    w.put<std::uint64_t>(first_pass.bases().size());
    w.put_bytes(first_pass.bases().data(), first_pass.bases().size() * sizeof(std::uint64_t));
    std::uint64_t value_bytes = 0;
    for (std::size_t b = 0; b < first_pass.blocks().size(); ++b) {
        value_bytes += std::uint64_t{first_pass.blocks()[b].width} * packed::rows_in_block(rows, b);
    }
    w.put<std::uint64_t>(value_bytes + packed::kTailPadding);
    PackedEncoder second_pass(default_bits, allow_groups, allow_groups);
    for (std::size_t b = 0; b < packed::block_count_for(rows); ++b) {
        add_block(second_pass, b);
        const std::vector<unsigned char> bytes = second_pass.take_data();
        w.put_bytes(bytes.data(), bytes.size());
    }
    static constexpr char kZeros[packed::kTailPadding] = {};
    w.put_bytes(kZeros, sizeof kZeros);
    if (second_pass.bases() != first_pass.bases()) throw std::logic_error("packed encoding is not deterministic");
}

// The group section (block count, each block's group count, the group column), then every column.
void write_packed_columns(ByteWriter& w, const PacketTable::Columns& columns, const TableSpool* spool,
                          std::size_t spooled, std::size_t rows) {
    const std::size_t blocks = packed::block_count_for(rows);
    // Group ids of every row, packed (about 1 byte a row): each column's blocks read them.
    PackedEncoder group_encoder(0, false, false);
    std::vector<std::uint32_t> group_counts;
    {
        std::vector<std::uint32_t> stream, src, ids;
        std::vector<std::uint16_t> sport;
        const std::size_t stream_index = column_index("tcp_stream"), src_index = column_index("src"),
                          sport_index = column_index("sport");
        for (std::size_t b = 0; b < blocks; ++b) {
            const std::size_t first = b * packed::kBlockRows, n = packed::rows_in_block(rows, b);
            fetch_rows(spool, spooled, stream_index, columns.tcp_stream, first, n, stream);
            fetch_rows(spool, spooled, src_index, columns.src, first, n, src);
            fetch_rows(spool, spooled, sport_index, columns.sport, first, n, sport);
            group_counts.push_back(packed::assign_groups(stream, src, sport, ids));
            group_encoder.add_block(std::span<const std::uint32_t>(ids), {}, 1);
        }
        group_encoder.finish();
    }
    const packed::PackedLayout group_layout{rows, 0, group_encoder.blocks(), group_encoder.bases(), group_encoder.data()};
    const packed::PackedReader groups(group_layout, nullptr, group_counts);
    auto block_groups = [&](std::size_t b, std::vector<std::uint32_t>& ids) {
        const std::size_t first = b * packed::kBlockRows, n = packed::rows_in_block(rows, b);
        ids.resize(n);
        for (std::size_t i = 0; i < n; ++i) ids[i] = static_cast<std::uint32_t>(groups.bits(first + i));
    };

    w.put<std::uint64_t>(blocks);
    w.put_bytes(group_counts.data(), group_counts.size() * sizeof(std::uint32_t));
    std::vector<std::uint32_t> ids;
    write_packed_column(w, kGroupColumnName, sizeof(std::uint32_t), 0, false, rows, [&](PackedEncoder& e, std::size_t b) {
        block_groups(b, ids);
        e.add_block(std::span<const std::uint32_t>(ids), {}, 1);
    });

    const auto schema = PacketTable::column_infos();
    const std::vector<std::uint64_t> defaults = column_defaults();
    std::size_t index = 0;
    columns.for_each([&](const auto& column) {
        using T = typename std::remove_cvref_t<decltype(column)>::value_type;
        std::vector<T> values;
        write_packed_column(w, schema[index].name, sizeof(T), defaults[index], true, rows,
                            [&](PackedEncoder& e, std::size_t b) {
                                fetch_rows(spool, spooled, index, column, b * packed::kBlockRows,
                                           packed::rows_in_block(rows, b), values);
                                block_groups(b, ids);
                                e.add_block(std::span<const T>(values), ids, group_counts[b]);
                            });
        ++index;
    });
}

// The whole file, in pieces to `sink` (layout: README.md). With `spool`, each column's first
// rows are the spool's and `result.table` holds the rows after them (the file is the same).
void write_table(const CacheKey& key, const ReadResult& result, std::function<void(std::string_view)> sink,
                 const TableSpool* spool = nullptr) {
    const std::string key_text = key.canonical();
    const PacketTable& table = result.table;
    const PacketTable::Columns& columns = table.columns();
    const auto schema = PacketTable::column_infos();
    ByteWriter w(std::move(sink));
    w.put_bytes(kMagic, sizeof kMagic);
    w.put<std::uint32_t>(TableCache::kFormatVersion);
    w.put<std::uint32_t>(kByteOrderMark);
    w.put_string(key_text);

    w.put<std::uint64_t>(result.frames);
    w.put_bool(result.truncated);
    w.put_string(result.truncation_detail);
    w.put_string(result.file_type);

    const std::size_t spooled = spool ? spool->rows() : 0;
    const std::size_t rows = spooled + table.size();
    w.put<std::uint64_t>(rows);
    w.put(static_cast<std::uint32_t>(schema.size()));
    write_packed_columns(w, columns, spool, spooled, rows);

    w.put<std::uint64_t>(table.addresses().size());
    for (const auto& a : table.addresses()) w.put_address(a);
    w.put<std::uint64_t>(table.interface_names().size());
    for (const auto& name : table.interface_names()) w.put_string(name);
    w.put<std::uint64_t>(table.side_options().size());
    for (const auto& s : table.side_options()) {
        w.put(s.row);
        w.put(s.position);
        write_option(w, s.option);
    }

    w.finish();
}

}  // namespace

std::string TableCache::serialize(const CacheKey& key, const ReadResult& result) {
    std::string out;
    write_table(key, result, [&out](std::string_view piece) { out.append(piece); });
    return out;
}

std::optional<ReadResult> TableCache::deserialize(const CacheKey& key, std::string_view bytes) {
    // The table reads its own copy of the bytes in place (the caller's may go away).
    auto copy = std::make_shared<const std::string>(bytes);
    return parse(key, *copy, nullptr, copy).result;
}

std::optional<ReadResult> TableCache::load(const CacheKey& key) const { return load_entry(key, "hit"); }

std::optional<ReadResult> TableCache::reopen_stored(const CacheKey& key) const { return load_entry(key, "reopened"); }

std::optional<ReadResult> TableCache::load_entry(const CacheKey& key, const char* hit_word) const {
    const std::filesystem::path path = directory_ / key.file_name();
    struct stat st {};
    std::string not_usable;
    FileDescriptor file{open_entry(path, st, not_usable)};
    if (file.fd < 0) {
        if (!not_usable.empty()) log::debug("cache: ignoring {}: {}", path.string(), not_usable);
        log::debug("cache: miss {}", path.string());
        return std::nullopt;
    }

    // The file is read in place (mapped): its columns are the table's, and a run reads from disk
    // only what it touches. Should mapping fail for want of room (address space, the SIGBUS
    // handler's slots), it is read into memory as before.
    Parsed parsed;
    try {
        std::string map_error;
        std::shared_ptr<MappedFile> mapped =
            MappedFile::map(file.fd, static_cast<std::size_t>(st.st_size), path.string(), map_error);
        if (mapped) {
            if (cache_detail::after_map_hook) cache_detail::after_map_hook(file.fd);
            mapped->begin_check();
            parsed = parse(key, mapped->bytes(), mapped);
            if (!mapped->end_check()) parsed = reject("truncated while being read");
            // The checksum pass read every page; what the analyses touch comes back on demand.
            mapped->release_resident();
        } else if (st.st_size == 0 || map_error.rfind("shorter", 0) == 0) {
            parsed = reject(st.st_size == 0 ? std::string("empty file") : map_error);
        } else {
            log::debug("cache: cannot map {} ({}): reading it", path.string(), map_error);
            auto bytes = std::make_shared<std::string>();
            int read_error = 0;
            if (!read_whole_file(file.fd, static_cast<std::uint64_t>(st.st_size), *bytes, read_error)) {
                log::debug("cache: ignoring {}: {}", path.string(), std::strerror(read_error));
                log::debug("cache: miss {}", path.string());
                return std::nullopt;
            }
            parsed = parse(key, *bytes, nullptr, bytes);
        }
    } catch (const std::bad_alloc&) {
        // Only sizes the file itself backs are allocated: running out says nothing about the
        // entry, which stays for a run with more memory. Reading the capture would need more.
        log::debug("cache: out of memory while loading {}: entry kept", path.string());
        throw;
    }
    if (parsed.result) {
        // The mtime records the last use, for least-recently-used eviction (atime is unreliable
        // under relatime/noatime). Failing to touch only makes eviction less accurate.
        if (::futimens(file.fd, nullptr) != 0) log::debug("cache: cannot touch {}: {}", path.string(), std::strerror(errno));
        log::debug("cache: {} {}", hit_word, path.string());
        return std::move(parsed.result);
    }

    log::debug("cache: ignoring {}: {}", path.string(), parsed.reason);
    // Remove it only if it is still the file we read: another process may have just renamed
    // a fresh one into place.
    struct stat now {};
    if (::stat(path.c_str(), &now) == 0 && now.st_ino == st.st_ino && now.st_dev == st.st_dev) {
        if (::unlink(path.c_str()) != 0) {
            log::debug("cache: cannot remove {}: {}", path.string(), std::strerror(errno));
        }
    }
    log::debug("cache: miss {}", path.string());
    return std::nullopt;
}

bool TableCache::store(const CacheKey& key, const ReadResult& result) const { return store_table(key, result, nullptr); }

bool TableCache::store_spooled(const CacheKey& key, const TableSpool& spool, const ReadResult& result) const {
    return store_table(key, result, &spool);
}

std::unique_ptr<TableSpool> TableCache::start_spool() const {
    std::string error;
    if (!make_private_directories(directory_, error)) {
        log::debug("cache: no spool in {}: {}", directory_.string(), error);
        return nullptr;
    }
    try {
        return std::make_unique<TableSpool>(directory_);
    } catch (const Error& e) {
        log::debug("cache: no spool: {}", e.what());
        return nullptr;
    }
}

namespace {

// Gives the unnamed file `fd` (O_TMPFILE) the name `destination`, replacing what has it: a link
// under a temporary name of ours (linkat cannot replace), then a rename over the destination.
// Only between the two does a named temporary exist (`cache clean` removes one left by a crash
// there). Throws Error(OutputFailed).
void link_into_place(int fd, const std::filesystem::path& destination) {
    static std::atomic<unsigned> counter{0};
    const std::string proc_path = "/proc/self/fd/" + std::to_string(fd);
    const std::filesystem::path folder = destination.parent_path();
    for (int attempt = 0;; ++attempt) {
        // Unique among live processes and this process's threads; a name left by a dead
        // process of the same id is skipped.
        const std::filesystem::path temporary =
            folder / fmt::format(".{}.tmp-{}-{}", destination.filename().string(), ::getpid(), counter++);
        if (::linkat(fd, "", AT_FDCWD, temporary.c_str(), AT_EMPTY_PATH) != 0 &&
            ::linkat(AT_FDCWD, proc_path.c_str(), AT_FDCWD, temporary.c_str(), AT_SYMLINK_FOLLOW) != 0) {
            if (errno == EEXIST && attempt < 100) continue;
            throw Error(ExitCode::OutputFailed, destination.string() + ": cannot name the new file: " + std::strerror(errno));
        }
        if (::rename(temporary.c_str(), destination.c_str()) != 0) {
            const int e = errno;
            ::unlink(temporary.c_str());
            throw Error(ExitCode::OutputFailed, destination.string() + ": cannot move output into place: " + std::strerror(e));
        }
        return;
    }
}

}  // namespace

bool TableCache::store_table(const CacheKey& key, const ReadResult& result, const TableSpool* spool) const {
    const std::filesystem::path path = directory_ / key.file_name();
    try {
        std::string error;
        if (!make_private_directories(directory_, error)) {
            log::warning("cache: cannot store {}: {}", path.string(), error);
            return false;
        }
        // The file has no name until it is complete (O_TMPFILE): a run ended by any signal, or
        // SIGKILL, while writing it leaves nothing behind. Where the file system cannot, a
        // named temporary of AtomicFile's (removed if writing fails).
        FileDescriptor unnamed{::open(directory_.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666)};
        if (unnamed.fd >= 0) {
            write_table(
                key, result,
                [&](std::string_view piece) {
                    if (!write_whole(unnamed.fd, piece)) {
                        throw Error(ExitCode::OutputFailed, path.string() + ": write failed: " + std::strerror(errno));
                    }
                },
                spool);
            // No fsync: after a crash a torn file fails its checksum and is simply re-read.
            link_into_place(unnamed.fd, path);
        } else if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) {
            AtomicFile file(path);
            write_table(key, result, [&file](std::string_view piece) { file.write(piece); }, spool);
            file.commit(false);
        } else {
            throw Error(ExitCode::OutputFailed, path.string() + ": cannot create output file: " + std::strerror(errno));
        }
    } catch (const std::exception& e) {
        log::warning("cache: cannot store {}: {}", path.string(), e.what());
        return false;
    }
    log::debug("cache: stored {}", path.string());
    if (size_limit_ != 0) evict(path);
    return true;
}

std::optional<ReadResult> TableCache::open_spooled(const TableSpool& spool, const ReadResult& result,
                                                   std::string& error) {
    // The key only ties the file to this call: nobody else can open an unnamed file.
    CacheKey key;
    key.real_path = "(a table of this run, not cached)";
    const std::string where = (spool.directory() / "(unnamed table)").string();
    FileDescriptor file{make_unlinked_file(spool.directory())};
    if (file.fd < 0) {
        error = spool.directory().string() + ": cannot create a temporary file: " + std::strerror(errno);
        return std::nullopt;
    }
    try {
        write_table(
            key, result,
            [&](std::string_view piece) {
                if (!write_whole(file.fd, piece)) {
                    throw Error(ExitCode::OutputFailed, where + ": write failed: " + std::strerror(errno));
                }
            },
            &spool);
    } catch (const Error& e) {
        error = e.what();
        return std::nullopt;
    }
    struct stat st {};
    if (::fstat(file.fd, &st) != 0) {
        error = where + ": " + std::strerror(errno);
        return std::nullopt;
    }
    std::shared_ptr<MappedFile> mapped = MappedFile::map(file.fd, static_cast<std::size_t>(st.st_size), where, error);
    if (!mapped) return std::nullopt;
    mapped->begin_check();
    Parsed parsed = parse(key, mapped->bytes(), mapped);
    if (!mapped->end_check()) parsed = reject("truncated while being read");
    mapped->release_resident();
    if (!parsed.result) {
        error = where + ": " + parsed.reason;
        return std::nullopt;
    }
    return std::move(parsed.result);
}

std::size_t TableCache::evict(const std::filesystem::path& keep) const {
    if (size_limit_ == 0) return 0;
    const std::filesystem::path lock_path = directory_ / ".evict.lock";
    FileDescriptor lock{::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)};
    if (lock.fd < 0) {
        log::debug("cache: cannot open {}: {}", lock_path.string(), std::strerror(errno));
        return 0;
    }
    // Evictions take turns (a listing is short): each one sees the entries the previous ones
    // left, so concurrent stores never remove more than needed, and the last one leaves the
    // folder within its limit.
    while (::flock(lock.fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            log::debug("cache: cannot lock {}: {}", lock_path.string(), std::strerror(errno));
            return 0;
        }
    }
    struct Entry {
        std::filesystem::path path;
        std::int64_t used_ns = 0;
        std::uint64_t bytes = 0;
    };
    std::vector<Entry> entries;
    std::uint64_t total = 0;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(directory_, ec), end; !ec && it != end; it.increment(ec)) {
        if (!is_cache_file_name(it->path().filename().string())) continue;
        struct stat st {};
        if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        entries.push_back({it->path(), static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
                           static_cast<std::uint64_t>(st.st_size)});
        total += static_cast<std::uint64_t>(st.st_size);
    }
    // Oldest use first; the name breaks ties so the order is deterministic.
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        return a.used_ns != b.used_ns ? a.used_ns < b.used_ns : a.path < b.path;
    });
    std::size_t removed = 0;
    for (const auto& e : entries) {
        if (total <= size_limit_) break;
        if (!keep.empty() && e.path == keep) continue;
        if (::unlink(e.path.c_str()) == 0) {
            ++removed;
            log::debug("cache: evicted {} ({} bytes, limit {})", e.path.string(), e.bytes, size_limit_);
        } else if (errno != ENOENT) {
            log::warning("cache: cannot remove {}: {}", e.path.string(), std::strerror(errno));
            continue;
        }
        total -= e.bytes;
    }
    return removed;
}

TableCache::Info TableCache::info() const {
    Info info;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(directory_, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code entry_ec;
        if (!it->is_regular_file(entry_ec) || !is_cache_file_name(it->path().filename().string())) continue;
        const auto bytes = it->file_size(entry_ec);
        if (entry_ec) continue;  // removed meanwhile
        ++info.files;
        info.bytes += bytes;
    }
    return info;
}

std::size_t TableCache::clean() const {
    // Everything named like an entry or a temporary of ours goes, whatever it is: a regular file,
    // but also a folder, FIFO or link put in an entry's place (which load ignores, and which would
    // otherwise stay forever). Other names are left alone: the folder may be one the user
    // pointed --cache-dir at by mistake. Temporaries are removed whatever their age: a store
    // running concurrently then fails its rename, warns and returns false; its caller still has
    // its table.
    const int folder = ::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (folder < 0) return 0;
    FileDescriptor folder_fd{folder};
    std::vector<std::string> doomed;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(directory_, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (is_cache_file_name(name) || is_temporary_name(name)) doomed.push_back(name);
    }
    std::size_t removed = 0;
    for (const auto& name : doomed) {
        std::string error;
        if (remove_beneath(folder, name, error)) {
            ++removed;
        } else if (!error.empty()) {
            log::warning("cache: cannot remove {}: {}", (directory_ / name).string(), error);
        }
    }
    return removed;
}

}  // namespace mptcpanalyzer
