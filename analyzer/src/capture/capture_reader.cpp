#include "mptcpanalyzer/capture/capture_reader.hpp"

#include <epan/epan.h>
#include <epan/epan_dissect.h>
#include <epan/frame_data.h>
#include <epan/packet.h>
#include <epan/tap.h>
#include <glib.h>
#include <sys/stat.h>
#include <wiretap/wtap.h>
#include <wsutil/buffer.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <memory>

#include "epan_runtime.hpp"
#include "mptcpanalyzer/util/error.hpp"
#include "mptcpanalyzer/util/log.hpp"
#include "record_builder.hpp"

// What epan calls back into for per-file facts (frame times for references, interface names).
struct packet_provider_data {
    wtap* wth = nullptr;
    const frame_data* ref = nullptr;
    frame_data* prev_dis = nullptr;
    frame_data* prev_cap = nullptr;
    frame_data ref_frame{};
    frame_data prev_dis_frame{};
    frame_data prev_cap_frame{};
};

namespace mptcpanalyzer {
namespace {

const nstime_t* provider_frame_ts(packet_provider_data* prov, guint32 frame_num) {
    // One pass: only the reference and previous frames are known (as in tshark's one pass).
    if (prov->ref && prov->ref->num == frame_num) return &prov->ref->abs_ts;
    if (prov->prev_dis && prov->prev_dis->num == frame_num) return &prov->prev_dis->abs_ts;
    if (prov->prev_cap && prov->prev_cap->num == frame_num) return &prov->prev_cap->abs_ts;
    return nullptr;
}

wtap_block_t interface_block(packet_provider_data* prov, guint32 id) {
    wtapng_iface_descriptions_t* idb = wtap_file_get_idb_info(prov->wth);
    wtap_block_t block = nullptr;
    if (idb && id < idb->interface_data->len) block = g_array_index(idb->interface_data, wtap_block_t, id);
    g_free(idb);
    return block;
}

const char* provider_interface_name(packet_provider_data* prov, guint32 id) {
    char* name = nullptr;
    if (wtap_block_t b = interface_block(prov, id);
        b && wtap_block_get_string_option_value(b, OPT_IDB_NAME, &name) == WTAP_OPTTYPE_SUCCESS)
        return name;
    return "unknown";
}

const char* provider_interface_description(packet_provider_data* prov, guint32 id) {
    char* descr = nullptr;
    if (wtap_block_t b = interface_block(prov, id);
        b && wtap_block_get_string_option_value(b, OPT_IDB_DESCRIPTION, &descr) == WTAP_OPTTYPE_SUCCESS)
        return descr;
    return nullptr;
}

wtap_block_t provider_modified_block(packet_provider_data*, const frame_data*) { return nullptr; }

const packet_provider_funcs kProviderFuncs = {
    provider_frame_ts,
    provider_interface_name,
    provider_interface_description,
    provider_modified_block,
};

// Tap state for the file being read: records of the current frame, flushed after dissection.
struct TapSink {
    capture::RecordBuilder builder;
    std::vector<PacketRecord> pending;
    std::size_t used = 0;
    bool mptcp_for_last = false;
};

tap_packet_status on_tcp(void* data, packet_info* pinfo, epan_dissect_t* edt, const void* tap_data, tap_flags_t) {
    auto* sink = static_cast<TapSink*>(data);
    if (sink->used == sink->pending.size()) sink->pending.emplace_back();
    if (sink->builder.from_tcp_tap(pinfo, edt, static_cast<const tcp_info_t*>(tap_data),
                                             sink->pending[sink->used])) {
        ++sink->used;
        sink->mptcp_for_last = true;
    } else {
        sink->mptcp_for_last = false;
    }
    return TAP_PACKET_DONT_REDRAW;
}

tap_packet_status on_mptcp(void* data, packet_info*, epan_dissect_t*, const void* tap_data, tap_flags_t) {
    auto* sink = static_cast<TapSink*>(data);
    // The mptcp tap is queued right after the tcp tap of the same segment.
    if (sink->mptcp_for_last && sink->used > 0) {
        sink->builder.apply_mptcp_tap(static_cast<const struct tcp_analysis*>(tap_data),
                                                sink->pending[sink->used - 1]);
    }
    return TAP_PACKET_DONT_REDRAW;
}

// Registers our two listeners for the lifetime of one read.
class TapRegistration {
public:
    explicit TapRegistration(TapSink* sink) : sink_(sink) {
        add(capture::kTcpTap, on_tcp);
        add(capture::kMptcpTap, on_mptcp);
    }
    ~TapRegistration() {
        for (int i = 0; i < registered_; ++i) remove_tap_listener(sink_);
    }
    TapRegistration(const TapRegistration&) = delete;
    TapRegistration& operator=(const TapRegistration&) = delete;

private:
    void add(const char* tap, tap_packet_cb cb) {
        GString* err = register_tap_listener(tap, sink_, nullptr, TL_REQUIRES_NOTHING, nullptr, cb, nullptr, nullptr);
        if (err) {
            std::string msg = err->str;
            g_string_free(err, TRUE);
            throw Error(ExitCode::Environment, std::string("cannot listen to the libwireshark tap '") + tap + "': " + msg);
        }
        ++registered_;
    }
    TapSink* sink_;
    int registered_ = 0;
};

struct WtapCloser {
    void operator()(wtap* w) const { wtap_close(w); }
};

std::string open_error_message(const std::string& path, int err, const gchar* err_info) {
    std::string detail;
    switch (err) {
        case WTAP_ERR_FILE_UNKNOWN_FORMAT:
            detail = "not a capture file in a format Wireshark can read";
            break;
        case WTAP_ERR_UNSUPPORTED:
        case WTAP_ERR_BAD_FILE:
            detail = std::string("damaged or unsupported capture file") + (err_info ? std::string(" (") + err_info + ")" : "");
            break;
        case WTAP_ERR_SHORT_READ:
            detail = "the capture file's header is cut off";
            break;
        default:
            detail = err > 0 ? g_strerror(err) : wtap_strerror(err);
    }
    return path + ": " + detail;
}

// wiretap also opens files that are not packet captures (media, JSON, MIME containers): for
// us those are "not a capture". A file that starts like pcap/pcapng but opens as one of those
// is a capture whose header is cut off.
bool is_file_content_encapsulation(int encap) {
    return encap == WTAP_ENCAP_MIME || encap == WTAP_ENCAP_JSON || encap == WTAP_ENCAP_MP4 ||
           encap == WTAP_ENCAP_JPEG_JFIF || encap == WTAP_ENCAP_RUBY_MARSHAL || encap == WTAP_ENCAP_SYSTEMD_JOURNAL;
}

bool starts_like_pcap(const std::string& path) {
    unsigned char magic[4] = {};
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return false;
    const std::size_t n = std::fread(magic, 1, sizeof magic, f);
    std::fclose(f);
    if (n < 4) return false;
    const std::uint32_t be = (std::uint32_t{magic[0]} << 24) | (std::uint32_t{magic[1]} << 16) |
                             (std::uint32_t{magic[2]} << 8) | magic[3];
    return be == 0x0a0d0d0a || be == 0xa1b2c3d4 || be == 0xd4c3b2a1 || be == 0xa1b23c4d || be == 0x4d3cb2a1;
}

ExitCode open_error_code(int err) {
    if (err == ENOENT || err == EACCES || err == EISDIR || err == EPERM || err == ENOTDIR) return ExitCode::InputMissing;
    return ExitCode::InputInvalid;
}

}  // namespace

CaptureReader::CaptureReader(ReadOptions options) : options_(std::move(options)) {}

std::vector<std::string> CaptureReader::preferences() const {
    std::vector<std::string> prefs = capture::default_preferences();
    prefs.insert(prefs.end(), options_.extra_preferences.begin(), options_.extra_preferences.end());
    return prefs;
}

void CaptureReader::initialize() const { capture::ensure_epan_ready(preferences()); }

std::string CaptureReader::libwireshark_version() {
    int major = 0, minor = 0, micro = 0;
    epan_get_version_number(&major, &minor, &micro);
    return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(micro);
}

ReadResult CaptureReader::read(const std::string& path) const {
    // Check the path ourselves first: wiretap's messages for these are less clear.
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        throw Error(ExitCode::InputMissing, path + ": " + std::strerror(errno));
    }
    if (S_ISDIR(st.st_mode)) throw Error(ExitCode::InputMissing, path + ": is a directory, not a capture file");
    if (FILE* f = std::fopen(path.c_str(), "rb")) {
        std::fclose(f);
    } else {
        throw Error(ExitCode::InputMissing, path + ": " + std::strerror(errno));
    }
    if (st.st_size == 0) throw Error(ExitCode::InputInvalid, path + ": empty file, not a capture");

