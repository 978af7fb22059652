// The in-order point of the reordering analysis against the receiver's own DATA_ACKs, on the
// real captures of tests/data (read through libwireshark): a receiver cannot acknowledge data
// it does not hold in order, and it acknowledges in-order data promptly. So at every DATA_ACK
// the receiver sends (in the capture taken at its end: the client's for data towards the
// client, the server's for data towards the server), our in-order point is at or beyond the
// acknowledged DSN, and what was in order a few milliseconds earlier is acknowledged (kPrompt,
// below). Also: the capture's vantage is decided as the corpus was captured.

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <string>

#include "mptcpanalyzer/analysis/mptcp_data.hpp"
#include "mptcpanalyzer/analysis/reordering.hpp"
#include "mptcpanalyzer/capture/capture_reader.hpp"
#include "mptcpanalyzer/model/connections.hpp"

using namespace mptcpanalyzer;

namespace {

// How soon a receiver acknowledges data once it is in order. Linux may repeat an unchanged
// DATA_ACK on several ACKs while in-order data waits in the MPTCP socket's backlog: on the
// corpus the longest such wait is about 2.1 ms (checksum.server), the typical one 0; a wrong
// in-order point (a hole taken as filled) is acknowledged only a round trip or a
// retransmission timeout later (>= 40 ms on reinject, seconds on pathfail).
constexpr std::int64_t kPrompt = 5'000'000;

struct Checked {
    std::size_t data_acks = 0;
    std::size_t connections = 0;
};

// The receiver of `receiving` (ToClient in the client's capture, ToServer in the server's).
Checked check_capture(const std::string& file, DataDirection receiving) {
    const std::filesystem::path path = std::filesystem::path(MPTCP_TEST_DATA_DIR) / file;
    REQUIRE(std::filesystem::exists(path));
    const ReadResult read = CaptureReader().read(path.string());
    const ConnectionModel model = ConnectionModel::build(read.table);
    Checked checked;
    for (const MptcpConnection& connection : model.mptcp) {
        if (connection.fallback != Fallback::None) continue;  // no data level to order
        const ConnectionData data = map_connection_data(read.table, model, connection);
        const ReorderingAnalysis r = analyse_reordering(read.table, model, connection, data);
        const auto d = static_cast<std::size_t>(receiving);
        const DirectionReordering& dir = r.directions[d];
        const DirectionReordering& other = r.directions[1 - d];
        INFO(file << " mptcp.stream " << connection.mptcp_stream);
        // Where each capture was taken is ground truth (the corpus names it).
        CHECK(dir.vantage == Vantage::Receiver);
        CHECK(other.vantage == Vantage::Sender);
        if (dir.timeline.empty()) continue;
        ++checked.connections;
        // Walk the DATA_ACKs of this direction and the timeline together, in capture order:
        // `in_order` is our point just before the DATA_ACK, `settled` our point kPrompt earlier.
        std::size_t next_point = 0, next_settled = 0;
        std::uint64_t in_order = dir.first_dsn, settled = dir.first_dsn;
        for (const DataAck& ack : data.data_acks) {
            if (ack.direction != receiving) continue;
            const std::int64_t t = read.table.columns().time_ns[ack.row];
            for (; next_point < dir.timeline.size() && dir.timeline[next_point].row < ack.row; ++next_point)
                in_order = dir.timeline[next_point].in_order_dsn;
            for (; next_settled < dir.timeline.size() && dir.timeline[next_settled].time_ns <= t - kPrompt;
                 ++next_settled)
                settled = dir.timeline[next_settled].in_order_dsn;
            const std::uint64_t acked = data.relative(receiving, ack.ack);
            INFO("DATA_ACK in row " << ack.row << ": acked " << acked << ", in order " << in_order << ", "
                                    << kPrompt << " ns earlier " << settled);
            ++checked.data_acks;
            // Never beyond what it holds in order (a DATA_FIN takes one DSN past the data).
            CHECK(acked <= in_order + 1);
            // Prompt: what was in order kPrompt ago is acknowledged.
            CHECK(acked >= settled);
        }
    }
    return checked;
}

}  // namespace

TEST_CASE("reordering: the in-order point agrees with every DATA_ACK the receiver sent, on the corpus",
          "[reordering][corpus]") {
    // Scenarios where the receiver runs MPTCP on data we see whole. Left out: fallbacks (no
    // data level), mpfail* (the relay corrupted a byte: the receiver drops data we count).
    const char* scenarios[] = {"basic",   "reqresp", "concurrent", "reinject", "pathfail", "mptcp_retrans",
                               "path_recovers", "backup", "addaddr", "fastclose", "checksum", "ipv6", "port_reuse"};
    for (const char* scenario : scenarios) {
        INFO(scenario);
        // Each capture is the receiver's of one direction (some scenarios send one way only).
        const Checked client = check_capture(std::string(scenario) + ".client.pcapng", DataDirection::ToClient);
        const Checked server = check_capture(std::string(scenario) + ".server.pcapng", DataDirection::ToServer);
        CHECK(client.connections + server.connections > 0);
        CHECK(client.data_acks + server.data_acks > 0);
    }
}
