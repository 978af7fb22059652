#!/usr/bin/env bash
# Install dependencies, build, and run every test. Idempotent. This is the command CI runs
# (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/../.."

bash tools/dev/install-deps.sh
# The Wireshark plugin is tested from the release build: an instrumented plugin cannot load
# into the uninstrumented tshark.
cmake --preset release >/dev/null
cmake --build --preset release
ctest --preset release -R "epan_plugin"
# Everything, built with AddressSanitizer + UndefinedBehaviorSanitizer (the debug preset).
# Leak checking is off: libwireshark keeps process-lifetime allocations by design.
cmake --preset debug >/dev/null
cmake --build --preset debug
ctest --preset debug -j2
