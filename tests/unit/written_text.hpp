#pragma once
// written(write): what `write(FILE*)` writes, as a string, through a real temporary FILE (the
// writers under test take a FILE*, as the program hands them stdout or an output file).

#include <catch2/catch.hpp>
#include <cstdio>
#include <memory>
#include <string>

namespace mptcpanalyzer::test {

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

template <class Write>
std::string written(Write write) {
    std::unique_ptr<std::FILE, FileCloser> f(std::tmpfile());
    REQUIRE(f);
    write(f.get());
    std::fflush(f.get());
    std::rewind(f.get());
    std::string text;
    char buffer[4096];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, f.get())) > 0) text.append(buffer, n);
    return text;
}

}  // namespace mptcpanalyzer::test
