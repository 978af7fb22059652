#pragma once
// The C ABI adapter between the program and its plugins (mptcpanalyzer/plugin_api.hpp,
// docs/plugins.md): the host function table, the API version rules, reading what a plugin
// registers (by the struct sizes it declares) into C++ specs, and turning our packet table and
// connection model into the API's structs (by the struct sizes the plugin asks for). It knows
// neither GModule (plugin_loader) nor CLI11 (plugin_commands).

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "mptcpanalyzer/plugin_api.hpp"
#include "mptcpanalyzer/util/error.hpp"

namespace mptcpanalyzer {
class PacketTable;
class ConnectionModel;
struct PlotSpec;
}  // namespace mptcpanalyzer

namespace mptcpanalyzer::cli {

struct PluginApiVersion {
    std::uint32_t major = 0;
    std::uint32_t minor = 0;
};

// What mptcpanalyzer_plugin_api_version() returned, as major.minor. The single numbers of the
// API before 2.0 (1) read as that major.
PluginApiVersion decode_plugin_api_version(std::uint32_t value);
PluginApiVersion host_plugin_api_version();
std::string to_string(PluginApiVersion version);  // "2.1"
// Why a plugin built for `plugin` cannot be used by this program, or "" when it can (same major).
std::string plugin_version_refusal(PluginApiVersion plugin);

struct PluginOptionSpec {
    std::string name;
    std::string help;
    std::int32_t kind = MPA_OPTION_FLAG;
    bool required = false;
    bool positional = false;
    std::vector<std::string> choices;
    std::string value_name;  // "" = the parser's default
};

// A command or plot kind a plugin registered (strings copied from the plugin).
struct PluginEntrySpec {
    bool plot = false;
    std::string name;
    std::string help;
    bool needs_capture = false;
    std::vector<PluginOptionSpec> options;
    std::vector<std::string> aliases;
    mpa_run_function run = nullptr;
    void* user_data = nullptr;
    std::string plugin_path;
};

// What one call of a plugin's register function produced. A plugin whose `status` is non-zero
// or which has a `first_error` is refused.
struct PluginRegistration {
    std::int32_t status = 0;
    std::string first_error;
    std::vector<PluginEntrySpec> entries;
};

using PluginRegisterFunction = std::int32_t (*)(const mpa_host_api*, mpa_registrar*);

// Calls `register_function` with the host table. An exception it throws reaches the caller.
PluginRegistration call_plugin_register(PluginRegisterFunction register_function, const std::string& plugin_path);

// The command line's values of a run's options, by declared name; `given` holds the names the
// user gave (a plot kind's --direction always counts as given: it has a default).
struct PluginArguments {
    std::map<std::string, std::string> strings;
    std::map<std::string, std::int64_t> integers;
    std::map<std::string, bool> flags;
    std::set<std::string> given;
};

// The exit code of a run function's status (docs/exit-codes.md): a status this host does not
// know is a failure of the plugin.
ExitCode exit_code_of_plugin_status(std::int32_t status);

}  // namespace mptcpanalyzer::cli

// One run of a plugin's command or plot kind: everything the host functions answer from. The
// plugin sees only an opaque pointer.
struct mpa_invocation {
    mptcpanalyzer::cli::PluginArguments arguments;
    // The capture view; table and model stay null for a command that needs no capture.
    std::string capture_path;
    const mptcpanalyzer::PacketTable* table = nullptr;
    const mptcpanalyzer::ConnectionModel* model = nullptr;
    std::vector<std::string> address_text;   // by address index of the table
    std::vector<std::string> endpoint_text;  // client, server of each tcp connection, then of each mptcp one
    std::vector<std::vector<std::uint32_t>> subflow_streams;  // by mptcp connection index
    // Plot kinds: the plot the run fills, and whether --title was given (it wins over the plugin's).
    mptcpanalyzer::PlotSpec* plot = nullptr;
    bool title_given = false;
    // What the run produced: its output (written by the host when it succeeds), its error.
    std::string output;
    std::string error;
    std::string warning_prefix;  // "command 'NAME' (plugin PATH)": what the plugin's warnings name

    // Makes `table` and `model` (owned by the caller, alive during the run) the capture view.
    void attach_capture(std::string path, const mptcpanalyzer::PacketTable& packets,
                        const mptcpanalyzer::ConnectionModel& connections);
};
