// Reads a capture with the installed libraries (capture, model, analysis, io) and prints what
// the test compares with tshark: packets, TCP and MPTCP connections.
#include <mptcpanalyzer/analysis/summaries.hpp>
#include <mptcpanalyzer/cache/table_cache.hpp>
#include <mptcpanalyzer/capture/capture_reader.hpp>
#include <mptcpanalyzer/model/connections.hpp>
#include <mptcpanalyzer/version.hpp>

#include <cstdint>
#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
    using namespace mptcpanalyzer;
    if (argc != 2) {
        std::fprintf(stderr, "usage: consumer CAPTURE\n");
        return 2;
    }
    try {
        const ReadResult result = CaptureReader().read(argv[1]);
        const ConnectionModel model = ConnectionModel::build(result.table);
        std::uint64_t segments = 0;
        for (const TcpConnection& c : model.tcp) {
            const TcpSummary summary = summarize_tcp(c);
            for (const auto& d : summary.directions) segments += d.stats.packets;
        }
        std::printf("version %s\n", kVersion);
        std::printf("packets %zu\n", result.table.size());
        std::printf("segments %llu\n", static_cast<unsigned long long>(segments));
        std::printf("tcp %zu\n", model.tcp.size());
        std::printf("mptcp %zu\n", model.mptcp.size());
        std::printf("cache %s\n", TableCache::default_directory().c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "consumer: %s\n", e.what());
        return 1;
    }
    return 0;
}
