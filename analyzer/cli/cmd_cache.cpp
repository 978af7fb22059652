// `mptcpanalyzer cache info|clean`: what the on-disk cache holds, and emptying it.

#include <fmt/core.h>

#include "commands.hpp"
#include "mptcpanalyzer/cache/table_cache.hpp"

namespace mptcpanalyzer::cli {
namespace {

TableCache open_cache(const GlobalOptions& g) {
    const std::string folder = effective_cache_folder(g);  // --cache-dir, else cache.folder of the config
    return TableCache(folder.empty() ? TableCache::default_directory() : std::filesystem::path(folder),
                      g.config.cache_size_limit);
}

void run_cache_info(const GlobalOptions& g) {
    const TableCache cache = open_cache(g);
    const auto info = cache.info();
    fmt::print("cache folder: {}\nentries: {}\nbytes: {}\nsize limit: {}\n", cache.directory().string(), info.files,
               info.bytes, cache.size_limit() == 0 ? std::string("none") : std::to_string(cache.size_limit()));
}

void run_cache_clean(const GlobalOptions& g) {
    const TableCache cache = open_cache(g);
    const auto removed = cache.clean();
    fmt::print("removed {} cache file{} from {}\n", removed, removed == 1 ? "" : "s", cache.directory().string());
}

}  // namespace

void setup_cache(CLI::App& app, const GlobalOptions& global) {
    CLI::App* cmd = app.add_subcommand("cache", "Inspect or empty the on-disk cache of dissected captures");
    cmd->require_subcommand(1);
    cmd->add_subcommand("info", "Cache folder, number of entries and their size")->callback([&global] {
        run_cache_info(global);
    });
    cmd->add_subcommand("clean", "Remove every cache entry")->callback([&global] { run_cache_clean(global); });
}

}  // namespace mptcpanalyzer::cli
