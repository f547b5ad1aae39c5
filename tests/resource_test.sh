#!/usr/bin/env bash
# resource_test.sh LAYERDIFF MAKE_MALICIOUS FIXTURES: layerdiff under a 512 MiB address-space limit
# (ulimit -v) on the gzip bomb and on a generated image of a million empty files must finish
# (exit 0) or exit 2 naming a limit, never crash or hang; and it must write nothing but its
# output and its caches. Measured on the million files: ~205 MiB resident (inspect, cold or
# filling the cache), and it still runs under a 300 MiB address-space limit.
set -uo pipefail
ld=$(realpath "$1") gen=$(realpath "$2") fixtures=$(realpath "$3")
tmp=$(mktemp -d /tmp/layerdiff-resource.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/in" "$tmp/run" "$tmp/home" "$tmp/xdg" "$tmp/tmp" "$tmp/cache"
"$gen" --many-files 1000000 "$tmp/in/million.tar" || { echo "FAIL: make_malicious --many-files"; exit 1; }
cp "$fixtures/malicious/gzip-bomb.tar" "$tmp/in/"
fail=0

# run NAME WANT_RC WANT_STDERR_REGEX ARGS...: layerdiff in an empty working directory, with its
# HOME, XDG_CACHE_HOME and TMPDIR in $tmp, under ulimit -v 512 MiB and a 60 s timeout.
run() {
  local name=$1 want_rc=$2 want_err=$3
  shift 3
  (cd "$tmp/run" && ulimit -v $((1 << 19)) &&
     HOME=$tmp/home XDG_CACHE_HOME=$tmp/xdg TMPDIR=$tmp/tmp timeout 60 "$ld" "$@" \
       >"$tmp/out" 2>"$tmp/err")
  local rc=$?
  local err
  err=$(head -c 400 "$tmp/err")
  if [[ $rc == "$want_rc" && $err =~ $want_err ]]; then echo "PASS: $name (exit $rc)"
  else echo "FAIL: $name: exit $rc, stderr: $err"; echo "      want exit $want_rc, stderr matching: $want_err"; fail=1; fi
}

run "gzip bomb: the ratio limit" 2 \
  "^layerdiff: error: .*gzip-bomb.tar: layer 77183764625b: expands more than 250 times past the first 64 MiB, a decompression bomb\?; raise the limit with --max-ratio$" \
  inspect "$tmp/in/gzip-bomb.tar"
run "gzip bomb with --max-ratio raised: streamed to its end in bounded memory" 2 \
  "^layerdiff: error: .*gzip-bomb.tar: layer 77183764625b: diff_id mismatch" \
  ls --max-ratio 100000 "$tmp/in/gzip-bomb.tar"
run "a million empty files: inspect" 0 "^$" inspect --cache-dir "$tmp/cache" "$tmp/in/million.tar"
grep -q '^Content    0 B in 1000000 files, 1000 directories' "$tmp/out" ||
  { echo "FAIL: a million empty files: inspect output: $(head -n 3 "$tmp/out")"; fail=1; }
run "a million empty files: ls --format json, cache from the run before" 0 "^$" \
  ls --format json --cache-dir "$tmp/cache" "$tmp/in/million.tar"
[[ $(wc -l <"$tmp/out") == 1001000 ]] ||
  { echo "FAIL: a million empty files: ls printed $(wc -l <"$tmp/out") lines, want 1001000"; fail=1; }
run "a million empty files: the entry limit" 2 \
  "^layerdiff: error: .*million.tar: layer [0-9a-f]{12}: more than 100000 entries in the image's layers; raise the limit with --max-entries$" \
  inspect --no-cache --max-entries 100000 "$tmp/in/million.tar"
run "a million empty files: the default cache (XDG_CACHE_HOME)" 0 "^$" inspect "$tmp/in/million.tar"

# Writes: only the two caches may hold files; the working directory, HOME, TMPDIR and the inputs
# are as before.
for d in run home tmp; do
  [[ -z $(ls -A "$tmp/$d") ]] || { echo "FAIL: layerdiff wrote into $d: $(ls -A "$tmp/$d")"; fail=1; }
done
[[ $(ls -A "$tmp/in") == $'gzip-bomb.tar\nmillion.tar' ]] ||
  { echo "FAIL: the input directory changed: $(ls -A "$tmp/in")"; fail=1; }
[[ -n $(find "$tmp/cache" -type f) ]] || { echo "FAIL: nothing in --cache-dir"; fail=1; }
[[ -z $(find "$tmp/xdg" -mindepth 1 ! -path "$tmp/xdg/layerdiff" ! -path "$tmp/xdg/layerdiff/*") ]] ||
  { echo "FAIL: XDG_CACHE_HOME holds more than layerdiff/: $(find "$tmp/xdg" -mindepth 1 | head)"; fail=1; }
[[ -n $(find "$tmp/xdg/layerdiff" -type f 2>/dev/null) ]] ||
  { echo "FAIL: nothing in \$XDG_CACHE_HOME/layerdiff"; fail=1; }
[[ $fail == 0 ]] && echo "PASS: nothing written outside the output and the cache"
exit $fail
