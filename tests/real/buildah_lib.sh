# buildah_lib.sh: what the tests that build images with buildah share. Sourced once `tmp` (the
# test's scratch directory) exists: B runs buildah on the test's own storage (`store`, `run`,
# `driver`, set per storage driver tried); a cleanup on exit removes the working container
# (`ctr`), containers and images, and unmounts what containers/storage left mounted under $tmp
# (its overlay home is bind-mounted on itself), deepest first; then the PASS/FAIL counters.
# shellcheck shell=bash
store=$tmp/storage run=$tmp/runroot driver="" ctr=""
B() { buildah --root "$store" --runroot "$run" --storage-driver "$driver" "$@"; }
cleanup() {
  if [[ -n $driver ]]; then
    [[ -n $ctr ]] && B umount "$ctr" >/dev/null 2>&1
    B rm --all >/dev/null 2>&1
    B rmi --all --force >/dev/null 2>&1
  fi
  local m
  while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done < <(
    awk -v p="$tmp/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
  if [[ -n ${LAYERDIFF_KEEP_TMP:-} ]]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

pass=0 fail=0
ok() { echo "PASS: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
check() {  # check NAME EXPECTED ACTUAL
  if [[ "$2" == "$3" ]]; then ok "$1 ($3)"; else bad "$1: expected '$2', got '$3'"; fi
}
set_check() {  # set_check NAME EXPECTED_FILE ACTUAL_FILE (sorted, one item a line)
  if cmp -s "$2" "$3"; then
    ok "$1 ($(wc -l <"$3") lines)"
  else
    bad "$1: expected (<) vs layerdiff (>):"
    diff "$2" "$3" | head -20 | sed 's/^/    /'
  fi
}
