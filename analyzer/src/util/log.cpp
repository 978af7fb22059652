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

std::string printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20 && byte != 0x7f) {
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\r') {
            out += "\\r";
        } else {
            static constexpr char kHex[] = "0123456789abcdef";
            out += "\\x";
            out += kHex[byte >> 4];
            out += kHex[byte & 0xf];
        }
    }
    return out;
}

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
    const std::string shown = printable(message);
    std::fprintf(stderr, "mptcpanalyzer: %s%.*s\n", prefix, static_cast<int>(shown.size()), shown.data());
}

}  // namespace mptcpanalyzer::log
