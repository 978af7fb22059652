#include "epan_collector.hpp"

#include <glib.h>

#include <string>
#include <utility>

#include "mptcpanalyzer/util/error.hpp"

namespace mptcpanalyzer::capture {

TapListener::TapListener(const char* tap, void* context, tap_packet_cb packet, tap_draw_cb draw) : context_(context) {
    GString* err = register_tap_listener(tap, this, nullptr, TL_REQUIRES_NOTHING, nullptr, packet, draw, nullptr);
    if (err) {
        std::string msg = err->str;
        g_string_free(err, TRUE);
        throw Error(ExitCode::Environment, std::string("cannot listen to the libwireshark tap '") + tap + "': " + msg);
    }
}

TapListener::~TapListener() { remove_tap_listener(this); }

EpanCollector::EpanCollector(FrameEnd on_frame_end)
    : on_frame_end_(std::move(on_frame_end)),
      tcp_listener_(kTcpTap, this, on_tcp),
      mptcp_listener_(kMptcpTap, this, on_mptcp),
      frame_listener_("frame", this, on_frame) {}

PacketTable EpanCollector::take_table() {
    PacketTable out = std::move(table_);
    table_ = PacketTable{};
    frame_first_row_ = 0;
    return out;
}

void EpanCollector::spill_rows(const std::function<void(PacketTable&)>& spill) {
    spill(table_);
    frame_first_row_ = table_.size();
}

void EpanCollector::reset() {
    builder_ = RecordBuilder{};
    continuity_ = StreamContinuity{};
    table_ = PacketTable{};
    pending_ = PacketRecord{};
    has_pending_ = false;
    pending_frame_ = 0;
    frame_first_row_ = 0;
    new_rows_ = false;
    failure_ = nullptr;
    failure_message_.clear();
}

bool EpanCollector::take_new_rows_flag() { return std::exchange(new_rows_, false); }

void EpanCollector::rethrow_failure() const {
    if (failure_) std::rethrow_exception(failure_);
}

void EpanCollector::flush() {
    if (!has_pending_) return;
    has_pending_ = false;  // first: a failed append must not append the record twice
    continuity_.renumber(pending_);
    table_.append(pending_);
    new_rows_ = true;
}

void EpanCollector::end_frame() {
    if (collecting_ && !failure_) flush();
}

template <class Step>
void EpanCollector::guarded(const char* where, Step&& step) noexcept {
    if (!collecting_) return;
    try {
        step();
    } catch (...) {
        if (failure_) return;  // keep the first one
        failure_ = std::current_exception();
        try {
            try {
                throw;
            } catch (const std::exception& e) {
                failure_message_ = std::string(where) + ": " + e.what();
            } catch (...) {
                failure_message_ = std::string(where) + ": unknown error";
            }
        } catch (...) {
            // No memory left even for the message: failed() still says it.
        }
    }
}

tap_packet_status EpanCollector::on_tcp(void* tapdata, packet_info* pinfo, epan_dissect_t* edt, const void* data,
                                        tap_flags_t) {
    auto* self = static_cast<EpanCollector*>(TapListener::context_of(tapdata));
    self->guarded("tcp tap", [&] {
        if (self->failure_ || !pinfo || !data) return;
        self->flush();  // a second TCP segment in the same frame (tunnels, ICMP errors)
        if (self->builder_.from_tcp_tap(pinfo, edt, static_cast<const tcp_info_t*>(data), self->pending_)) {
            self->has_pending_ = true;
            self->pending_frame_ = pinfo->num;
        }
    });
    return TAP_PACKET_DONT_REDRAW;
}

tap_packet_status EpanCollector::on_mptcp(void* tapdata, packet_info* pinfo, epan_dissect_t*, const void* data,
                                          tap_flags_t) {
    auto* self = static_cast<EpanCollector*>(TapListener::context_of(tapdata));
    self->guarded("mptcp tap", [&] {
        // Only the record the tcp tap just started, in this very frame (the builder knows whether
        // that segment carried MPTCP options).
        if (self->failure_ || !pinfo || !data || !self->has_pending_ || self->pending_frame_ != pinfo->num) return;
        self->builder_.apply_mptcp_tap(static_cast<const struct tcp_analysis*>(data), self->pending_);
    });
    return TAP_PACKET_DONT_REDRAW;
}

tap_packet_status EpanCollector::on_frame(void* tapdata, packet_info* pinfo, epan_dissect_t*, const void*,
                                          tap_flags_t) {
    auto* self = static_cast<EpanCollector*>(TapListener::context_of(tapdata));
    self->guarded("frame tap", [&] {
        if (!pinfo) return;
        FrameRows rows{pinfo->num, self->frame_first_row_, 0};
        if (!self->failure_) {
            self->flush();
            rows.count = self->table_.size() - rows.first;
        }
        self->frame_first_row_ = self->table_.size();
        if (self->on_frame_end_) self->on_frame_end_(*pinfo, rows);
    });
    return TAP_PACKET_DONT_REDRAW;
}

}  // namespace mptcpanalyzer::capture
