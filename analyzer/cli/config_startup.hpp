#pragma once
// The configuration file is read before the command line is parsed: the plugins it names add
// commands, and its defaults (output format, CSV delimiter, ...) are the values options start
// from, so an option given on the command line still wins.

#include "mptcpanalyzer/config/config.hpp"

namespace mptcpanalyzer::cli {

// Finds `--config FILE` / `--config=FILE` in argv (before any "--"); reads that file (it must
// exist) or else the default file (optional). Prints unknown-key warnings, sets the report
// defaults (report_output.hpp) and the plot defaults (plot_common.hpp). Throws Error(ExitCode::Config) for a bad or missing file.
Config load_startup_config(int argc, char** argv);

// The path given with --config in argv, or "" (exposed for `config show`).
std::string config_path_from_arguments(int argc, char** argv);

}  // namespace mptcpanalyzer::cli
