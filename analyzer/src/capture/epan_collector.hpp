#pragma once
// EpanCollector: the one place where libwireshark's taps become PacketRecords, shared by the
// capture reader and the Wireshark plugin. Three listeners of its own, without a display filter:
//   - `tcp`: starts the record of a segment (RecordBuilder::from_tcp_tap);
//   - `mptcp`: completes it (that tap follows the tcp tap of the same segment in the queue);
//   - `frame`: queued at the very end of a frame's dissection, appends the frame's last record
//     to the collector's PacketTable and tells the owner which rows the frame produced.
//
// Tap callbacks are called from C (libwireshark): an exception must never cross them, it would
// skip epan's packet-scope exit and leave epan's own exception-handler stack pointing into
// unwound frames. Each callback catches everything, the collector stops building records and
// keeps the first exception, and its owner rethrows it once libwireshark has returned
// (rethrow_failure) or shows it (failure_message).
//
// Included only by code that links libwireshark (capture/ and epan-plugin/).

#include <epan/packet_info.h>
#include <epan/tap.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <string>

#include "mptcpanalyzer/model/packet_table.hpp"
#include "record_builder.hpp"
#include "stream_continuity.hpp"

namespace mptcpanalyzer::capture {

// One tap listener registration, removed when destroyed. Wireshark hands the listener's tapdata
// back to its callbacks and removes a listener by it: the tapdata is this object, which is why it
// neither copies nor moves. Register at any time (even from inside a tap callback: listeners are
// prepended); destroy only outside libwireshark's tap loop.
class TapListener {
public:
    // Throws Error(Environment) when libwireshark refuses the listener (unknown tap).
    TapListener(const char* tap, void* context, tap_packet_cb packet, tap_draw_cb draw = nullptr);
    ~TapListener();
    TapListener(const TapListener&) = delete;
    TapListener& operator=(const TapListener&) = delete;

    // The `context` of the listener whose tapdata a callback received.
    static void* context_of(void* tapdata) { return static_cast<TapListener*>(tapdata)->context_; }

private:
    void* context_;
};

// The rows [first, first + count) of the collector's table came from frame `frame`.
struct FrameRows {
    std::uint32_t frame = 0;
    std::size_t first = 0;
    std::size_t count = 0;
};

class EpanCollector {
public:
    // Called at the end of every frame (TCP or not) while collecting, after the frame's records
    // were appended, also after a failure (so an owner still sees where the capture ends). It
    // runs inside libwireshark's tap loop: it may throw (the collector catches it) but must not
    // destroy the collector.
    using FrameEnd = std::function<void(const packet_info& pinfo, FrameRows rows)>;

    // Registers the three listeners. Throws Error(Environment) when libwireshark refuses one.
    explicit EpanCollector(FrameEnd on_frame_end = {});
    EpanCollector(const EpanCollector&) = delete;
    EpanCollector& operator=(const EpanCollector&) = delete;

    PacketTable& table() { return table_; }
    // Hands the table over and starts a new, empty one.
    PacketTable take_table();
    // Hands the rows held so far to `spill` (which calls PacketTable::spill_rows) between two
    // frames, outside libwireshark's tap loop; FrameRows then count from the rows held since.
    void spill_rows(const std::function<void(PacketTable&)>& spill);

    // Appends the pending record, if any. The frame listener does it for every frame; the reader
    // calls it after each dissection as well, so that a frame whose frame tap was dropped (a full
    // tap queue) loses nothing.
    void end_frame();

    // Forgets everything collected (records, pending record, failure); listeners stay registered.
    void reset();
    // While not collecting, every callback returns at once (the plugin after its last frame).
    void set_collecting(bool collecting) { collecting_ = collecting; }
    bool collecting() const { return collecting_; }
    // Records were appended since the last call of take_new_rows_flag().
    bool take_new_rows_flag();

    bool failed() const { return static_cast<bool>(failure_); }
    // "tcp tap: <what>" for the first exception caught in a callback; "" when none.
    const std::string& failure_message() const { return failure_message_; }
    // Rethrows the first exception caught in a callback, if any.
    void rethrow_failure() const;

private:
    static tap_packet_status on_tcp(void* tapdata, packet_info* pinfo, epan_dissect_t* edt, const void* data,
                                    tap_flags_t flags);
    static tap_packet_status on_mptcp(void* tapdata, packet_info* pinfo, epan_dissect_t* edt, const void* data,
                                      tap_flags_t flags);
    static tap_packet_status on_frame(void* tapdata, packet_info* pinfo, epan_dissect_t* edt, const void* data,
                                      tap_flags_t flags);
    // Runs `step` unless collection stopped; an exception becomes the collector's failure.
    template <class Step>
    void guarded(const char* where, Step&& step) noexcept;
    void flush();

    FrameEnd on_frame_end_;
    RecordBuilder builder_;
    // Wireshark's stream numbers made version-independent (stream_continuity.hpp), at flush().
    StreamContinuity continuity_;
    PacketTable table_;
    PacketRecord pending_;
    bool has_pending_ = false;
    std::uint32_t pending_frame_ = 0;
    std::size_t frame_first_row_ = 0;  // the first row of the frame being dissected
    bool collecting_ = true;
    bool new_rows_ = false;
    std::exception_ptr failure_;
    std::string failure_message_;
    // Declared last: registered once the state above exists, removed before it goes.
    TapListener tcp_listener_;
    TapListener mptcp_listener_;
    TapListener frame_listener_;
};

}  // namespace mptcpanalyzer::capture
