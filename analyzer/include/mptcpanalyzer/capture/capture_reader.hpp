#pragma once
// The capture reader: opens any file wiretap reads, dissects every packet once with
// libwireshark (taps only, no protocol tree) and returns the PacketTable. This header is
// epan-free; the implementation is the only place (with epan-plugin/) that includes epan.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mptcpanalyzer/model/packet_table.hpp"

namespace mptcpanalyzer {

struct ReadOptions {
    // Extra Wireshark preferences, "module.name:value" as with `tshark -o`, applied after ours.
    std::vector<std::string> extra_preferences;
    // Called now and then with (bytes read so far, file size or 0 when unknown).
    std::function<void(std::uint64_t, std::uint64_t)> progress;
};

struct ReadResult {
    PacketTable table;
    std::uint64_t frames = 0;      // every frame read, TCP or not
    bool truncated = false;        // the file ends in the middle of a packet
    std::string truncation_detail;
    std::string file_type;         // e.g. "Wireshark/... - pcapng"
    // What dissected it: set by load_capture (this run's), or read from a table export.
    std::string libwireshark_version;
    std::vector<std::string> wireshark_preferences;
};

// Takes the rows of a table being read (PacketTable::spill_rows) and keeps them elsewhere (the
// cold path's cache file, cache/table_spool.hpp): read() calls it whenever the table holds
// kSpillRows rows, so that the table's memory during a read is bounded, whatever the capture.
using RowSpill = std::function<void(PacketTable&)>;

class CaptureReader {
public:
    // Rows held in memory between two spills (about 104 bytes each): 6.8 MB. The environment
    // variable MPTCPANALYZER_TEST_SPILL_ROWS overrides it, for tests that make a small capture
    // spill many times.
    static constexpr std::size_t kSpillRows = std::size_t{1} << 16;

    explicit CaptureReader(ReadOptions options = {});

    // Reads `path`. Throws Error with a message naming the file: InputMissing (absent,
    // unreadable), InputInvalid (not a capture, corrupt), NoData (no packets / no TCP).
    // A file cut off mid-packet yields the packets before the cut and `truncated`.
    // With `spill`, the rows go to it while the file is read, and the result's table holds only
    // those read since its last call (PacketTable::spilled_rows() says how many went before).
    ReadResult read(const std::string& path, const RowSpill& spill = {}) const;

    // Initialises libwireshark and applies the preferences now (read() does it on demand).
    // Throws Error(Environment/Usage) when that fails.
    void initialize() const;

    // The preferences we apply (ours, then the extra ones): part of the cache key.
    std::vector<std::string> preferences() const;

    // "4.0.17": the libwireshark actually loaded (not the headers we built against).
    static std::string libwireshark_version();

private:
    ReadOptions options_;
};

}  // namespace mptcpanalyzer
