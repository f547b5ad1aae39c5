#!/usr/bin/env bash
# run.sh [OUTDIR] [LAYERDIFF_BIN] — layerdiff against its floors on the large benchmark images
# (tests/bench/make_images.sh; built first when missing) and on a million empty files, as the
# table of targets in the README's Performance section lists them.
#
# Every measurement runs RUNS times (default 3), interleaved round by round (round 1 of
# everything, then round 2, ...), and the median is reported: wall time, and peak RSS from
# `/usr/bin/time -f '%e %M'`. The inputs of each run are read (untimed) right before it, so that
# it reads from the page cache. Each ratio divides a layerdiff median by the median of the run it
# is compared with, measured in the same rounds.
#
# Floors: `openssl dgst -sha256` of the docker archive (what verifying costs on one core),
# `cat` of it, `zstd -dc` of the zstd layer blobs (zstd decodes on one thread), `gzip -dc` of
# the gzip ones. Cold runs pass --no-cache; warm runs use a cache filled by one cold run first.
#
# BASE_BIN=/path/to/an/older/layerdiff adds its medians (same commands, same rounds) in a column
# beside this binary's, to see what a change bought.
#
# Output: Markdown on stdout (the README's tables); progress on stderr. Not a test: nothing
# fails when a target is missed.
#
# Environment: RUNS (3), BASE_BIN, BENCH_TMP (scratch, default OUTDIR/.run; removed at the end),
# MAKE_MALICIOUS (the generator of the million-file image, default build/tests/make_malicious).
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=${1:-${LAYERDIFF_BENCH_DIR:-/var/tmp/layerdiff-bench}}
BIN=${2:-$REPO/build/layerdiff}
RUNS=${RUNS:-3}
GEN=${MAKE_MALICIOUS:-$(dirname "$BIN")/tests/make_malicious}
[[ -x $BIN ]] || { echo "run.sh: no layerdiff binary at $BIN" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "run.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
[[ -x $GEN ]] || { echo "run.sh: no make_malicious at $GEN (build with tests, or set MAKE_MALICIOUS)" >&2; exit 1; }
for tool in openssl zstd gzip python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: needs $tool" >&2; exit 1; }
done

"$HERE/make_images.sh" "$OUT"
OUT=$(cd "$OUT" && pwd)
TMP=${BENCH_TMP:-$OUT/.run}
rm -rf "$TMP"
mkdir -p "$TMP"
trap 'rm -rf "$TMP"' EXIT
# snapshots of the binaries: a rebuild during the run does not mix two versions
cp "$BIN" "$TMP/layerdiff"
BIN_SHOWN=$BIN
BIN=$TMP/layerdiff
BASE=""
if [[ -n ${BASE_BIN:-} ]]; then
  cp "$BASE_BIN" "$TMP/layerdiff-base"
  BASE=$TMP/layerdiff-base
fi
# whatever a binary caches by default goes to scratch, never to ~/.cache
export XDG_CACHE_HOME=$TMP/xdg-cache
log() { echo "run.sh: $(date +%T) $*" >&2; }

# --- inputs -------------------------------------------------------------------------------------
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
log "generating a million empty files"
MILLION=$TMP/million.tar
"$GEN" --many-files 1000000 "$MILLION"

# --- measurements -------------------------------------------------------------------------------
declare -a NAMES=()
declare -A CMD=() INPUTS=()
# add NAME COMMAND [INPUT...]: the inputs are read (untimed) right before each run
add() { NAMES+=("$1"); CMD[$1]=$2; shift 2; INPUTS[${NAMES[-1]}]=$(printf '%q ' "$@"); }
q() { printf '%q' "$1"; }
# both NAME ARGS... [-- INPUT...]: the command for this binary, and for BASE_BIN as base-NAME
both() {
  local name=$1
  shift
  local args=() inputs=()
  while [[ $# -gt 0 && $1 != -- ]]; do args+=("$1"); shift; done
  [[ $# -gt 0 ]] && shift
  inputs=("$@")
  add "$name" "$(printf '%q ' "$BIN" "${args[@]}")" "${inputs[@]}"
  if [[ -n $BASE ]]; then
    local bargs=("${args[@]//$TMP\/cache/$TMP/base-cache}")
    add "base-$name" "$(printf '%q ' "$BASE" "${bargs[@]}")" "${inputs[@]}"
  fi
}

D=$OUT/before-docker.tar Z=$OUT/before-oci-zstd.tar G=$OUT/before-oci-gzip.tar
CACHE=$TMP/cache
add floor-openssl "openssl dgst -sha256 $(q "$D")" "$D"
add floor-cat "cat $(q "$D")" "$D"
add floor-zstd "zstd -dcq $(printf '%q ' "${ZS_BLOBS[@]}")" "${ZS_BLOBS[@]}"
add floor-gzip "gzip -dc $(printf '%q ' "${GZ_BLOBS[@]}")" "${GZ_BLOBS[@]}"
both inspect-docker inspect --no-cache "$D" -- "$D"
both ls-docker-noverify ls --no-cache --no-verify "$D" -- "$D"
both inspect-zstd inspect --no-cache "$Z" -- "$Z"
both inspect-gzip inspect --no-cache "$G" -- "$G"
for enc in oci-gzip docker; do
  b=$OUT/before-$enc.tar a=$OUT/after-$enc.tar
  both "inspect-after-$enc" inspect --no-cache "$a" -- "$a"
  both "diff-$enc" diff --no-cache "$b" "$a" -- "$b" "$a"
done
both million inspect --no-cache "$MILLION" -- "$MILLION"
both warm-inspect inspect --cache-dir "$CACHE" "$G" -- "$G"
both warm-diff diff --cache-dir "$CACHE" "$G" "$OUT/after-oci-gzip.tar" -- "$G" "$OUT/after-oci-gzip.tar"
both warm-million inspect --cache-dir "$CACHE" "$MILLION" -- "$MILLION"

measure() { # measure NAME -> appends "wall_s rss_kib" to $TMP/m.NAME
  local name=$1 t0 t1 rc=0
  # this machine evicts page-cache pages that were not used recently (DAMON reclaim), so "read
  # once beforehand" is redone before every run
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

log "filling the caches (one cold run each of what the warm runs read)"
for b in "$BIN" ${BASE:+"$BASE"}; do
  c=$CACHE
  [[ $b == "$BASE" ]] && c=$TMP/base-cache
  "$b" diff --cache-dir "$c" "$G" "$OUT/after-oci-gzip.tar" >/dev/null
  "$b" inspect --cache-dir "$c" "$MILLION" >/dev/null
done
for ((r = 1; r <= RUNS; r++)); do
  for name in "${NAMES[@]}"; do
    log "round $r/$RUNS: $name"
    measure "$name"
  done
done
declare -A WALL=() RSS=()
for name in "${NAMES[@]}"; do
  WALL[$name]=$(awk '{print $1}' "$TMP/m.$name" | median)
  RSS[$name]=$(awk '{print $2}' "$TMP/m.$name" | median)
done

log "counting merged paths (layerdiff ls)"
PATHS=$("$BIN" ls --no-cache --no-verify "$G" | wc -l)
PATHS_AFTER=$("$BIN" ls --no-cache --no-verify "$OUT/after-oci-gzip.tar" | wc -l)

# --- report -------------------------------------------------------------------------------------
f2() { awk -v x="$1" 'BEGIN { if (x == "nan" || x == "") print "n/a"; else printf "%.2f", x }'; }
f3() { awk -v x="$1" 'BEGIN { if (x == "nan" || x == "") print "n/a"; else printf "%.3f", x }'; }
mib() { awk -v k="$1" 'BEGIN { if (k == "nan" || k == "") print "n/a"; else printf "%.0f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan" || a == "" || b == "" || b == 0) print "n/a"; else printf "%.2f×", a / b }'; }
perpath() { awk -v k="$1" -v n="$2" 'BEGIN { if (k == "nan" || k == "") print "n/a"; else printf "%.0f", (k * 1024 - 32 * 1048576) / n }'; }
met() { awk -v x="$1" -v t="$2" 'BEGIN { if (x == "nan" || x == "") print "n/a"; else print (x + 0 <= t + 0 ? "yes" : "**no**") }'; }
bytes() { stat -c %s "$1"; }
gb() { awk -v b="$1" 'BEGIN { printf "%.2f GB", b / 1e9 }'; }
W() { f2 "${WALL[$1]:-}"; }
M() { mib "${RSS[$1]:-}"; }
Bw() { if [[ -n $BASE ]]; then f2 "${WALL[base-$1]:-}"; else echo "–"; fi; }
Bm() { if [[ -n $BASE ]]; then mib "${RSS[base-$1]:-}"; else echo "–"; fi; }
num() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan" || a == "" || b == "" || b == 0) print "nan"; else print a / b }'; }

layers_tar=$(grep -E '^L[0-6]:' "$OUT/stats.txt" | awk '{ s += $2 } END { print s }')
pp=$(perpath "${RSS[inspect-gzip]}" "$PATHS")
ppc=$(perpath "${RSS[inspect-docker]}" "$PATHS")
mil=$(mib "${RSS[million]}")
also_million="" also_diff=""
if [[ -n $BASE ]]; then
  also_million="; before $(Bw warm-million) s, $(Bm warm-million) MiB"
  also_diff=" (before $(Bm diff-oci-gzip) MiB)"
fi
cat <<EOF
Measured by \`tests/bench/run.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')),
$(free -g | awk '/^Mem:/ { print $2 }') GB RAM, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; inputs read into the page cache
(untimed) right before each run; median of $RUNS interleaved runs; peak RSS from \`/usr/bin/time\`.
layerdiff: \`$BIN_SHOWN\` ($(cd "$REPO" && git log -1 --format='%h %s' 2>/dev/null | cut -c1-60))${BASE:+; before: \`$BASE_BIN\`}.

Image (\`tests/bench/make_images.sh\`): Debian bookworm with $(sed -n 's/^packages: //p' "$OUT/stats.txt" | sed 's/ (.*//' | wc -w) requested packages
(mmdebstrap), $LAYERS layers, $(gb "$layers_tar") as tar, $PATHS merged paths
($(sed -n 's/^rootfs: //p' "$OUT/stats.txt" | cut -d: -f2 | sed 's/^ //')).
Archives: docker $(gb "$(bytes "$D")"), OCI gzip $(gb "$(bytes "$G")"), OCI zstd $(gb "$(bytes "$Z")").
\`after\` shares the bottom 6 layers and replaces the top one by a rebuilt layer plus a layer of
deletions (whiteouts, an opaque dir), changes and additions: $PATHS_AFTER merged paths. The million
files: \`make_malicious --many-files 1000000\` (one layer, 1000 directories of 1000 empty files).

| what | layerdiff | before | baseline run beside it | baseline | ratio | target | met |
|---|---:|---:|---|---:|---:|---:|:---:|
| peak RSS, inspect --no-cache, OCI gzip ($PATHS paths) | $(M inspect-gzip) MiB, $pp B/path | $(Bm inspect-gzip) MiB | – | | | ≤ 32 MiB + 200 B/path | $(met "$pp" 200) |
| peak RSS, inspect --no-cache, docker-save | $(M inspect-docker) MiB, $ppc B/path | $(Bm inspect-docker) MiB | – | | | ≤ 32 MiB + 200 B/path | $(met "$ppc" 200) |
| peak RSS, a million empty files (inspect --no-cache) | $mil MiB | $(Bm million) MiB | – | | | ≤ 250 MiB | $(met "$mil" 250) |
| warm inspect (cache filled), OCI gzip | $(f3 "${WALL[warm-inspect]}") s | $(Bw warm-inspect) s | – | | | ≤ 0.100 s | $(met "${WALL[warm-inspect]}" 0.100) |
| warm diff before→after (cache filled), OCI gzip | $(f3 "${WALL[warm-diff]}") s | $(Bw warm-diff) s | – | | | ≤ 0.250 s | $(met "${WALL[warm-diff]}" 0.250) |
| docker-save inspect (verifying) | $(W inspect-docker) s | $(Bw inspect-docker) s | \`openssl dgst -sha256\` archive | $(W floor-openssl) s | $(ratio "${WALL[inspect-docker]}" "${WALL[floor-openssl]}") | ≤ 0.6× | $(met "$(num "${WALL[inspect-docker]}" "${WALL[floor-openssl]}")" 0.6) |
| docker-save \`ls --no-verify\` | $(W ls-docker-noverify) s | $(Bw ls-docker-noverify) s | \`cat\` archive | $(W floor-cat) s | $(ratio "${WALL[ls-docker-noverify]}" "${WALL[floor-cat]}") | ≤ 1.5× | $(met "$(num "${WALL[ls-docker-noverify]}" "${WALL[floor-cat]}")" 1.5) |
| OCI zstd inspect | $(W inspect-zstd) s | $(Bw inspect-zstd) s | \`zstd -dc\` layer blobs (one thread) | $(W floor-zstd) s | $(ratio "${WALL[inspect-zstd]}" "${WALL[floor-zstd]}") | ≤ 0.8× | $(met "$(num "${WALL[inspect-zstd]}" "${WALL[floor-zstd]}")" 0.8) |
| OCI gzip inspect | $(W inspect-gzip) s | $(Bw inspect-gzip) s | \`gzip -dc\` layer blobs | $(W floor-gzip) s | $(ratio "${WALL[inspect-gzip]}" "${WALL[floor-gzip]}") | ≤ 0.25× | $(met "$(num "${WALL[inspect-gzip]}" "${WALL[floor-gzip]}")" 0.25) |
| diff before→after (sharing 6 layers), cold, OCI gzip | $(W diff-oci-gzip) s | $(Bw diff-oci-gzip) s | inspect of after (the larger) | $(W inspect-after-oci-gzip) s | $(ratio "${WALL[diff-oci-gzip]}" "${WALL[inspect-after-oci-gzip]}") | ≤ 1.1× | $(met "$(num "${WALL[diff-oci-gzip]}" "${WALL[inspect-after-oci-gzip]}")" 1.1) |
| diff before→after (sharing 6 layers), cold, docker-save | $(W diff-docker) s | $(Bw diff-docker) s | inspect of after (the larger) | $(W inspect-after-docker) s | $(ratio "${WALL[diff-docker]}" "${WALL[inspect-after-docker]}") | ≤ 1.1× | $(met "$(num "${WALL[diff-docker]}" "${WALL[inspect-after-docker]}")" 1.1) |

Also measured: warm inspect of the million files $(f3 "${WALL[warm-million]}") s ($(M warm-million) MiB$also_million); the diff's peak RSS
$(M diff-oci-gzip) MiB (OCI gzip) for $PATHS + $PATHS_AFTER paths$also_diff.

<details><summary>every measurement (wall s / peak RSS KiB of each run)</summary>

| name | runs | command |
|---|---|---|
EOF
for name in "${NAMES[@]}"; do
  cmd=${CMD[$name]}
  [[ -n $BASE ]] && cmd=${cmd//$BASE/layerdiff-before}
  cmd=${cmd//$BIN/layerdiff}
  cmd=${cmd//$TMP\//}
  cmd=${cmd//$OUT\//}
  [[ ${#cmd} -gt 110 ]] && cmd="${cmd:0:107}..."
  echo "| $name | $(awk '{ printf "%s%s / %s", (NR > 1 ? ", " : ""), $1, $2 }' "$TMP/m.$name") | \`${cmd//|/\\|}\` |"
done
echo
echo "</details>"
