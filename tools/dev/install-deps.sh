#!/usr/bin/env bash
# Installs what building, testing and running mptcpanalyzer needs, from Debian's packages:
# bookworm (12, libwireshark 4.0) or trixie (13, libwireshark 4.4). Idempotent; needs root (or
# sudo).
set -euo pipefail

# The few packages named differently by release. Wireshark's Qt GUI is `wireshark-qt` in
# bookworm and `wireshark` itself from trixie on (no wireshark-qt there). `catch2` is Catch2 v2
# in bookworm and v3 in trixie: tests/catch2_v3_compat/ builds the tests with either.
codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
case "$codename" in
  bookworm|"") wireshark_gui=wireshark-qt ;;
  *) wireshark_gui=wireshark ;;
esac

PACKAGES=(
  # build
  cmake ninja-build g++ pkg-config
  # libraries
  wireshark-dev libwireshark-dev libwiretap-dev libwsutil-dev libglib2.0-dev
  libcli11-dev libfmt-dev nlohmann-json3-dev catch2 libreadline-dev libxxhash-dev
  # run time and tests: tshark for cross-checks, gnuplot for plots, python3 for test scripts
  tshark gnuplot-qt python3 util-linux gzip
  # benchmarks (tools/bench): GNU time for peak memory
  time
  # two-capture tests: tcprewrite rewrites addresses and ports of a capture (a NAT between the
  # capture points)
  tcpreplay
  # the user guide (docs/guide.md) loads exported CSV in pandas, and its test runs that step
  python3-pandas
  # continuous fuzzing (tools/fuzz/run.sh): clang and its libFuzzer/sanitizer runtimes
  clang libclang-rt-dev
  # GUI tests (a skipped test proves nothing, so CI installs these too): Wireshark with the
  # plugin and `plot --display` under a private Xvfb display, windows found by xdotool,
  # screenshots by ImageMagick. gnuplot-qt replaces gnuplot-nox (same cairo/gd terminals plus
  # the qt window terminal).
  "$wireshark_gui" xvfb xdotool imagemagick
  # the interactive shell test drives the shell in a terminal multiplexer
  tmux
  # the man page test renders docs/mptcpanalyzer.1 with man (a minimal root, such as the Debian 13
  # one of test-trixie.sh, has no man)
  man-db
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture: answer no, non-interactively.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
