#!/usr/bin/env bash
# Install dependencies, build, and run every test. Idempotent. This is the command CI runs
# (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tools/dev/skip_rule.sh
source tools/dev/skip_rule.sh

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
check_skipped "$junit" test.sh || { [ "$status" -ne 0 ] || status=1; }
# --- hardening (issue 20) ------------------------------------------------------------------------
# Out of memory under ulimit -v needs a program without AddressSanitizer (its shadow memory fits
# under no such limit): the release program alone (the mptcpanalyzer target), then its test.
# Then continuous fuzzing, bounded: each libFuzzer target of tests/fuzz for MPTCP_FUZZ_SECONDS
# (default 60), built with clang in build/fuzz (tools/fuzz/run.sh; tests/fuzz/README.md).
hardening_status=0
cmake --preset release >/dev/null || hardening_status=$?
if [ "$hardening_status" -eq 0 ]; then
  cmake --build --preset release --target mptcpanalyzer || hardening_status=$?
fi
if [ "$hardening_status" -eq 0 ]; then
  MPTCPANALYZER="$PWD/build/release/analyzer/mptcpanalyzer" MPTCP_SOURCE_DIR="$PWD" \
    python3 tests/integration/release_out_of_memory.py || hardening_status=$?
  # Issue 17: a read's memory is given back before the analysis (AddressSanitizer keeps it).
  MPTCPANALYZER="$PWD/build/release/analyzer/mptcpanalyzer" MPTCP_SOURCE_DIR="$PWD" \
    python3 tests/integration/release_memory_after_read.py || hardening_status=$?
fi
MPTCPANALYZER="$PWD/build/debug/analyzer/mptcpanalyzer" bash tools/fuzz/run.sh || hardening_status=$?
if [ "$hardening_status" -ne 0 ]; then
  echo "test.sh: error: hardening checks failed (out of memory or memory release on the release program, or fuzzing)" >&2
  [ "$status" -ne 0 ] || status=1
fi
# --- end of hardening ----------------------------------------------------------------------------

# --- Debian packages (issue 15) ------------------------------------------------------------------
# Builds the .debs (tools/dev/package.sh: release build, lintian clean) and tests them installed in
# a fresh Debian root (tests/package/test_installed_packages.py: install, use, purge, upgrade).
# Always in CI, where a failure fails the run; elsewhere with MPTCP_PACKAGE_TEST=1 (needs root).
if running_in_ci; then package_test=1; else package_test=${MPTCP_PACKAGE_TEST:-0}; fi
if [ "$package_test" = 1 ]; then
  package_started=$SECONDS
  if bash tools/dev/package.sh; then
    echo "test.sh: package build took $((SECONDS - package_started)) s"
    install_started=$SECONDS
    python3 tests/package/test_installed_packages.py || status=1
    echo "test.sh: package install test took $((SECONDS - install_started)) s"
  else
    echo "test.sh: error: the Debian package build failed" >&2
    status=1
  fi
else
  echo "test.sh: note: the Debian package test did not run (MPTCP_PACKAGE_TEST=1 runs it; CI always does)"
fi
# --- end of Debian packages ------------------------------------------------------------------------

# --- Debian 13 / libwireshark 4.4 (issue 19): tools/dev/test-trixie.sh -------------------------
# The same sources built again against Debian 13's libwireshark 4.4 in a trixie root, the whole
# suite run there (release preset: the sanitizers ran above; ctest -j2; a skipped test fails it as
# above), and the program's outputs of both builds compared on every corpus and shared capture
# (tests/integration/cross_version_outputs.py; the host's side is the release program the
# hardening block built: the same optimisation on both sides, and several times faster than the
# sanitizer build; the debug one if that build failed). Needs root (chroot). A failure fails the
# run. Always in CI; elsewhere with MPTCP_TRIXIE_TEST=1 (root). Its cost (tests/README.md, "Debian
# 13"): about 29 min on a loaded 2-core machine that starts empty (root 1, build 15, suite 13,
# comparison 0.3); the root with its ~400 packages and the compiler cache are kept between runs
# under /var/cache/mptcpanalyzer/roots, so a machine that keeps them pays the first two once.
if running_in_ci; then trixie_test=1; else trixie_test=${MPTCP_TRIXIE_TEST:-0}; fi
if [ "$trixie_test" = 1 ]; then
  trixie_started=$SECONDS
  trixie_status=0
  host_program="$PWD/build/release/analyzer/mptcpanalyzer"
  [ "$hardening_status" -eq 0 ] && [ -x "$host_program" ] || host_program="$PWD/build/debug/analyzer/mptcpanalyzer"
  MPTCPANALYZER_HOST="$host_program" bash tools/dev/test-trixie.sh || trixie_status=$?
  echo "test.sh: the Debian 13 (libwireshark 4.4) run took $((SECONDS - trixie_started)) s"
  if [ "$trixie_status" -ne 0 ]; then
    echo "test.sh: error: the Debian 13 (libwireshark 4.4) build or tests failed (exit $trixie_status)" >&2
    [ "$status" -ne 0 ] || status=$trixie_status
  fi
else
  echo "test.sh: note: the Debian 13 (libwireshark 4.4) run did not run (MPTCP_TRIXIE_TEST=1 runs it, as root; CI always does)"
fi
# The Debian 13 packages (package.sh --suite trixie, in the same cached root and compiler cache)
# and their installed-package test in a fresh trixie root: opt-in (MPTCP_TRIXIE_PACKAGE_TEST=1),
# not in CI, for time: on a machine that starts empty they add a second uncached release build to
# the run above (tests/README.md, "Debian 13").
if [ "${MPTCP_TRIXIE_PACKAGE_TEST:-0}" = 1 ]; then
  trixie_package_started=$SECONDS
  if bash tools/dev/package.sh --suite trixie; then
    echo "test.sh: Debian 13 package build took $((SECONDS - trixie_package_started)) s"
    trixie_install_started=$SECONDS
    python3 tests/package/test_installed_packages.py --suite trixie --dist "$PWD/dist/trixie" || status=1
    echo "test.sh: Debian 13 package install test took $((SECONDS - trixie_install_started)) s"
  else
    echo "test.sh: error: the Debian 13 package build failed" >&2
    status=1
  fi
fi
# --- end of the Debian 13 block ---------------------------------------------------------------

exit "$status"
