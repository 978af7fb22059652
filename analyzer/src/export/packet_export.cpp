#include "mptcpanalyzer/export/packet_export.hpp"

#include <fmt/format.h>

#include <array>
#include <type_traits>
#include <vector>
#include <cerrno>
#include <cstring>

#include "mptcpanalyzer/util/error.hpp"

namespace mptcpanalyzer {
namespace {

constexpr std::array<std::string_view, 52> kColumns = {
    "frame_number", "time_ns", "interface_id", "interface_name", "ip_version", "ip_src", "ip_dst",
    "tcp_src_port", "tcp_dst_port", "tcp_stream", "tcp_seq_raw", "tcp_ack_raw", "tcp_seq", "tcp_ack",
    "tcp_payload_length", "tcp_flags", "tcp_window", "tcp_tsval", "tcp_tsecr", "tcp_mss",
    "tcp_window_scale", "tcp_options_unavailable", "mptcp_stream", "mptcp_subtypes", "mptcp_version",
    "mptcp_capable_flags", "mptcp_sender_key", "mptcp_receiver_key", "mptcp_join_token",
    "mptcp_join_nonce", "mptcp_join_hmac", "mptcp_address_id", "mptcp_join_backup", "mptcp_dss_flags",
    "mptcp_data_ack", "mptcp_data_ack_8", "mptcp_dsn", "mptcp_dsn_8", "mptcp_subflow_seq",
    "mptcp_data_level_length", "mptcp_dss_checksum", "mptcp_data_fin", "mptcp_add_addr",
    "mptcp_add_addr_port", "mptcp_add_addr_echo", "mptcp_remove_addr_ids", "mptcp_prio_backup",
    "mptcp_fail_dsn", "mptcp_fastclose_key", "mptcp_tcprst_flags", "mptcp_tcprst_reason",
    "mptcp_option_truncated",
};

const MptcpOption* first_of(const PacketRecord& r, MptcpSubtype s) {
    for (const auto& m : r.mptcp_options)
        if (m.subtype == s) return &m;
    return nullptr;
}

// What every row needs and is the same for all rows: address and interface texts are computed
// once per distinct value, and one record is reused.
struct RowContext {
    explicit RowContext(const PacketTable& t) : table(t) {
        for (const auto& a : t.addresses()) addresses.push_back(a.to_string());
    }
    const PacketTable& table;
    std::vector<std::string> addresses;
    PacketRecord record;
};

// A sink receives the cells of a row in column order. Each format implements the four kinds.
template <class Sink>
void emit_row(RowContext& ctx, std::size_t row, Sink& s) {
    const PacketTable& table = ctx.table;
    table.record_into(row, ctx.record);
    const PacketRecord& r = ctx.record;
    const auto& c = table.columns();
    s.num(r.frame_number);
    s.num(r.time_ns);
    if (r.interface_id == PacketRecord::kNoInterface) {
        s.none();
        s.none();
    } else {
        s.num(r.interface_id);
        const std::string name = table.interface_name(r.interface_id);
        if (name.empty()) s.none(); else s.str(name);
    }
    s.num(r.src.family);
    s.str(ctx.addresses[c.src[row]]);
    s.str(ctx.addresses[c.dst[row]]);
    s.num(r.sport);
    s.num(r.dport);
    s.num(r.tcp_stream);
    s.num(r.seq_raw);
    s.num(r.ack_raw);
    s.num(c.seq_relative[row]);
    s.num(c.ack_relative[row]);
    s.num(r.payload_length);
    s.num(r.flags);
    s.num(r.window_raw);
    if (r.has_timestamps) {
        s.num(r.tsval);
        s.num(r.tsecr);
    } else {
        s.none();
        s.none();
    }
    if (r.mss) s.num(r.mss); else s.none();
    if (r.window_scale >= 0) s.num(r.window_scale); else s.none();
    s.boolean(r.options_unavailable);
    if (r.mptcp_stream >= 0) s.num(r.mptcp_stream); else s.none();

    if (r.mptcp_options.empty()) {
        s.none();
    } else {
        std::string list;
        for (const auto& m : r.mptcp_options) {
            if (!list.empty()) list += ';';
            list += std::to_string(static_cast<unsigned>(m.subtype));
        }
        s.str(list);
    }
    const MptcpOption* cap = first_of(r, MptcpSubtype::Capable);
    if (cap) {
        s.num(cap->version);
        s.num(cap->flags);
    } else {
        s.none();
        s.none();
    }
    if (cap && cap->has_sender_key) s.hex64(cap->sender_key); else s.none();
    if (cap && cap->has_receiver_key) s.hex64(cap->receiver_key); else s.none();

    const MptcpOption* join = first_of(r, MptcpSubtype::Join);
    if (join && join->has_token) s.hex32(join->token); else s.none();
    if (join && join->has_nonce) s.hex32(join->nonce); else s.none();
    if (join && join->hmac_length) {
        s.str(fmt::format("{:02x}", fmt::join(join->hmac.begin(), join->hmac.begin() + join->hmac_length, "")));
    } else {
        s.none();
    }
    const MptcpOption* add = first_of(r, MptcpSubtype::AddAddr);
    const MptcpOption* prio = first_of(r, MptcpSubtype::Prio);
    if (join && join->has_address_id) s.num(join->address_id);
    else if (add && add->has_address_id) s.num(add->address_id);
    else if (prio && prio->has_address_id) s.num(prio->address_id);
    else s.none();
    if (join && join->has_address_id) s.boolean(join->backup); else s.none();

    const MptcpOption* dss = first_of(r, MptcpSubtype::Dss);
    if (dss) s.num(dss->flags); else s.none();
    // The 8-byte flags are bits of the DSS flag byte: given whenever a DSS is.
    if (dss && dss->has_data_ack) s.num(dss->data_ack); else s.none();
    if (dss) s.boolean((dss->flags & 0x02) != 0); else s.none();
    if (dss && dss->has_mapping) s.num(dss->dsn); else s.none();
    if (dss) s.boolean((dss->flags & 0x08) != 0); else s.none();
    if (dss && dss->has_mapping) s.num(dss->subflow_seq); else s.none();
    // The data-level length is also carried by a v1 MP_CAPABLE with data (no DSS then).
    if (dss && dss->has_mapping) s.num(dss->data_level_length);
    else if (cap && cap->length >= 22) s.num(cap->data_level_length);
    else s.none();
    if (dss && dss->has_checksum) s.num(dss->checksum);
    else if (cap && cap->has_checksum) s.num(cap->checksum);
    else s.none();
    if (dss) s.boolean(dss->data_fin); else s.none();

    if (add && !add->address.empty()) s.str(add->address.to_string()); else s.none();
    if (add && add->has_port) s.num(add->port); else s.none();
    if (add) s.boolean(add->echo); else s.none();
    const MptcpOption* rem = first_of(r, MptcpSubtype::RemoveAddr);
    if (rem) {
        std::string ids;
        for (auto id : rem->address_ids) {
            if (!ids.empty()) ids += ';';
            ids += std::to_string(id);
        }
        s.str(ids);
    } else {
        s.none();
    }
    if (prio) s.boolean(prio->backup); else s.none();
    const MptcpOption* fail = first_of(r, MptcpSubtype::Fail);
    if (fail && !fail->truncated) s.num(fail->dsn); else s.none();
    const MptcpOption* fc = first_of(r, MptcpSubtype::FastClose);
    if (fc && fc->has_receiver_key) s.hex64(fc->receiver_key); else s.none();
    const MptcpOption* rst = first_of(r, MptcpSubtype::TcpRst);
    if (rst) {
        s.num(rst->flags);
        s.num(rst->reason);
    } else {
        s.none();
        s.none();
    }
    bool truncated = false;
    for (const auto& m : r.mptcp_options) truncated = truncated || m.truncated;
    if (r.mptcp_options.empty()) s.none(); else s.boolean(truncated);
}

class Output {
public:
    Output(std::FILE* f, std::string_view destination) : file_(f), destination_(destination) {}
    fmt::memory_buffer buf;
    void flush_if_large() {
        if (buf.size() > (1U << 20)) flush();
    }
    void flush() {
        if (buf.size() && std::fwrite(buf.data(), 1, buf.size(), file_) != buf.size()) {
            throw Error(ExitCode::OutputFailed, std::string(destination_) + ": write failed: " + std::strerror(errno));
        }
        buf.clear();
    }

private:
    std::FILE* file_;
    std::string_view destination_;
};

class CsvSink {
public:
    CsvSink(Output& o, char d) : out_(o), delim_(d) {}
    void begin_row() { first_ = true; }
    void end_row() { out_.buf.push_back('\n'); }
    template <class T>
    void num(T v) {
        sep();
        const fmt::format_int f(static_cast<std::conditional_t<std::is_signed_v<T>, long long, unsigned long long>>(v));
        out_.buf.append(f.data(), f.data() + f.size());
    }
    void hex64(std::uint64_t v) {
        sep();
        fmt::format_to(std::back_inserter(out_.buf), "{:016x}", v);
    }
    void hex32(std::uint32_t v) {
        sep();
        fmt::format_to(std::back_inserter(out_.buf), "{:08x}", v);
    }
    void boolean(bool b) {
        sep();
        out_.buf.push_back(b ? '1' : '0');
    }
    void str(std::string_view v) {
        sep();
        const bool quote = v.find_first_of(std::string{delim_} + "\"\n\r") != std::string_view::npos;
        if (!quote) {
            out_.buf.append(v);
            return;
        }
        out_.buf.push_back('"');
        for (char ch : v) {
            if (ch == '"') out_.buf.push_back('"');
            out_.buf.push_back(ch);
        }
        out_.buf.push_back('"');
    }
    void none() { sep(); }

private:
    void sep() {
        if (!first_) out_.buf.push_back(delim_);
        first_ = false;
    }
    Output& out_;
    char delim_;
    bool first_ = true;
};

class JsonSink {
public:
    explicit JsonSink(Output& o) : out_(o) {}
    void begin_row(bool first_row) {
        out_.buf.append(std::string_view(first_row ? "\n{" : ",\n{"));
        col_ = 0;
    }
    void end_row() { out_.buf.push_back('}'); }
    template <class T>
    void num(T v) {
        key();
        const fmt::format_int f(static_cast<std::conditional_t<std::is_signed_v<T>, long long, unsigned long long>>(v));
        out_.buf.append(f.data(), f.data() + f.size());
    }
    void hex64(std::uint64_t v) {
        key();
        fmt::format_to(std::back_inserter(out_.buf), "\"{:016x}\"", v);
    }
    void hex32(std::uint32_t v) {
        key();
        fmt::format_to(std::back_inserter(out_.buf), "\"{:08x}\"", v);
    }
    void boolean(bool b) {
        key();
        out_.buf.append(std::string_view(b ? "true" : "false"));
    }
    void str(std::string_view v) {
        key();
        out_.buf.push_back('"');
        for (char ch : v) {
            const auto u = static_cast<unsigned char>(ch);
            if (ch == '"' || ch == '\\') {
                out_.buf.push_back('\\');
                out_.buf.push_back(ch);
            } else if (u < 0x20) {
                fmt::format_to(std::back_inserter(out_.buf), "\\u{:04x}", u);
            } else {
                out_.buf.push_back(ch);
            }
        }
        out_.buf.push_back('"');
    }
    void none() {
        key();
        out_.buf.append(std::string_view("null"));
    }

private:
    void key() {
        if (col_) out_.buf.push_back(',');
        fmt::format_to(std::back_inserter(out_.buf), "\"{}\":", kColumns[col_]);
        ++col_;
    }
    Output& out_;
    std::size_t col_ = 0;
};

}  // namespace

std::span<const std::string_view> packet_columns() { return kColumns; }

void validate_csv_delimiter(char delimiter) {
    // Numbers are never quoted, so a delimiter that can occur in one would be ambiguous.
    const bool in_numbers = (delimiter >= '0' && delimiter <= '9') || delimiter == '-' || delimiter == '.' ||
                            delimiter == '+' || (delimiter >= 'a' && delimiter <= 'z') || (delimiter >= 'A' && delimiter <= 'Z');
    if (delimiter == ';' || delimiter == '"' || delimiter == '\n' || delimiter == '\r' || in_numbers) {
        throw Error(ExitCode::Usage,
                    fmt::format("CSV delimiter '{}' is not allowed (';' separates multiple values; letters, digits, "
                                "'-', '+' and '.' occur in values)",
                                delimiter));
    }
}

void write_packets_csv(const PacketTable& table, std::FILE* out, char delimiter, std::string_view destination) {
    validate_csv_delimiter(delimiter);
    Output o(out, destination);
    RowContext ctx(table);
    CsvSink sink(o, delimiter);
    sink.begin_row();
    for (auto name : kColumns) sink.str(name);
    sink.end_row();
    for (std::size_t i = 0; i < table.size(); ++i) {
        sink.begin_row();
        emit_row(ctx, i, sink);
        sink.end_row();
        o.flush_if_large();
    }
    o.flush();
}

void write_packets_json(const PacketTable& table, std::FILE* out, std::string_view destination) {
    Output o(out, destination);
    RowContext ctx(table);
    o.buf.push_back('[');
    JsonSink sink(o);
    for (std::size_t i = 0; i < table.size(); ++i) {
        sink.begin_row(i == 0);
        emit_row(ctx, i, sink);
        sink.end_row();
        o.flush_if_large();
    }
    o.buf.append(std::string_view("\n]\n"));
    o.flush();
}

}  // namespace mptcpanalyzer
