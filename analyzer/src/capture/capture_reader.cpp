#include "mptcpanalyzer/capture/capture_reader.hpp"

#include <dlfcn.h>

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
#include <charconv>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <string_view>

#include "capture_backend.hpp"
#include "epan_collector.hpp"
#include "epan_runtime.hpp"
#include "mptcpanalyzer/util/error.hpp"
#include "mptcpanalyzer/util/log.hpp"
#include "wireshark_compat.hpp"

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

const nstime_t* provider_frame_ts(packet_provider_data* prov, std::uint32_t frame_num) {
    // One pass: only the reference and previous frames are known (as in tshark's one pass).
    if (prov->ref && prov->ref->num == frame_num) return &prov->ref->abs_ts;
    if (prov->prev_dis && prov->prev_dis->num == frame_num) return &prov->prev_dis->abs_ts;
    if (prov->prev_cap && prov->prev_cap->num == frame_num) return &prov->prev_cap->abs_ts;
    return nullptr;
}

// Interface `id` of pcapng section `section` (wireshark_compat.hpp: 4.0 numbers interfaces
// across the file and always passes section 0).
wtap_block_t interface_block(packet_provider_data* prov, std::uint32_t id, unsigned section) {
    wtapng_iface_descriptions_t* idb = wtap_file_get_idb_info(prov->wth);
    wtap_block_t block = nullptr;
    const unsigned index = capture::wireshark::file_interface_index(prov->wth, section, id);
    if (idb && index < idb->interface_data->len) block = g_array_index(idb->interface_data, wtap_block_t, index);
    g_free(idb);
    return block;
}

const char* provider_interface_name(packet_provider_data* prov, std::uint32_t id, unsigned section) {
    char* name = nullptr;
    if (wtap_block_t b = interface_block(prov, id, section);
        b && wtap_block_get_string_option_value(b, OPT_IDB_NAME, &name) == WTAP_OPTTYPE_SUCCESS)
        return name;
    return "unknown";
}

const char* provider_interface_description(packet_provider_data* prov, std::uint32_t id, unsigned section) {
    char* descr = nullptr;
    if (wtap_block_t b = interface_block(prov, id, section);
        b && wtap_block_get_string_option_value(b, OPT_IDB_DESCRIPTION, &descr) == WTAP_OPTTYPE_SUCCESS)
        return descr;
    return nullptr;
}

wtap_block_t provider_modified_block(packet_provider_data*, const frame_data*) { return nullptr; }

const packet_provider_funcs kProviderFuncs = {
    provider_frame_ts,
    capture::wireshark::interface_callback<provider_interface_name>,
    capture::wireshark::interface_callback<provider_interface_description>,
    provider_modified_block,
};

// The per-file libwireshark objects, each released by its owner's destructor: an exception
// anywhere in the read (a progress callback stopping it, an allocation failure, a failure the
// collector caught inside a tap callback and rethrew) unwinds through them and leaves no
// dissection state behind. Declared in this order, they are released in the reverse one: the
// collector's listeners, the dissection, the epan session, the record buffers, the file.

struct WtapCloser {
    void operator()(wtap* w) const { wtap_close(w); }
};
using WtapFile = std::unique_ptr<wtap, WtapCloser>;

// wiretap's record and data buffer, reused for every packet.
class RecordBuffers {
public:
    RecordBuffers() {
        wtap_rec_init(&rec);
        ws_buffer_init(&buf, 1514);
    }
    ~RecordBuffers() {
        ws_buffer_free(&buf);
        wtap_rec_cleanup(&rec);
    }
    RecordBuffers(const RecordBuffers&) = delete;
    RecordBuffers& operator=(const RecordBuffers&) = delete;
    wtap_rec rec;
    Buffer buf;
};

// One epan session per file: creating it resets tcp.stream and mptcp.stream numbering, freeing
// it drops every conversation of the file. The provider it points to must outlive it.
class EpanSession {
public:
    explicit EpanSession(packet_provider_data* provider) : epan_(epan_new(provider, &kProviderFuncs)) {}
    ~EpanSession() { epan_free(epan_); }
    EpanSession(const EpanSession&) = delete;
    EpanSession& operator=(const EpanSession&) = delete;
    epan_t* get() const { return epan_; }

private:
    epan_t* epan_;
};

// The dissection of one packet at a time (no protocol tree), reset after each.
class Dissection {
public:
    explicit Dissection(const EpanSession& session) : edt_(epan_dissect_new(session.get(), FALSE, FALSE)) {}
    ~Dissection() { epan_dissect_free(edt_); }
    Dissection(const Dissection&) = delete;
    Dissection& operator=(const Dissection&) = delete;
    epan_dissect_t* get() const { return edt_; }

private:
    epan_dissect_t* edt_;
};

