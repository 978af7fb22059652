#pragma once
// PacketTable: the columnar store of PacketRecords that every analysis reads and the cache
// stores. Fixed-width facts are columns (declared in packet_schema.hpp; read through
// `const Column<T>&`, see column.hpp); addresses are interned; MPTCP options other than the
// (one per segment, very common) DSS live in a side list, so typical traffic costs ~100 bytes
// per packet instead of a PacketRecord's ~400.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mptcpanalyzer/model/column.hpp"
#include "mptcpanalyzer/model/packet_record.hpp"

namespace mptcpanalyzer {

// One non-DSS MPTCP option and the row it belongs to.
struct SideOption {
    std::uint32_t row = 0;
    std::uint8_t position = 0;  // index among the segment's MPTCP options
    MptcpOption option;
};

// Bits of PacketTable::Columns::misc.
namespace row_bit {
inline constexpr std::uint8_t kTimestamps = 0x01;
inline constexpr std::uint8_t kOptionsUnavailable = 0x02;
inline constexpr std::uint8_t kPayloadSum = 0x04;
}  // namespace row_bit

// Bits of PacketTable::Columns::dss_bits.
namespace dss_bit {
inline constexpr std::uint8_t kPresent = 0x01;
inline constexpr std::uint8_t kDataAck = 0x02;
inline constexpr std::uint8_t kDataAck8 = 0x04;
inline constexpr std::uint8_t kMapping = 0x08;
inline constexpr std::uint8_t kDsn8 = 0x10;
inline constexpr std::uint8_t kChecksum = 0x20;
inline constexpr std::uint8_t kDataFin = 0x40;
inline constexpr std::uint8_t kTruncated = 0x80;
}  // namespace dss_bit

class PacketTable {
public:
    // The columns of MPTCP_PACKET_COLUMNS (packet_schema.hpp), in that order. `for_each` visits
    // them in that order, which is also the cache's.
    struct Columns {
#define MPTCP_DECLARE_COLUMN(name, column_type, ...) Column<column_type> name;
        MPTCP_PACKET_COLUMNS(MPTCP_DECLARE_COLUMN)
#undef MPTCP_DECLARE_COLUMN

        // f(column) for every column.
#define MPTCP_VISIT_COLUMN(name, ...) f(name);
        template <class F>
        void for_each(F&& f) {
            MPTCP_PACKET_COLUMNS(MPTCP_VISIT_COLUMN)
        }
        template <class F>
        void for_each(F&& f) const {
            MPTCP_PACKET_COLUMNS(MPTCP_VISIT_COLUMN)
        }
#undef MPTCP_VISIT_COLUMN
    };

    // What describes a column besides its values: for the cache (which checks every column by
    // name and width), tests and diagnostics. In Columns::for_each order.
    struct ColumnInfo {
        std::string_view name;
        std::size_t element_bytes = 0;
        bool from_record = false;  // a PacketRecord field of the same name (else derived by append)
        std::string_view meaning;
    };
    static std::span<const ColumnInfo> column_infos();

    // Appends a record. Relative sequence numbers are assigned as it arrives (Wireshark's
    // rule: relative to the SYN's sequence number, or to the first one seen minus one).
    void append(const PacketRecord& record);

    std::size_t size() const { return columns_.frame_number.size(); }
    bool empty() const { return size() == 0; }

    // The row as a PacketRecord again (seq/ack relative values are in the columns).
    PacketRecord record(std::size_t row) const;
    // The same into an existing record, reusing its option storage (no allocation per row in
    // loops over the whole table).
    void record_into(std::size_t row, PacketRecord& out) const;

    const Columns& columns() const { return columns_; }
    const std::vector<IpAddress>& addresses() const { return addresses_; }
    const IpAddress& address(std::uint32_t index) const { return addresses_[index]; }
    const std::vector<SideOption>& side_options() const { return side_options_; }

    // Interface names by wiretap interface id ("" when unknown).
    const std::vector<std::string>& interface_names() const { return interface_names_; }
    void set_interface_names(std::vector<std::string> names) { interface_names_ = std::move(names); }
    std::string interface_name(std::uint32_t id) const;