    capture::ensure_epan_ready(preferences());

    int err = 0;
    gchar* err_info = nullptr;
    std::unique_ptr<wtap, WtapCloser> wth(wtap_open_offline(path.c_str(), WTAP_TYPE_AUTO, &err, &err_info, FALSE));
    if (!wth) {
        std::string msg = open_error_message(path, err, err_info);
        g_free(err_info);
        throw Error(open_error_code(err), msg);
    }

    if (is_file_content_encapsulation(wtap_file_encap(wth.get()))) {
        throw Error(ExitCode::InputInvalid,
                    path + (starts_like_pcap(path) ? ": the capture file's header is cut off"
                                                   : ": not a packet capture (Wireshark reads it as " +
                                                         std::string(wtap_file_type_subtype_description(
                                                             wtap_file_type_subtype(wth.get()))) +
                                                         ")"));
    }
    ReadResult result;
    result.file_type = wtap_file_type_subtype_description(wtap_file_type_subtype(wth.get()));

    packet_provider_data provider;
    provider.wth = wth.get();
    epan_t* epan = epan_new(&provider, &kProviderFuncs);
    epan_dissect_t* edt = epan_dissect_new(epan, FALSE, FALSE);

    TapSink sink;
    std::unique_ptr<TapRegistration> taps;
    try {
        taps = std::make_unique<TapRegistration>(&sink);
    } catch (...) {
        epan_dissect_free(edt);
        epan_free(epan);
        throw;
    }

