#pragma once
// Errors that reach the user. Each carries the documented exit code (docs/exit-codes.md);
// `main` catches them in one place. Protocol oddities are never errors: they are data.

#include <stdexcept>
#include <string>

namespace mptcpanalyzer {

enum class ExitCode : int {
    Ok = 0,
    Failure = 1,          // an unexpected internal failure
    Usage = 2,            // bad command line, unknown stream number, bad option value
    InputMissing = 3,     // the input file does not exist or cannot be opened/read
    InputInvalid = 4,     // not a capture file, unsupported or corrupt format
    NoData = 5,           // the capture holds no packets, or no TCP
    OutputFailed = 6,     // the output file cannot be written
    Environment = 7,      // libwireshark, gnuplot or another dependency is unusable
    Config = 8,           // the configuration file is missing (--config), unreadable or invalid
    OutOfMemory = 9,      // memory ran out (ulimit -v, a small machine): nothing was damaged
    Interrupted = 130,    // Ctrl-C in the interactive shell stopped the command (the shell goes on)
};

class Error : public std::runtime_error {
public:
    Error(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
    ExitCode code() const { return code_; }

private:
    ExitCode code_;
};

}  // namespace mptcpanalyzer