// The frame_data of the packet being dissected (one pass: a local one, as tshark's), and the
// dissection's reset, which drops what the packet left in it before its frame_data goes.
class DissectedFrame {
public:
    DissectedFrame(const Dissection& dissection, guint32 number, const wtap_rec* rec, gint64 offset,
                   guint32 cum_bytes)
        : edt_(dissection.get()) {
        frame_data_init(&fd, number, rec, offset, cum_bytes);
    }
    ~DissectedFrame() {
        epan_dissect_reset(edt_);
        frame_data_destroy(&fd);
    }
    DissectedFrame(const DissectedFrame&) = delete;
    DissectedFrame& operator=(const DissectedFrame&) = delete;
    frame_data fd;

private:
    epan_dissect_t* edt_;
};

struct GFreer {
    void operator()(gchar* p) const { g_free(p); }
};

// A test hook, so that a test can prove that a failure inside libwireshark's tap loop (where an
// allocation failure would strike) leaves no dissection state behind:
// MPTCPANALYZER_TEST_FAIL_READ=NAME:FRAME makes the read of every file named NAME (the last
// path component) throw at the end of frame FRAME, from inside the collector's frame listener.
capture::EpanCollector::FrameEnd failure_injected_at(const std::string& path) {
    const char* spec = std::getenv("MPTCPANALYZER_TEST_FAIL_READ");
    if (!spec) return {};
    const std::string_view text(spec);
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return {};
    const std::string_view name = text.substr(0, colon);
    const std::string_view file = std::string_view(path).substr(path.find_last_of('/') + 1);
    std::uint32_t frame = 0;
    const auto digits = text.substr(colon + 1);
    if (name != file || std::from_chars(digits.data(), digits.data() + digits.size(), frame).ec != std::errc{}) return {};
    return [frame](const packet_info& pinfo, capture::FrameRows) {
        if (pinfo.num == frame) {
            throw std::runtime_error("failure injected at frame " + std::to_string(frame) +
                                     " (MPTCPANALYZER_TEST_FAIL_READ)");
        }
    };
}

// Tests: MPTCPANALYZER_TEST_PAUSE_READ=NAME:FRAME stops the process (SIGSTOP) after frame
// FRAME of every file named NAME has been dissected and its rows possibly spilled, so that a
// test can look at what a read in progress has written (its parent waits for the stop, no
// timing) and then end it with a signal. 0 when unset.
std::uint32_t pause_injected_at(const std::string& path) {
    const char* spec = std::getenv("MPTCPANALYZER_TEST_PAUSE_READ");
    if (!spec) return 0;
    const std::string_view text(spec);
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return 0;
    const std::string_view file = std::string_view(path).substr(path.find_last_of('/') + 1);
    std::uint32_t frame = 0;
    const auto digits = text.substr(colon + 1);
    if (text.substr(0, colon) != file ||
        std::from_chars(digits.data(), digits.data() + digits.size(), frame).ec != std::errc{})
        return 0;
    return frame;
}

// kSpillRows, or MPTCPANALYZER_TEST_SPILL_ROWS when set to a positive number.
std::size_t spill_rows_limit() {
    const char* text = std::getenv("MPTCPANALYZER_TEST_SPILL_ROWS");
    std::size_t rows = 0;
    if (text && std::from_chars(text, text + std::strlen(text), rows).ec == std::errc{} && rows > 0) return rows;
    return CaptureReader::kSpillRows;
}

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

