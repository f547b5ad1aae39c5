#!/usr/bin/env bash
# cli_test.sh LAYERDIFF_BIN FIXTURES_DIR
#
# Runs the real layerdiff binary on the committed fixtures (see FIXTURES_DIR/README.md):
#   * `ls` of every encoding of the same image equals the runtime's listing (expected/*.ls),
#     from files, directories and stdin;
#   * `inspect` table / json / markdown equal golden files (FIXTURES_DIR/golden/*; only
#     tests/update-goldens.sh rewrites them);
#   * `ls --format json` is JSON lines with the same rows as the table;
#   * `inspect --format json` totals are consistent (content = sum of `f` rows of `ls`,
#     written = content + wasted, every list sums to its total);
#   * exit codes and exact error messages for bad inputs made at test time in a temp dir;
#   * colour only where asked for.
# Prints one line per check, then "N passed, M failed"; exits 1 if any check failed.
#
# The binary runs from the parent of FIXTURES_DIR with relative paths (fixtures/...), so the
# golden files, which show the source path, are the same in every clone.
set -u

if [[ $# -ne 2 ]]; then
  echo "usage: $0 LAYERDIFF_BIN FIXTURES_DIR" >&2
  exit 2
fi
export LC_ALL=C
unset NO_COLOR

BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
FIXDIR=$(cd "$2" && pwd)
ROOT=$(dirname "$FIXDIR")
F=$(basename "$FIXDIR")        # "fixtures": what the binary is given, relative to ROOT
EXP=$F/expected
GOLD=$F/golden
cd "$ROOT" || exit 2

TMP=$(mktemp -d "${TMPDIR:-/tmp}/layerdiff-cli.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/out ERR=$TMP/err

# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# run_stdin FILE ARGS...: the same, with FILE piped through cat (a real pipe, not a file).
run_stdin() {
  local file=$1
  shift
  # shellcheck disable=SC2002  # a real pipe on purpose: stdin must not be seekable
  cat "$file" | "$BIN" "$@" >"$OUT" 2>"$ERR"
  rc=$?
}

# check_ok NAME EXPECTED_FILE: the last run exited 0, printed nothing on stderr, and its
# stdout equals EXPECTED_FILE.
check_ok() {
  local name=$1 want=$2
  if [[ $rc -ne 0 ]]; then
    fail "$name" "exit $rc, want 0; stderr:"
    excerpt "$ERR"
  elif [[ -s $ERR ]]; then
    fail "$name" "unexpected stderr:"
    excerpt "$ERR"
  elif ! cmp -s "$OUT" "$want"; then
    fail "$name" "output differs from $want:"
    diff "$want" "$OUT" | head -n 10 | sed 's/^/      | /'
  else
    pass "$name"
  fi
}

# check_err_has NAME WANT_RC SUBSTRING...: like check_err, but the first stderr line must
# only contain every SUBSTRING (for messages that quote another library's wording).
check_err_has() {
  local name=$1 want_rc=$2 got s
  shift 2
  got=$(head -n 1 "$ERR")
  if [[ $rc -ne $want_rc ]]; then
    fail "$name" "exit $rc, want $want_rc; stderr: $got"
    return
  fi
  if [[ -s $OUT ]]; then
    fail "$name" "unexpected stdout on error:"
    excerpt "$OUT"
    return
  fi
  for s in "$@"; do
    if [[ $got != *"$s"* ]]; then
      fail "$name" "stderr: $got" "lacks:  $s"
      return
    fi
  done
  pass "$name"
}

has_esc() { grep -q $'\x1b' "$1"; }

############################################################################
# ls: every encoding of the same image gives the runtime's listing
############################################################################
for enc in docker.tar docker.tar.gz docker25.tar oci-gzip.tar oci-zstd.tar oci-gzip.tar.zst \
  oci-uncompressed multiarch.tar; do
  run ls "$F/$enc"
  check_ok "ls $enc = expected/edge.ls" "$EXP/edge.ls"
done
run ls --image edge "$F/oci"
check_ok "ls --image edge oci/ = expected/edge.ls" "$EXP/edge.ls"
run ls --image after "$F/oci"
check_ok "ls --image after oci/ = expected/after.ls" "$EXP/after.ls"
run ls --image dup "$F/oci"
check_ok "ls --image dup oci/ = expected/dup.ls" "$EXP/dup.ls"
run ls --image example/dup:1 "$F/docker-multi.tar"
check_ok "ls --image example/dup:1 docker-multi.tar = expected/dup.ls" "$EXP/dup.ls"
run ls --image example/edge:latest "$F/docker-multi.tar"
check_ok "ls --image example/edge:latest docker-multi.tar = expected/edge.ls" "$EXP/edge.ls"
run ls "$F/docker-symlink.tar"
check_ok "ls docker-symlink.tar = expected/dup.ls" "$EXP/dup.ls"
run ls --platform linux/arm64/v8 "$F/multiarch.tar"
check_ok "ls --platform linux/arm64/v8 multiarch.tar = expected/arm64.ls" "$EXP/arm64.ls"
run ls --platform linux/amd64 "$F/multiarch.tar"
check_ok "ls --platform linux/amd64 multiarch.tar = expected/edge.ls" "$EXP/edge.ls"
run ls "$F/oci-after.tar"
check_ok "ls oci-after.tar = expected/after.ls" "$EXP/after.ls"
run ls --no-verify "$F/oci-zstd.tar"
check_ok "ls --no-verify oci-zstd.tar = expected/edge.ls" "$EXP/edge.ls"

# ls --layer N: what one layer did (tests/real/layer_changes_test.sh checks it against umoci).
run ls --layer 3 "$F/oci-after.tar"
check_golden "ls --layer 3 oci-after.tar = golden/ls-layer-3-after.txt" "$GOLD/ls-layer-3-after.txt"
run ls --layer all --format json "$F/oci-after.tar"
if [[ $rc -eq 0 ]] && python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert rows and all(r["change"] in ("added", "modified", "removed") for r in rows)
assert sorted({r["layer"] for r in rows}) == [0, 1, 2, 3]
assert all(r["layer"] == r["written_by"] for r in rows if r["change"] == "added" and r["type"] != "h")
' "$OUT"; then
  pass "ls --layer all --format json: layer, change and written_by on every line"
else
  fail "ls --layer all --format json: layer, change and written_by on every line" "exit $rc"
fi
run ls --layer 4 "$F/oci-after.tar"
check_err "ls --layer past the top layer" 2 \
  "layerdiff: error: $F/oci-after.tar: --layer 4: the image has 4 layers (0 to 3)"
run ls --layer top "$F/oci-after.tar"
check_err "ls --layer with a word" 2 \
  "layerdiff: error: --layer: expected a layer index (0 is the bottom layer) or all, got top"
# Messages name the flags as the README does, once.
run inspect -n 0 "$F/docker.tar"
check_err "-n 0 names -n" 2 "layerdiff: error: -n: expected a number of rows from 1 to 1000000, got 0"
run --stage builder "$F/docker.tar" "$F/oci-after.tar"
check_err "--stage without =IMAGE names the flag once" 2 "layerdiff: error: --stage: expected NAME=IMAGE, got builder"
run --stage a="$F/docker.tar" --stage A="$F/oci-zstd.tar" "$F/docker.tar" "$F/oci-after.tar"
check_err "the same --stage NAME twice is an error" 2 "layerdiff: error: --stage A is given twice; which image is stage A?"
printf 'FROM base:1 AS builder\nRUN make\nFROM base:1\nCOPY --from=builder /a /a\n' >"$TMP/Dockerfile"
run --stage nosuch="$F/docker.tar" --dockerfile "$TMP/Dockerfile" "$F/docker.tar" "$F/oci-after.tar"
if [[ $rc -eq 0 ]] && grep -qx "layerdiff: warning: --stage nosuch: $TMP/Dockerfile has no stage of that name (its stages: builder, stage-1); its layers are labelled nosuch by their ChainIDs only" "$ERR"; then
  pass "--stage naming no stage of the Dockerfile: a warning, exit 0"
else
  fail "--stage naming no stage of the Dockerfile: a warning, exit 0" "exit $rc"
  excerpt "$ERR"
fi
mkdir -p "$TMP/ro" && chmod 500 "$TMP/ro"
run inspect --cache-dir "$TMP/ro/cache" "$F/docker.tar"
if [[ $(id -u) -eq 0 ]]; then  # root writes anywhere: a path under a file cannot be a directory
  run inspect --cache-dir "$F/docker.tar/cache" "$F/docker.tar"
  want="layerdiff: warning: the layer cache is off for this run: $F/docker.tar/cache: Not a directory"
else
  want="layerdiff: warning: the layer cache is off for this run: $TMP/ro/cache: Permission denied"
fi
if [[ $rc -eq 0 && $(head -n 1 "$ERR") == "$want" ]] && grep -q "^Image " "$OUT"; then
  pass "an unwritable --cache-dir: a warning, the run goes on without the cache"
else
  fail "an unwritable --cache-dir: a warning, the run goes on without the cache" "exit $rc; stderr: $(head -n 1 "$ERR")"
fi
# inspect --dockerfile labels layers with the instructions they match exactly.
printf 'FROM scratch\nRUN rm -rf /del1 /gone /opq/* /typefile /typedir && echo opq new > /opq/new && mkdir /typefile && ln /lower_target /link_to_lower && chown 1000:1000 /chm && chmod 600 /chm && echo ... > /ow\n' >"$TMP/Dockerfile.edge"
run inspect --dockerfile "$TMP/Dockerfile.edge" "$F/docker.tar"
if [[ $rc -eq 0 ]] && grep -q "  base: scratch: ADD file:base.tar in /$" "$OUT" && grep -q "  stage-0: RUN rm -rf /del1 " "$OUT" &&
  grep -q "[0-9]  RUN rm /hl/one" "$OUT"; then
  pass "inspect --dockerfile: the base, the matched RUN, and the unmatched layer's own history"
else
  fail "inspect --dockerfile: the base, the matched RUN, and the unmatched layer's own history" "exit $rc"
  excerpt "$OUT" 12
fi
# diff --by package: one package table, reconciling to TOTAL.
run --by package "$F/packages-before.tar" "$F/packages-after.tar"
if [[ $rc -eq 0 ]] && [[ $(grep -c "^SIZE BY PACKAGE" "$OUT") -eq 1 ]] && ! grep -q "^PACKAGES" "$OUT"; then
  pass "diff --by package: one package table"
else
  fail "diff --by package: one package table" "exit $rc"
fi
# --before-image/--after-image: two images of one archive.
run --exit-code --before-image example/edge:latest --after-image example/dup:1 "$F/docker-multi.tar" "$F/docker-multi.tar"
if [[ $rc -eq 1 ]] && grep -q "^BEFORE  docker.io/example/edge:" "$OUT" && grep -q "^AFTER   docker.io/example/dup:1 " "$OUT"; then
  pass "diff --before-image/--after-image: two images of one archive"
else
  fail "diff --before-image/--after-image: two images of one archive" "exit $rc"
  excerpt "$OUT"
fi

############################################################################
# stdin
############################################################################
run_stdin "$F/docker.tar.gz" ls -
check_ok "cat docker.tar.gz | ls - = expected/edge.ls" "$EXP/edge.ls"
run_stdin "$F/oci-gzip.tar.zst" ls -
check_ok "cat oci-gzip.tar.zst | ls - = expected/edge.ls" "$EXP/edge.ls"
run_stdin "$F/oci-zstd.tar" ls -
check_ok "cat oci-zstd.tar | ls - = expected/edge.ls" "$EXP/edge.ls"
run_stdin "$F/multiarch.tar" ls --platform linux/arm64/v8 -
check_ok "cat multiarch.tar | ls --platform linux/arm64/v8 - = expected/arm64.ls" "$EXP/arm64.ls"
run_stdin "$F/docker.tar" inspect -
if [[ $rc -eq 0 && -s $OUT && ! -s $ERR ]] && grep -q '^Source *-$' "$OUT"; then
  pass "cat docker.tar | inspect - exits 0 (Source -)"
else
  fail "cat docker.tar | inspect - exits 0 (Source -)" "exit $rc; stderr: $(head -n 1 "$ERR")"
fi
run_stdin "$F/docker.tar.gz" inspect --format json -
if [[ $rc -eq 0 ]] && grep -q '"source":"-"' "$OUT"; then
  pass "cat docker.tar.gz | inspect --format json - exits 0"
else
  fail "cat docker.tar.gz | inspect --format json - exits 0" "exit $rc; stderr: $(head -n 1 "$ERR")"
fi

############################################################################
# inspect golden files (relative paths: the source path is part of the output)
############################################################################
run inspect "$F/docker.tar"
check_golden "inspect docker.tar (table) = golden/inspect-docker.txt" "$GOLD/inspect-docker.txt"
run inspect --format json "$F/oci-zstd.tar"
check_golden "inspect --format json oci-zstd.tar = golden/inspect-oci-zstd.json" "$GOLD/inspect-oci-zstd.json"
run inspect --format markdown "$F/oci-after.tar"
check_golden "inspect --format markdown oci-after.tar = golden/inspect-oci-after.md" "$GOLD/inspect-oci-after.md"
run inspect --format md "$F/oci-after.tar"
check_golden "inspect --format md (alias) oci-after.tar = golden/inspect-oci-after.md" "$GOLD/inspect-oci-after.md"

# The merged-image cache: a warm run (the merged tree mapped from the cache, no layer read)
# prints what the cold run printed, for every command and format; ls --layer still reads the
# layers (it lists what each did); a run without verification stores no merge.
mkdir -p "$TMP/warm"
same_warm=1
for args in "inspect --format json" "inspect --by package" "ls" "ls --format json" "ls --layer all" \
            "check --max-size 1GB --baseline $F/oci-gzip.tar"; do
  # shellcheck disable=SC2086
  "$BIN" $args --cache-dir "$TMP/warm/c" "$F/oci-after.tar" >"$TMP/warm/cold" 2>&1
  # shellcheck disable=SC2086
  "$BIN" $args --cache-dir "$TMP/warm/c" "$F/oci-after.tar" >"$TMP/warm/warm" 2>&1
  if ! cmp -s "$TMP/warm/cold" "$TMP/warm/warm"; then
    same_warm=0
    fail "warm $args prints what the cold run printed" "$(diff "$TMP/warm/cold" "$TMP/warm/warm" | head -n 3)"
  fi
done
"$BIN" "$F/oci-gzip.tar" "$F/oci-after.tar" --format json --cache-dir "$TMP/warm/c" >"$TMP/warm/cold" 2>&1
"$BIN" "$F/oci-gzip.tar" "$F/oci-after.tar" --format json --cache-dir "$TMP/warm/c" >"$TMP/warm/warm" 2>&1
cmp -s "$TMP/warm/cold" "$TMP/warm/warm" || { same_warm=0; fail "a warm diff prints what the cold diff printed"; }
merged=$(find "$TMP/warm/c" -name 'merged-*.img' | wc -l)
if [[ $same_warm -eq 1 && $merged -eq 2 ]]; then
  pass "warm runs (merged images from the cache) print what cold runs printed"
else
  fail "warm runs (merged images from the cache) print what cold runs printed" "same=$same_warm, $merged merged images cached (want 2)"
fi
# Plain `ls --no-verify` reads layers for their headers alone (file data skipped): the same listing.
same_ls=1
for f in "$F"/*.tar "$F"/docker.tar.gz "$F"/oci-gzip.tar.zst "$F"/oci "$F"/oci-uncompressed; do
  "$BIN" ls --no-cache "$f" >"$TMP/warm/ls1" 2>&1
  "$BIN" ls --no-cache --no-verify "$f" >"$TMP/warm/ls2" 2>&1
  cmp -s "$TMP/warm/ls1" "$TMP/warm/ls2" || { same_ls=0; fail "ls --no-verify $f lists what ls lists"; }
done
[[ $same_ls -eq 1 ]] && pass "ls --no-verify (headers only) lists what ls lists, on every fixture"
run inspect --no-verify --cache-dir "$TMP/warm/nv" "$F/docker.tar"
if [[ $rc -eq 0 && -z $(find "$TMP/warm/nv" -name 'merged-*.img' 2>/dev/null) ]]; then
  pass "inspect --no-verify stores no merged image"
else
  fail "inspect --no-verify stores no merged image" "exit $rc; $(ls "$TMP/warm/nv" 2>&1 | head -n 3)"
fi

############################################################################
# ls --format json: one JSON object per line, same rows as the table
############################################################################
ls_json_check() { # ls_json_check NAME ARGS... (ARGS without --format)
  local name=$1
  shift
  run ls "$@"
  cp "$OUT" "$TMP/table"
  run ls --format json "$@"
  if [[ $rc -ne 0 || -s $ERR ]]; then
    fail "$name" "exit $rc; stderr: $(head -n 1 "$ERR")"
    return
  fi
  local bad
  bad=$(grep -cv '^{"path":"[^"]*",.*}$' "$OUT")
  if [[ $bad -ne 0 ]]; then
    fail "$name" "$bad line(s) are not one {\"path\":...} object per line:"
    grep -v '^{"path":"[^"]*",.*}$' "$OUT" | head -n 3 | sed 's/^/      | /'
    return
  fi
  sed 's/^{"path":"\([^"]*\)".*/\1/' "$OUT" >"$TMP/json.paths"
  cut -f1 "$TMP/table" >"$TMP/table.paths"
  if ! cmp -s "$TMP/json.paths" "$TMP/table.paths"; then
    fail "$name" "JSON paths differ from the table's:"
    diff "$TMP/table.paths" "$TMP/json.paths" | head -n 6 | sed 's/^/      | /'
    return
  fi
  # Strict check: every line parses, all seven table columns match.
  if need "$name: strict JSON check" python3; then
    if ! python3 -c '
import json, sys
for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    o = json.loads(line)
    assert isinstance(o, dict), "line %d is not an object" % n
    sys.stdout.write("\t".join([o["path"], o["type"], str(o["size"]), o["mode"],
                                str(o["uid"]), str(o["gid"]), o["target"]]) + "\n")
' "$OUT" >"$TMP/json.table" 2>"$TMP/py.err"; then
      fail "$name" "python3: invalid JSON lines:"
      excerpt "$TMP/py.err" 3
      return
    fi
    if ! cmp -s "$TMP/json.table" "$TMP/table"; then
      fail "$name" "JSON rows differ from the table rows:"
      diff "$TMP/table" "$TMP/json.table" | head -n 6 | sed 's/^/      | /'
      return
    fi
  fi
  pass "$name"
}
ls_json_check "ls --format json docker.tar: JSON lines, same rows as the table" "$F/docker.tar"
ls_json_check "ls --format json oci-after.tar: JSON lines, same rows as the table" "$F/oci-after.tar"

############################################################################
# inspect --format json: schema and consistent totals
############################################################################
# sum_json_key KEY FILE: sum of every "KEY":<number> in FILE (compact JSON on one line).
sum_json_key() { grep -o "\"$1\":[0-9]*" "$2" | awk -F: '{ s += $2 } END { printf "%d\n", s }'; }
# section FILE START: the text after START up to the end of its array ("}]").
section() { sed -e "s/.*$2//" -e 's/}\].*//' "$1"; }

# inspect_json_check LABEL "INSPECT_ONLY_OPTIONS" ARGS...  (ARGS: --image/--platform + image;
# the options string is split on spaces)
inspect_json_check() {
  local label=$1 iopts
  read -ra iopts <<<"$2"
  shift 2
  run ls "$@"
  local want_content
  want_content=$(awk -F'\t' '$2 == "f" { s += $3 } END { printf "%d\n", s }' "$OUT")
  run inspect --format json "${iopts[@]}" "$@"
  local name="inspect --format json $label"
  if [[ $rc -ne 0 || -s $ERR ]]; then
    fail "$name" "exit $rc; stderr: $(head -n 1 "$ERR")"
    return
  fi
  local j=$TMP/inspect.json
  cp "$OUT" "$j"
  if [[ $(wc -l <"$j") -ne 1 ]] || ! grep -q '^{"schema_version":2,' "$j"; then
    fail "$name: one line with \"schema_version\":2" "got: $(head -c 80 "$j")"
  else
    pass "$name: one line with \"schema_version\":2"
  fi
  # image.content_size is the first content_size (the per-layer ones come later, in "layers").
  local content written wasted
  content=$(grep -o '"content_size":[0-9]*' "$j" | head -n 1 | cut -d: -f2)
  written=$(grep -o '"written_size":[0-9]*' "$j" | head -n 1 | cut -d: -f2)
  wasted=$(grep -o '"waste":{"bytes":[0-9]*' "$j" | head -n 1 | cut -d: -f3)
  if [[ $content == "$want_content" ]]; then
    pass "$name: image.content_size $content = sum of ls f rows"
  else
    fail "$name: image.content_size = sum of ls f rows" "content_size '$content', sum of f rows $want_content"
  fi
  if [[ -n $written && -n $wasted && $written -eq $((content + wasted)) ]]; then
    pass "$name: written_size $written = content $content + wasted $wasted"
  else
    fail "$name: written_size = content + wasted" "written '$written', content '$content', wasted '$wasted'"
  fi
  # per layer: content_size (written) = visible_size + wasted_size; the columns sum to the totals
  local lw lv lx lsum vsum xsum
  lw=$(section "$j" '"layers":\[' | grep -o '"content_size":[0-9]*' | cut -d: -f2)
  lv=$(section "$j" '"layers":\[' | grep -o '"visible_size":[0-9]*' | cut -d: -f2)
  lx=$(section "$j" '"layers":\[' | grep -o '"wasted_size":[0-9]*' | cut -d: -f2)
  local badlayers
  badlayers=$(paste <(echo "$lw") <(echo "$lv") <(echo "$lx") |
    awk -F'\t' '$1 != $2 + $3 { printf "layer %d: written %s != visible %s + wasted %s; ", NR - 1, $1, $2, $3 }')
  lsum=$(echo "$lw" | awk '{ s += $1 } END { printf "%d\n", s }')
  vsum=$(echo "$lv" | awk '{ s += $1 } END { printf "%d\n", s }')
  xsum=$(echo "$lx" | awk '{ s += $1 } END { printf "%d\n", s }')
  if [[ -z $lw ]]; then
    fail "$name: per-layer sizes" "no layers found"
  elif [[ -n $badlayers ]]; then
    fail "$name: per-layer written = visible + wasted" "$badlayers"
  elif [[ $lsum -ne $written || $vsum -ne $content || $xsum -ne $wasted ]]; then
    fail "$name: layer columns sum to the totals" \
      "written $lsum vs $written, visible $vsum vs $content, wasted $xsum vs $wasted"
  else
    pass "$name: per layer written = visible + wasted; columns sum to the totals"
  fi
  # the largest-directories rollup (each level, with [other]) and the largest-files list sum to
  # content_size, the waste list (with [other]) to waste.bytes, the duplicates to their savings
  if python3 - "$j" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = d["image"]["content_size"]
def level(rows, want):
    assert sum(r["size"] for r in rows) == want, (rows, want)
    for r in rows:
        if "children" in r:
            level(r["children"], r["size"])
level(d["largest_directories"], c)
assert sum(r["size"] for r in d["largest_files"]) == c
assert sum(r["size"] for r in d["waste"]["paths"]) == d["waste"]["bytes"]
assert sum(g["savings"] for g in d["duplicates"]["top"]) == d["duplicates"]["savings"]
PY
  then
    pass "$name: directories (every level), files, waste and duplicates sum to their totals"
  else
    fail "$name: lists sum to their totals"
  fi
}
inspect_json_check "docker.tar" "" "$F/docker.tar"
inspect_json_check "oci-after.tar" "" "$F/oci-after.tar"
inspect_json_check "-n 2 --depth 1 oci-after.tar" "-n 2 --depth 1" "$F/oci-after.tar"
inspect_json_check "-n 1 --depth 5 oci-zstd.tar" "-n 1 --depth 5" "$F/oci-zstd.tar"
inspect_json_check "--image example/dup:1 docker-multi.tar" "" --image example/dup:1 "$F/docker-multi.tar"
inspect_json_check "--platform linux/arm64/v8 multiarch.tar" "" --platform linux/arm64/v8 "$F/multiarch.tar"
inspect_json_check "docker-symlink.tar" "" "$F/docker-symlink.tar"

############################################################################
# bad input: exit 2 and the exact message
############################################################################
B=$TMP/bad
mkdir -p "$B"

run ls "$B/missing.tar"
check_err "missing file" 2 "layerdiff: error: $B/missing.tar: cannot open: No such file or directory"

: >"$B/empty.tar"
run ls "$B/empty.tar"
check_err "empty file" 2 "layerdiff: error: $B/empty.tar: empty file, not an image archive"

: | "$BIN" ls - >"$OUT" 2>"$ERR"
rc=$?
check_err "empty stdin" 2 "layerdiff: error: -: empty file, not an image archive"

# pseudo-random bytes, fixed seed; the "RND" prefix keeps them clear of any magic number
{
  printf 'RND'
  awk 'BEGIN { srand(42); for (i = 0; i < 8192; i++) printf "%c", int(rand() * 255) + 1 }'
} >"$B/random.bin"
run inspect "$B/random.bin"
check_err "random non-archive file" 2 \
  "layerdiff: error: $B/random.bin: not an image archive (expected a tar, or an OCI layout directory)"

printf 'this is a text file, not an image\n' >"$B/text.txt"
run ls "$B/text.txt"
check_err "text file" 2 \
  "layerdiff: error: $B/text.txt: not an image archive (expected a tar, or an OCI layout directory)"

mkdir -p "$B/notimage/sub"
echo 'hello' >"$B/notimage/sub/file"
run ls "$B/notimage"
check_err "directory that is not an image" 2 \
  "layerdiff: error: $B/notimage: not a container image: no manifest.json (docker save) or index.json (OCI layout) found"

head -c 100000 "$F/docker.tar" >"$B/truncated.tar"
run ls "$B/truncated.tar"
# the tail of the message is libarchive's wording
check_err_has "truncated docker.tar (head -c 100000)" 2 \
  "layerdiff: error: $B/truncated.tar: 85a9f4a5dd6a45456564c0573b1b9eee1122f667bf68d83e02c21123b21713c5.tar: corrupt tar"

head -c 50000 "$F/docker.tar.gz" >"$B/truncated.tar.gz"
run ls "$B/truncated.tar.gz"
check_err "truncated docker.tar.gz" 2 "layerdiff: error: $B/truncated.tar.gz: truncated gzip stream"

head -c 50000 "$F/oci-gzip.tar.zst" >"$B/truncated.tar.zst"
run_stdin "$B/truncated.tar.zst" ls -
check_err "truncated oci-gzip.tar.zst on stdin" 2 "layerdiff: error: -: truncated zstd stream"

# OCI directory with one byte of file content altered in layer 3 (uncompressed tar): the
# tar stays valid, only the digest is wrong.
L3=7ca6917b8524156b30a6769bfcceae3317ed71b68c135e1aca6146d04b9094ea
L2=f63e5b9823607e7654cb95d9b525feac221fc9725cb5a5d7f7f9186ea2214b97
CFG=02956ff8cce36b8adf92217893b848e562df8fe2914b0fa48e1793c36efdacf7
cp -R "$F/oci-uncompressed" "$B/altered"
blob=$B/altered/blobs/sha256/$L3
off=$(grep -abo 'reborn after whiteout' "$blob" | head -n 1 | cut -d: -f1)
if [[ -n $off ]]; then
  chmod u+w "$blob"
  printf 'R' | dd of="$blob" bs=1 seek="$off" conv=notrunc status=none
  new=$(sha256sum "$blob" | cut -d' ' -f1)
  run ls --no-cache "$B/altered"
  check_err "OCI dir, layer content altered: digest mismatch" 2 \
    "layerdiff: error: $B/altered: layer ${L3:0:12}: digest mismatch: the manifest says sha256:$L3, the blob hashes to sha256:$new"
  run ls --no-verify "$B/altered"
  check_ok "OCI dir, layer content altered, --no-verify: not detected, listing unchanged" "$EXP/edge.ls"
else
  fail "OCI dir, layer content altered" "file data 'reborn after whiteout' not found in layer $L3"
fi

cp -R "$F/oci-uncompressed" "$B/noblob"
rm -f "$B/noblob/blobs/sha256/$L2"
run ls "$B/noblob"
check_err "OCI dir, layer blob deleted" 2 \
  "layerdiff: error: $B/noblob: blobs/sha256/$L2: missing from the directory"
run ls --no-verify "$B/noblob"
check_err "OCI dir, layer blob deleted, --no-verify" 2 \
  "layerdiff: error: $B/noblob: blobs/sha256/$L2: missing from the directory"

cp -R "$F/oci-uncompressed" "$B/nocfg"
rm -f "$B/nocfg/blobs/sha256/$CFG"
run inspect "$B/nocfg"
check_err "OCI dir, config blob deleted" 2 \
  "layerdiff: error: $B/nocfg: blobs/sha256/$CFG: missing from the directory"

cp -R "$F/oci-uncompressed" "$B/badindex"
printf '{"schemaVersion":2,' >"$B/badindex/index.json"
run ls "$B/badindex"
check_err "OCI dir, index.json invalid JSON" 2 \
  "layerdiff: error: $B/badindex: index.json: invalid JSON: incomplete JSON"

# legacy docker archive, one byte of layer 3 content altered: the diff_id check catches it
mkdir "$B/docker"
tar -C "$B/docker" -xf "$F/docker.tar"
blob=$B/docker/$L3.tar
chmod u+w "$blob"
off=$(grep -abo 'reborn after whiteout' "$blob" | head -n 1 | cut -d: -f1)
if [[ -n $off ]]; then
  printf 'R' | dd of="$blob" bs=1 seek="$off" conv=notrunc status=none
  (cd "$B/docker" && tar --format=ustar -cf ../altered-docker.tar -- *)
  run ls --no-cache "$B/altered-docker.tar"
  check_err_has "docker.tar, layer content altered: diff_id mismatch" 2 \
    "layerdiff: error: $B/altered-docker.tar: layer " "diff_id mismatch: the config says sha256:$L3"
  run ls --no-verify "$B/altered-docker.tar"
  check_ok "docker.tar, layer content altered, --no-verify: listing unchanged" "$EXP/edge.ls"
else
  fail "docker.tar, layer content altered" "file data 'reborn after whiteout' not found in $L3.tar"
fi

# choosing an image / a platform
run ls "$F/docker-multi.tar"
check_err "multi-image archive without --image" 2 \
  "layerdiff: error: $F/docker-multi.tar: holds 2 images; choose one with --image: docker.io/example/edge:1, docker.io/example/dup:1"
run ls "$F/oci"
check_err "multi-image OCI dir without --image" 2 \
  "layerdiff: error: $F/oci: holds 4 images; choose one with --image: after, arm64, dup, edge"
run ls --image nope "$F/docker-multi.tar"
check_err "unknown --image" 2 \
  "layerdiff: error: $F/docker-multi.tar: no image nope here; images: docker.io/example/edge:1, docker.io/example/dup:1"
run ls --platform linux/s390x "$F/multiarch.tar"
check_err "unknown platform" 2 \
  "layerdiff: error: $F/multiarch.tar: no image for platform linux/s390x; platforms: linux/amd64, linux/arm64/v8"
run inspect --platform linux/arm64/v7 "$F/multiarch.tar"
check_err "unknown platform variant" 2 \
  "layerdiff: error: $F/multiarch.tar: no image for platform linux/arm64/v7; platforms: linux/amd64, linux/arm64/v8"
run ls --platform linux/arm64 "$F/docker25.tar"
check_err "platform of a single-image docker25.tar does not match" 2 \
  "layerdiff: error: $F/docker25.tar: no image for platform linux/arm64; platforms: linux/amd64"
# The same image as a legacy docker archive is refused the same way (its config says linux/amd64).
run ls --platform linux/arm64 "$F/docker.tar"
check_err "platform of a single-image docker.tar does not match" 2 \
  "layerdiff: error: $F/docker.tar: no image for platform linux/arm64; platforms: linux/amd64"
run ls --platform bogus "$F/multiarch.tar"
check_err "malformed --platform" 2 \
  "layerdiff: error: --platform bogus: expected os/arch[/variant], e.g. linux/arm64/v8"

############################################################################
# usage errors and help
############################################################################
usage_err() { # usage_err NAME ARGS...: exit 2, nothing on stdout, something on stderr
  local name=$1
  shift
  run "$@"
  if [[ $rc -eq 2 && ! -s $OUT && -s $ERR ]]; then
    pass "$name: exit 2 ($(head -n 1 "$ERR"))"
  else
    fail "$name: exit 2" "exit $rc; stderr: $(head -n 1 "$ERR")"
  fi
}
usage_err "no subcommand"
usage_err "unknown subcommand" frobnicate "$F/docker.tar"
usage_err "inspect --format yaml" inspect --format yaml "$F/docker.tar"
usage_err "ls --format markdown" ls --format markdown "$F/docker.tar"
usage_err "ls without IMAGE" ls
usage_err "inspect -n 0" inspect -n 0 "$F/docker.tar"
usage_err "inspect --color sometimes" inspect --color sometimes "$F/docker.tar"
usage_err "unknown option" ls --frobnicate "$F/docker.tar"

help_ok() { # help_ok NAME WORD ARGS...: exit 0 and stdout mentions WORD
  local name=$1 word=$2
  shift 2
  run "$@"
  if [[ $rc -eq 0 ]] && grep -q "$word" "$OUT"; then
    pass "$name: exit 0, mentions $word"
  else
    fail "$name: exit 0, mentions $word" "exit $rc"
  fi
}
help_ok "--help" Examples --help
help_ok "inspect --help" Examples inspect --help
help_ok "ls --help" Example ls --help
help_ok "--version" "layerdiff " --version

############################################################################
# colour
############################################################################
run inspect "$F/docker.tar"
if [[ $rc -eq 0 ]] && ! has_esc "$OUT"; then
  pass "inspect piped (no tty): no ESC"
else
  fail "inspect piped (no tty): no ESC" "exit $rc"
fi
# An explicit --color always wins over NO_COLOR (no-color.org: the variable sets the default).
NO_COLOR=1 "$BIN" inspect --color always "$F/docker.tar" >"$OUT" 2>"$ERR"
rc=$?
if [[ $rc -eq 0 ]] && has_esc "$OUT"; then
  pass "inspect --color always with NO_COLOR=1: ESC present"
else
  fail "inspect --color always with NO_COLOR=1: ESC present" "exit $rc"
fi
run inspect --color always "$F/docker.tar"
if [[ $rc -eq 0 ]] && has_esc "$OUT"; then
  pass "inspect --color always: ESC present"
else
  fail "inspect --color always: ESC present" "exit $rc"
fi
run inspect --color always --format json "$F/docker.tar"
if [[ $rc -eq 0 ]] && ! has_esc "$OUT"; then
  pass "inspect --color always --format json: no ESC"
else
  fail "inspect --color always --format json: no ESC" "exit $rc"
fi
# On a terminal (util-linux script gives a pty): colour by default, none with NO_COLOR or never.
if command -v script >/dev/null && script -qc true /dev/null >/dev/null 2>&1; then
  q=$(printf '%q' "$BIN")
  script -qc "$q inspect $F/docker.tar" /dev/null >"$OUT" 2>&1 </dev/null
  if has_esc "$OUT"; then pass "inspect on a tty: ESC present"; else fail "inspect on a tty: ESC present"; fi
  NO_COLOR=1 script -qc "$q inspect $F/docker.tar" /dev/null >"$OUT" 2>&1 </dev/null
  if ! has_esc "$OUT"; then pass "inspect on a tty with NO_COLOR=1: no ESC"; else fail "inspect on a tty with NO_COLOR=1: no ESC"; fi
  script -qc "$q inspect --color never $F/docker.tar" /dev/null >"$OUT" 2>&1 </dev/null
  if ! has_esc "$OUT"; then pass "inspect --color never on a tty: no ESC"; else fail "inspect --color never on a tty: no ESC"; fi
else
  skip "tty colour checks" "no usable util-linux script (package bsdutils)"
fi

# The diff colours growth red and shrinkage green.
run --color always "$F/oci-gzip.tar" "$F/oci-after.tar"
if [[ $rc -eq 0 ]] && grep -qE $'\033\\[31m *\\+11 B' "$OUT" && grep -qE $'\033\\[32m *-100 KiB' "$OUT"; then
  pass "diff --color always: growth red, shrinkage green"
else
  fail "diff --color always: growth red, shrinkage green" "exit $rc"
fi
# Table cells are cut only to fit a terminal: on a 80-column terminal the LAYERS rows fit; with
# --wide, or piped, the instruction is whole.
if command -v script >/dev/null && script -qc true /dev/null >/dev/null 2>&1; then
  q=$(printf '%q' "$BIN")
  long="RUN rm -rf /del1 /gone /opq/* /typefile /typedir && echo opq new > /opq/new && mkdir /typefile && ln /lower_target /link_to_lower && chown 1000:1000 /chm && chmod 600 /chm && echo ... > /ow"
  script -qc "stty cols 80; $q --color never $F/docker.tar $F/oci-after.tar" /dev/null </dev/null | tr -d '\r' >"$OUT"
  widest=$(sed -n '/^LAYERS/,/^$/p' "$OUT" | sed 's/…/./g' | awk '{ n = length($0); if (n > m) m = n } END { print m + 0 }')
  if [[ $widest -le 80 && $widest -gt 40 ]] && ! grep -qF "$long" "$OUT"; then
    pass "diff on an 80-column terminal: LAYERS rows cut to fit ($widest columns)"
  else
    fail "diff on an 80-column terminal: LAYERS rows cut to fit" "widest row $widest"
  fi
  script -qc "stty cols 80; $q --wide --color never $F/docker.tar $F/oci-after.tar" /dev/null </dev/null | tr -d '\r' >"$OUT"
  if grep -qF "$long" "$OUT"; then pass "diff --wide on a terminal: nothing cut"; else fail "diff --wide on a terminal: nothing cut"; fi
else
  skip "terminal width checks" "no usable util-linux script (package bsdutils)"
fi
run "$F/docker.tar" "$F/oci-after.tar"
if grep -qF "$long" "$OUT"; then pass "diff piped: nothing cut"; else fail "diff piped: nothing cut"; fi
# Progress: on a terminal, for work longer than a second, a line on stderr; never with --quiet,
# never when stderr is not a terminal. The archive comes through a pipe that stalls 1.5 s.
slow="(head -c 100000 $F/docker.tar; sleep 1.5; tail -c +100001 $F/docker.tar)"
if command -v script >/dev/null && script -qc true /dev/null >/dev/null 2>&1; then
  q=$(printf '%q' "$BIN")
  script -qc "sh -c '$slow | $q ls - >/dev/null'" /dev/null >"$OUT" 2>&1 </dev/null
  if grep -q "layerdiff: reading -: " "$OUT"; then pass "progress line on a tty for slow work"; else fail "progress line on a tty for slow work"; excerpt "$OUT"; fi
  script -qc "sh -c '$slow | $q ls --quiet - >/dev/null'" /dev/null >"$OUT" 2>&1 </dev/null
  if ! grep -q "layerdiff: reading" "$OUT"; then pass "no progress line with --quiet"; else fail "no progress line with --quiet"; fi
else
  skip "progress checks" "no usable util-linux script (package bsdutils)"
fi
sh -c "$slow | '$BIN' ls - >/dev/null 2>'$ERR'"
if [[ ! -s $ERR ]]; then pass "no progress line when stderr is not a terminal"; else fail "no progress line when stderr is not a terminal"; excerpt "$ERR"; fi

############################################################################
# diff: goldens, exit codes, and the byte sums of the JSON report
run "$F/oci-gzip.tar" "$F/oci-after.tar"
check_golden "diff oci-gzip.tar oci-after.tar (table)" "$GOLD/diff-edge-after.txt"
run diff --format json "$F/docker.tar" "$F/oci-after.tar"
check_golden "diff --format json docker.tar oci-after.tar" "$GOLD/diff-edge-after.json"
run diff --format markdown -n 3 "$F/oci-zstd.tar" "$F/oci-after.tar"
check_golden "diff --format markdown -n 3 oci-zstd.tar oci-after.tar" "$GOLD/diff-edge-after.md"

# The same image in three encodings: identical, exit 0 with --exit-code.
for pair in "docker.tar oci-zstd.tar" "docker25.tar oci-gzip.tar.zst" "oci-uncompressed docker.tar.gz"; do
  read -r a b <<<"$pair"
  run --exit-code "$F/$a" "$F/$b"
  if [[ $rc -eq 0 ]] && grep -q "The merged filesystems are identical." "$OUT"; then
    pass "diff --exit-code $a $b: identical, exit 0"
  else
    fail "diff --exit-code $a $b: identical, exit 0" "exit $rc"
    excerpt "$ERR"
  fi
done
run diff --exit-code "$F/docker.tar" "$F/oci-after.tar"
if [[ $rc -eq 1 ]]; then pass "diff --exit-code on different images: exit 1"; else fail "diff --exit-code on different images: exit 1" "exit $rc"; fi
run diff "$F/docker.tar" "$F/oci-after.tar"
if [[ $rc -eq 0 ]]; then pass "diff without --exit-code: exit 0"; else fail "diff without --exit-code: exit 0" "exit $rc"; fi
run diff --exit-code "$F/docker.tar" "$F/missing.tar"
check_err "diff --exit-code with a missing image: exit 2, never 1" 2 \
  "layerdiff: error: $F/missing.tar: cannot open: No such file or directory"
run diff "$F/docker.tar"
if [[ $rc -eq 2 ]]; then pass "diff with one image: exit 2"; else fail "diff with one image: exit 2" "exit $rc"; fi
run diff --stage builder "$F/docker.tar" "$F/oci-after.tar"
if [[ $rc -eq 2 ]]; then pass "diff --stage without =IMAGE: exit 2"; else fail "diff --stage without =IMAGE: exit 2" "exit $rc"; fi
# Repeatable options take one value each: the images after them stay positional.
run --stage a="$F/docker.tar" --stage b="$F/oci-zstd.tar" "$F/docker.tar" "$F/oci-after.tar"
if [[ $rc -eq 0 ]] && grep -q "LEFT BEHIND IN STAGE a" "$OUT" && grep -q "LEFT BEHIND IN STAGE b" "$OUT"; then
  pass "--stage twice before BEFORE AFTER"
else
  fail "--stage twice before BEFORE AFTER" "exit $rc"
  excerpt "$ERR"
fi
run check --forbid '/etc/*' --forbid '/nothing/**' "$F/oci-after.tar"
if [[ $rc -eq 1 ]] && grep -q "forbid /etc/\*" "$OUT" && grep -q "forbid /nothing/\*\*" "$OUT"; then
  pass "check --forbid twice before AFTER"
else
  fail "check --forbid twice before AFTER" "exit $rc"
  excerpt "$ERR"
fi
run_stdin "$F/docker.tar.gz" diff --exit-code - "$F/oci-zstd.tar"
if [[ $rc -eq 0 ]]; then pass "diff with BEFORE on stdin: identical"; else fail "diff with BEFORE on stdin: identical" "exit $rc"; fi

# JSON: the changes' deltas, the rollup TOTAL and the layer table all equal the content delta,
# and that equals the difference of the two images' `ls` f rows.
fsum() { "$BIN" ls "$1" | awk -F'\t' '$2 == "f" { s += $3 } END { printf "%d\n", s }'; }
run diff --format json "$F/oci-gzip.tar" "$F/oci-after.tar"
want=$(( $(fsum "$F/oci-after.tar") - $(fsum "$F/oci-gzip.tar") ))
got_summary=$(grep -o '"delta":{"content_size":-\?[0-9]*' "$OUT" | grep -o -- '-\?[0-9]*$')
got_changes=$(sed -e 's/.*"changes":\[//' -e 's/\],"rollup".*//' "$OUT" | grep -o '"delta":-\?[0-9]*' |
  awk -F: '{ s += $2 } END { printf "%d\n", s }')
got_rollup=$(sed -e 's/.*"rollup":{"path":"TOTAL",//' "$OUT" | grep -o '^"before":[0-9]*,"after":[0-9]*,"delta":-\?[0-9]*' |
  grep -o -- '-\?[0-9]*$')
got_layers=$(sed -e 's/.*"layers":\[//' -e 's/\],"stages".*//' "$OUT" |
  grep -o '"added":[0-9]*,"removed":[0-9]*' | awk -F'[:,]' '{ s += $2 - $4 } END { printf "%d\n", s }')
if [[ $want == "$got_summary" && $want == "$got_changes" && $want == "$got_rollup" && $want == "$got_layers" ]]; then
  pass "diff JSON sums: summary = changes = rollup = layers = ls difference ($want)"
else
  fail "diff JSON sums" "ls: $want summary: $got_summary changes: $got_changes rollup: $got_rollup layers: $got_layers"
fi
if head -c 40 "$OUT" | grep -q '^{"schema_version":2,"command":"diff"'; then
  pass "diff JSON starts with schema_version 2"
else
  fail "diff JSON starts with schema_version 2"
fi

summary
