#!/usr/bin/env bash
# Builds mptcpanalyzer against Debian 13's libwireshark 4.4 and runs the whole test suite there,
# in a throwaway trixie root (tools/dev/debian-root.sh), plugin tests included (against trixie's
# tshark, run as an unprivileged user by the tests themselves). tools/dev/test.sh runs it after the
# Debian 12 suite. Needs root (chroot, mounts).
#
# The release preset (no sanitizers: the Debian 12 run has them; this run is about the other
# libwireshark), built in build/trixie of this checkout, which is mounted at the same path inside
# the root (so ../shared/captures resolves as on the host when it exists). What is cached between
# runs, under $MPTCP_ROOT_CACHE (default /var/cache/mptcpanalyzer/roots):
#   - the bare trixie root, and that root with install-deps.sh's packages, as
#     trixie-deps-<hash of install-deps.sh>.tar (debian-root.sh create-deps; a week): a second run
#     extracts it instead of installing ~400 packages (package.sh --suite trixie uses it too);
#   - the compiler cache (ccache, trixie-ccache/): a second build of unchanged sources is hits,
#     from any checkout: paths are made relative to the checkout (CCACHE_BASEDIR) and the working
#     directory is left out of the hash (CCACHE_NOHASHDIR; ccache hashes it by default with -g),
#     so a CI clone at a new path still hits (the cost: the test build's debug information names
#     the directory of whichever checkout compiled it first).
# With CI=true, a skipped test fails the run, as on Debian 12 (tools/dev/ctest_skipped.py).
# Then the program's outputs of this build and of the host's (4.0) are compared on every corpus and
# shared capture. Each phase's duration is printed ("test-trixie: <phase> took N s").
set -euo pipefail
cd "$(dirname "$0")/../.."
checkout=$PWD

die() { echo "test-trixie.sh: error: $*" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || die "needs root (chroot and mounts)"

cache_dir=${MPTCP_ROOT_CACHE:-/var/cache/mptcpanalyzer/roots}
root=$(mktemp -d /var/tmp/mptcp-trixie-XXXXXX)
rmdir "$root"  # debian-root.sh create wants a path that does not exist
cleanup() { bash tools/dev/debian-root.sh remove "$root" 2>/dev/null || true; }
trap cleanup EXIT

phase_start=0
phase() { phase_start=$(date +%s); echo "test-trixie: $1"; }
phase_end() { echo "test-trixie: $1 took $(( $(date +%s) - phase_start )) s"; }

# 1. The root with every dependency, from the cache when install-deps.sh has not changed
# (debian-root.sh create-deps).
phase "root"
bash tools/dev/debian-root.sh create-deps trixie "$root"
phase_end "root"

binds=(--bind "$checkout:$checkout")
mkdir -p "$cache_dir/trixie-ccache"
binds+=(--bind "$cache_dir/trixie-ccache:/var/cache/ccache")
shared_captures=$(realpath -m "$checkout/../shared/captures")
if [ -d "$shared_captures" ]; then binds+=(--bind "$shared_captures:$shared_captures"); fi
in_root() {
  bash tools/dev/debian-root.sh run "$root" "${binds[@]}" -- \
    env CCACHE_DIR=/var/cache/ccache CCACHE_BASEDIR="$checkout" CCACHE_NOHASHDIR=1 CI="${CI:-}" \
        CMAKE_CXX_COMPILER_LAUNCHER=ccache CMAKE_C_COMPILER_LAUNCHER=ccache \
        bash -c "cd '$checkout' && $1"
}

# 2. Build (everything, the plugin included) against libwireshark 4.4.
phase "build"
in_root "cmake --preset release -B build/trixie >/dev/null && cmake --build build/trixie"
phase_end "build"

# 3. The whole suite, with test.sh's rule on skipped tests.
phase "tests"
junit="build/trixie/ctest-junit.xml"
rm -f "$junit"
status=0
in_root "ctest --test-dir build/trixie -j2 --output-on-failure --output-junit '$checkout/$junit'" || status=$?
# shellcheck source=tools/dev/skip_rule.sh
source tools/dev/skip_rule.sh
check_skipped "$junit" "test-trixie.sh (Debian 13)" || { [ "$status" -ne 0 ] || status=1; }
phase_end "tests"

# 4. Our outputs with libwireshark 4.4 (this build) and 4.0 (the host's program, $MPTCPANALYZER_HOST,
# default build/debug: test.sh built it) on every corpus and shared capture, byte for byte
# (tests/integration/cross_version_outputs.py; docs/wireshark-versions.md). Without a host
# program it is skipped, which fails the run with CI=true like any skipped test.
phase "cross-version outputs"
host_program=${MPTCPANALYZER_HOST:-$checkout/build/debug/analyzer/mptcpanalyzer}
outputs="build/trixie/cross-version"
if [ -x "$host_program" ]; then
  rm -rf "$outputs" && mkdir -p "$outputs"
  cross_status=0
  in_root "MPTCPANALYZER='$checkout/build/trixie/analyzer/mptcpanalyzer' \
           python3 tests/integration/cross_version_outputs.py write '$outputs/4.4'" || cross_status=$?
  MPTCPANALYZER="$host_program" python3 tests/integration/cross_version_outputs.py write "$outputs/4.0" || cross_status=$?
  python3 tests/integration/cross_version_outputs.py compare "$outputs/4.0" "$outputs/4.4" || cross_status=$?
  [ "$cross_status" -eq 0 ] || { [ "$status" -ne 0 ] || status=1; }
else
  echo "test-trixie.sh: SKIPPED: outputs across versions not compared: no host program at $host_program"
  if running_in_ci; then [ "$status" -ne 0 ] || status=1; fi
fi
phase_end "cross-version outputs"
exit "$status"
