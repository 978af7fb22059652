# Warnings live in an INTERFACE target linked PRIVATE-ly, so consumers of our
# libraries never inherit our warning flags.
add_library(mptcp_warnings INTERFACE)
target_compile_options(mptcp_warnings INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
     -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wconversion -Wsign-conversion
     -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough
     # Designated initializers leave defaulted members out on purpose (report columns); GCC 12
     # warns about every omitted member.
     -Wno-missing-field-initializers>)
if(MPTCP_WERROR)
  target_compile_options(mptcp_warnings INTERFACE -Werror)
endif()

# Code that includes libwireshark headers gets a relaxed set: epan headers use
# C idioms (old-style casts, sign conversions) that we cannot change.
add_library(mptcp_warnings_epan INTERFACE)
target_compile_options(mptcp_warnings_epan INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wshadow -Wno-missing-field-initializers>)
if(MPTCP_WERROR)
  target_compile_options(mptcp_warnings_epan INTERFACE -Werror)
endif()
