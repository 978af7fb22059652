#include "libwireshark_identity.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "capture_backend.hpp"
#include "mptcpanalyzer/util/atomic_file.hpp"
#include "mptcpanalyzer/util/error.hpp"
#include "mptcpanalyzer/util/log.hpp"

namespace mptcpanalyzer::capture {
namespace {

std::string file_identity(const std::string& path) {
    struct stat st {};
    if (path.empty() || ::stat(path.c_str(), &st) != 0) return "absent";
    return fmt::format("{} {} {} {}", static_cast<unsigned long long>(st.st_dev),
                       static_cast<unsigned long long>(st.st_ino), static_cast<long long>(st.st_size),
                       static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec);
}

std::string environment(const char* name) {
    const char* value = std::getenv(name);
    return value ? fmt::format("set {}", value) : "unset";
}

// Everything that decides which libwireshark file is loaded and what it says, one line each
// (newlines in a value cannot forge a line: the whole text is compared, not parsed field by field).
std::string describe(const std::string& libwireshark_path, const std::string& version) {
    const std::string backend = backend_location();
    std::string text = "mptcpanalyzer libwireshark identity 1\n";
    text += fmt::format("backend={}\nbackend_file={}\n", backend, file_identity(backend));
    text += fmt::format("LD_LIBRARY_PATH={}\nLD_PRELOAD={}\n", environment("LD_LIBRARY_PATH"), environment("LD_PRELOAD"));
    text += fmt::format("ld.so.cache={}\n", file_identity("/etc/ld.so.cache"));
    text += fmt::format("libwireshark={}\nlibwireshark_file={}\n", libwireshark_path, file_identity(libwireshark_path));
    text += fmt::format("version={}\n", version);
    return text;
}

std::string field(const std::string& text, const std::string& name) {
    const std::string prefix = "\n" + name + "=";
    const auto at = text.find(prefix);
    if (at == std::string::npos) return {};
    const auto start = at + prefix.size();
    return text.substr(start, text.find('\n', start) - start);
}

}  // namespace

LibwiresharkVersion libwireshark_version_for_cache(const std::filesystem::path& cache_folder) {
    std::ifstream in(cache_folder / kLibwiresharkIdentityFile, std::ios::binary);
    if (in) {
        std::ostringstream recorded;
        recorded << in.rdbuf();
        const std::string text = recorded.str();
        const std::string version = field(text, "version");
        const std::string libwireshark = field(text, "libwireshark");
        if (!version.empty() && !libwireshark.empty() && text == describe(libwireshark, version)) {
            return {version, true};
        }
        log::debug("cache: {} no longer describes this run's libwireshark: loading it",
                   (cache_folder / kLibwiresharkIdentityFile).string());
    }
    return {backend().libwireshark_version(), false};
}

void record_libwireshark_identity(const std::filesystem::path& cache_folder) {
    const Backend& b = backend();
    const std::string path = b.libwireshark_path();
    if (path.empty()) return;  // unknown: never trusted, nothing to record
    try {
        AtomicFile file(cache_folder / kLibwiresharkIdentityFile);
        file.write(describe(path, b.libwireshark_version()));
        file.commit();
    } catch (const Error& e) {
        log::debug("cache: libwireshark identity not recorded: {}", e.what());
    }
}

}  // namespace mptcpanalyzer::capture
