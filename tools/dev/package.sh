#!/usr/bin/env bash
# Builds the Debian packages (packaging/debian/) of this checkout and writes the .deb files into
# dist/: mptcpanalyzer, mptcpanalyzer-wireshark, mptcpanalyzer-dev. Installs the build
# dependencies first (needs root or sudo for that), then checks the result with lintian (no error,
# no warning). Idempotent.
#
#   tools/dev/package.sh                 build for the system it runs on (Debian 12 here)
#   tools/dev/package.sh --suite trixie  build inside a throwaway root of that Debian release
#                                        (tools/dev/debian-root.sh; .debs in dist/trixie/)
#   MPTCP_DIST_DIR=DIR                   write the .debs there instead of dist/ (or dist/SUITE/)
#   MPTCP_NO_LINTIAN=1                   skip lintian
#
# Tests are not run (DEB_BUILD_OPTIONS=nocheck): CI runs them on every change in the sanitizer
# build, and the packages are then tested installed (tools/dev/package-install-test.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
SOURCE=$PWD
started=$SECONDS

die() { echo "package.sh: error: $*" >&2; exit 2; }
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

suite=""
while [ $# -gt 0 ]; do
  case "$1" in
    --suite) suite=${2:?--suite needs a Debian release name}; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) die "unknown argument $1" ;;
  esac
done

if [ -n "$suite" ]; then
  # The same script, inside a root of that release; the checkout is bound at /src. The root is
  # the one the tests of that release use (debian-root.sh create-deps: every build dependency is
  # in it, cached between runs), so only dpkg-dev, debhelper and lintian are installed here, and
  # the compiler cache of that release ($MPTCP_ROOT_CACHE/SUITE-ccache) is shared with its test
  # build: a second package build of unchanged sources is cache hits (the package's compiler flags
  # differ from the tests' release preset, so the two builds do not share objects).
  dist=${MPTCP_DIST_DIR:-$SOURCE/dist/$suite}
  cache_dir=${MPTCP_ROOT_CACHE:-/var/cache/mptcpanalyzer/roots}
  root=$(mktemp -d /var/tmp/mptcp-package-root.XXXXXX); rmdir "$root"
  trap 'bash "$SOURCE/tools/dev/debian-root.sh" remove "$root"' EXIT
  bash tools/dev/debian-root.sh create-deps "$suite" "$root" git ca-certificates
  mkdir -p "$dist" "$cache_dir/$suite-ccache"
  bash tools/dev/debian-root.sh run "$root" --bind "$SOURCE:/src" --bind "$dist:/dist" \
    --bind "$cache_dir/$suite-ccache:/var/cache/ccache" -- \
    env MPTCP_DIST_DIR=/dist MPTCP_PACKAGE_BUILD_DIR=/var/tmp/mptcp-package MPTCP_NO_LINTIAN="${MPTCP_NO_LINTIAN:-}" \
    CCACHE_DIR=/var/cache/ccache bash /src/tools/dev/package.sh
  echo "package.sh: $suite packages in $dist ($((SECONDS - started)) s with the root)"
  exit 0
fi

dist=${MPTCP_DIST_DIR:-$SOURCE/dist}
version=$(sed -n '1s/^mptcpanalyzer (\([^)]*\)).*/\1/p' packaging/debian/changelog)
[ -n "$version" ] || die "no version in packaging/debian/changelog"

# A clean copy of the checkout (tracked and new files, not build/ or dist/), with debian/ where
# dpkg-buildpackage wants it. Outside the checkout's build/ when the checkout is read-only.
stage_parent=${MPTCP_PACKAGE_BUILD_DIR:-$SOURCE/build/package}
stage=$stage_parent/mptcpanalyzer-$version
rm -rf "$stage_parent"
mkdir -p "$stage"
if git -C "$SOURCE" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git -C "$SOURCE" -c safe.directory='*' ls-files -z --cached --others --exclude-standard \
    | (cd "$SOURCE" && xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh) \
    | tar -C "$SOURCE" --null -T - -cf - | tar -C "$stage" -xf -
else
  tar -C "$SOURCE" --exclude=./build --exclude=./dist --exclude=./debian -cf - . | tar -C "$stage" -xf -
fi
rm -rf "$stage/debian"
cp -r "$SOURCE/packaging/debian" "$stage/debian"

# Build dependencies (the test-only ones are in the nocheck profile, not needed here).
export DEBIAN_FRONTEND=noninteractive
tools=(dpkg-dev debhelper)
[ -n "${MPTCP_NO_LINTIAN:-}" ] || tools+=(lintian)
missing_tools=()
for p in "${tools[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing_tools+=("$p")
done
updated=0
if [ "${#missing_tools[@]}" -gt 0 ]; then
  $SUDO apt-get update -qq; updated=1
  $SUDO apt-get install -y -qq --no-install-recommends "${missing_tools[@]}" >/dev/null
fi
if ! (cd "$stage" && dpkg-checkbuilddeps -P nocheck >/dev/null 2>&1); then
  [ "$updated" -eq 1 ] || $SUDO apt-get update -qq
  $SUDO apt-get build-dep -y -qq -P nocheck "$stage" >/dev/null
fi

# ccache (when there) makes a rebuild of an unchanged tree take seconds.
if command -v ccache >/dev/null; then
  export CMAKE_C_COMPILER_LAUNCHER=ccache CMAKE_CXX_COMPILER_LAUNCHER=ccache
fi
echo "package.sh: building mptcpanalyzer $version in $stage"
(cd "$stage" && DEB_BUILD_OPTIONS="nocheck noddebs parallel=$(nproc)" \
   dpkg-buildpackage -us -uc -b --build-profiles=nocheck) > "$stage_parent/build.log" 2>&1 \
  || { tail -n 60 "$stage_parent/build.log" >&2; die "dpkg-buildpackage failed (log: $stage_parent/build.log)"; }

arch=$(dpkg --print-architecture)
changes="$stage_parent/mptcpanalyzer_${version}_${arch}.changes"
[ -f "$changes" ] || die "no $changes"
if [ -z "${MPTCP_NO_LINTIAN:-}" ]; then
  # Errors and warnings fail the build; overrides are in packaging/debian/*.lintian-overrides,
  # each with its reason.
  lintian --fail-on error,warning --tag-display-limit 0 "$changes" || die "lintian reports errors or warnings"
fi
mkdir -p "$dist"
rm -f "$dist"/mptcpanalyzer*.deb
for deb in "$stage_parent"/*.deb; do cp "$deb" "$dist/"; done
echo "package.sh: wrote $(cd "$dist" && ls ./*.deb | tr '\n' ' ')into $dist ($((SECONDS - started)) s)"
