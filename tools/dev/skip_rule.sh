# Sourced by tools/dev/test.sh and tools/dev/test-trixie.sh: whether this is CI, and the rule on tests
# ctest did not run.
# A test CI skips proves nothing: with CI=true a skipped (or otherwise not run) test fails the
# run, named with its reason; elsewhere (say, no Xvfb on a laptop) it is listed and allowed.
#
#   running_in_ci             -> success when CI is set to true (CI=true, TRUE, True or 1)
#   check_skipped JUNIT WHO   -> returns 1 when the run must fail for it, else 0
running_in_ci() {
  case "${CI:-}" in true|TRUE|True|1) return 0 ;; *) return 1 ;; esac
}

check_skipped() {
  local junit=$1 who=$2 skipped skipped_status=0 in_ci=0
  skipped=$(python3 tools/dev/ctest_skipped.py "$junit") || skipped_status=$?
  running_in_ci && in_ci=1
  if [ "$skipped_status" -eq 1 ]; then
    if [ "$in_ci" -eq 1 ]; then
      echo "$who: error: CI=true and these tests did not run (CI must install what they need):" >&2
      sed 's/^/  /' <<<"$skipped" >&2
      return 1
    fi
    echo "$who: note: skipped (an error when CI=true):"
    sed 's/^/  /' <<<"$skipped"
  elif [ "$skipped_status" -ne 0 ] && [ "$in_ci" -eq 1 ]; then
    echo "$who: error: CI=true and ctest wrote no readable results to $junit" >&2
    return 1
  fi
  return 0
}
