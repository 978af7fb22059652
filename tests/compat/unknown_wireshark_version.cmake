# An unknown libwireshark version stops the build (analyzer/src/capture/wireshark_compat.hpp).
# Compiles a file including the compat header twice: against the real headers (it must compile,
# so a failure below is the version guard's) and with a ws_version.h claiming Wireshark 4.99 in
# front of the real one (it must fail with the compat header's #error).
#   cmake -DCXX=... -DSOURCE_DIR=... -DWORK_DIR=... -DINCLUDES="dir|dir|..." -P unknown_wireshark_version.cmake
string(REPLACE "|" ";" include_dirs "${INCLUDES}")
set(system_includes)
foreach(dir IN LISTS include_dirs)
  list(APPEND system_includes -isystem "${dir}")
endforeach()
file(REMOVE_RECURSE "${WORK_DIR}")
file(WRITE "${WORK_DIR}/fake/ws_version.h"
  "#define WIRESHARK_VERSION_MAJOR 4\n#define WIRESHARK_VERSION_MINOR 99\n#define WIRESHARK_VERSION_MICRO 0\n")
file(WRITE "${WORK_DIR}/uses_compat.cpp" "#include \"wireshark_compat.hpp\"\nint main() { return 0; }\n")
set(compile ${CXX} -std=c++20 -fsyntax-only -I${SOURCE_DIR}/analyzer/src/capture)

execute_process(COMMAND ${compile} ${system_includes} "${WORK_DIR}/uses_compat.cpp"
  RESULT_VARIABLE real_status ERROR_VARIABLE real_errors)
if(NOT real_status EQUAL 0)
  message(FATAL_ERROR "wireshark_compat.hpp does not compile against the real headers:\n${real_errors}")
endif()

execute_process(COMMAND ${compile} -I${WORK_DIR}/fake ${system_includes} "${WORK_DIR}/uses_compat.cpp"
  RESULT_VARIABLE fake_status ERROR_VARIABLE fake_errors)
if(fake_status EQUAL 0)
  message(FATAL_ERROR "wireshark_compat.hpp compiled against a Wireshark 4.99 ws_version.h")
endif()
if(NOT fake_errors MATCHES "mptcpanalyzer builds against libwireshark 4.0 or 4.4")
  message(FATAL_ERROR "the build against Wireshark 4.99 failed, but not with the compat header's #error:\n${fake_errors}")
endif()
message(STATUS "Wireshark 4.99: stopped by wireshark_compat.hpp's #error, as it should")
