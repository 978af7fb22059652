#!/usr/bin/env bash
# Install dependencies, build, and run every test. Idempotent. This is the command CI runs
# (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/../.."

bash tools/dev/install-deps.sh
# Everything, built with AddressSanitizer + UndefinedBehaviorSanitizer (the debug preset),
# including the Wireshark plugin, which the tests load into the real (uninstrumented) tshark
# with the sanitizer runtimes preloaded (epan-plugin/README.md, "Sanitizers").
# Leak checking is off: libwireshark keeps process-lifetime allocations by design.
cmake --preset debug >/dev/null
cmake --build --preset debug
ctest --preset debug -j2
