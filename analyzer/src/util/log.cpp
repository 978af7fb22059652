#include "mptcpanalyzer/util/log.hpp"

#include <atomic>
#include <cstdlib>
#include <string>

namespace mptcpanalyzer::log {
namespace {
std::atomic<Level> g_level{[] {
    const char* env = std::getenv("MPTCPANALYZER_DEBUG");
    return env && *env && std::string(env) != "0" ? Level::Debug : Level::Warning;
}()};
}  // namespace

void set_level(Level l) { g_level = l; }
Level level() { return g_level; }

void write(Level l, std::string_view message) {
    const char* prefix = "";
    switch (l) {
        case Level::Debug: prefix = "debug: "; break;
        case Level::Info: prefix = ""; break;
        case Level::Warning: prefix = "warning: "; break;
        case Level::Error: prefix = "error: "; break;
    }
    std::fprintf(stderr, "mptcpanalyzer: %s%.*s\n", prefix, static_cast<int>(message.size()), message.data());
}

}  // namespace mptcpanalyzer::log
