#pragma once
// Sections of docs/*.md that code generates: the lines between `<!-- NAME:begin -->` and
// `<!-- NAME:end -->`. A test compares a section with what the code generates, so a column or
// key added without its documentation fails; run the unit tests with MPTCP_UPDATE_DOCS=1 in the
// environment to rewrite the sections instead (then review the diff of docs/).

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace doc_sections {

inline std::filesystem::path docs_dir() {
    return std::filesystem::path(MPTCP_TEST_DATA_DIR).parent_path().parent_path() / "docs";
}

inline std::string begin_marker(const std::string& name) { return "<!-- " + name + ":begin -->\n"; }
inline std::string end_marker(const std::string& name) { return "<!-- " + name + ":end -->\n"; }

inline std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Offsets of the section's first and one-past-last character (inside the markers).
inline std::optional<std::pair<std::size_t, std::size_t>> locate(const std::string& text, const std::string& name) {
    const std::size_t begin = text.find(begin_marker(name));
    const std::size_t end = text.find(end_marker(name));
    if (begin == std::string::npos || end == std::string::npos || end < begin) return std::nullopt;
    return std::make_pair(begin + begin_marker(name).size(), end);
}

// CHECKs that the section `name` of docs/`file` is `generated`; with MPTCP_UPDATE_DOCS=1,
// rewrites it.
inline void check_or_update(const std::string& file, const std::string& name, const std::string& generated) {
    const std::filesystem::path path = docs_dir() / file;
    std::string text = read_text(path);
    INFO(path.string() << ": section " << name);
    const auto where = locate(text, name);
    REQUIRE(where.has_value());
    const std::string current = text.substr(where->first, where->second - where->first);
    const char* update = std::getenv("MPTCP_UPDATE_DOCS");
    if (update && std::string(update) == "1") {
        if (current != generated) {
            text.replace(where->first, where->second - where->first, generated);
            std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
        }
        return;
    }
    INFO("out of date: run the unit tests with MPTCP_UPDATE_DOCS=1 to regenerate it; expected:\n" << generated);
    CHECK(current == generated);
}

}  // namespace doc_sections
