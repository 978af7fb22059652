#pragma once
// mptcpanalyzer plugin API, version 2.1 (major.minor). Documented in docs/plugins.md.
//
// A plugin is a shared library that exports two C functions:
//
//   extern "C" uint32_t mptcpanalyzer_plugin_api_version(void);   // return MPA_PLUGIN_API_VERSION
//   extern "C" int32_t mptcpanalyzer_plugin_register(const mpa_host_api* host, mpa_registrar* registrar);
//
// The host calls the first before anything else and refuses the plugin unless its major version
// is the host's. A plugin of another minor of the same major loads: minors only append (fields at
// the end of a struct, functions at the end of mpa_host_api, enum values), and every struct that
// crosses the boundary starts with its `struct_size`, so each side uses only the part both know:
//   - a struct the plugin passes in (mpa_command, mpa_plot_kind, mpa_option): the host reads the
//     fields `struct_size` covers and gives the documented defaults (0 / NULL) for the rest;
//   - a struct the host fills (mpa_packet, ...): the plugin sets `struct_size = sizeof` before the
//     call; the host writes at most that many bytes and sets `struct_size` to the bytes it filled;
//   - mpa_host_api: its `struct_size` says which functions this host has (MPA_HOST_HAS).
// Then the host calls the register function once; the plugin adds its commands and plot kinds
// through `host` and returns 0 (non-zero, or an exception, refuses the plugin).
//
// Everything crossing the boundary is C: plain structs of fixed-width integers, doubles and
// NUL-terminated UTF-8 strings, opaque handles, and a table of host function pointers. No C++
// class, std:: type or exception of the host is visible to a plugin, so the host's internal
// classes can change without breaking plugins. A plugin does not link against the program:
// every host service is in `mpa_host_api`.
//
// Strings the host returns stay valid until the plugin's run function returns. Strings and
// arrays the plugin passes at registration are copied by the host.

#include <stddef.h>
#include <stdint.h>

// The API this header describes. A change that only appends (see above) raises the minor; any
// other change (a field moved, removed or retyped, a function's meaning changed) raises the major.
#define MPA_PLUGIN_API_MAJOR 2u
#define MPA_PLUGIN_API_MINOR 1u

// A plugin that must also run on older hosts of this major defines MPA_PLUGIN_API_TARGET_MINOR
// before including this header: the structs then end where that minor's ended, and
// MPA_PLUGIN_API_VERSION says that minor.
#ifndef MPA_PLUGIN_API_TARGET_MINOR
#define MPA_PLUGIN_API_TARGET_MINOR MPA_PLUGIN_API_MINOR
#endif
#if MPA_PLUGIN_API_TARGET_MINOR > MPA_PLUGIN_API_MINOR
#error "MPA_PLUGIN_API_TARGET_MINOR is newer than this plugin_api.hpp"
#endif

// The value of mptcpanalyzer_plugin_api_version(): major in the high 16 bits, minor in the low
// (unsigned arguments; no casts, so C++ code built with -Wold-style-cast can use them).
#define MPA_PLUGIN_API_VERSION_OF(major, minor) (((major) << 16) | (minor))
#define MPA_PLUGIN_API_VERSION MPA_PLUGIN_API_VERSION_OF(MPA_PLUGIN_API_MAJOR, MPA_PLUGIN_API_TARGET_MINOR)
#define MPA_PLUGIN_API_VERSION_MAJOR(version) ((version) >> 16)
#define MPA_PLUGIN_API_VERSION_MINOR(version) ((version) & 0xffffu)

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mpa_registrar mpa_registrar;    // registration-time handle (opaque)
typedef struct mpa_invocation mpa_invocation;  // one run of a command or plot kind (opaque)

// Kinds of option a command or plot kind declares.
enum mpa_option_kind {
    MPA_OPTION_FLAG = 0,     // --name, no value
    MPA_OPTION_STRING = 1,   // --name VALUE
    MPA_OPTION_INTEGER = 2,  // --name N (a 64-bit signed integer)
};

// An array of these is read with the stride of its first element's struct_size (every element
// must carry the same struct_size).
typedef struct mpa_option {
    uint32_t struct_size;        // sizeof(mpa_option)
    const char* name;            // long name without dashes ("max-rows"); for a positional, its name
    const char* help;
    int32_t kind;                // enum mpa_option_kind
    int32_t required;            // non-zero: must be given
    int32_t positional;          // non-zero: a positional argument (STRING or INTEGER)
    const char* const* choices;  // STRING only: NULL-terminated list of allowed values, or NULL
#if MPA_PLUGIN_API_TARGET_MINOR >= 1
    // 2.1
    const char* value_name;      // the value's name in help ("N", "FILE"); NULL: "TEXT" / "INT"
#endif
} mpa_option;

