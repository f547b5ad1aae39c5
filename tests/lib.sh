# lib.sh: the little harness the shell tests share. Source it after setting BIN, OUT and ERR.
#   pass NAME / fail NAME [DETAIL...]  count and print one check
#   excerpt FILE [N]                   the first N lines of FILE, indented under a failure
#   run ARGS...                        run $BIN: stdout -> $OUT, stderr -> $ERR, exit code -> $rc
#   check_err NAME RC FIRST_LINE       the last run failed with RC, no stdout, this first stderr line
#   summary                            print "N passed, M failed"; return 1 if any failed
# shellcheck shell=bash disable=SC2034  # rc, passed, failed are read by the sourcing test
passed=0 failed=0 rc=0
pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() {
  failed=$((failed + 1))
  echo "FAIL: $1"
  shift
  local line
  for line in "$@"; do echo "      $line"; done
}
excerpt() { head -n "${2:-5}" "$1" | sed 's/^/      | /'; }
run() {
  "$BIN" "$@" >"$OUT" 2>"$ERR"
  rc=$?
}
summary() {
  echo "$passed passed, $failed failed"
  [[ $failed -eq 0 ]]
}

# check_err NAME WANT_RC WANT_FIRST_STDERR_LINE: the last run exited WANT_RC, printed nothing
# on stdout, and the first line of its stderr is exactly WANT_FIRST_STDERR_LINE.
check_err() {
  local name=$1 want_rc=$2 want=$3 got
  got=$(head -n 1 "$ERR")
  if [[ $rc -ne $want_rc ]]; then
    fail "$name" "exit $rc, want $want_rc; stderr: $got"
  elif [[ -s $OUT ]]; then
    fail "$name" "unexpected stdout on error:"
    excerpt "$OUT"
  elif [[ $got != "$want" ]]; then
    fail "$name" "stderr: $got" "want:   $want"
  else
    pass "$name"
  fi
}