namespace capture {

std::string loaded_libwireshark_version() {
    int major = 0, minor = 0, micro = 0;
    epan_get_version_number(&major, &minor, &micro);
    return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(micro);
}

std::string loaded_libwireshark_path() {
    // The file holding epan_get_version_number: the libwireshark the dynamic linker chose.
    Dl_info info{};
    if (::dladdr(reinterpret_cast<void*>(&epan_get_version_number), &info) == 0 || !info.dli_fname) return {};
    char* real = ::realpath(info.dli_fname, nullptr);
    std::string path = real ? real : info.dli_fname;
    std::free(real);
    return path;
}

// The backend's read (capture_backend.hpp): CaptureReader::read in the front calls it, through
// the module when the program loads one.
ReadResult read_capture(const ReadOptions& options, const std::vector<std::string>& preferences,
                        const std::string& path, const RowSpill& spill) {
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

    capture::ensure_epan_ready(preferences);

    int err = 0;
    gchar* err_info = nullptr;
    WtapFile wth(wtap_open_offline(path.c_str(), WTAP_TYPE_AUTO, &err, &err_info, FALSE));
    if (!wth) {
        // wiretap's buffers (g_try_malloc) did not fit: out of memory, not a damaged file.
        if (err == ENOMEM) throw std::bad_alloc();
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

    RecordBuffers buffers;
    packet_provider_data provider;
    provider.wth = wth.get();
    EpanSession epan(&provider);
    Dissection dissection(epan);
    capture::EpanCollector collector(failure_injected_at(path));
    const std::uint32_t pause_at = pause_injected_at(path);

    const int file_type = wtap_file_type_subtype(wth.get());
    gint64 offset = 0;
    guint32 cum_bytes = 0;
    guint32 frame_num = 0;
    std::uint64_t file_size = static_cast<std::uint64_t>(st.st_size);
    nstime_t elapsed{};
    // An upper bound of the packet count of an uncompressed file (a record header and a bare
    // TCP/IPv4 header each): reserving it avoids copying columns as they grow. A spilled table
    // never holds more than spill_rows rows.
    const std::size_t spill_rows = spill ? spill_rows_limit() : 0;
    collector.table().reserve(spill ? spill_rows : static_cast<std::size_t>(file_size / 56) + 16);

    wtap_rec& rec = buffers.rec;
    while (wtap_read(wth.get(), &rec, &buffers.buf, &err, &err_info, &offset)) {
        ++frame_num;
        {
            DissectedFrame frame(dissection, frame_num, &rec, offset, cum_bytes);
            frame_data& fd = frame.fd;
            frame_data_set_before_dissect(&fd, &elapsed, &provider.ref, provider.prev_dis);
            if (provider.ref == &fd) {
                provider.ref_frame = fd;
                provider.ref = &provider.ref_frame;
            }
            tvbuff_t* tvb = tvb_new_real_data(ws_buffer_start_ptr(&buffers.buf), rec.rec_header.packet_header.caplen,
                                              static_cast<gint>(rec.rec_header.packet_header.len));
            epan_dissect_run_with_taps(dissection.get(), file_type, &rec, tvb, &fd, nullptr);
            // libwireshark has returned: what a tap callback caught can unwind from here.
            collector.rethrow_failure();
            collector.end_frame();
            frame_data_set_after_dissect(&fd, &cum_bytes);
            provider.prev_dis_frame = fd;
            provider.prev_dis = &provider.prev_dis_frame;
            provider.prev_cap_frame = fd;
            provider.prev_cap = &provider.prev_cap_frame;
        }
        wtap_rec_reset(&rec);
        // Between frames, outside libwireshark: the spill may throw (out of memory) and unwind.
        if (spill && collector.table().size() >= spill_rows) collector.spill_rows(spill);
        if (pause_at != 0 && frame_num == pause_at) ::raise(SIGSTOP);
        // May throw to stop the read (Ctrl-C in the shell): the owners above release everything.
        if (options.progress && (frame_num & 0x3fff) == 0) options.progress(static_cast<std::uint64_t>(offset), file_size);
    }
    const int ferr = err;
    const std::unique_ptr<gchar, GFreer> read_err_info(err_info);
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
    result.table = collector.take_table();
    result.table.set_interface_names(std::move(names));

    // Not a cut in the file: the rest of it is there, memory is what ran out.
    if (ferr == ENOMEM) throw std::bad_alloc();
    if (ferr != 0) {
        std::string detail = ferr == WTAP_ERR_SHORT_READ
                                 ? "the capture is cut off in the middle of a packet"
                                 : open_error_message(path, ferr, read_err_info.get()).substr(path.size() + 2);
        if (frame_num == 0) {
            throw Error(ExitCode::InputInvalid, path + ": " + detail + ", and no packet could be read before");
        }
        result.truncated = true;
        result.truncation_detail = detail + " after frame " + std::to_string(frame_num);
        log::warning("{}: {}; using the {} packets before it", path, result.truncation_detail, frame_num);
    }
    if (options.progress) options.progress(file_size, file_size);
    if (frame_num == 0) throw Error(ExitCode::NoData, path + ": the capture contains no packets");
    if (result.table.rows_appended() == 0) {
        throw Error(ExitCode::NoData, path + ": the capture contains no TCP packets (" + std::to_string(frame_num) +
                                          (frame_num == 1 ? " frame read)" : " frames read)"));
    }
    result.table.finish_appending();
    return result;
}

}  // namespace capture
}  // namespace mptcpanalyzer
