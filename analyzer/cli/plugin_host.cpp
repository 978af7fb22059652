#include "plugin_host.hpp"

#include <gmodule.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "capture_sessions.hpp"
#include "mptcpanalyzer/export/gnuplot.hpp"
#include "mptcpanalyzer/util/error.hpp"
#include "mptcpanalyzer/util/log.hpp"
#include "mptcpanalyzer/util/xdg.hpp"
#include "plot_common.hpp"

#ifndef MPTCP_SYSTEM_PLUGIN_DIR
#define MPTCP_SYSTEM_PLUGIN_DIR "/usr/lib/mptcpanalyzer/plugins"
#endif

using mptcpanalyzer::cli::PluginEntrySpec;
using mptcpanalyzer::cli::PluginOptionSpec;

// The registration handle: what one plugin has registered so far (committed only when its
// register function succeeds).
struct mpa_registrar {
    std::string plugin_path;
    std::vector<PluginEntrySpec> entries;
    std::string first_error;
};

// Values of one subcommand's declared options, bound to CLI11 at setup (map nodes never move).
struct PluginOptionValues {
    std::map<std::string, std::string> strings;
    std::map<std::string, std::int64_t> integers;
    std::map<std::string, bool> flags;
    std::map<std::string, CLI::Option*> options;
};

struct mpa_invocation {
    const PluginEntrySpec* entry = nullptr;
    PluginOptionValues* values = nullptr;
    const mptcpanalyzer::cli::PlotCommonOptions* plot_options = nullptr;
    const mptcpanalyzer::AnalysisSession* context = nullptr;
    std::string capture_path;
    std::vector<std::string> address_text;   // by address index of the table
    std::vector<std::string> endpoint_text;  // client, server of each tcp connection, then of each mptcp one
    std::vector<std::vector<std::uint32_t>> subflow_streams;  // by mptcp connection index
    std::string scratch;                     // option_string of host-owned options
    std::string output;
    std::string error;
    mptcpanalyzer::PlotSpec* plot = nullptr;
};

