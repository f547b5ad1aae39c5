#!/usr/bin/env bash
# hostile_test.sh LAYERDIFF MAKE_MALICIOUS FIXTURES: runs `layerdiff ls` on every hostile fixture
# (regenerated into a temporary directory by make_malicious) and compares the exit code, the
# exact stderr and the stdout (the listing of what is accepted, nothing for an error) with
# fixtures/malicious/expected.txt; then the inputs that are not files: a named pipe nobody writes
# to, /dev/zero as a file and on stdin. Every run has a timeout: a hang fails.
# Only tests/update-goldens.sh rewrites expected.txt (after a deliberate change).
set -uo pipefail
ld=$(realpath "$1") gen=$(realpath "$2") fixtures=$(realpath "$3")
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tmp=$(mktemp -d /tmp/layerdiff-hostile.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
"$gen" "$tmp/m" || { echo "FAIL: make_malicious"; exit 1; }
expected=$fixtures/malicious/expected.txt
actual=$tmp/actual.txt
cd "$tmp/m" || exit 1
# Cases: "### FILE [ARGS...]" lines of expected.txt. Each: "exit N", stderr, then "--- stdout"
# and stdout when there is any.
grep '^### ' "$expected" | while read -r _ file args; do
  echo "### $file${args:+ $args}"
  # shellcheck disable=SC2086
  timeout 60 "$ld" ls $args "$file" >"$tmp/out" 2>"$tmp/err"
  echo "exit $?"
  cat "$tmp/err"
  if [[ -s $tmp/out ]]; then
    echo "--- stdout"
    cat "$tmp/out"
  fi
done >"$actual"
save_actual "$expected" "$actual"
fail=0
if diff -u "$expected" "$actual"; then
  echo "PASS: $(grep -c '^### ' "$expected") hostile fixtures give the expected exit code and message"
else
  echo "FAIL: hostile fixtures differ from expected.txt (above; after a deliberate change, tests/update-goldens.sh rewrites it)"
  fail=1
fi

check() {  # check NAME WANT_RC WANT_STDERR RC STDERR
  if [[ $4 == "$2" && $5 == "$3" ]]; then echo "PASS: $1"
  else echo "FAIL: $1: exit $4, stderr: $5"; echo "      want exit $2, stderr: $3"; fail=1; fi
}
err=$(timeout 10 "$ld" ls /dev/zero 2>&1 >/dev/null); rc=$?
check "/dev/zero as a file ends at the end-of-archive blocks" 2 \
  "layerdiff: error: /dev/zero: not a container image: no manifest.json (docker save) or index.json (OCI layout) found" "$rc" "$err"
err=$(timeout 10 "$ld" ls - </dev/zero 2>&1 >/dev/null); rc=$?
check "/dev/zero on stdin" 2 \
  "layerdiff: error: -: not a container image: no manifest.json (docker save) or index.json (OCI layout) found" "$rc" "$err"
mkfifo "$tmp/pipe"
err=$(timeout 30 "$ld" ls "$tmp/pipe" 2>&1 >/dev/null); rc=$?
check "named pipe without a writer: gives up after 10 s" 2 \
  "layerdiff: error: $tmp/pipe: nothing was written to the pipe within 10 s; is a writer attached?" "$rc" "$err"
timeout 30 bash -c 'cat "$1" >"$2"' _ "$fixtures/docker.tar" "$tmp/pipe" &
out=$(timeout 30 "$ld" ls "$tmp/pipe" 2>&1 | head -n 1); rc=$?
check "named pipe with a writer: read like stdin" 0 "/bin	d	0	0755	0	0	" "$rc" "$out"
wait
# Sizes as the check rules write them: kB = 1000 (docker.tar's bottom layer is 153600 bytes).
want="layerdiff: error: $fixtures/docker.tar: layer 85a9f4a5dd6a: more than 150000 bytes uncompressed; raise the limit with --max-layer-size"
err=$(timeout 10 "$ld" ls --no-cache --max-layer-size 150kB "$fixtures/docker.tar" 2>&1 >/dev/null); rc=$?
check "--max-layer-size 150kB is 150000 bytes" 2 "$want" "$rc" "$err"
err=$(timeout 10 "$ld" ls --no-cache --max-layer-size 150KiB "$fixtures/docker.tar" 2>&1 >/dev/null); rc=$?
check "--max-layer-size 150KiB is 153600 bytes: the layer fits" 0 "" "$rc" "$err"
# A warm run (the layer cache filled by a run without the limit) refuses what a cold one does.
timeout 10 "$ld" ls --cache-dir "$tmp/cache" "$fixtures/docker.tar" >/dev/null 2>&1
err=$(timeout 10 "$ld" ls --cache-dir "$tmp/cache" --max-layer-size 150kB "$fixtures/docker.tar" 2>&1 >/dev/null); rc=$?
check "--max-layer-size on a warm run: the cold run's verdict" 2 "$want" "$rc" "$err"
err=$(timeout 10 "$ld" ls --cache-dir "$tmp/cache" --max-entries 10 "$fixtures/docker.tar" 2>&1 >/dev/null); rc=$?
check "--max-entries on a warm run: the cold run's verdict" 2 \
  "layerdiff: error: $fixtures/docker.tar: layer 85a9f4a5dd6a: more than 10 entries in the image's layers; raise the limit with --max-entries" "$rc" "$err"
err=$(timeout 10 "$ld" ls --max-entries 10 "$fixtures/docker.tar" 2>&1 >/dev/null); rc=$?
check "--max-entries" 2 \
  "layerdiff: error: $fixtures/docker.tar: layer 85a9f4a5dd6a: more than 10 entries in the image's layers; raise the limit with --max-entries" "$rc" "$err"
err=$(timeout 10 "$ld" ls --max-layer-size 100KiB "$fixtures/docker.tar" 2>&1 >/dev/null); rc=$?
check "--max-layer-size" 2 \
  "layerdiff: error: $fixtures/docker.tar: layer 85a9f4a5dd6a: more than 102400 bytes uncompressed; raise the limit with --max-layer-size" "$rc" "$err"
out=$(timeout 60 "$ld" ls --max-ratio 100000 gzip-bomb.tar 2>&1 >/dev/null); rc=$?
check "--max-ratio raised: the bomb is read to its end (then its made-up diff_id fails)" 2 \
  "layerdiff: error: gzip-bomb.tar: layer 77183764625b: diff_id mismatch: the config says sha256:0000000000000000000000000000000000000000000000000000000000000000, the uncompressed layer hashes to sha256:2791642cabd78fc45ac5114f28e9b7ca7771ef1046da43b6d9f9963d5b8379de" "$rc" "$out"
[[ $fail == 0 && $failed == 0 ]]
