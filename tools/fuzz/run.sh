#!/usr/bin/env bash
# Continuous fuzzing, bounded: builds the libFuzzer targets of tests/fuzz with clang in
# build/fuzz, seeds them from the corpus (make_seeds.py), runs each for MPTCP_FUZZ_SECONDS
# (default 60) and prints, per target, executions, time and findings. A crash, leak-free
# timeout or sanitizer report fails the run; its input is kept in build/fuzz/artifacts/ and the
# message says how to keep it as a regression input (tests/fuzz/README.md).
# The working corpus (build/fuzz/corpus/TARGET) grows from run to run on the same machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${MPTCP_FUZZ_SECONDS:-60}"
build=build/fuzz
program="${MPTCPANALYZER:-build/debug/analyzer/mptcpanalyzer}"

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DMPTCP_BUILD_FUZZERS=ON -DMPTCP_BUILD_TESTS=OFF -DMPTCP_BUILD_PLUGIN=OFF -DMPTCP_BUILD_EXAMPLES=OFF \
  -DMPTCP_INSTALL=OFF >/dev/null
cmake --build "$build" --target mptcp_fuzzers

seed_args=(--out "$build/seeds")
[ -x "$program" ] && seed_args+=(--program "$program")
python3 tools/fuzz/make_seeds.py "${seed_args[@]}"

status=0
summary=""
for fuzzer in "$build"/tests/fuzz/fuzz_*; do
  [ -f "$fuzzer" ] && [ -x "$fuzzer" ] || continue
  target=$(basename "$fuzzer")
  corpus="$build/corpus/$target"
  seeds="$build/seeds/$target"
  mkdir -p "$corpus" "$build/artifacts" "$seeds"
  log="$build/$target.log"
  echo "fuzz: $target for ${seconds} s"
  rc=0
  started=$SECONDS
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$target-" "$corpus" "$seeds" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  took=$((SECONDS - started))
  inputs=$(find "$corpus" -type f | wc -l)
  if [ "$rc" -ne 0 ]; then
    status=1
    tail -60 "$log"
    echo "fuzz: $target FAILED (exit $rc); inputs: $(ls "$build"/artifacts/"$target"-* 2>/dev/null | tr '\n' ' ')"
    echo "fuzz: fix the bug, then keep the input: cp <input> tests/fuzz/regressions/$target/"
    summary+=$(printf '%-22s %10s executions %6s s  corpus %5s  FINDING (exit %s)' "$target" "${execs:-?}" "${took:-?}" "$inputs" "$rc")$'\n'
  else
    summary+=$(printf '%-22s %10s executions %6s s  corpus %5s  no finding' "$target" "${execs:-?}" "${took:-?}" "$inputs")$'\n'
  fi
done
echo "fuzz summary:"
printf '%s' "$summary"
exit "$status"
