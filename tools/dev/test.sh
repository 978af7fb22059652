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

# A test CI skips proves nothing: with CI=true a skipped (or otherwise not run) test fails the
# run, named with its reason; install-deps.sh installs what every test needs. Elsewhere a skip
# (say, no Xvfb on a laptop) is listed and allowed.
junit="$PWD/build/debug/ctest-junit.xml"
rm -f "$junit"
status=0
ctest --preset debug -j2 --output-junit "$junit" || status=$?
skipped_status=0
skipped=$(python3 tools/dev/ctest_skipped.py "$junit") || skipped_status=$?
case "${CI:-}" in true|TRUE|True|1) in_ci=1 ;; *) in_ci=0 ;; esac
if [ "$skipped_status" -eq 1 ]; then
  if [ "$in_ci" -eq 1 ]; then
    echo "test.sh: error: CI=true and these tests did not run (CI must install what they need):" >&2
    sed 's/^/  /' <<<"$skipped" >&2
    [ "$status" -ne 0 ] || status=1
  else
    echo "test.sh: note: skipped (an error when CI=true):"
    sed 's/^/  /' <<<"$skipped"
  fi
elif [ "$skipped_status" -ne 0 ] && [ "$in_ci" -eq 1 ]; then
  echo "test.sh: error: CI=true and ctest wrote no readable results to $junit" >&2
  [ "$status" -ne 0 ] || status=1
fi

# --- Debian 13 / libwireshark 4.4 (issue 19): tools/dev/test-trixie.sh -------------------------
# The same sources built again against Debian 13's libwireshark 4.4 in a trixie root, and the
# whole suite run there (release preset: the sanitizers ran above). Needs root (chroot), which
# CI has. MPTCP_SKIP_TRIXIE=1 leaves it out of a local run; with CI=true it always runs.
if [ "$in_ci" -eq 1 ] || { [ "$(id -u)" -eq 0 ] && [ "${MPTCP_SKIP_TRIXIE:-}" != 1 ]; }; then
  trixie_status=0
  bash tools/dev/test-trixie.sh || trixie_status=$?
  if [ "$trixie_status" -ne 0 ]; then
    echo "test.sh: error: the Debian 13 (libwireshark 4.4) build or tests failed (exit $trixie_status)" >&2
    [ "$status" -ne 0 ] || status=$trixie_status
  fi
else
  echo "test.sh: note: the Debian 13 (libwireshark 4.4) run needs root (tools/dev/test-trixie.sh); not run"
fi
# --- end of the Debian 13 block ---------------------------------------------------------------

exit "$status"