// Run function of a command or plot kind. Returns MPA_OK, or another mpa_status after calling
// host->fail() with a message.
typedef int32_t (*mpa_run_function)(mpa_invocation* invocation, void* user_data);

// What a run function returns; each failure is the program's exit code of the same meaning
// (docs/exit-codes.md). A status the host does not know exits 1.
enum mpa_status {
    MPA_OK = 0,
    MPA_FAILED = 1,       // exit code 1: the plugin failed
    MPA_USAGE_ERROR = 2,  // exit code 2: bad argument value, unknown stream number...
#if MPA_PLUGIN_API_TARGET_MINOR >= 1
    // 2.1 (a 2.0 host exits 1 for these)
    MPA_NO_DATA = 5,      // exit code 5: the capture has nothing this command works on
    MPA_ENVIRONMENT = 7,  // exit code 7: a program or library the plugin needs is missing
#endif
};

typedef struct mpa_command {
    uint32_t struct_size;     // sizeof(mpa_command)
    const char* name;         // subcommand name: lower case letters, digits and '-'
    const char* help;         // one line, shown by `help`
    int32_t needs_capture;    // non-zero: the host adds -r/--read FILE and loads it before run
    const mpa_option* options;
    size_t option_count;
    mpa_run_function run;
    void* user_data;          // passed back to run
#if MPA_PLUGIN_API_TARGET_MINOR >= 1
    // 2.1
    const char* const* aliases;  // NULL-terminated other names (a-z, 0-9, '-', '_'), or NULL
#endif
} mpa_command;

// A plot kind (`mptcpanalyzer plot NAME`): the host adds -r/--read FILE and the options every
// plot kind has (-o, --terminal, --size, --title, --display, --keep-script, --direction,
// --subflow: the last two can be read with option_string("direction") and
// option_string("subflow"), the first subflow given), loads the capture, calls run, which adds
// series with plot_series()/plot_point(), and then draws them with gnuplot.
typedef struct mpa_plot_kind {
    uint32_t struct_size;     // sizeof(mpa_plot_kind)
    const char* name;
    const char* help;
    const mpa_option* options;
    size_t option_count;
    mpa_run_function run;
    void* user_data;
} mpa_plot_kind;

// One TCP segment of the loaded capture (a row of its packet table).
typedef struct mpa_packet {
    uint32_t struct_size;      // set to sizeof(mpa_packet) before asking; the host sets the bytes filled
    uint32_t frame;            // Wireshark frame number
    int64_t time_ns;           // capture time, ns since the epoch
    uint32_t tcp_stream;       // Wireshark tcp.stream
    int32_t mptcp_stream;      // Wireshark mptcp.stream, -1 when none
    const char* source;        // address, e.g. "10.0.0.1" or "fd00::1"
    const char* destination;
    uint16_t source_port;
    uint16_t destination_port;
    uint32_t seq;              // relative sequence number
    uint32_t ack;              // relative acknowledgment number
    uint32_t payload_length;   // TCP payload bytes
    uint16_t tcp_flags;        // as on the wire (0x02 SYN, 0x10 ACK, ...)
    uint8_t has_mapping;       // a DSS mapping is present
    uint8_t has_data_ack;      // a DSS data ACK is present
    uint16_t data_level_length;  // DSS data-level length when has_mapping
    uint64_t dsn;              // DSS data sequence number (as on the wire) when has_mapping
    uint64_t data_ack;         // DSS data ACK (as on the wire) when has_data_ack
#if MPA_PLUGIN_API_TARGET_MINOR >= 1
    // 2.1
    uint32_t mptcp_subtypes;   // bit (1 << subtype) for each MPTCP option present (0 MP_CAPABLE, 1 MP_JOIN, 2 DSS, ...)
    uint32_t subflow_seq;      // DSS mapping's subflow sequence number (as on the wire) when has_mapping
#endif
} mpa_packet;

typedef struct mpa_tcp_connection {
    uint32_t struct_size;      // as in mpa_packet
    uint32_t tcp_stream;
    const char* client;        // "10.0.0.1:40000", "[fd00::1]:40000"
    const char* server;
    int64_t mptcp_stream;      // -1 when not a subflow of a numbered MPTCP connection
    uint64_t packets_to_server;
    uint64_t packets_to_client;
    uint64_t bytes_to_server;  // payload bytes, retransmissions included
    uint64_t bytes_to_client;
    int64_t first_ns;
    int64_t last_ns;
} mpa_tcp_connection;

