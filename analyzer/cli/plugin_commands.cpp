#include "plugin_commands.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "capture_sessions.hpp"
#include "mptcpanalyzer/export/gnuplot.hpp"
#include "mptcpanalyzer/util/error.hpp"
#include "output.hpp"
#include "plot_common.hpp"

namespace mptcpanalyzer::cli {
namespace {

// A capture's table and model for one plugin run, and what keeps them alive during it.
struct PluginCapture {
    std::shared_ptr<const void> owner;
    const PacketTable* table = nullptr;
    const ConnectionModel* model = nullptr;
};

// The one place plugins obtain a capture: the same analysis session built-in commands use
// (capture_sessions.hpp), so a plugin command in a batch or the shell does not dissect again.
PluginCapture obtain_capture(const GlobalOptions& global, const std::string& path) {
    auto session = open_session(global, path);
    return {session, &session->table(), &session->model()};
}

// A subcommand's declared options as CLI11 binds them (map nodes never move), and the CLI11
// option of each, to tell which ones the user gave.
struct BoundOptions {
    PluginArguments values;
    std::map<std::string, CLI::Option*> options;
};

// What the host adds to a plugin command: -r (when it needs a capture) and -o, as built-ins have.
struct CommandOptions {
    std::string capture;
    std::string output = "-";
};

std::string describe(const PluginEntrySpec& e) {
    return fmt::format("{} '{}' (plugin {})", e.plot ? "plot kind" : "command", e.name, e.plugin_path);
}

mpa_invocation new_invocation(const PluginEntrySpec& e, const BoundOptions& bound) {
    mpa_invocation inv;
    inv.arguments = bound.values;
    for (const auto& [name, option] : bound.options) {
        if (option->count() > 0) inv.arguments.given.insert(name);
    }
    inv.warning_prefix = describe(e);
    return inv;
}

// Calls the run function; a failure becomes the exit code its status stands for.
void invoke(const PluginEntrySpec& e, mpa_invocation& inv) {
    std::int32_t status = MPA_OK;
    try {
        status = e.run(&inv, e.user_data);
    } catch (const std::exception& ex) {
        throw Error(ExitCode::Failure, fmt::format("{} threw: {}", describe(e), ex.what()));
    } catch (...) {
        throw Error(ExitCode::Failure, fmt::format("{} threw an exception", describe(e)));
    }
    if (status != MPA_OK) {
        throw Error(exit_code_of_plugin_status(status),
                    inv.error.empty() ? fmt::format("{} failed (status {})", describe(e), status) : inv.error);
    }
}

void write_and_finish(OutputTarget& out, const std::string& text) {
    if (!text.empty() && std::fwrite(text.data(), 1, text.size(), out.stream()) != text.size()) {
        throw Error(ExitCode::OutputFailed, out.name() + ": write failed: " + std::strerror(errno));
    }
    out.finish();
}

void run_command(const PluginEntrySpec& e, const BoundOptions& bound, const CommandOptions& o,
                 const GlobalOptions& global) {
    // Opened first, as built-in commands do: an unwritable destination, or the capture itself,
    // fails before the capture is read. What the plugin writes reaches it only on success.
    OutputTarget out(o.output, e.needs_capture ? std::vector<std::string>{o.capture} : std::vector<std::string>{});
    mpa_invocation inv = new_invocation(e, bound);
    PluginCapture capture;
    if (e.needs_capture) {
        capture = obtain_capture(global, o.capture);
        inv.attach_capture(o.capture, *capture.table, *capture.model);
    }
    invoke(e, inv);
    write_and_finish(out, inv.output);
}

void run_plot_kind(const PluginEntrySpec& e, const BoundOptions& bound, const PlotCommonOptions& plot,
                   const GlobalOptions& global) {
    const PlotOutput output = resolve_plot_output(plot);  // before reading the capture: bad options fail fast
    mpa_invocation inv = new_invocation(e, bound);
    PlotSpec spec;
    spec.title = plot_title(plot, e.name);
    inv.plot = &spec;
    inv.title_given = !plot.title.empty();
    // The common plot options a plot kind reads by name (--direction has a default: always given).
    inv.arguments.strings["direction"] = plot.direction;
    inv.arguments.given.insert("direction");
    if (!plot.subflows.empty()) {
        inv.arguments.strings["subflow"] = std::to_string(plot.subflows.front());
        inv.arguments.given.insert("subflow");
    }
    const PluginCapture capture = obtain_capture(global, plot.capture);
    inv.attach_capture(plot.capture, *capture.table, *capture.model);
    invoke(e, inv);
    render_plot(spec, output);
    OutputTarget text("-");  // -o is the plot's image: what the plugin writes goes to standard output
    write_and_finish(text, inv.output);
}

// Binds the plugin's declared options to CLI11 on `cmd`.
std::shared_ptr<BoundOptions> add_declared_options(CLI::App& cmd, const PluginEntrySpec& e) {
    auto bound = std::make_shared<BoundOptions>();
    auto& values = bound->values;
    for (const auto& o : e.options) {
        const std::string cli_name = o.positional ? o.name : "--" + o.name;
        CLI::Option* opt = nullptr;
        if (o.kind == MPA_OPTION_FLAG) {
            opt = cmd.add_flag(cli_name, values.flags[o.name], o.help);
        } else if (o.kind == MPA_OPTION_INTEGER) {
            opt = cmd.add_option(cli_name, values.integers[o.name], o.help);
        } else {
            opt = cmd.add_option(cli_name, values.strings[o.name], o.help);
            if (!o.choices.empty()) opt->check(CLI::IsMember(o.choices));
        }
        if (o.required) opt->required();
        if (!o.value_name.empty() && o.kind != MPA_OPTION_FLAG) opt->type_name(o.value_name);
        bound->options[o.name] = opt;
    }
    return bound;
}

CLI::App* find_subcommand(CLI::App& app, const std::string& name) {
    const auto found = app.get_subcommands([&name](const CLI::App* s) { return s->check_name(name); });
    return found.empty() ? nullptr : found.front();
}

template <class Note>
void add_entry(CLI::App& parent, const PluginEntrySpec& e, const GlobalOptions& global, const Note& note) {
    CLI::App* cmd = parent.add_subcommand(e.name, e.help);
    try {
        for (const auto& alias : e.aliases) {
            if (find_subcommand(parent, alias)) {
                note(fmt::format("alias '{}' of '{}' skipped: the name is already taken", alias, e.name));
            } else {
                cmd->alias(alias);
            }
        }
        if (e.plot) {
            auto plot = std::make_shared<PlotCommonOptions>();
            add_common_plot_options(*cmd, *plot);  // -r and the options of every plot kind
            auto bound = add_declared_options(*cmd, e);
            cmd->callback([&e, bound, plot, &global] { run_plot_kind(e, *bound, *plot, global); });
        } else {
            auto command = std::make_shared<CommandOptions>();
            if (e.needs_capture) add_capture_option(*cmd, command->capture);
            cmd->add_option("-o,--output", command->output, "Output file, '-' for standard output")
                ->capture_default_str();
            auto bound = add_declared_options(*cmd, e);
            cmd->callback([&e, bound, command, &global] { run_command(e, *bound, *command, global); });
        }
    } catch (...) {
        parent.remove_subcommand(cmd);
        throw;
    }
}

}  // namespace

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
            add_entry(*parent, e, global, note);
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
