// The configuration file loader (analyzer/src/config): values, sources with their lines,
// unknown keys as warnings with lines, bad values and syntax errors as Error(Config).

#include <catch2/catch.hpp>
#include <glib.h>

#include <filesystem>
#include <fstream>

#include "mptcpanalyzer/config/config.hpp"
#include "mptcpanalyzer/util/error.hpp"

using namespace mptcpanalyzer;

namespace {

struct TempFile {
    std::filesystem::path path;
    explicit TempFile(const std::string& text) {
        gchar* dir = g_dir_make_tmp("mptcp-config-XXXXXX", nullptr);
        path = std::filesystem::path(dir) / "config";
        g_free(dir);
        std::ofstream(path) << text;
    }
    ~TempFile() { std::filesystem::remove_all(path.parent_path()); }
};

ExitCode code_of(const std::string& text) {
    TempFile f(text);
    std::vector<std::string> warnings;
    try {
        load_config(f.path, true, warnings);
    } catch (const Error& e) {
        return e.code();
    }
    return ExitCode::Ok;
}

}  // namespace

TEST_CASE("config: defaults when the default file is missing, error when --config's is") {
    std::vector<std::string> warnings;
    const Config c = load_config("/nonexistent/mptcpanalyzer/config", false, warnings);
    CHECK(c.file.empty());
    CHECK(c.output_format == "text");
    CHECK(c.history_size == 1000);
    CHECK(c.sources.at("output.format").kind == ValueSource::Kind::Default);
    CHECK_THROWS_AS(load_config("/nonexistent/mptcpanalyzer/config", true, warnings), Error);
}

TEST_CASE("config: values, their sources and lines") {
    TempFile f("# comment\n[output]\nformat = csv\ncsv_delimiter = \\t\n\n[cache]\nsize_limit = 3M\n"
               "[plot]\nsize = 800x600\n[wireshark]\ntcp.check_checksum = TRUE\n[plugins]\nfolders = /a;/b\n");
    std::vector<std::string> warnings;
    const Config c = load_config(f.path, true, warnings);
    CHECK(warnings.empty());
    CHECK(c.output_format == "csv");
    CHECK(c.csv_delimiter == '\t');
    CHECK(c.cache_size_limit == 3ULL * 1024 * 1024);
    CHECK(c.plot_width == 800);
    CHECK(c.plot_height == 600);
    CHECK(c.plugin_folders == std::vector<std::string>{"/a", "/b"});
    REQUIRE(c.wireshark_preferences.size() == 1);
    CHECK(c.wireshark_preferences[0].to_option() == "tcp.check_checksum:TRUE");
    CHECK(c.wireshark_preferences[0].source.line == 11);
    CHECK(c.sources.at("output.format").describe() == f.path.string() + ":3");
    CHECK(c.sources.at("cache.size_limit").line == 7);
    CHECK(c.sources.at("plot.terminal").kind == ValueSource::Kind::Default);
}

TEST_CASE("config: unknown groups and keys are warnings naming file and line") {
    TempFile f("[output]\nformat = json\nshape = round\n[nope]\nx = 1\n");
    std::vector<std::string> warnings;
    const Config c = load_config(f.path, true, warnings);
    CHECK(c.output_format == "json");
    REQUIRE(warnings.size() == 2);
    CHECK(warnings[0].find(f.path.string() + ":3:") == 0);
    CHECK(warnings[0].find("shape") != std::string::npos);
    CHECK(warnings[1].find(f.path.string() + ":4:") == 0);
}

TEST_CASE("config: bad values and syntax errors are Error(Config)") {
    CHECK(code_of("[output]\nformat = yaml\n") == ExitCode::Config);
    CHECK(code_of("[output]\ncsv_delimiter = ab\n") == ExitCode::Config);
    CHECK(code_of("[cache]\nsize_limit = 12Q\n") == ExitCode::Config);
    CHECK(code_of("[shell]\nhistory_size = many\n") == ExitCode::Config);
    CHECK(code_of("[plot]\nsize = 99999x1\n") == ExitCode::Config);
    CHECK(code_of("[plot]\npoint_size = 11\n") == ExitCode::Config);
    CHECK(code_of("not ini at all\n") == ExitCode::Config);
    CHECK(code_of("[output\nformat = json\n") == ExitCode::Config);
    CHECK(code_of("[output]\nformat = json\n") == ExitCode::Ok);
}

TEST_CASE("config: byte sizes") {
    CHECK(parse_byte_size("0") == 0);
    CHECK(parse_byte_size("1024") == 1024);
    CHECK(parse_byte_size("2K") == 2048);
    CHECK(parse_byte_size("1G") == 1ULL << 30);
    CHECK_THROWS(parse_byte_size("-1"));
    CHECK_THROWS(parse_byte_size("1 G"));
    CHECK_THROWS(parse_byte_size("99999999999999T"));
}
