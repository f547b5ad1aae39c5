#!/usr/bin/env bash
# html_test.sh LAYERDIFF_BIN FIXTURES_DIR
#
# The HTML pages in a real browser (headless Chromium, driven by check_page.py): for inspect, diff
# and check on the committed fixtures, each page loads with no console error and no request,
# shows every value and row of the JSON of the same run (and nothing that differs), sorts, and
# its treemap adds up (inspect: against `ls --format json`; diff: against the rollup), zooms and
# explains on hover; the same pages with JavaScript off still hold every table. Then:
#   * --html FILE beside --format markdown/json: stdout as without it, FILE equal to --format html;
#   * the errors: --html -, ls --format html, an unwritable --html FILE.
# The size bound on an image of 180 000 files is size_test.sh's.
# Prints one line per check, then "N passed, M failed"; exits 1 if any check failed.
set -u

if [[ $# -ne 2 ]]; then
  echo "usage: $0 LAYERDIFF_BIN FIXTURES_DIR" >&2
  exit 2
fi
export LC_ALL=C
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
FIXDIR=$(cd "$2" && pwd)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$(dirname "$FIXDIR")" || exit 2
F=$(basename "$FIXDIR")

TMP=$(mktemp -d "${TMPDIR:-/tmp}/layerdiff-html.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/out ERR=$TMP/err

# shellcheck source=tests/lib.sh
source "$HERE/../lib.sh"

need "html: the browser and the checker" chromium python3 || { summary; exit $?; }

# page KIND NAME ARGS...: the page and the JSON of the same arguments, then the browser checks
# (with JavaScript, then without, in one browser). inspect's JSON adds --by package: the page always shows the
# packages. Extra check_page.py options go in $PAGE_OPTS.
page() {
  local kind=$1 name=$2 json_args=()
  shift 2
  [[ $kind == inspect ]] && json_args=(--by package)
  local cmd=()
  [[ $kind != diff ]] && cmd=("$kind")
  "$BIN" "${cmd[@]}" --format html "$@" >"$TMP/$name.html" 2>"$TMP/$name.err"
  local rc1=$?
  "$BIN" "${cmd[@]}" --format json "${json_args[@]}" "$@" >"$TMP/$name.json" 2>>"$TMP/$name.err"
  local rc2=$?
  local want=0
  [[ $kind == check ]] && want=${WANT_RC:-0}
  if [[ $rc1 -ne $want || $rc2 -ne $want || -s $TMP/$name.err ]]; then
    fail "$name: html and json exit $want, quietly" "exit $rc1 and $rc2" "$(head -n 3 "$TMP/$name.err")"
    return
  fi
  pass "$name: html and json exit $want, quietly"
  # shellcheck disable=SC2086  # PAGE_OPTS: words on purpose
  if python3 "$HERE/check_page.py" "$kind" "$TMP/$name.html" "$TMP/$name.json" ${PAGE_OPTS:-} \
       >"$TMP/$name.check" 2>&1; then
    pass "$name: in the browser, with JavaScript and without ($(tail -n 1 "$TMP/$name.check"))"
  else
    fail "$name: in the browser" "$(grep -v '^PASS' "$TMP/$name.check" | head -n 30)"
  fi
}

# ---------------------------------------------------------------------------------------------
# Pages on the fixtures.
"$BIN" ls --format json "$F/docker.tar" >"$TMP/docker.ls"
PAGE_OPTS="--ls $TMP/docker.ls" page inspect inspect-docker "$F/docker.tar"
"$BIN" ls --format json "$F/oci-zstd.tar" >"$TMP/zstd.ls"
PAGE_OPTS="--ls $TMP/zstd.ls --top 3" page inspect inspect-zstd-n3 -n 3 --depth 1 "$F/oci-zstd.tar"
"$BIN" ls --format json "$F/packages-after.tar" >"$TMP/packages.ls"
PAGE_OPTS="--ls $TMP/packages.ls" page inspect inspect-packages "$F/packages-after.tar"
grep -q 'id="packages-table"' "$TMP/inspect-packages.html" && pass "inspect-packages: a packages table" ||
  fail "inspect-packages: a packages table"
page diff diff-edge "$F/oci-gzip.tar" "$F/oci-after.tar"
PAGE_OPTS="--top 2" page diff diff-edge-n2 -n 2 --depth 1 "$F/oci-gzip.tar" "$F/oci-after.tar"
page diff diff-packages "$F/packages-before.tar" "$F/packages-after.tar"
grep -q 'id="packages-table"' "$TMP/diff-packages.html" && pass "diff-packages: a packages table" ||
  fail "diff-packages: a packages table"
page diff diff-same "$F/oci-gzip.tar" "$F/docker.tar"
grep -q 'The merged filesystems are identical' "$TMP/diff-same.html" &&
  pass "diff-same: says the filesystems are identical" || fail "diff-same: says the filesystems are identical"
WANT_RC=1 page check check-fail --baseline "$F/oci-gzip.tar" --max-growth 5% --max-new-file 10B \
  --forbid /etc/newconf --max-layers 2 --budget '/etc/**=100B' --forbid-finding hidden --forbid-root-user \
  --forbid-config-change Env "$F/oci-after.tar"
WANT_RC=0 page check check-nobaseline --max-size 1MiB --max-growth 5% "$F/oci-after.tar"

# ---------------------------------------------------------------------------------------------
# --html FILE beside another format: stdout as without it, the file as --format html.
beside() {  # beside NAME WANT_RC FORMAT ARGS... (ARGS without --format)
  local name=$1 want=$2 fmt=$3
  shift 3
  "$BIN" "$@" --format "$fmt" >"$TMP/plain.out" 2>/dev/null
  "$BIN" "$@" --format html >"$TMP/plain.html" 2>/dev/null
  run "$@" --format "$fmt" --html "$TMP/beside.html"
  if [[ $rc -ne $want || -s $ERR ]]; then
    fail "$name: exit $want, quietly" "exit $rc" "$(head -n 2 "$ERR")"
  elif ! cmp -s "$OUT" "$TMP/plain.out"; then
    fail "$name: stdout is the $fmt report as without --html"
  elif ! cmp -s "$TMP/beside.html" "$TMP/plain.html"; then
    fail "$name: the --html file is the --format html page" "$(diff "$TMP/plain.html" "$TMP/beside.html" | head -n 5)"
  else
    pass "$name: $fmt on stdout and the page in the file"
  fi
}
beside "inspect --html" 0 markdown inspect "$F/docker.tar"
beside "diff --html" 0 json "$F/oci-gzip.tar" "$F/oci-after.tar"
beside "check --html" 1 markdown check --baseline "$F/oci-gzip.tar" --max-new-file 10B "$F/oci-after.tar"
run check --max-new-file 10B --baseline "$F/oci-gzip.tar" --junit "$TMP/j.xml" --html "$TMP/c.html" "$F/oci-after.tar"
[[ $rc -eq 1 && -s $TMP/j.xml && -s $TMP/c.html ]] && grep -q 'class="badge fail"' "$TMP/c.html" &&
  pass "check: --junit and --html both written when the gate fails" ||
  fail "check: --junit and --html both written when the gate fails" "exit $rc"

# ---------------------------------------------------------------------------------------------
# Errors.
run inspect --html - "$F/docker.tar"
check_err "--html - is refused" 2 \
  "layerdiff: error: --html: use --format html to write the page to stdout"
run ls --format html "$F/docker.tar"
check_err "ls has no html format" 2 "layerdiff: error: --format: html not in {table,json}"
run inspect --html "$TMP/no/such/dir/page.html" "$F/docker.tar"
[[ $rc -eq 2 ]] && grep -q "^layerdiff: error: $TMP/no/such/dir/page.html: cannot write the report$" "$ERR" &&
  pass "an unwritable --html FILE: exit 2, named" || fail "an unwritable --html FILE: exit 2, named" "$(cat "$ERR")"

summary
