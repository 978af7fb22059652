// CaptureReader, the front of the capture seam (capture_backend.hpp): what it can answer without
// libwireshark (the preferences, hence the cache key) it answers itself; reading, initialising
// and the loaded libwireshark's version go to the backend, loaded on first use.

#include <string>
#include <utility>
#include <vector>

#include "capture_backend.hpp"
#include "epan_runtime.hpp"
#include "mptcpanalyzer/capture/capture_reader.hpp"
#include "wireshark_compat.hpp"  // headers only (version macros): nothing here links libwireshark

namespace mptcpanalyzer {

namespace capture {

// Here, not in epan_runtime.cpp: a cached run needs them for the cache key without loading the
// backend. The GeoIP names follow the headers the program was built with, which are the module's.
const std::vector<std::string>& default_preferences() {
    static const std::vector<std::string> prefs = [] {
        std::vector<std::string> list = {
            "mptcp.analyze_mptcp:TRUE",
            "mptcp.analyze_mappings:FALSE",
            "mptcp.intersubflows_retransmission:FALSE",
            "mptcp.relative_sequence_numbers:FALSE",
            "tcp.analyze_sequence_numbers:FALSE",
            "tcp.relative_sequence_numbers:FALSE",
            "tcp.desegment_tcp_streams:FALSE",
            "tcp.calculate_timestamps:FALSE",
        };
        // GeoIP off: named differently by 4.0 and 4.4 (wireshark_compat.hpp).
        for (const char* pref : wireshark::kNoGeoipPreferences) list.emplace_back(pref);
        return list;
    }();
    return prefs;
}

}  // namespace capture

CaptureReader::CaptureReader(ReadOptions options) : options_(std::move(options)) {}

std::vector<std::string> CaptureReader::preferences() const {
    std::vector<std::string> prefs = capture::default_preferences();
    prefs.insert(prefs.end(), options_.extra_preferences.begin(), options_.extra_preferences.end());
    return prefs;
}

void CaptureReader::initialize() const { capture::backend().initialize(preferences()); }

std::string CaptureReader::libwireshark_version() { return capture::backend().libwireshark_version(); }

ReadResult CaptureReader::read(const std::string& path, const RowSpill& spill) const {
    return capture::backend().read(options_, preferences(), path, spill);
}

}  // namespace mptcpanalyzer
