# lib.sh: the little harness the shell tests share. Source it after setting BIN, OUT and ERR.
#   pass NAME / fail NAME [DETAIL...]  count and print one check
#   skip NAME REASON                   a check that cannot run here (see "Skips" below)
#   need NAME TOOL...                  true if every TOOL is on PATH, else skip NAME
#   excerpt FILE [N]                   the first N lines of FILE, indented under a failure
#   run ARGS...                        run $BIN: stdout -> $OUT, stderr -> $ERR, exit code -> $rc
#   check_err NAME RC FIRST_LINE       the last run failed with RC, no stdout, this first stderr line
#   check_golden NAME GOLDEN           the last run exited 0, no stderr, stdout equal to GOLDEN
#   check_golden_file NAME RC FILE GOLDEN   the last run exited RC, no stderr, FILE equal to GOLDEN
#   save_actual GOLDEN FILE            for tests/update-goldens.sh (see "Goldens" below)
#   summary                            print the counts; return 1 if any failed, 77 if any skipped
#
# Skips: a check that cannot run (a tool missing) is counted, and the test then exits 77, which
# CTest shows as "Skipped", never as passed. With LAYERDIFF_REQUIRE_ALL=1 (./dev.sh test, so CI)
# a skip is a failure: there, every check must run.
# Goldens: a test only compares. Nothing rewrites a golden file but tests/update-goldens.sh,
# which runs the tests with LAYERDIFF_ACTUAL_DIR set: each golden check then also leaves what it
# got there (a test run never touches fixtures/, and still fails on a difference).
# shellcheck shell=bash disable=SC2034  # rc, passed, failed, skipped are read by the sourcing test
passed=0 failed=0 skipped=0 rc=0
lib_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)  # the repository
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
skip() {
  if [[ ${LAYERDIFF_REQUIRE_ALL:-0} == 1 ]]; then
    fail "$1" "cannot run: $2 (LAYERDIFF_REQUIRE_ALL=1: every check must run)"
  else
    skipped=$((skipped + 1))
    echo "SKIP: $1: $2"
  fi
}
need() {
  local name=$1 tool
  shift
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null; then
      skip "$name" "$tool not found (scripts/deps.sh test installs it)"
      return 1
    fi
  done
}
summary() {
  if [[ $skipped -eq 0 ]]; then echo "$passed passed, $failed failed"
  else echo "$passed passed, $failed failed, $skipped skipped"; fi
  [[ $failed -eq 0 ]] || return 1
  [[ $skipped -eq 0 ]] || return 77
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

# check_golden NAME GOLDEN: the last run exited 0 with empty stderr, and its stdout equals GOLDEN.
check_golden() { check_golden_file "$1" 0 "$OUT" "$2"; }

# check_golden_file NAME WANT_RC FILE GOLDEN: the last run exited WANT_RC with empty stderr, and
# FILE (its stdout, or a report it wrote) equals GOLDEN.
check_golden_file() {
  local name=$1 want_rc=$2 file=$3 gold=$4
  if [[ $rc -ne $want_rc ]]; then
    fail "$name" "exit $rc, want $want_rc; stderr:"
    excerpt "$ERR"
    return
  elif [[ -s $ERR ]]; then
    fail "$name" "unexpected stderr:"
    excerpt "$ERR"
    return
  fi
  save_actual "$gold" "$file"
  if [[ ! -f $gold ]]; then
    fail "$name" "missing golden file $gold (tests/update-goldens.sh writes it)"
  elif ! cmp -s "$file" "$gold"; then
    fail "$name" "differs from $gold (after a deliberate change, tests/update-goldens.sh rewrites it):"
    diff -u "$gold" "$file" | head -n 20 | sed 's/^/      | /'
  else
    pass "$name"
  fi
}

# save_actual GOLDEN FILE: with LAYERDIFF_ACTUAL_DIR set, copies FILE to that directory under
# GOLDEN's path relative to the repository (fixtures/golden/x.txt), for tests/update-goldens.sh.
save_actual() {
  [[ -n ${LAYERDIFF_ACTUAL_DIR:-} ]] || return 0
  local rel
  rel=$(realpath -m --relative-to="$lib_root" "$1")
  if [[ $rel == ../* || $rel == /* ]]; then
    fail "save_actual $1" "the golden file is outside the repository $lib_root"
    return
  fi
  mkdir -p "$LAYERDIFF_ACTUAL_DIR/$(dirname "$rel")" && cp "$2" "$LAYERDIFF_ACTUAL_DIR/$rel"
}
