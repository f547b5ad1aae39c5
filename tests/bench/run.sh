#!/usr/bin/env bash
# run.sh [OUTDIR] [LAYERDIFF_BIN] — layerdiff against its floors on the large
# benchmark images (tests/bench/make_images.sh; built first when missing).
#
# Every measurement runs RUNS times (default 3), interleaved round by round
# (round 1 of everything, then round 2, ...), and the median is reported:
# wall time, and peak RSS from `/usr/bin/time -f '%e %M'`. The inputs of each
# run are read (untimed) right before it, so that it reads from the page cache.
#
# Floors: `gzip -dc` of the gzip layer blobs, `zstd -dc` of the zstd layer
# blobs, `cat` of the docker archive (and `sha256sum` of it, what verifying the
# digests costs at least). The diff is compared with inspecting only the layers
# the two images do not share (before-top + after-top). With a binary that has
# --cache-dir, a cold run fills a fresh cache and the warm runs are measured.
#
# Output: Markdown on stdout (tables for the README's performance section);
# progress on stderr. Not a test: nothing fails when a target is missed.
#
# Environment: RUNS (3), BENCH_TMP (scratch for the extracted blobs, default
# OUTDIR/.run; removed at the end).
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=${1:-${LAYERDIFF_BENCH_DIR:-/var/tmp/layerdiff-bench}}
BIN=${2:-$REPO/build/layerdiff}
RUNS=${RUNS:-3}
[[ -x $BIN ]] || { echo "run.sh: no layerdiff binary at $BIN" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "run.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

"$HERE/make_images.sh" "$OUT"
OUT=$(cd "$OUT" && pwd)
TMP=${BENCH_TMP:-$OUT/.run}
rm -rf "$TMP"
mkdir -p "$TMP"
trap 'rm -rf "$TMP"' EXIT
# a snapshot of the binary: a rebuild during the run does not mix two versions
cp "$BIN" "$TMP/layerdiff"
BIN_SHOWN=$BIN
BIN=$TMP/layerdiff
# whatever the binary caches by default goes to scratch, never to ~/.cache
export XDG_CACHE_HOME=$TMP/xdg-cache
log() { echo "run.sh: $(date +%T) $*" >&2; }

# --- layer blobs of the before image, for the floors --------------------------
layer_blobs() { # layer_blobs OCI_ARCHIVE DESTDIR -> extracted layer blob paths, in order
  local archive=$1 dest=$2
  mkdir -p "$dest"
  tar -xf "$archive" -C "$dest"
  python3 - "$dest" <<'EOF'
import json, sys
d = sys.argv[1]
blob = lambda dg: f"{d}/blobs/{dg.replace(':', '/', 1)}"
idx = json.load(open(f"{d}/index.json"))
man = json.load(open(blob(idx["manifests"][0]["digest"])))
for layer in man["layers"]:
    print(blob(layer["digest"]))
EOF
}
log "extracting layer blobs"
mapfile -t GZ_BLOBS < <(layer_blobs "$OUT/before-oci-gzip.tar" "$TMP/gz")
mapfile -t ZS_BLOBS < <(layer_blobs "$OUT/before-oci-zstd.tar" "$TMP/zs")
for f in "${GZ_BLOBS[@]}"; do gzip -t "$f"; done
LAYERS=${#GZ_BLOBS[@]}

# --- what the binary supports -------------------------------------------------
HAS_CACHE=0 NOCACHE=()
if "$BIN" inspect --help 2>&1 | grep -q -- '--cache-dir'; then HAS_CACHE=1; fi
# every measurement but the cache ones reads and verifies every layer
if "$BIN" inspect --help 2>&1 | grep -q -- '--no-cache'; then NOCACHE=(--no-cache); fi
# The diff needs no --exit-code: it exits 0 when the images differ.

# --- measurements -------------------------------------------------------------
declare -a NAMES=()
declare -A CMD=() INPUTS=()
# add NAME COMMAND [INPUT...]: the inputs are read (untimed) right before each run
add() { NAMES+=("$1"); CMD[$1]=$2; shift 2; INPUTS[${NAMES[-1]}]=$(printf '%q ' "$@"); }
I() { printf '%q ' "$BIN" inspect "${NOCACHE[@]}" "$@"; }
D() { printf '%q ' "$BIN" diff "${NOCACHE[@]}" "$@"; }
IC() { printf '%q ' "$BIN" inspect --cache-dir "$CACHE" "$@"; }
DC() { printf '%q ' "$BIN" diff --cache-dir "$CACHE" "$@"; }
q() { printf '%q' "$1"; }

add floor-gzip "gzip -dc $(printf '%q ' "${GZ_BLOBS[@]}")" "${GZ_BLOBS[@]}"
add floor-zstd "zstd -dcq $(printf '%q ' "${ZS_BLOBS[@]}")" "${ZS_BLOBS[@]}"
add floor-cat "cat $(q "$OUT/before-docker.tar")" "$OUT/before-docker.tar"
add floor-sha256 "sha256sum $(q "$OUT/before-docker.tar")" "$OUT/before-docker.tar"
for enc in oci-gzip oci-zstd docker; do
  b=$OUT/before-$enc.tar a=$OUT/after-$enc.tar
  add "inspect-$enc" "$(I "$b")" "$b"
  add "inspect-$enc-noverify" "$(I --no-verify "$b")" "$b"
  if [[ $enc == oci-gzip ]]; then add "inspect-after-$enc" "$(I "$a")" "$a"; fi
  add "top-before-$enc" "$(I "$OUT/before-top-$enc.tar")" "$OUT/before-top-$enc.tar"
  add "top-after-$enc" "$(I "$OUT/after-top-$enc.tar")" "$OUT/after-top-$enc.tar"
  add "diff-$enc" "$(D "$b" "$a")" "$b" "$a"
done
add "diff-oci-gzip-noverify" "$(D --no-verify "$OUT/before-oci-gzip.tar" "$OUT/after-oci-gzip.tar")" \
  "$OUT/before-oci-gzip.tar" "$OUT/after-oci-gzip.tar"
if ((HAS_CACHE)); then
  CACHE=$TMP/cache
  for enc in oci-gzip oci-zstd docker; do
    add "cache-inspect-$enc" "$(IC "$OUT/before-$enc.tar")" "$OUT/before-$enc.tar"
    add "cache-diff-$enc" "$(DC "$OUT/before-$enc.tar" "$OUT/after-$enc.tar")" "$OUT/before-$enc.tar" "$OUT/after-$enc.tar"
  done
fi

declare -A WALL=() RSS=()
measure() { # measure NAME -> appends "wall_s rss_kib" to $TMP/m.NAME
  local name=$1 t0 t1 rc=0
  # this machine evicts page-cache pages that were not used recently (DAMON
  # reclaim), so "read once beforehand" is redone before every run
  [[ -n ${INPUTS[$name]} ]] && eval "cat ${INPUTS[$name]}" >/dev/null
  t0=$(date +%s%N)
  /usr/bin/time -o "$TMP/time" -f '%e %M' bash -c "${CMD[$name]}" >/dev/null 2>"$TMP/err" || rc=$?
  t1=$(date +%s%N)
  if ((rc != 0)); then
    echo "run.sh: $name failed (exit $rc): ${CMD[$name]}" >&2
    sed 's/^/  /' "$TMP/err" >&2
    echo "nan nan" >>"$TMP/m.$name"
    return
  fi
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }') $(tail -n1 "$TMP/time" | awk '{print $2}')" \
    >>"$TMP/m.$name"
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

if ((HAS_CACHE)); then
  log "filling the layer cache (one cold diff per encoding)"
  for enc in oci-gzip oci-zstd docker; do
    CMD[cold-diff-$enc]=${CMD[cache-diff-$enc]} INPUTS[cold-diff-$enc]=${INPUTS[cache-diff-$enc]}
    measure "cold-diff-$enc"
  done
fi
for ((r = 1; r <= RUNS; r++)); do
  for name in "${NAMES[@]}"; do
    log "round $r/$RUNS: $name"
    measure "$name"
  done
done
for name in "${NAMES[@]}"; do
  WALL[$name]=$(awk '{print $1}' "$TMP/m.$name" | median)
  RSS[$name]=$(awk '{print $2}' "$TMP/m.$name" | median)
done

log "counting merged paths (layerdiff ls)"
PATHS_BEFORE=$("$BIN" ls "${NOCACHE[@]}" --no-verify "$OUT/before-oci-gzip.tar" | wc -l)
PATHS_AFTER=$("$BIN" ls "${NOCACHE[@]}" --no-verify "$OUT/after-oci-gzip.tar" | wc -l)

# --- report -------------------------------------------------------------------
f2() { awk -v x="$1" 'BEGIN { if (x == "nan") print "n/a"; else printf "%.2f", x }'; }
f3() { awk -v x="$1" 'BEGIN { if (x == "nan") print "n/a"; else printf "%.3f", x }'; }
mib() { awk -v k="$1" 'BEGIN { if (k == "nan") print "n/a"; else printf "%.0f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan" || b == 0) print "n/a"; else printf "%.2f×", a / b }'; }
sum() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan") print "nan"; else print a + b }'; }
perpath() { awk -v k="$1" -v n="$2" 'BEGIN { if (k == "nan") print "n/a"; else printf "%.0f", (k * 1024 - 32 * 1048576) / n }'; }
bytes() { stat -c %s "$1"; }
gb() { awk -v b="$1" 'BEGIN { printf "%.2f GB", b / 1e9 }'; }
W() { f2 "${WALL[$1]}"; }
M() { mib "${RSS[$1]}"; }

layers_tar=$(grep -E '^L[0-6]:' "$OUT/stats.txt" | awk '{ s += $2 } END { print s }')
cat <<EOF
## Performance

Measured by \`tests/bench/run.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')),
$(free -g | awk '/^Mem:/ { print $2 }') GB RAM, inputs read into the page cache (untimed) right before each run; median of $RUNS interleaved runs; peak RSS from \`/usr/bin/time\`.
layerdiff: \`$BIN_SHOWN\` ($(cd "$REPO" && git log -1 --format='%h %s' 2>/dev/null | cut -c1-60)).

Image (\`tests/bench/make_images.sh\`): Debian bookworm with $(sed -n 's/^packages: //p' "$OUT/stats.txt" | sed 's/ (.*//' | wc -w) requested packages
(mmdebstrap), $LAYERS layers, $(gb "$layers_tar") as tar, $PATHS_BEFORE merged paths
($(sed -n 's/^rootfs: //p' "$OUT/stats.txt" | cut -d: -f2 | sed 's/^ //')).
Archives: docker $(gb "$(bytes "$OUT/before-docker.tar")"), OCI gzip $(gb "$(bytes "$OUT/before-oci-gzip.tar")"), OCI zstd $(gb "$(bytes "$OUT/before-oci-zstd.tar")").
\`after\` shares the bottom 6 layers and replaces the top one by a rebuilt layer plus a layer of
deletions (whiteouts, an opaque dir), changes and additions: $PATHS_AFTER merged paths.

| what | layerdiff s | peak RSS MiB | floor | floor s | ratio | target |
|---|---:|---:|---|---:|---:|---:|
| inspect OCI gzip | $(W inspect-oci-gzip) | $(M inspect-oci-gzip) | \`gzip -dc\` layer blobs | $(W floor-gzip) | $(ratio "${WALL[inspect-oci-gzip]}" "${WALL[floor-gzip]}") | ≤ 0.5× |
| inspect OCI zstd | $(W inspect-oci-zstd) | $(M inspect-oci-zstd) | \`zstd -dc\` layer blobs | $(W floor-zstd) | $(ratio "${WALL[inspect-oci-zstd]}" "${WALL[floor-zstd]}") | ≤ 0.8× |
| inspect docker-save | $(W inspect-docker) | $(M inspect-docker) | \`cat\` archive | $(W floor-cat) | $(ratio "${WALL[inspect-docker]}" "${WALL[floor-cat]}") | ≤ 1.2× |
| inspect docker-save | $(W inspect-docker) | $(M inspect-docker) | \`sha256sum\` archive | $(W floor-sha256) | $(ratio "${WALL[inspect-docker]}" "${WALL[floor-sha256]}") | |
| inspect OCI gzip --no-verify | $(W inspect-oci-gzip-noverify) | $(M inspect-oci-gzip-noverify) | \`gzip -dc\` layer blobs | $(W floor-gzip) | $(ratio "${WALL[inspect-oci-gzip-noverify]}" "${WALL[floor-gzip]}") | |
| inspect OCI zstd --no-verify | $(W inspect-oci-zstd-noverify) | $(M inspect-oci-zstd-noverify) | \`zstd -dc\` layer blobs | $(W floor-zstd) | $(ratio "${WALL[inspect-oci-zstd-noverify]}" "${WALL[floor-zstd]}") | |
| inspect docker-save --no-verify | $(W inspect-docker-noverify) | $(M inspect-docker-noverify) | \`cat\` archive | $(W floor-cat) | $(ratio "${WALL[inspect-docker-noverify]}" "${WALL[floor-cat]}") | ≤ 0.05× ¹ |
EOF
for enc in oci-gzip oci-zstd docker; do
  top=$(sum "${WALL[top-before-$enc]}" "${WALL[top-after-$enc]}")
  echo "| diff before→after, $enc | $(W "diff-$enc") | $(M "diff-$enc") | inspect of the non-shared layers ² | $(f2 "$top") | $(ratio "${WALL[diff-$enc]}" "$top") | ≤ 1.1× |"
  if [[ $enc == oci-gzip ]]; then
    once=$(sum "${WALL[inspect-after-$enc]}" "${WALL[top-before-$enc]}")
    echo "| diff before→after, $enc | $(W "diff-$enc") | $(M "diff-$enc") | inspect of every distinct layer once ³ | $(f2 "$once") | $(ratio "${WALL[diff-$enc]}" "$once") | |"
  fi
done
echo "| diff before→after, oci-gzip --no-verify | $(W diff-oci-gzip-noverify) | $(M diff-oci-gzip-noverify) | inspect of the non-shared layers ² | $(f2 "$(sum "${WALL[top-before-oci-gzip]}" "${WALL[top-after-oci-gzip]}")") | $(ratio "${WALL[diff-oci-gzip-noverify]}" "$(sum "${WALL[top-before-oci-gzip]}" "${WALL[top-after-oci-gzip]}")") | |"
if ((HAS_CACHE)); then
  for enc in oci-gzip oci-zstd docker; do
    echo "| diff $enc, cold: filling the layer cache (1 run) | $(f2 "$(cat "$TMP/m.cold-diff-$enc" | awk '{print $1}')") | $(mib "$(awk '{print $2}' "$TMP/m.cold-diff-$enc")") | | | | |"
    echo "| inspect $enc, warm layer cache | $(f3 "${WALL[cache-inspect-$enc]}") | $(M "cache-inspect-$enc") | | | | ≤ 0.050 s |"
    echo "| diff $enc, warm layer cache | $(f3 "${WALL[cache-diff-$enc]}") | $(M "cache-diff-$enc") | | | | ≤ 0.050 s |"
  done
fi
cat <<EOF

| peak RSS per merged path (RSS − 32 MiB) / paths | bytes | target |
|---|---:|---:|
EOF
for enc in oci-gzip oci-zstd docker; do
  echo "| inspect $enc ($PATHS_BEFORE paths) | $(perpath "${RSS[inspect-$enc]}" "$PATHS_BEFORE") | ≤ 200 |"
done
echo "| diff oci-gzip ($PATHS_BEFORE + $PATHS_AFTER paths) | $(perpath "${RSS[diff-oci-gzip]}" $((PATHS_BEFORE + PATHS_AFTER))) | ≤ 200 |"

echo
echo "¹ the ≤ 0.05× target is for a mode that does not need file contents (seeks past file data); --no-verify still reads and digests every file."
echo "² \`inspect\` of before-top (before's top layer) + \`inspect\` of after-top (after's two top layers), same encoding."
echo "³ \`inspect\` of after (all of its layers) + \`inspect\` of before-top: what reading each distinct layer once costs."
if ((!HAS_CACHE)); then
  echo
  echo "cache: not supported by this binary"
fi
echo
echo "<details><summary>every measurement (wall s and peak RSS KiB of each run)</summary>"
echo
echo '| name | runs: wall s / RSS KiB | command |'
echo '|---|---|---|'
for name in "${NAMES[@]}"; do
  cmd=${CMD[$name]//$BIN/layerdiff}
  cmd=${cmd//$TMP\//}
  cmd=${cmd//$OUT\//}
  [[ ${#cmd} -gt 110 ]] && cmd="${cmd:0:107}..."
  echo "| $name | $(awk '{ printf "%s%s / %s", (NR > 1 ? ", " : ""), $1, $2 }' "$TMP/m.$name") | \`${cmd//|/\\|}\` |"
done
echo
echo "</details>"
