#!/usr/bin/env bash
# Install dependencies, build with AddressSanitizer + UndefinedBehaviorSanitizer (the debug
# preset), and run every test. Idempotent. This is the command CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/../.."

bash tools/dev/install-deps.sh
cmake --preset debug >/dev/null
cmake --build --preset debug
# Leak checking is off: libwireshark keeps process-lifetime allocations by design.
ctest --preset debug -j2
# The Wireshark plugin is tested from the release build: an instrumented plugin cannot load
# into the uninstrumented tshark.
cmake --preset release >/dev/null
cmake --build --preset release
ctest --preset release -R "epan_plugin"
