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

class CaptureReader {
public:
    explicit CaptureReader(ReadOptions options = {});

    // Reads `path`. Throws Error with a message naming the file: InputMissing (absent,
    // unreadable), InputInvalid (not a capture, corrupt), NoData (no packets / no TCP).
    // A file cut off mid-packet yields the packets before the cut and `truncated`.
    ReadResult read(const std::string& path) const;

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