    // Approximate heap bytes held (for benchmarks and `cache info`).
    std::size_t memory_bytes() const;
    // Reserves room for `rows` packets. Large reservations cost address space, not memory:
    // untouched pages are never resident, and growth by copying (2-3x peaks) is avoided.
    void reserve(std::size_t rows);
    // Drops what only append() needs (per-stream sequence state) once the table is complete.
    void finish_appending();

    // For a writer that stores the table while it is being built (the cold path's cache file,
    // cache/table_spool.hpp), so that the table's memory stays bounded during a long read:
    // spill_rows hands every column, in Columns::for_each order, to `sink` (called as
    // sink(const Column<T>&)), then forgets the values of the rows held so far. Rows appended
    // later keep their numbers (a side option names its row counted from the first row ever
    // appended). A table that spilled is for its writer only: size(), the columns and
    // record_into cover the rows held since the last spill, and side options and addresses
    // the whole table.
    template <class Sink>
    void spill_rows(Sink&& sink) {
        columns_.for_each([&](const auto& column) { sink(column); });
        spilled_rows_ += size();
        columns_.for_each([](auto& column) { column.clear(); });
    }
    // Rows handed to spill_rows so far; rows_appended() counts them with those held.
    std::size_t spilled_rows() const { return spilled_rows_; }
    std::size_t rows_appended() const { return spilled_rows_ + size(); }
    // Undoes spilling (a writer that could not keep the rows gives them back): `read_back`
    // is called as read_back(Column<T>& column, std::size_t spilled) for every column in
    // for_each order, and must put the column's `spilled` first values in front of its own.
    template <class ReadBack>
    void restore_spilled_rows(ReadBack&& read_back) {
        const std::size_t spilled = spilled_rows_;
        columns_.for_each([&](auto& column) { read_back(column, spilled); });
        spilled_rows_ = 0;
    }

    // For the cache: direct access to the storage, and re-deriving lookup state after a load.
    Columns& mutable_columns() { return columns_; }
    std::vector<IpAddress>& mutable_addresses() { return addresses_; }
    std::vector<SideOption>& mutable_side_options() { return side_options_; }
    // Checks that a loaded table is internally consistent (equal column lengths, indices in
    // range); false means the data must not be trusted.
    bool validate() const;
    void rebuild_indexes();
    // Keeps alive what viewed columns (Column::view) read in place: the mapped cache file.
    // Copies of the table share it.
    void keep_alive(std::shared_ptr<const void> storage) { storage_ = std::move(storage); }

    // Part of the cache key: bump it when what a column means changes. (Adding, removing,
    // reordering or resizing columns is caught by the cache's per-column name and width check.)
    // 2: payload_sum column; 3: columns in schema order (packet_schema.hpp); 4: tcp_stream and
    // mptcp_stream are continuous across a handshake libwireshark 4.4 splits (capture/stream_continuity.hpp).
    static constexpr std::uint32_t kSchemaVersion = 4;

private:
    struct AddressHash {
        std::size_t operator()(const IpAddress& a) const noexcept;
    };
    struct SequenceBase {
        bool set = false;
        bool from_syn = false;
        std::uint32_t base = 0;
    };
    struct StreamState {
        std::uint32_t first_src = 0;  // address index + port of the first packet's sender
        std::uint16_t first_sport = 0;
        bool known = false;
        SequenceBase base[2];  // [0]: direction of the first packet, [1]: the other one
    };

    std::uint32_t intern(const IpAddress& address);

    Columns columns_;
    std::vector<IpAddress> addresses_;
    std::unordered_map<IpAddress, std::uint32_t, AddressHash> address_index_;
    std::vector<SideOption> side_options_;
    std::vector<std::string> interface_names_;
    std::vector<StreamState> streams_;  // by tcp.stream, for relative sequence numbers
    std::size_t spilled_rows_ = 0;      // see spill_rows
    std::shared_ptr<const void> storage_;  // see keep_alive
};

}  // namespace mptcpanalyzer