    wtap_rec rec;
    Buffer buf;
    wtap_rec_init(&rec);
    ws_buffer_init(&buf, 1514);
    int file_type = wtap_file_type_subtype(wth.get());
    gint64 offset = 0;
    guint32 cum_bytes = 0;
    guint32 frame_num = 0;
    int ferr = 0;
    std::uint64_t file_size = static_cast<std::uint64_t>(st.st_size);
    nstime_t elapsed{};
    // An upper bound of the packet count of an uncompressed file (a record header and a bare
    // TCP/IPv4 header each): reserving it avoids copying columns as they grow.
    result.table.reserve(static_cast<std::size_t>(file_size / 56) + 16);

    // A progress callback may throw to stop the read (Ctrl-C in the shell): caught here so the
    // dissection session and buffers are released first, and rethrown after.
    std::exception_ptr stopped;
    while (wtap_read(wth.get(), &rec, &buf, &err, &err_info, &offset)) {
        ++frame_num;
        frame_data fd;
        frame_data_init(&fd, frame_num, &rec, offset, cum_bytes);
        frame_data_set_before_dissect(&fd, &elapsed, &provider.ref, provider.prev_dis);
        if (provider.ref == &fd) {
            provider.ref_frame = fd;
            provider.ref = &provider.ref_frame;
        }
        tvbuff_t* tvb = tvb_new_real_data(ws_buffer_start_ptr(&buf), rec.rec_header.packet_header.caplen,
                                          static_cast<gint>(rec.rec_header.packet_header.len));
        sink.used = 0;
        sink.mptcp_for_last = false;
        epan_dissect_run_with_taps(edt, file_type, &rec, tvb, &fd, nullptr);
        for (std::size_t i = 0; i < sink.used; ++i) result.table.append(sink.pending[i]);
        frame_data_set_after_dissect(&fd, &cum_bytes);
        provider.prev_dis_frame = fd;
        provider.prev_dis = &provider.prev_dis_frame;
        provider.prev_cap_frame = fd;
        provider.prev_cap = &provider.prev_cap_frame;
        epan_dissect_reset(edt);
        frame_data_destroy(&fd);
        wtap_rec_reset(&rec);
        if (options_.progress && (frame_num & 0x3fff) == 0) {
            try {
                options_.progress(static_cast<std::uint64_t>(offset), file_size);
            } catch (...) {
                stopped = std::current_exception();
                break;
            }
        }
    }
    ferr = err;
    result.frames = frame_num;

    std::vector<std::string> names;
    if (wtapng_iface_descriptions_t* idb = wtap_file_get_idb_info(wth.get())) {
        for (guint i = 0; i < idb->interface_data->len; ++i) {
            char* name = nullptr;
            wtap_block_t b = g_array_index(idb->interface_data, wtap_block_t, i);
            names.emplace_back(wtap_block_get_string_option_value(b, OPT_IDB_NAME, &name) == WTAP_OPTTYPE_SUCCESS && name
                                   ? name
                                   : "");
        }
        g_free(idb);
    }
    result.table.set_interface_names(std::move(names));

    taps.reset();
    epan_dissect_free(edt);
    epan_free(epan);
    ws_buffer_free(&buf);
    wtap_rec_cleanup(&rec);
    if (stopped) {
        g_free(err_info);
        std::rethrow_exception(stopped);
    }

    if (ferr != 0) {
        std::string detail = ferr == WTAP_ERR_SHORT_READ ? "the capture is cut off in the middle of a packet"
                                                         : open_error_message(path, ferr, err_info).substr(path.size() + 2);
        g_free(err_info);
        if (frame_num == 0) {
            throw Error(ExitCode::InputInvalid, path + ": " + detail + ", and no packet could be read before");
        }
        result.truncated = true;
        result.truncation_detail = detail + " after frame " + std::to_string(frame_num);
        log::warning("{}: {}; using the {} packets before it", path, result.truncation_detail, frame_num);
    }
    if (options_.progress) options_.progress(file_size, file_size);
    if (frame_num == 0) throw Error(ExitCode::NoData, path + ": the capture contains no packets");
    if (result.table.empty()) {
        throw Error(ExitCode::NoData, path + ": the capture contains no TCP packets (" + std::to_string(frame_num) +
                                          (frame_num == 1 ? " frame read)" : " frames read)"));
    }
    result.table.finish_appending();
    return result;
}

}  // namespace mptcpanalyzer
