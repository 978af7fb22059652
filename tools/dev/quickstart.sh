#!/usr/bin/env bash
# Quick start: install dependencies, build (release), and run the main job on a capture that
# ships with the project. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash tools/dev/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release

capture=tests/data/basic.client.pcapng
echo
echo "\$ build/release/analyzer/mptcpanalyzer list-mptcp -r $capture"
build/release/analyzer/mptcpanalyzer list-mptcp -r "$capture"
echo
echo "\$ build/release/analyzer/mptcpanalyzer mptcp-summary -r $capture 0"
build/release/analyzer/mptcpanalyzer mptcp-summary -r "$capture" 0