typedef struct mpa_mptcp_connection {
    uint32_t struct_size;      // as in mpa_packet
    int32_t version;           // 0, 1, or -1 unknown
    int64_t mptcp_stream;      // -1: Wireshark gave none
    const char* client;
    const char* server;
    size_t subflow_count;
    const uint32_t* subflow_tcp_streams;  // subflow_count entries, initial subflow first
} mpa_mptcp_connection;

// Point size and line width come from the user's settings (plot.point_size, plot.line_width).
enum mpa_plot_style {
    MPA_PLOT_POINTS = 0,
    MPA_PLOT_LINES = 1,
    MPA_PLOT_LINESPOINTS = 2,
};

// Host services. `struct_size` is sizeof(mpa_host_api) of the host, `api_version` its
// MPA_PLUGIN_API_VERSION (its newest minor). Functions returning int32_t return 0 on success.
typedef struct mpa_host_api {
    uint32_t struct_size;
    uint32_t api_version;

    // Registration (only inside mptcpanalyzer_plugin_register). Non-zero: refused (bad name,
    // bad option declaration, struct_size smaller than in 2.0); the reason is reported by
    // `mptcpanalyzer plugins`.
    int32_t (*add_command)(mpa_registrar* registrar, const mpa_command* command);
    int32_t (*add_plot_kind)(mpa_registrar* registrar, const mpa_plot_kind* plot_kind);

    // Options of the running invocation, by declared name.
    int32_t (*option_given)(mpa_invocation* invocation, const char* name);  // 1 if given on the command line
    const char* (*option_string)(mpa_invocation* invocation, const char* name);  // NULL if not given
    int64_t (*option_integer)(mpa_invocation* invocation, const char* name, int64_t fallback);
    int32_t (*option_flag)(mpa_invocation* invocation, const char* name);

    // Output: the command's -o/--output (standard output by default), written when run succeeds.
    int32_t (*write)(mpa_invocation* invocation, const char* data, size_t size);
    // The error message reported when run returns non-zero.
    void (*fail)(mpa_invocation* invocation, const char* message);

    // Read-only view of the loaded capture (needs_capture, and every plot kind). Getters fill
    // `out` (see struct_size) and return 0, or non-zero when the index is out of range or
    // out->struct_size is smaller than the struct was in 2.0.
    const char* (*capture_path)(mpa_invocation* invocation);
    size_t (*packet_count)(mpa_invocation* invocation);
    int32_t (*packet)(mpa_invocation* invocation, size_t index, mpa_packet* out);
    size_t (*tcp_connection_count)(mpa_invocation* invocation);
    int32_t (*tcp_connection)(mpa_invocation* invocation, size_t index, mpa_tcp_connection* out);
    size_t (*mptcp_connection_count)(mpa_invocation* invocation);
    int32_t (*mptcp_connection)(mpa_invocation* invocation, size_t index, mpa_mptcp_connection* out);

    // Plot kinds only: labels (shown literally) and series of (x, y) points.
    void (*plot_labels)(mpa_invocation* invocation, const char* title, const char* xlabel, const char* ylabel);
    int32_t (*plot_series)(mpa_invocation* invocation, const char* title, int32_t style);  // series id, or -1
    int32_t (*plot_point)(mpa_invocation* invocation, int32_t series, double x, double y);

#if MPA_PLUGIN_API_TARGET_MINOR >= 1
    // 2.1: a warning on standard error, as the program's own ("mptcpanalyzer: warning: ...").
    void (*warn)(mpa_invocation* invocation, const char* message);
#endif
} mpa_host_api;

// Whether this host's table has `member`: false for a function added in a minor newer than the host's.
#define MPA_HOST_HAS(host, member) \
    ((host)->struct_size >= offsetof(mpa_host_api, member) + sizeof((host)->member))

// What a plugin exports (declared here so the compiler checks the plugin's definitions).
uint32_t mptcpanalyzer_plugin_api_version(void);
int32_t mptcpanalyzer_plugin_register(const mpa_host_api* host, mpa_registrar* registrar);

#ifdef __cplusplus
}  // extern "C"

#include <string_view>

// C++ conveniences, inline: compiled into the plugin, so they add nothing to the ABI.
namespace mptcpanalyzer::plugin {

inline void write(const mpa_host_api* host, mpa_invocation* invocation, std::string_view text) {
    host->write(invocation, text.data(), text.size());
}

// A zeroed struct with its struct_size set: `auto p = sized<mpa_packet>(); host->packet(inv, i, &p);`
template <class ApiStruct>
ApiStruct sized() {
    ApiStruct s{};
    s.struct_size = sizeof(ApiStruct);
    return s;
}

}  // namespace mptcpanalyzer::plugin
#endif
