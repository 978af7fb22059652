#include "plugin_abi.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "mptcpanalyzer/export/gnuplot.hpp"
#include "mptcpanalyzer/model/connections.hpp"
#include "mptcpanalyzer/model/packet_table.hpp"
#include "mptcpanalyzer/util/log.hpp"

// The registration handle: what one plugin has registered so far (kept only when its register
// function succeeds).
struct mpa_registrar {
    std::string plugin_path;
    std::vector<mptcpanalyzer::cli::PluginEntrySpec> entries;
    std::string first_error;
};

namespace mptcpanalyzer::cli {
namespace {

// ---- Struct sizes -------------------------------------------------------------------------
// A plugin built against minor N of our major passes and expects its own sizeof of each struct.
// The smallest a plugin may declare is the struct as it was in minor 0 of this major.

template <class ApiStruct>
constexpr std::size_t kSizeInMinor0 = sizeof(ApiStruct);
template <>
constexpr std::size_t kSizeInMinor0<mpa_option> = offsetof(mpa_option, value_name);
template <>
constexpr std::size_t kSizeInMinor0<mpa_command> = offsetof(mpa_command, aliases);
template <>
constexpr std::size_t kSizeInMinor0<mpa_packet> = offsetof(mpa_packet, mptcp_subtypes);

template <class ApiStruct>
constexpr const char* kStructName = "";
template <>
constexpr const char* kStructName<mpa_option> = "mpa_option";
template <>
constexpr const char* kStructName<mpa_command> = "mpa_command";
template <>
constexpr const char* kStructName<mpa_plot_kind> = "mpa_plot_kind";

// A minor's fields must start exactly where the previous minor's struct ended: if that struct
// had tail padding, an older plugin's struct_size would cover padding we would read as a field.
// So each minor's block ends on the struct's alignment.
constexpr bool minor_starts_at_previous_end(std::size_t previous_field_end, std::size_t next_offset,
                                            std::size_t alignment) {
    return previous_field_end == next_offset && next_offset % alignment == 0;
}
static_assert(minor_starts_at_previous_end(offsetof(mpa_option, choices) + sizeof(mpa_option::choices),
                                           offsetof(mpa_option, value_name), alignof(mpa_option)));
static_assert(minor_starts_at_previous_end(offsetof(mpa_command, user_data) + sizeof(mpa_command::user_data),
                                           offsetof(mpa_command, aliases), alignof(mpa_command)));
static_assert(minor_starts_at_previous_end(offsetof(mpa_packet, data_ack) + sizeof(mpa_packet::data_ack),
                                           offsetof(mpa_packet, mptcp_subtypes), alignof(mpa_packet)));
static_assert(minor_starts_at_previous_end(offsetof(mpa_host_api, plot_point) + sizeof(mpa_host_api::plot_point),
                                           offsetof(mpa_host_api, warn), alignof(mpa_host_api)));

std::uint32_t declared_size(const void* plugin_struct) {
    std::uint32_t size = 0;
    std::memcpy(&size, plugin_struct, sizeof size);  // the first field of every struct
    return size;
}

// A struct a plugin passed in, as this host knows it: the bytes its struct_size covers, and for
// fields of a newer minor than the plugin's, their defaults (zero: a field added in a minor means
// "as before" when 0 or NULL). Empty when struct_size is below the size in minor 0.
template <class ApiStruct>
std::optional<ApiStruct> read_plugin_struct(const void* plugin_struct) {
    const std::uint32_t size = declared_size(plugin_struct);
    if (size < kSizeInMinor0<ApiStruct>) return std::nullopt;
    ApiStruct known{};
    std::memcpy(&known, plugin_struct, std::min<std::size_t>(size, sizeof known));
    return known;
}

template <class ApiStruct>
std::string too_small(const void* plugin_struct) {
    return fmt::format("{}.struct_size {} is smaller than {} of plugin API {}.0 ({} bytes)", kStructName<ApiStruct>,
                       declared_size(plugin_struct), kStructName<ApiStruct>, MPA_PLUGIN_API_MAJOR,
                       kSizeInMinor0<ApiStruct>);
}

// Fills a struct the plugin asked for with at most the bytes its struct_size declares (the plugin
// may be built against an older minor, with a smaller struct), and tells it how many we filled.
template <class ApiStruct>
std::int32_t fill_plugin_struct(ApiStruct* plugin_struct, ApiStruct value) {
    const std::uint32_t size = declared_size(plugin_struct);
    if (size < kSizeInMinor0<ApiStruct>) return 1;
    value.struct_size = static_cast<std::uint32_t>(std::min<std::size_t>(size, sizeof value));
    std::memcpy(plugin_struct, &value, value.struct_size);
    return 0;
}

// ---- Registration -------------------------------------------------------------------------

std::string text_or_empty(const char* s) { return s ? s : ""; }

bool valid_name(const std::string& name, bool allow_underscore = false) {
    if (name.empty() || name.size() > 64 || name[0] < 'a' || name[0] > 'z') return false;
    return std::all_of(name.begin(), name.end(), [allow_underscore](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || (allow_underscore && c == '_');
    });
}

// Names the host adds itself to a plugin's command or plot kind.
bool reserved_option(const std::string& name) {
    static const std::set<std::string> reserved = {"read",  "help",    "output",      "terminal",  "size",
                                                   "title", "display", "keep-script", "direction", "subflow"};
    return reserved.count(name) != 0;
}

void note_error(mpa_registrar* r, std::string error) {
    if (r->first_error.empty()) r->first_error = std::move(error);
}

// The plugin's option array. Its stride is the plugin's sizeof(mpa_option), which differs from
// ours when it is built against another minor: the first element's struct_size says it.
bool copy_options(mpa_registrar* r, const std::string& what, const mpa_option* options, std::size_t count,
                  std::vector<PluginOptionSpec>& out) {
    if (count == 0) return true;
    if (!options) {
        note_error(r, what + ": option_count without options");
        return false;
    }
    const std::uint32_t stride = declared_size(options);
    if (stride < kSizeInMinor0<mpa_option> || stride % alignof(mpa_option) != 0) {
        note_error(r, fmt::format("{}: options[0]: {}", what, too_small<mpa_option>(options)));
        return false;
    }
    const auto* bytes = reinterpret_cast<const unsigned char*>(options);
    std::set<std::string> seen;
    for (std::size_t i = 0; i < count; ++i) {
        const unsigned char* element = bytes + i * stride;
        if (declared_size(element) != stride) {
            note_error(r, fmt::format("{}: options[{}].struct_size {} differs from options[0]'s {}", what, i,
                                      declared_size(element), stride));
            return false;
        }
        const mpa_option o = *read_plugin_struct<mpa_option>(element);
        PluginOptionSpec spec;
        spec.name = text_or_empty(o.name);
        spec.help = text_or_empty(o.help);
        spec.kind = o.kind;
        spec.required = o.required != 0;
        spec.positional = o.positional != 0;
        spec.value_name = text_or_empty(o.value_name);
        if (!valid_name(spec.name) || reserved_option(spec.name) || !seen.insert(spec.name).second) {
            note_error(r, fmt::format("{}: option name '{}' is invalid, reserved or repeated", what, spec.name));
            return false;
        }
        if (spec.kind != MPA_OPTION_FLAG && spec.kind != MPA_OPTION_STRING && spec.kind != MPA_OPTION_INTEGER) {
            note_error(r, fmt::format("{}: option '{}' has unknown kind {}", what, spec.name, spec.kind));
            return false;
        }
        if (spec.positional && spec.kind == MPA_OPTION_FLAG) {
            note_error(r, fmt::format("{}: a flag cannot be positional ('{}')", what, spec.name));
            return false;
        }
        for (const char* const* c = o.choices; c && *c; ++c) spec.choices.emplace_back(*c);
        out.push_back(std::move(spec));
    }
    return true;
}

std::int32_t add_entry(mpa_registrar* r, PluginEntrySpec e, const mpa_option* options, std::size_t option_count,
                       const char* const* aliases) {
    e.plugin_path = r->plugin_path;
    const std::string what = fmt::format("{} '{}'", e.plot ? "plot kind" : "command", e.name);
    if (!valid_name(e.name) || !e.run) {
        note_error(r, what + ": invalid name (a-z, 0-9, '-') or no run function");
        return 1;
    }
    for (const auto& other : r->entries) {
        if (other.plot == e.plot && other.name == e.name) {
            note_error(r, what + ": registered twice");
            return 1;
        }
    }
    for (const char* const* a = aliases; a && *a; ++a) {
        if (!valid_name(*a, /*allow_underscore=*/true) || *a == e.name) {
            note_error(r, fmt::format("{}: alias '{}' is invalid (a-z, 0-9, '-', '_') or its own name", what, *a));
            return 1;
        }
        e.aliases.emplace_back(*a);
    }
    if (!copy_options(r, what, options, option_count, e.options)) return 1;
    r->entries.push_back(std::move(e));
    return 0;
}

std::int32_t host_add_command(mpa_registrar* r, const mpa_command* command) {
    if (!r || !command) return 1;
    const auto c = read_plugin_struct<mpa_command>(command);
    if (!c) {
        note_error(r, too_small<mpa_command>(command));
        return 1;
    }
    PluginEntrySpec e;
    e.name = text_or_empty(c->name);
    e.help = text_or_empty(c->help);
    e.needs_capture = c->needs_capture != 0;
    e.run = c->run;
    e.user_data = c->user_data;
    return add_entry(r, std::move(e), c->options, c->option_count, c->aliases);
}

std::int32_t host_add_plot_kind(mpa_registrar* r, const mpa_plot_kind* plot_kind) {
    if (!r || !plot_kind) return 1;
    const auto p = read_plugin_struct<mpa_plot_kind>(plot_kind);
    if (!p) {
        note_error(r, too_small<mpa_plot_kind>(plot_kind));
        return 1;
    }
    PluginEntrySpec e;
    e.plot = true;
    e.name = text_or_empty(p->name);
    e.help = text_or_empty(p->help);
    e.needs_capture = true;
    e.run = p->run;
    e.user_data = p->user_data;
    return add_entry(r, std::move(e), p->options, p->option_count, nullptr);
}

// ---- A run's options and output -------------------------------------------------------------

std::int32_t host_option_given(mpa_invocation* inv, const char* name) {
    return inv && name && inv->arguments.given.count(name) ? 1 : 0;
}

template <class Value>
const Value* given_value(mpa_invocation* inv, const char* name, const std::map<std::string, Value>& values) {
    if (!host_option_given(inv, name)) return nullptr;
    const auto it = values.find(name);
    return it == values.end() ? nullptr : &it->second;
}

const char* host_option_string(mpa_invocation* inv, const char* name) {
    const std::string* value = inv ? given_value(inv, name, inv->arguments.strings) : nullptr;
    return value ? value->c_str() : nullptr;
}

std::int64_t host_option_integer(mpa_invocation* inv, const char* name, std::int64_t fallback) {
    const std::int64_t* value = inv ? given_value(inv, name, inv->arguments.integers) : nullptr;
    return value ? *value : fallback;
}

std::int32_t host_option_flag(mpa_invocation* inv, const char* name) {
    const bool* value = inv ? given_value(inv, name, inv->arguments.flags) : nullptr;
    return value && *value ? 1 : 0;
}

std::int32_t host_write(mpa_invocation* inv, const char* data, std::size_t size) {
    if (!inv || (!data && size)) return 1;
    inv->output.append(data, size);
    return 0;
}

void host_fail(mpa_invocation* inv, const char* message) {
    if (inv) inv->error = text_or_empty(message);
}

void host_warn(mpa_invocation* inv, const char* message) {
    if (inv && message) log::warning("{}: {}", inv->warning_prefix, message);
}

// ---- The capture view -----------------------------------------------------------------------

bool has_capture(const mpa_invocation* inv) { return inv && inv->table && inv->model; }

const char* host_capture_path(mpa_invocation* inv) { return has_capture(inv) ? inv->capture_path.c_str() : nullptr; }

std::size_t host_packet_count(mpa_invocation* inv) { return has_capture(inv) ? inv->table->size() : 0; }

// The one place a packet table row becomes the API's packet.
mpa_packet packet_view(const PacketTable& table, std::size_t row, const std::vector<std::string>& address_text) {
    const auto& c = table.columns();
    mpa_packet p{};
    p.frame = c.frame_number[row];
    p.time_ns = c.time_ns[row];
    p.tcp_stream = c.tcp_stream[row];
    p.mptcp_stream = c.mptcp_stream[row];
    p.source = address_text[c.src[row]].c_str();
    p.destination = address_text[c.dst[row]].c_str();
    p.source_port = c.sport[row];
    p.destination_port = c.dport[row];
    p.seq = c.seq_relative[row];
    p.ack = c.ack_relative[row];
    p.payload_length = c.payload_length[row];
    p.tcp_flags = c.flags[row];
    const std::uint8_t dss = c.dss_bits[row];
    p.has_mapping = (dss & dss_bit::kPresent) && (dss & dss_bit::kMapping) ? 1 : 0;
    p.has_data_ack = (dss & dss_bit::kPresent) && (dss & dss_bit::kDataAck) ? 1 : 0;
    p.dsn = p.has_mapping ? c.dss_dsn[row] : 0;
    p.data_ack = p.has_data_ack ? c.dss_data_ack[row] : 0;
    p.data_level_length = p.has_mapping ? c.dss_length[row] : 0;
    p.mptcp_subtypes = c.mptcp_subtypes[row];
    p.subflow_seq = p.has_mapping ? c.dss_subflow_seq[row] : 0;
    return p;
}

std::int32_t host_packet(mpa_invocation* inv, std::size_t i, mpa_packet* out) {
    if (!has_capture(inv) || !out || i >= inv->table->size()) return 1;
    return fill_plugin_struct(out, packet_view(*inv->table, i, inv->address_text));
}

std::size_t host_tcp_count(mpa_invocation* inv) { return has_capture(inv) ? inv->model->tcp.size() : 0; }

std::int32_t host_tcp(mpa_invocation* inv, std::size_t i, mpa_tcp_connection* out) {
    if (!has_capture(inv) || !out || i >= inv->model->tcp.size()) return 1;
    const ConnectionModel& model = *inv->model;
    const TcpConnection& t = model.tcp[i];
    mpa_tcp_connection c{};
    c.tcp_stream = t.tcp_stream;
    c.client = inv->endpoint_text[2 * i].c_str();
    c.server = inv->endpoint_text[2 * i + 1].c_str();
    c.mptcp_stream = t.mptcp_index >= 0 ? model.mptcp[static_cast<std::size_t>(t.mptcp_index)].mptcp_stream : -1;
    c.packets_to_server = t.stats(TcpDirection::ClientToServer).packets;
    c.packets_to_client = t.stats(TcpDirection::ServerToClient).packets;
    c.bytes_to_server = t.stats(TcpDirection::ClientToServer).payload_bytes;
    c.bytes_to_client = t.stats(TcpDirection::ServerToClient).payload_bytes;
    c.first_ns = t.first_ns();
    c.last_ns = t.last_ns();
    return fill_plugin_struct(out, c);
}

std::size_t host_mptcp_count(mpa_invocation* inv) { return has_capture(inv) ? inv->model->mptcp.size() : 0; }

std::int32_t host_mptcp(mpa_invocation* inv, std::size_t i, mpa_mptcp_connection* out) {
    if (!has_capture(inv) || !out || i >= inv->model->mptcp.size()) return 1;
    const ConnectionModel& model = *inv->model;
    const MptcpConnection& m = model.mptcp[i];
    mpa_mptcp_connection c{};
    c.mptcp_stream = m.mptcp_stream;
    const std::size_t base = 2 * model.tcp.size();
    c.client = inv->endpoint_text[base + 2 * i].c_str();
    c.server = inv->endpoint_text[base + 2 * i + 1].c_str();
    c.version = m.version;
    c.subflow_count = m.subflows.size();
    c.subflow_tcp_streams = inv->subflow_streams[i].data();
    return fill_plugin_struct(out, c);
}

// ---- Plots ----------------------------------------------------------------------------------

void host_plot_labels(mpa_invocation* inv, const char* title, const char* xlabel, const char* ylabel) {
    if (!inv || !inv->plot) return;
    if (title && !inv->title_given) inv->plot->title = title;  // --title wins over the plugin's title
    if (xlabel) inv->plot->xlabel = xlabel;
    if (ylabel) inv->plot->ylabel = ylabel;
}

std::int32_t host_plot_series(mpa_invocation* inv, const char* title, std::int32_t style) {
    if (!inv || !inv->plot) return -1;
    PlotSeries s;
    s.title = text_or_empty(title);
    // point_size and line_width are variables of the script (the user's plot settings).
    switch (style) {
        case MPA_PLOT_POINTS: s.style = "points pointtype 7 pointsize point_size"; break;
        case MPA_PLOT_LINES: s.style = "lines linewidth line_width"; break;
        case MPA_PLOT_LINESPOINTS: s.style = "linespoints pointtype 7 pointsize point_size linewidth line_width"; break;
        default: return -1;
    }
    inv->plot->series.push_back(std::move(s));
    return static_cast<std::int32_t>(inv->plot->series.size() - 1);
}

std::int32_t host_plot_point(mpa_invocation* inv, std::int32_t series, double x, double y) {
    if (!inv || !inv->plot || series < 0 || static_cast<std::size_t>(series) >= inv->plot->series.size()) return 1;
    if (!std::isfinite(x) || !std::isfinite(y)) return 1;
    inv->plot->series[static_cast<std::size_t>(series)].rows.push_back(fmt::format("{} {}", x, y));
    return 0;
}

const mpa_host_api& host_api() {
    static const mpa_host_api api = [] {
        mpa_host_api a{};
        a.struct_size = sizeof(mpa_host_api);
        a.api_version = MPA_PLUGIN_API_VERSION_OF(MPA_PLUGIN_API_MAJOR, MPA_PLUGIN_API_MINOR);
        a.add_command = host_add_command;
        a.add_plot_kind = host_add_plot_kind;
        a.option_given = host_option_given;
        a.option_string = host_option_string;
        a.option_integer = host_option_integer;
        a.option_flag = host_option_flag;
        a.write = host_write;
        a.fail = host_fail;
        a.capture_path = host_capture_path;
        a.packet_count = host_packet_count;
        a.packet = host_packet;
        a.tcp_connection_count = host_tcp_count;
        a.tcp_connection = host_tcp;
        a.mptcp_connection_count = host_mptcp_count;
        a.mptcp_connection = host_mptcp;
        a.plot_labels = host_plot_labels;
        a.plot_series = host_plot_series;
        a.plot_point = host_plot_point;
        a.warn = host_warn;
        return a;
    }();
    return api;
}

}  // namespace

PluginApiVersion decode_plugin_api_version(std::uint32_t value) {
    if (MPA_PLUGIN_API_VERSION_MAJOR(value) == 0) return {value, 0};  // a single number, before 2.0
    return {MPA_PLUGIN_API_VERSION_MAJOR(value), MPA_PLUGIN_API_VERSION_MINOR(value)};
}

PluginApiVersion host_plugin_api_version() { return {MPA_PLUGIN_API_MAJOR, MPA_PLUGIN_API_MINOR}; }

std::string to_string(PluginApiVersion version) { return fmt::format("{}.{}", version.major, version.minor); }

std::string plugin_version_refusal(PluginApiVersion plugin) {
    const PluginApiVersion host = host_plugin_api_version();
    if (plugin.major == host.major) return "";
    return fmt::format(
        "built for plugin API {}, this mptcpanalyzer provides {}: another major version, rebuild the plugin "
        "against this mptcpanalyzer's plugin_api.hpp",
        to_string(plugin), to_string(host));
}

PluginRegistration call_plugin_register(PluginRegisterFunction register_function, const std::string& plugin_path) {
    mpa_registrar registrar;
    registrar.plugin_path = plugin_path;
    PluginRegistration result;
    result.status = register_function(&host_api(), &registrar);
    result.first_error = std::move(registrar.first_error);
    result.entries = std::move(registrar.entries);
    return result;
}

ExitCode exit_code_of_plugin_status(std::int32_t status) {
    switch (status) {
        case MPA_OK: return ExitCode::Ok;
        case MPA_USAGE_ERROR: return ExitCode::Usage;
        case MPA_NO_DATA: return ExitCode::NoData;
        case MPA_ENVIRONMENT: return ExitCode::Environment;
        default: return ExitCode::Failure;  // MPA_FAILED, and statuses of a newer minor
    }
}

}  // namespace mptcpanalyzer::cli

void mpa_invocation::attach_capture(std::string path, const mptcpanalyzer::PacketTable& packets,
                                    const mptcpanalyzer::ConnectionModel& connections) {
    capture_path = std::move(path);
    table = &packets;
    model = &connections;
    // Host strings handed out stay valid for the whole run: keep their text here.
    for (const auto& a : packets.addresses()) address_text.push_back(a.to_string());
    for (const auto& t : connections.tcp) {
        endpoint_text.push_back(t.client.to_string());
        endpoint_text.push_back(t.server.to_string());
    }
    for (const auto& m : connections.mptcp) {
        endpoint_text.push_back(m.client.to_string());
        endpoint_text.push_back(m.server.to_string());
        auto& streams = subflow_streams.emplace_back();
        for (const auto& sf : m.subflows) streams.push_back(sf.tcp_stream);
    }
}
