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
    cli::setup_list_tcp(app, global);
    cli::setup_list_mptcp(app, global);
    cli::setup_summaries(app, global);
    cli::setup_list_reinjections(app, global);
    cli::setup_events(app, global);
    cli::setup_plot(app, global);
    cli::setup_export(app, global);
    cli::setup_cache(app, global);
    cli::setup_version(app, global);
    cli::setup_checkhealth(app, global);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);
        log::error("{}", e.what());
        fmt::print(stderr, "Run with --help for more information.\n");
        return static_cast<int>(ExitCode::Usage);
    } catch (const Error& e) {
        log::error("{}", e.what());
        return static_cast<int>(e.code());
    } catch (const std::exception& e) {
        log::error("internal error: {}", e.what());
        return static_cast<int>(ExitCode::Failure);
    }
    return 0;
}
