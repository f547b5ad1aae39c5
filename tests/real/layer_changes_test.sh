#!/usr/bin/env bash
# layer_changes_test.sh LAYERDIFF_BIN FS_LIST_BIN OCI_DIR:TAG...
#
# `layerdiff ls --layer all` against the runtime: for each image, one image per layer prefix is
# added to a copy of its OCI layout (layer_prefixes.py make), each prefix is unpacked with umoci
# and listed with fs_list plus a sha256 of every file; what layer i did is what differs between
# prefix i-1 and prefix i. layer_prefixes.py compare checks `ls --layer all --format json` and
# the per-layer counts and bytes of `inspect --format json` against that.
#
# Exits 77 (skip) when not root or when umoci or python3 is missing.
set -uo pipefail
export LC_ALL=C
umask 022
if [[ $# -lt 3 ]]; then
  echo "usage: $0 LAYERDIFF_BIN FS_LIST_BIN OCI_DIR:TAG..." >&2
  exit 2
fi
ld=$(realpath "$1") fsl=$(realpath "$2")
shift 2
here=$(cd "$(dirname "$0")" && pwd)
skip() { echo "SKIP: $*"; exit 77; }
[[ $(id -u) -eq 0 ]] || skip "needs root (umoci unpack)"
for t in umoci python3 sha256sum; do command -v "$t" >/dev/null || skip "$t not installed"; done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/layerdiff-layers.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0 pass=0
for spec in "$@"; do
  src=${spec%:*} tag=${spec##*:}
  name=$(basename "$src")-$tag
  oci=$tmp/$name
  cp -r "$src" "$oci"
  n=$(python3 "$here/layer_prefixes.py" make "$oci" "$tag") || { echo "FAIL: $name: prefixes"; fail=$((fail + 1)); continue; }
  listings=()
  for ((k = 0; k < n; k++)); do
    umoci unpack --image "$oci:$tag-p$k" "$tmp/b" >/dev/null 2>&1 || { echo "FAIL: $name: umoci unpack p$k"; fail=$((fail + 1)); continue 2; }
    "$fsl" "$tmp/b/rootfs" >"$tmp/$name-p$k.ls"
    # path -> sha256 of regular files, appended as an 8th column
    (cd "$tmp/b/rootfs" && find . -type f -print0 | xargs -0 -r sha256sum) |
      awk '{ h = $1; p = substr($0, length($1) + 4); sub(/^\.\//, "/", p); print p "\t" h }' >"$tmp/sha"
    awk -F'\t' -v OFS='\t' 'FNR == NR { s[$1] = $2; next } { print $0, s[$1] }' "$tmp/sha" "$tmp/$name-p$k.ls" \
      >"$tmp/$name-p$k.lss"
    rm -rf "$tmp/b"
    listings+=("$tmp/$name-p$k.lss")
  done
  "$ld" ls --layer all --format json --image "$tag" "$oci" >"$tmp/$name.jsonl" 2>"$tmp/err" &&
    "$ld" inspect --format json --image "$tag" "$oci" >"$tmp/$name.json" 2>>"$tmp/err" ||
    { echo "FAIL: $name: layerdiff: $(head -n 1 "$tmp/err")"; fail=$((fail + 1)); continue; }
  python3 "$here/layer_prefixes.py" compare "$tmp/$name.jsonl" "$tmp/$name.json" "${listings[@]}" |
    sed "s/^\(PASS\|FAIL\): /\1: $name: /" >"$tmp/out"
  cat "$tmp/out"
  pass=$((pass + $(grep -c '^PASS' "$tmp/out"))) fail=$((fail + $(grep -c '^FAIL' "$tmp/out")))
done
echo "$pass passed, $fail failed"
((fail == 0 && pass > 0))
