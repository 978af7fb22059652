#pragma once
// Catch2 v3 dressed as Catch2 v2's single header: the unit tests are written against v2
// (`#include <catch2/catch.hpp>`, Debian 12) and build unchanged with v3 (Debian 13, which has no
// catch.hpp). tests/CMakeLists.txt puts this folder on the include path only when it finds
// Catch2 v3; with v2 the real single header is used and this file is never seen.

#include <catch2/catch_all.hpp>

// v2 declared Approx at global scope; v3 only as Catch::Approx.
using Catch::Approx;

// v2's substring matcher, Catch::Contains(text), is Catch::Matchers::ContainsSubstring in v3.
namespace Catch {
inline Matchers::StringContainsMatcher Contains(const std::string& text,
                                                CaseSensitive sensitivity = CaseSensitive::Yes) {
    return Matchers::ContainsSubstring(text, sensitivity);
}
}  // namespace Catch

// v2 generated main() in the file defining CATCH_CONFIG_MAIN (tests/unit/main.cpp); v3 ships it
// as a separate library (Catch2WithMain) instead. Define it here, as v2 would, so main.cpp and
// the link stay the same for both.
#if defined(CATCH_CONFIG_MAIN)
int main(int argc, char* argv[]) { return Catch::Session().run(argc, argv); }
#endif
