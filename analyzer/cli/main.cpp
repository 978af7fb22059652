// mptcpanalyzer: wires the commands (one file each) and turns errors into exit codes, once.

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <exception>

#include "commands.hpp"
#include "mptcpanalyzer/util/error.hpp"
#include "mptcpanalyzer/util/log.hpp"

int main(int argc, char** argv) {
    using namespace mptcpanalyzer;
    CLI::App app{"mptcpanalyzer: Multipath TCP analysis of packet captures", "mptcpanalyzer"};
    app.fallthrough();  // global options may follow the command name
    app.require_subcommand(1);
    cli::GlobalOptions global;
    cli::add_global_options(app, global);
    cli::setup_export(app, global);
    cli::setup_cache(app, global);
    cli::setup_version(app, global);
    cli::setup_checkhealth(app, global);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : static_cast<int>(ExitCode::Usage);
    } catch (const Error& e) {
        log::error("{}", e.what());
        return static_cast<int>(e.code());
    } catch (const std::exception& e) {
        log::error("internal error: {}", e.what());
        return static_cast<int>(ExitCode::Failure);
    }
    return 0;
}
