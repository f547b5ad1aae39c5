#!/usr/bin/env bash
# packages_cli_test.sh LAYERDIFF_BIN FIXTURES_DIR
#
# Package attribution on real package databases (fixtures/packages-{before,after}.tar, made by
# tests/real/make_packages_fixture.sh: dpkg databases written by dpkg from Debian's .debs, an npm
# tree from `npm install`, python3-blinker's dist-info RECORD, a hand-written apk database):
#   * `inspect --by package` and `diff --by package` equal golden files (table, Markdown), exit 0
#     and nothing on stderr (only tests/update-goldens.sh rewrites the goldens);
#   * with python3: the JSON's package bytes and files sum to the content size and file count,
#     and the diff shows the real upgrade (jq 1.6-2.1+deb12u2 -> deb12u3), the removal
#     (dpkg --purge hostname) and the npm upgrade with byte deltas that reconcile.
# Prints one line per check, then "N passed, M failed"; exits 1 if any check failed.
set -u
if [[ $# -ne 2 ]]; then
  echo "usage: $0 LAYERDIFF_BIN FIXTURES_DIR" >&2
  exit 2
fi
export LC_ALL=C NO_COLOR=1
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
FIXDIR=$(cd "$2" && pwd)
cd "$(dirname "$FIXDIR")" || exit 2
F=$(basename "$FIXDIR")
B=$F/packages-before.tar A=$F/packages-after.tar GOLD=$F/golden
TMP=$(mktemp -d "${TMPDIR:-/tmp}/layerdiff-pkg.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/out ERR=$TMP/err

golden() { # golden NAME ARGS...: `layerdiff ARGS` exits 0, no stderr, stdout = golden/NAME
  local name=$1
  shift
  run "$@" --no-cache
  check_golden "$name" "$GOLD/$name"
}
golden packages-inspect.txt inspect --by package -n 6 "$B"
golden packages-inspect.md inspect --by package -n 6 --format markdown "$B"
golden packages-diff.txt -n 6 "$B" "$A"
golden packages-diff-by-package.md --by package -n 6 --format markdown "$B" "$A"

if need "JSON checks" python3; then
  for img in "$B" "$A"; do
    "$BIN" inspect --by package --format json --no-cache "$img" >"$TMP/i.json"
    if python3 - "$TMP/i.json" >"$TMP/msg" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
p, im = d["packages"], d["image"]
size = sum(x["size"] for x in p["packages"]) + p["no_package"]["size"]
files = sum(x["files"] for x in p["packages"]) + p["no_package"]["files"]
assert size == im["content_size"], (size, im["content_size"])
assert files == im["files"], (files, im["files"])
assert p["warnings"] == [], p["warnings"]
by = {(x["ecosystem"], x["name"]): x for x in p["packages"]}
jq = by[("dpkg", "jq")]
assert jq["version"].startswith("1.6-2.1+deb12u"), jq
assert by[("dpkg", "libjq1:amd64")]["size"] > 100000  # Multi-Arch: same -> libjq1:amd64.list
assert by[("npm", "is-number")]["copies"] == 2  # hoisted 7.0.0 and is-odd's nested one
assert by[("apk", "tool")]["files"] == 2
if "before" in sys.argv[1] or by.get(("dpkg", "hostname")):
    h = by[("dpkg", "hostname")]  # lists /bin/hostname, stored at /usr/bin/hostname
    assert h["files"] == 4 and h["size"] > 20000, h
PY
    then pass "inspect json sums: $img"; else fail "inspect json sums: $img"; excerpt "$TMP/msg" 20; fi
  done
  "$BIN" --format json --no-cache "$B" "$A" >"$TMP/d.json"
  if python3 - "$TMP/d.json" >"$TMP/msg" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
p = d["packages"]
rows = {(r["ecosystem"], r["name"]): r for r in p["rows"]}
h = rows[("dpkg", "hostname")]
assert h["change"] == "removed" and h["after"] == 0 and h["delta"] == -h["before"] < 0, h
jq = rows[("dpkg", "jq")]
assert jq["change"] == "upgraded", jq
assert (jq["version_before"], jq["version_after"]) == ("1.6-2.1+deb12u2", "1.6-2.1+deb12u3"), jq
assert jq["delta"] == jq["after"] - jq["before"]
odd = rows[("npm", "is-odd")]
assert (odd["change"], odd["version_before"], odd["version_after"]) == ("upgraded", "2.0.0", "3.0.1")
assert rows[("apk", "tool")]["change"] == "upgraded"
assert rows[("python", "blinker")]["change"] == "unchanged"
total = sum(r["delta"] for r in p["rows"]) + p["no_package"]["delta"]
assert total == d["summary"]["delta"]["content_size"], (total, d["summary"]["delta"])
deltas = [abs(r["delta"]) for r in p["rows"]]
assert deltas == sorted(deltas, reverse=True)
assert (p["added"], p["removed"], p["upgraded"]) == (0, 1, 5), p
PY
  then pass "diff json: removal, upgrades, reconciled deltas"; else fail "diff json"; excerpt "$TMP/msg" 20; fi
fi

summary
