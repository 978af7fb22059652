#pragma once
// What kind of value an option takes, for completion (the shell's readline completion and the
// generated bash script). Read from the CLI11 definitions themselves, so plugin commands and new
// plot kinds complete like built-in ones without registering anything:
//   - choices: a CLI::IsMember check ("TEXT:{a,b,c}" in the type name);
//   - an explicit tag set with ->type_name(...): FILE, DIR, TCP_STREAM, MPTCP_STREAM, COMMAND;
//   - well-known option names (-r/--read, --peer, -o/--output, --cache-dir, --keep-script, --config, ...);
//   - a positional whose description starts with "tcp.stream" or "mptcp.stream".

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace mptcpanalyzer::cli {

// Type names that tag an option's value kind (use with CLI::Option::type_name).
inline constexpr const char* kFileValue = "FILE";
inline constexpr const char* kDirectoryValue = "DIR";
inline constexpr const char* kTcpStreamValue = "TCP_STREAM";
inline constexpr const char* kMptcpStreamValue = "MPTCP_STREAM";
inline constexpr const char* kCommandValue = "COMMAND";

enum class ValueKind {
    None,         // a flag: takes no value
    Free,         // any text or number: nothing to propose
    Choices,      // one of `choices`
    File,         // a path to a file
    Directory,    // a path to a folder
    TcpStream,    // a tcp.stream of the loaded capture
    MptcpStream,  // an mptcp.stream of the loaded capture
    Command,      // a command name (help's argument)
};

struct ValueHint {
    ValueKind kind = ValueKind::Free;
    std::vector<std::string> choices;  // for ValueKind::Choices
};

ValueHint value_hint(const CLI::Option& option);

// Every "-x" / "--long" name of an option (none for a positional).
std::vector<std::string> option_spellings(const CLI::Option& option);

// The subcommands a user can type below `command` (hidden ones excluded), names and aliases.
std::vector<const CLI::App*> visible_subcommands(const CLI::App& command);

}  // namespace mptcpanalyzer::cli
