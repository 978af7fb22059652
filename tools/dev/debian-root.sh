#!/usr/bin/env bash
# Throwaway Debian roots for tests that need a clean system (the package install test) or another
# release (building and testing against Debian 13's libwireshark). Needs root.
#
#   debian-root.sh create SUITE DIR [PACKAGE...]
#       Makes a minimal root of SUITE (bookworm, trixie, ...) at DIR (which must not exist) from
#       this machine's Debian mirror, with PACKAGE... installed. The bare root is cached as a
#       tarball under $MPTCP_ROOT_CACHE (default /var/cache/mptcpanalyzer/roots) for a week, so
#       a second run costs an extraction (seconds) instead of a bootstrap (minutes).
#   debian-root.sh create-deps SUITE DIR [PACKAGE...]
#       The same, with everything building and testing mptcpanalyzer needs (tools/dev/install-deps.sh,
#       plus ccache) installed, then PACKAGE... The root with those packages is cached as well, as
#       SUITE-deps-<hash of install-deps.sh>.tar (a week, like the bare one; a new install-deps.sh
#       makes a new one and removes the old), so the ~400 packages are installed once: the Debian
#       13 test run (tools/dev/test-trixie.sh) and the Debian 13 package build
#       (tools/dev/package.sh --suite trixie) share it.
#   debian-root.sh run DIR [--bind HOST_DIR:ROOT_DIR]... -- COMMAND...
#       Runs COMMAND inside DIR with /proc, /sys and /dev mounted (AddressSanitizer and tshark
#       need them) and each --bind directory mounted. The mounts live in a private mount
#       namespace: they vanish with the command, whatever way it ends, so DIR can be deleted
#       with `rm -rf` afterwards without touching the host.
#   debian-root.sh remove DIR
#       Deletes DIR (refusing anything that does not look like a root made here).
set -euo pipefail

die() { echo "debian-root.sh: error: $*" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || die "needs root (chroot and mounts)"

# The mirror this machine's apt uses, so no other network access is needed.
host_mirror() {
  local uri
  uri=$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' \
        | grep -v security | head -n1 || true)
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

ensure_mmdebstrap() {
  command -v mmdebstrap >/dev/null && return
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null
}

cmd_create() {
  [ $# -ge 2 ] || die "usage: create SUITE DIR [PACKAGE...]"
  local suite=$1 dir=$2; shift 2
  [ -e "$dir" ] && die "$dir already exists"
  local cache_dir=${MPTCP_ROOT_CACHE:-/var/cache/mptcpanalyzer/roots}
  local tarball="$cache_dir/$suite.tar"
  mkdir -p "$cache_dir"
  if [ -f "$tarball" ] && [ -n "$(find "$tarball" -mtime -7 2>/dev/null)" ]; then
    echo "debian-root.sh: $suite root from the cache ($tarball)"
  else
    ensure_mmdebstrap
    local mirror; mirror=$(host_mirror)
    echo "debian-root.sh: bootstrapping $suite from $mirror (cached in $tarball)"
    local tmp="$cache_dir/.$suite.tmp-$$.tar"  # .tar: mmdebstrap picks the format by extension
    # apt variant: essential packages plus apt, enough to `apt-get install` the rest.
    if ! mmdebstrap --quiet --variant=apt "$suite" "$tmp" "deb $mirror $suite main" \
         "deb $mirror $suite-updates main"; then
      rm -f "$tmp"; die "mmdebstrap $suite failed"
    fi
    mv -f "$tmp" "$tarball"
  fi
  mkdir -p "$dir"
  tar -C "$dir" -xf "$tarball"
  touch "$dir/.mptcpanalyzer-root"
  if [ $# -gt 0 ]; then
    cmd_run "$dir" -- sh -c 'export DEBIAN_FRONTEND=noninteractive;
      apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@" >/dev/null' sh "$@"
  fi
}

cmd_create_deps() {
  [ $# -ge 2 ] || die "usage: create-deps SUITE DIR [PACKAGE...]"
  local suite=$1 dir=$2; shift 2
  [ -e "$dir" ] && die "$dir already exists"
  local cache_dir=${MPTCP_ROOT_CACHE:-/var/cache/mptcpanalyzer/roots}
  local checkout; checkout=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  local hash; hash=$(sha256sum "$checkout/tools/dev/install-deps.sh" | cut -c1-16)
  local tarball="$cache_dir/$suite-deps-$hash.tar"
  if [ -f "$tarball" ] && [ -n "$(find "$tarball" -mtime -7 2>/dev/null)" ]; then
    echo "debian-root.sh: $suite root with dependencies from the cache ($tarball)"
    mkdir -p "$dir"
    tar -C "$dir" -xf "$tarball"
  else
    cmd_create "$suite" "$dir" ccache
    cmd_run "$dir" --bind "$checkout:/mnt/checkout" -- bash /mnt/checkout/tools/dev/install-deps.sh
    rm -f "$cache_dir/$suite"-deps-*.tar  # older install-deps.sh versions
    local tmp="$cache_dir/.$suite-deps-$$.tar"
    # The mounts of `run` are gone with its namespace: /proc, /sys and /dev are empty again here.
    tar -C "$dir" -cf "$tmp" . && mv -f "$tmp" "$tarball"
  fi
  if [ $# -gt 0 ]; then
    cmd_run "$dir" -- sh -c 'export DEBIAN_FRONTEND=noninteractive;
      apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@" >/dev/null' sh "$@"
  fi
}

cmd_run() {
  [ $# -ge 1 ] || die "usage: run DIR [--bind HOST:ROOT]... -- COMMAND..."
  local dir=$1; shift
  [ -f "$dir/.mptcpanalyzer-root" ] || die "$dir is not a root made by debian-root.sh create"
  local binds=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    case "$1" in
      --bind) binds+=("$2"); shift 2 ;;
      *) die "unknown option $1" ;;
    esac
  done
  [ "${1:-}" = "--" ] || die "missing -- before the command"
  shift
  [ $# -gt 0 ] || die "no command"
  local mounts="mount -t proc proc '$dir/proc' && mount --rbind /sys '$dir/sys' && mount --rbind /dev '$dir/dev'"
  mounts+=" && cp /etc/resolv.conf '$dir/etc/resolv.conf' 2>/dev/null; true"
  local b
  for b in "${binds[@]}"; do
    local host=${b%%:*} inside=${b#*:}
    mounts+=" && mkdir -p '$dir$inside' && mount --bind '$host' '$dir$inside'"
  done
  # A private mount namespace: every mount above disappears when the command ends.
  unshare --mount --propagation private -- sh -c "$mounts && exec chroot '$dir' \"\$@\"" sh "$@"
}

cmd_remove() {
  [ $# -eq 1 ] || die "usage: remove DIR"
  [ -e "$1" ] || return 0
  [ -f "$1/.mptcpanalyzer-root" ] || die "$1 is not a root made by debian-root.sh create"
  rm -rf --one-file-system "$1"
}

case "${1:-}" in
  create) shift; cmd_create "$@" ;;
  create-deps) shift; cmd_create_deps "$@" ;;
  run) shift; cmd_run "$@" ;;
  remove) shift; cmd_remove "$@" ;;
  *) die "usage: debian-root.sh create|create-deps|run|remove ..." ;;
esac
