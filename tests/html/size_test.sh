#!/usr/bin/env bash
# size_test.sh LAYERDIFF_BIN: the HTML page's size bound. An image of 180 000 files
# (make_big_image.py: one 300 MB layer, a realistic tree) gives an inspect page under 5 MB that
# keeps at most --treemap-nodes paths by name (default 20000), and that still checks out in the
# browser against the JSON and `ls` (check_page.py); --treemap-nodes 2000 makes it smaller.
# Its own test so that the sanitizer run (fuzz/ci.sh) can leave the 300 MB image to this one.
# Prints one line per check, then "N passed, M failed"; exits 1 if any check failed.
set -u
if [[ $# -ne 1 ]]; then
  echo "usage: $0 LAYERDIFF_BIN" >&2
  exit 2
fi
export LC_ALL=C
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/layerdiff-html-size.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/out ERR=$TMP/err
# shellcheck source=tests/lib.sh
source "$HERE/../lib.sh"
need "html size: the browser and the checker" chromium python3 || { summary; exit $?; }

# Paths the treemap keeps by name: every node of the page's tree but the root and [other]s.
named() {
  python3 -c '
import json, re, sys
s = open(sys.argv[1], encoding="utf-8").read()
tree = json.loads(re.search(r"<script type=\"application/json\" id=\"layerdiff-data\">(.*?)</script>", s, re.S).group(1))["tree"]
def count(n): return (0 if n[7] & 2 else 1) + sum(count(c) for c in n[9])
print(count(tree) - 1)' "$1"
}

if ! python3 "$HERE/make_big_image.py" "$TMP/big.tar" 180000 >"$TMP/big.log" 2>&1; then
  fail "make_big_image.py" "$(tail -n 3 "$TMP/big.log")"
  summary
  exit 1
fi
run inspect --format html "$TMP/big.tar"
cp "$OUT" "$TMP/big.html"
[[ $rc -eq 0 && ! -s $ERR ]] && pass "180 000 files: the page, quietly" || fail "180 000 files: the page" "exit $rc" "$(head -n 3 "$ERR")"
"$BIN" inspect --by package --format json "$TMP/big.tar" >"$TMP/big.json"
"$BIN" ls --format json "$TMP/big.tar" >"$TMP/big.ls"
size=$(stat -c %s "$TMP/big.html")
n=$(named "$TMP/big.html")
[[ $size -lt 5000000 && $n -le 20000 && $n -ge 19000 ]] &&
  pass "180 000 files: a page of $size bytes, $n paths by name (at most 20000)" ||
  fail "180 000 files: a page under 5 MB with at most 20000 paths by name" "size $size, paths $n"
if python3 "$HERE/check_page.py" inspect "$TMP/big.html" "$TMP/big.json" --ls "$TMP/big.ls" >"$TMP/check" 2>&1; then
  pass "180 000 files: in the browser ($(tail -n 1 "$TMP/check"))"
else
  fail "180 000 files: in the browser" "$(grep -v '^PASS' "$TMP/check" | head -n 30)"
fi
run inspect --format html --treemap-nodes 2000 "$TMP/big.tar"
n2=$(named "$OUT")
size2=$(stat -c %s "$OUT")
[[ $rc -eq 0 && $n2 -le 2000 && $n2 -ge 1900 && $size2 -lt $((size / 2)) ]] &&
  pass "--treemap-nodes 2000: $n2 paths by name, $size2 bytes" ||
  fail "--treemap-nodes 2000: at most 2000 paths, a smaller page" "paths $n2, $size2 bytes"
summary