namespace mptcpanalyzer::cli {
namespace {

constexpr const char* kVersionSymbol = "mptcpanalyzer_plugin_api_version";
constexpr const char* kRegisterSymbol = "mptcpanalyzer_plugin_register";

std::string text_or_empty(const char* s) { return s ? s : ""; }

bool valid_name(const std::string& name) {
    if (name.empty() || name.size() > 64 || name[0] < 'a' || name[0] > 'z') return false;
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

// Names the host adds itself to a plugin's command or plot kind.
bool reserved_option(const std::string& name) {
    static const std::set<std::string> reserved = {"read",  "help",    "output",      "terminal",  "size",
                                                   "title", "display", "keep-script", "direction", "subflow"};
    return reserved.count(name) != 0;
}

bool copy_options(mpa_registrar* r, const std::string& what, const mpa_option* options, std::size_t count,
                  std::vector<PluginOptionSpec>& out) {
    if (count > 0 && !options) {
        r->first_error = what + ": option_count without options";
        return false;
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < count; ++i) {
        const mpa_option& o = options[i];
        PluginOptionSpec spec;
        spec.name = text_or_empty(o.name);
        spec.help = text_or_empty(o.help);
        spec.kind = o.kind;
        spec.required = o.required != 0;
        spec.positional = o.positional != 0;
        if (!valid_name(spec.name) || reserved_option(spec.name) || !seen.insert(spec.name).second) {
            r->first_error = fmt::format("{}: option name '{}' is invalid, reserved or repeated", what, spec.name);
            return false;
        }
        if (spec.kind != MPA_OPTION_FLAG && spec.kind != MPA_OPTION_STRING && spec.kind != MPA_OPTION_INTEGER) {
            r->first_error = fmt::format("{}: option '{}' has unknown kind {}", what, spec.name, spec.kind);
            return false;
        }
        if (spec.positional && spec.kind == MPA_OPTION_FLAG) {
            r->first_error = fmt::format("{}: a flag cannot be positional ('{}')", what, spec.name);
            return false;
        }
        for (const char* const* c = o.choices; c && *c; ++c) spec.choices.emplace_back(*c);
        out.push_back(std::move(spec));
    }
    return true;
}

int32_t host_add(mpa_registrar* r, bool plot, const char* name, const char* help, int32_t needs_capture,
                 const mpa_option* options, std::size_t option_count, mpa_run_function run, void* user_data) {
    if (!r) return 1;
    PluginEntrySpec e;
    e.plot = plot;
    e.name = text_or_empty(name);
    e.help = text_or_empty(help);
    e.needs_capture = plot || needs_capture != 0;
    e.run = run;
    e.user_data = user_data;
    e.plugin_path = r->plugin_path;
    const std::string what = fmt::format("{} '{}'", plot ? "plot kind" : "command", e.name);
    if (!valid_name(e.name) || !run) {
        if (r->first_error.empty()) r->first_error = what + ": invalid name (a-z, 0-9, '-') or no run function";
        return 1;
    }
    for (const auto& other : r->entries) {
        if (other.plot == plot && other.name == e.name) {
            if (r->first_error.empty()) r->first_error = what + ": registered twice";
            return 1;
        }
    }
    if (!copy_options(r, what, options, option_count, e.options)) return 1;
    r->entries.push_back(std::move(e));
    return 0;
}

int32_t host_add_command(mpa_registrar* r, const mpa_command* c) {
    if (!c) return 1;
    return host_add(r, false, c->name, c->help, c->needs_capture, c->options, c->option_count, c->run, c->user_data);
}

int32_t host_add_plot_kind(mpa_registrar* r, const mpa_plot_kind* p) {
    if (!p) return 1;
    return host_add(r, true, p->name, p->help, 1, p->options, p->option_count, p->run, p->user_data);
}

int32_t host_option_given(mpa_invocation* inv, const char* name) {
    if (!inv || !name) return 0;
    const std::string n = name;
    if (inv->plot_options && n == "direction") return 1;  // has a default
    if (inv->plot_options && n == "subflow") return inv->plot_options->subflows.empty() ? 0 : 1;
    const auto it = inv->values->options.find(n);
    return it != inv->values->options.end() && it->second->count() > 0 ? 1 : 0;
}

const char* host_option_string(mpa_invocation* inv, const char* name) {
    if (!host_option_given(inv, name)) return nullptr;
    const std::string n = name;
    if (inv->plot_options && n == "direction") return inv->plot_options->direction.c_str();
    if (inv->plot_options && n == "subflow") {
        inv->scratch = std::to_string(inv->plot_options->subflows.front());
        return inv->scratch.c_str();
    }
    const auto it = inv->values->strings.find(n);
    return it == inv->values->strings.end() ? nullptr : it->second.c_str();
}

int64_t host_option_integer(mpa_invocation* inv, const char* name, int64_t fallback) {
    if (!host_option_given(inv, name)) return fallback;
    const auto it = inv->values->integers.find(name);
    return it == inv->values->integers.end() ? fallback : it->second;
}

int32_t host_option_flag(mpa_invocation* inv, const char* name) {
    if (!host_option_given(inv, name)) return 0;
    const auto it = inv->values->flags.find(name);
    return it != inv->values->flags.end() && it->second ? 1 : 0;
}

int32_t host_write(mpa_invocation* inv, const char* data, std::size_t size) {
    if (!inv || (!data && size)) return 1;
    inv->output.append(data, size);
    return 0;
}

void host_fail(mpa_invocation* inv, const char* message) {
    if (inv) inv->error = text_or_empty(message);
}

const char* host_capture_path(mpa_invocation* inv) { return inv && inv->context ? inv->capture_path.c_str() : nullptr; }

std::size_t host_packet_count(mpa_invocation* inv) {
    return inv && inv->context ? inv->context->table().size() : 0;
}

int32_t host_packet(mpa_invocation* inv, std::size_t i, mpa_packet* out) {
    if (!inv || !inv->context || !out || i >= inv->context->table().size()) return 1;
    const auto& c = inv->context->table().columns();
    *out = mpa_packet{};
    out->frame = c.frame_number[i];
    out->time_ns = c.time_ns[i];
    out->tcp_stream = c.tcp_stream[i];
    out->mptcp_stream = c.mptcp_stream[i];
    out->source = inv->address_text[c.src[i]].c_str();
    out->destination = inv->address_text[c.dst[i]].c_str();
    out->source_port = c.sport[i];
    out->destination_port = c.dport[i];
    out->seq = c.seq_relative[i];
    out->ack = c.ack_relative[i];
    out->payload_length = c.payload_length[i];
    out->tcp_flags = c.flags[i];
    const std::uint8_t dss = c.dss_bits[i];
    out->has_mapping = (dss & dss_bit::kPresent) && (dss & dss_bit::kMapping) ? 1 : 0;
    out->has_data_ack = (dss & dss_bit::kPresent) && (dss & dss_bit::kDataAck) ? 1 : 0;
    out->dsn = out->has_mapping ? c.dss_dsn[i] : 0;
    out->data_ack = out->has_data_ack ? c.dss_data_ack[i] : 0;
    out->data_level_length = out->has_mapping ? c.dss_length[i] : 0;
    return 0;
}

std::size_t host_tcp_count(mpa_invocation* inv) { return inv && inv->context ? inv->context->model().tcp.size() : 0; }

int32_t host_tcp(mpa_invocation* inv, std::size_t i, mpa_tcp_connection* out) {
    if (!inv || !inv->context || !out || i >= inv->context->model().tcp.size()) return 1;
    const auto& model = inv->context->model();
    const TcpConnection& t = model.tcp[i];
    *out = mpa_tcp_connection{};
    out->tcp_stream = t.tcp_stream;
    out->client = inv->endpoint_text[2 * i].c_str();
    out->server = inv->endpoint_text[2 * i + 1].c_str();
    out->mptcp_stream = t.mptcp_index >= 0 ? model.mptcp[static_cast<std::size_t>(t.mptcp_index)].mptcp_stream : -1;
    out->packets_to_server = t.stats(TcpDirection::ClientToServer).packets;
    out->packets_to_client = t.stats(TcpDirection::ServerToClient).packets;
    out->bytes_to_server = t.stats(TcpDirection::ClientToServer).payload_bytes;
    out->bytes_to_client = t.stats(TcpDirection::ServerToClient).payload_bytes;
    out->first_ns = t.first_ns();
    out->last_ns = t.last_ns();
    return 0;
}

std::size_t host_mptcp_count(mpa_invocation* inv) { return inv && inv->context ? inv->context->model().mptcp.size() : 0; }

int32_t host_mptcp(mpa_invocation* inv, std::size_t i, mpa_mptcp_connection* out) {
    if (!inv || !inv->context || !out || i >= inv->context->model().mptcp.size()) return 1;
    const auto& model = inv->context->model();
    const MptcpConnection& m = model.mptcp[i];
    *out = mpa_mptcp_connection{};
    out->mptcp_stream = m.mptcp_stream;
    const std::size_t base = 2 * model.tcp.size();
    out->client = inv->endpoint_text[base + 2 * i].c_str();
    out->server = inv->endpoint_text[base + 2 * i + 1].c_str();
    out->version = m.version;
    out->subflow_count = m.subflows.size();
    out->subflow_tcp_streams = inv->subflow_streams[i].data();
    return 0;
}

void host_plot_labels(mpa_invocation* inv, const char* title, const char* xlabel, const char* ylabel) {
    if (!inv || !inv->plot) return;
    // --title wins over the plugin's title.
    if (title && inv->plot_options && inv->plot_options->title.empty()) inv->plot->title = title;
    if (xlabel) inv->plot->xlabel = xlabel;
    if (ylabel) inv->plot->ylabel = ylabel;
}

int32_t host_plot_series(mpa_invocation* inv, const char* title, int32_t style) {
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
    return static_cast<int32_t>(inv->plot->series.size() - 1);
}

int32_t host_plot_point(mpa_invocation* inv, int32_t series, double x, double y) {
    if (!inv || !inv->plot || series < 0 || static_cast<std::size_t>(series) >= inv->plot->series.size()) return 1;
    if (!std::isfinite(x) || !std::isfinite(y)) return 1;
    inv->plot->series[static_cast<std::size_t>(series)].rows.push_back(fmt::format("{} {}", x, y));
    return 0;
}

const mpa_host_api& host_api() {
    static const mpa_host_api api = [] {
        mpa_host_api a{};
        a.api_version = MPA_PLUGIN_API_VERSION;
        a.struct_size = sizeof(mpa_host_api);
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
        return a;
    }();
    return api;
}

// Loads one file; fills `record`, appends the entries of a plugin that loaded.
void load_one(const std::string& path, PluginRecord& record, std::vector<PluginEntrySpec>& entries) {
    record.path = path;
    GModule* module = g_module_open(path.c_str(), G_MODULE_BIND_LOCAL);
    if (!module) {
        record.reason = fmt::format("cannot load: {}", text_or_empty(g_module_error()));
        return;
    }
    auto refuse = [&](std::string why) {
        record.reason = std::move(why);
        g_module_close(module);
    };
    // The version is asked first: nothing else of a plugin built for another API is called.
    gpointer version_symbol = nullptr;
    if (!g_module_symbol(module, kVersionSymbol, &version_symbol) || !version_symbol) {
        return refuse(fmt::format("not an mptcpanalyzer plugin: no {} symbol", kVersionSymbol));
    }
    const auto version_fn = reinterpret_cast<uint32_t (*)()>(version_symbol);
    const uint32_t version = version_fn();
    if (version != MPA_PLUGIN_API_VERSION) {
        return refuse(fmt::format("built for plugin API version {}, this mptcpanalyzer provides version {}", version,
                                  MPA_PLUGIN_API_VERSION));
    }
    gpointer register_symbol = nullptr;
    if (!g_module_symbol(module, kRegisterSymbol, &register_symbol) || !register_symbol) {
        return refuse(fmt::format("not an mptcpanalyzer plugin: no {} symbol", kRegisterSymbol));
    }
    const auto register_fn = reinterpret_cast<int32_t (*)(const mpa_host_api*, mpa_registrar*)>(register_symbol);
    mpa_registrar registrar;
    registrar.plugin_path = path;
    int32_t status = 0;
    try {
        status = register_fn(&host_api(), &registrar);
    } catch (const std::exception& e) {
        return refuse(fmt::format("its register function threw: {}", e.what()));
    } catch (...) {
        return refuse("its register function threw an exception");
    }
    if (status != 0) {
        return refuse(fmt::format("its register function failed (status {}){}", status,
                                  registrar.first_error.empty() ? "" : ": " + registrar.first_error));
    }
    if (!registrar.first_error.empty()) return refuse(registrar.first_error);
    // Its functions are called until the process exits: never unload it.
    g_module_make_resident(module);
    record.loaded = true;
    for (auto& e : registrar.entries) {
        (e.plot ? record.plot_kinds : record.commands).push_back(e.name);
        entries.push_back(std::move(e));
    }
}

std::string data_home() {
    return xdg_base_directory("XDG_DATA_HOME", ".local/share").string();
}

// Binds the plugin's declared options to CLI11 on `cmd`.
std::shared_ptr<PluginOptionValues> add_declared_options(CLI::App& cmd, const PluginEntrySpec& e) {
    auto values = std::make_shared<PluginOptionValues>();
    for (const auto& o : e.options) {
        const std::string cli_name = o.positional ? o.name : "--" + o.name;
        CLI::Option* opt = nullptr;
        if (o.kind == MPA_OPTION_FLAG) {
            opt = cmd.add_flag(cli_name, values->flags[o.name], o.help);
        } else if (o.kind == MPA_OPTION_INTEGER) {
            opt = cmd.add_option(cli_name, values->integers[o.name], o.help);
        } else {
            opt = cmd.add_option(cli_name, values->strings[o.name], o.help);
            if (!o.choices.empty()) opt->check(CLI::IsMember(o.choices));
        }
        if (o.required) opt->required();
        values->options[o.name] = opt;
    }
    return values;
}

void run_entry(const PluginEntrySpec& e, PluginOptionValues& values, const std::string& capture,
               const GlobalOptions& global, const PlotCommonOptions* plot_options) {
    mpa_invocation inv;
    inv.entry = &e;
    inv.values = &values;
    PlotSpec spec;
    PlotOutput output;
    if (e.plot) {
        output = resolve_plot_output(*plot_options);  // before reading the capture: bad options fail fast
        spec.title = plot_title(*plot_options, e.name);
        inv.plot = &spec;
        inv.plot_options = plot_options;
    }
    std::shared_ptr<const AnalysisSession> context;
    if (e.needs_capture) {
        context = open_session(global, capture);
        inv.context = context.get();
        inv.capture_path = capture;
        for (const auto& a : context->table().addresses()) inv.address_text.push_back(a.to_string());
        for (const auto& t : context->model().tcp) {
            inv.endpoint_text.push_back(t.client.to_string());
            inv.endpoint_text.push_back(t.server.to_string());
        }
        for (const auto& m : context->model().mptcp) {
            inv.endpoint_text.push_back(m.client.to_string());
            inv.endpoint_text.push_back(m.server.to_string());
            auto& streams = inv.subflow_streams.emplace_back();
            for (const auto& sf : m.subflows) streams.push_back(sf.tcp_stream);
        }
    }
    const std::string what = fmt::format("{} '{}' (plugin {})", e.plot ? "plot kind" : "command", e.name, e.plugin_path);
    int32_t status = 0;
    try {
        status = e.run(&inv, e.user_data);
    } catch (const std::exception& ex) {
        throw Error(ExitCode::Failure, fmt::format("{} threw: {}", what, ex.what()));
    } catch (...) {
        throw Error(ExitCode::Failure, fmt::format("{} threw an exception", what));
    }
    if (status != MPA_OK) {
        const std::string message = inv.error.empty() ? fmt::format("{} failed (status {})", what, status) : inv.error;
        throw Error(status == MPA_USAGE_ERROR ? ExitCode::Usage : ExitCode::Failure, message);
    }
    if (e.plot) render_plot(spec, output);
    if (!inv.output.empty()) {
        if (std::fwrite(inv.output.data(), 1, inv.output.size(), stdout) != inv.output.size() || std::fflush(stdout) != 0) {
            throw Error(ExitCode::OutputFailed, "standard output: write failed");
        }
    }
}

CLI::App* find_subcommand(CLI::App& app, const std::string& name) {
    const auto found = app.get_subcommands([&name](const CLI::App* s) { return s->check_name(name); });
    return found.empty() ? nullptr : found.front();
}

void add_entry(CLI::App& parent, const PluginEntrySpec& e, const GlobalOptions& global) {
    CLI::App* cmd = parent.add_subcommand(e.name, e.help);
    try {
        auto capture = std::make_shared<std::string>();
        auto plot_options = std::make_shared<PlotCommonOptions>();
        if (e.plot) {
            add_common_plot_options(*cmd, *plot_options);  // -r and the options of every plot kind
        } else if (e.needs_capture) {
            add_capture_option(*cmd, *capture);
        }
        auto values = add_declared_options(*cmd, e);
        cmd->callback([&e, values, capture, plot_options, &global] {
            run_entry(e, *values, e.plot ? plot_options->capture : *capture, global,
                      e.plot ? plot_options.get() : nullptr);
        });
    } catch (...) {
        parent.remove_subcommand(cmd);
        throw;
    }
}

}  // namespace

std::vector<std::string> plugin_folders(const GlobalOptions& global) {
    std::vector<std::string> folders = global.config.plugin_folders;
    folders.push_back(data_home() + "/mptcpanalyzer/plugins");
    folders.push_back(MPTCP_SYSTEM_PLUGIN_DIR);
    return folders;
}

std::shared_ptr<PluginRegistry> load_plugins(const GlobalOptions& global) {
    auto registry = std::make_shared<PluginRegistry>();
    registry->folders = plugin_folders(global);
    if (!g_module_supported()) return registry;
    std::map<std::string, std::string> claimed;  // file name -> path that claimed it
    for (const auto& folder : registry->folders) {
        std::vector<std::filesystem::path> files;
        std::error_code ec;
        for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
            const auto name = it->path().filename().string();
            if (name.size() > 3 && name.ends_with(".so") && name[0] != '.') files.push_back(it->path());
        }
        std::sort(files.begin(), files.end());
        for (const auto& file : files) {
            PluginRecord record;
            record.path = file.string();
            std::error_code type_ec;
            bool claimed_elsewhere = false;
            if (!std::filesystem::is_regular_file(file, type_ec)) {
                record.reason = "not a regular file";
            } else if (const auto it = claimed.find(file.filename().string()); it != claimed.end()) {
                claimed_elsewhere = true;
                record.reason = fmt::format("hidden by {} (same file name, earlier folder)", it->second);
            } else {
                claimed.emplace(file.filename().string(), file.string());
                load_one(file.string(), record, registry->entries);
            }
            // Reported on every run until the user removes or fixes it (a shadowed copy is deliberate).
            if (!record.loaded && !claimed_elsewhere) {
                log::warning("plugin {} refused: {} (see `mptcpanalyzer plugins`)", record.path, record.reason);
            }
            registry->plugins.push_back(std::move(record));
        }
    }
    return registry;
}

void setup_plugin_commands(CLI::App& app, const GlobalOptions& global, PluginRegistry& plugins) {
    CLI::App* plot = find_subcommand(app, "plot");
    for (const auto& e : plugins.entries) {
        CLI::App* parent = e.plot ? plot : &app;
        const auto record = std::find_if(plugins.plugins.begin(), plugins.plugins.end(),
                                         [&](const PluginRecord& r) { return r.path == e.plugin_path; });
        auto note = [&](const std::string& text) {
            if (record != plugins.plugins.end() &&
                std::find(record->notes.begin(), record->notes.end(), text) == record->notes.end()) {
                record->notes.push_back(text);
            }
        };
        const std::string what = fmt::format("{} '{}'", e.plot ? "plot kind" : "command", e.name);
        if (!parent) {
            note(what + " skipped: no plot command");
            continue;
        }
        if (find_subcommand(*parent, e.name)) {
            note(what + " skipped: the name is already taken");
            continue;
        }
        try {
            add_entry(*parent, e, global);
            // `plot`'s one-line help lists its kinds: "... (kinds: dsn, ...)"; list this one too.
            const std::string description = parent->get_description();
            if (e.plot && description.find("(kinds: ") != std::string::npos && description.ends_with(")")) {
                parent->description(description.substr(0, description.size() - 1) + ", " + e.name + ")");
            }
        } catch (const CLI::Error& ex) {
            note(fmt::format("{} skipped: {}", what, ex.what()));
        }
    }
}

}  // namespace mptcpanalyzer::cli
