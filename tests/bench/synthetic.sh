#!/usr/bin/env bash
# synthetic.sh OUTDIR [LAYERDIFF_BIN] — a synthetic image at scale, and
# layerdiff's wall time and peak RSS on it.
#
# The image (OUTDIR/synthetic-oci-zstd.tar, an OCI archive with zstd layers)
# has SYN_LAYERS layers (default 5) of SYN_FILES files each (default 210000, in
# directories of 1000) with 0–8 KiB of repetitive content, plus one
# SYN_BIG_MIB file per layer (default 1280): ≥ 1M paths and ≥ 10 GB of content.
# Later layers overwrite 10000 of layer 0's files and the last one whites out
# a directory of it. Half of the small files share content with 499 others
# (duplicate groups), the other half are unique.
#
# The layer tars are never on disk: a small C program (compiled here with gcc)
# writes each ustar stream to stdout, piped through `tee` into a sha256 (the
# diff_id, openssl's when present) and zstd at its default level (no --long: layerdiff accepts zstd
# windows up to 2^27). Each blob is ~6 MB. Cached: skipped when the archive
# exists.
#
# layerdiff limits raised for this image, and why:
#   --max-ratio 1000000   the data is repetitive: ~400 uncompressed bytes per
#                         blob byte here (11 GiB in 28 MiB), past the default limit of 250
#   --max-entries 8000000 1.05M entries per image here (default 4M: raised only
#                         to leave room when SYN_FILES is turned up)
# Runs inspect RUNS times (default 1; each reads ~11 GB), then `ls` once to
# count the merged paths. Prints a Markdown table.
set -euo pipefail
export LC_ALL=C

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 OUTDIR [LAYERDIFF_BIN]" >&2
  exit 2
fi
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
BIN=${2:-$REPO/build/layerdiff}
RUNS=${RUNS:-1}
LAYERS=${SYN_LAYERS:-5}
FILES=${SYN_FILES:-210000}
BIG_MIB=${SYN_BIG_MIB:-1280}
IMG=$OUT/synthetic-oci-zstd.tar
LIMITS=(--max-ratio 1000000 --max-entries 8000000)
[[ -x $BIN ]] || { echo "synthetic.sh: no layerdiff binary at $BIN" >&2; exit 1; }
log() { echo "synthetic: $(date +%T) $*" >&2; }

TMP=$(mktemp -d "$OUT/.synthetic.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cp "$BIN" "$TMP/layerdiff"
BIN_SHOWN=$BIN
BIN=$TMP/layerdiff
export XDG_CACHE_HOME=$TMP/xdg-cache
NOCACHE=()
if "$BIN" inspect --help 2>&1 | grep -q -- '--no-cache'; then NOCACHE=(--no-cache); fi

if [[ ! -s $IMG || ! -f $IMG.params || $(cat "$IMG.params") != "$LAYERS $FILES $BIG_MIB" ]]; then
  START=$SECONDS
  cat >"$TMP/gentar.c" <<'EOF'
/* gentar LAYER NLAYERS FILES BIG_MIB: one synthetic layer as a ustar stream on stdout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char buf[1 << 20];

static void header(const char *name, char type, unsigned long long size, unsigned mode) {
  char h[512];
  memset(h, 0, sizeof h);
  if (strlen(name) >= 100) { fprintf(stderr, "name too long: %s\n", name); exit(1); }
  strcpy(h, name);
  snprintf(h + 100, 8, "%07o", mode);
  snprintf(h + 108, 8, "%07o", 0);
  snprintf(h + 116, 8, "%07o", 0);
  snprintf(h + 124, 12, "%011llo", size);
  snprintf(h + 136, 12, "%011o", 1700000000u);
  h[156] = type;
  memcpy(h + 257, "ustar", 6);
  memcpy(h + 263, "00", 2);
  memset(h + 148, ' ', 8);
  unsigned sum = 0;
  for (int i = 0; i < 512; i++) sum += (unsigned char)h[i];
  snprintf(h + 148, 8, "%06o", sum);
  h[155] = ' ';
  fwrite(h, 1, 512, stdout);
}

/* content: a first line naming the file (or its duplicate group), then a repeated pattern */
static void file(const char *name, unsigned long long size, const char *tag) {
  header(name, '0', size, 0644);
  size_t n = strlen(tag);
  unsigned long long left = size;
  int first = 1;
  while (left > 0) {
    size_t chunk = left < sizeof buf ? (size_t)left : sizeof buf;
    if (first) {
      memcpy(buf, tag, n < chunk ? n : chunk);
      fwrite(buf, 1, chunk, stdout);
      memset(buf, 'x', n);
      first = 0;
    } else {
      fwrite(buf, 1, chunk, stdout);
    }
    left -= chunk;
  }
  if (size % 512) {
    static const char zero[512];
    fwrite(zero, 1, 512 - size % 512, stdout);
  }
}

int main(int argc, char **argv) {
  if (argc != 5) return 2;
  int layer = atoi(argv[1]), nlayers = atoi(argv[2]);
  long files = atol(argv[3]);
  unsigned long long big = strtoull(argv[4], 0, 10) << 20;
  static char obuf[1 << 22];
  setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
  memset(buf, 'x', sizeof buf);
  for (size_t i = 0; i < sizeof buf; i += 64) buf[i] = '\n';
  char name[128], tag[64];
  header("./", '5', 0, 0755);
  snprintf(name, sizeof name, "./l%d/", layer);
  header(name, '5', 0, 0755);
  for (long i = 0; i < files; i++) {
    if (i % 1000 == 0) {
      snprintf(name, sizeof name, "./l%d/d%04ld/", layer, i / 1000);
      header(name, '5', 0, 0755);
    }
    snprintf(name, sizeof name, "./l%d/d%04ld/f%07ld", layer, i / 1000, i);
    unsigned long long size = (unsigned long long)(i * 2654435761u % 8193);
    if (i % 2) snprintf(tag, sizeof tag, "dup %ld\n", i % 1000);
    else snprintf(tag, sizeof tag, "layer %d file %ld\n", layer, i);
    if (i % 2) size = (i % 1000) * 8;
    file(name, size, tag);
  }
  snprintf(name, sizeof name, "./l%d/big.bin", layer);
  snprintf(tag, sizeof tag, "big file of layer %d\n", layer);
  file(name, big, tag);
  if (layer > 0) { /* overwrite 10000 files of layer 0 */
    header("./l0/", '5', 0, 0755);
    for (long i = 0; i < 10000 && i < files; i++) {
      if (i % 1000 == 0) {
        snprintf(name, sizeof name, "./l0/d%04ld/", i / 1000);
        header(name, '5', 0, 0755);
      }
      snprintf(name, sizeof name, "./l0/d%04ld/f%07ld", i / 1000, i);
      snprintf(tag, sizeof tag, "layer %d rewrites %ld\n", layer, i);
      file(name, 100 + layer, tag);
    }
  }
  if (layer == nlayers - 1 && nlayers > 1 && files > 10000) /* delete a directory of layer 0 */
    header("./l0/.wh.d0010", '0', 0, 0644);
  static const char end[1024];
  fwrite(end, 1, sizeof end, stdout);
  return fflush(stdout) != 0;
}
EOF
  gcc -O2 -o "$TMP/gentar" "$TMP/gentar.c"
  # openssl uses the CPU's SHA extensions; coreutils' sha256sum is ~6x slower here
  SHA256=sha256sum
  if command -v openssl >/dev/null; then SHA256="openssl dgst -sha256 -r"; fi
  L=$TMP/layout
  mkdir -p "$L/blobs/sha256"
  diffids=() layers=() history=()
  for ((k = 0; k < LAYERS; k++)); do
    log "layer $k/$LAYERS: generating, hashing, compressing"
    "$TMP/gentar" "$k" "$LAYERS" "$FILES" "$BIG_MIB" |
      tee >($SHA256 | cut -d' ' -f1 >"$TMP/diffid") |
      zstd -q -T1 -c >"$TMP/blob"
    sleep 0.2 # the process substitution finishes after the pipeline
    while [[ ! -s $TMP/diffid ]]; do sleep 0.2; done
    d=$(sha256sum "$TMP/blob" | cut -d' ' -f1)
    mv "$TMP/blob" "$L/blobs/sha256/$d"
    diffids+=("\"sha256:$(cat "$TMP/diffid")\"")
    layers+=("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+zstd\",\"digest\":\"sha256:$d\",\"size\":$(stat -c %s "$L/blobs/sha256/$d")}")
    history+=("{\"created\":\"2023-11-14T22:13:20Z\",\"created_by\":\"synthetic layer $k: $FILES files + a ${BIG_MIB} MiB file\"}")
    rm -f "$TMP/diffid"
  done
  blob() { # blob FILE -> "sha256:HEX SIZE", moved into the layout
    local d
    d=$(sha256sum "$1" | cut -d' ' -f1)
    echo "sha256:$d $(stat -c %s "$1")"
    mv "$1" "$L/blobs/sha256/$d"
  }
  join() { local IFS=,; echo "$*"; }
  printf '{"architecture":"amd64","os":"linux","created":"2023-11-14T22:13:20Z","config":{},"rootfs":{"type":"layers","diff_ids":[%s]},"history":[%s]}' \
    "$(join "${diffids[@]}")" "$(join "${history[@]}")" >"$TMP/config"
  read -r cd cs <<<"$(blob "$TMP/config")"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[%s]}' \
    "$cd" "$cs" "$(join "${layers[@]}")" >"$TMP/manifest"
  read -r md ms <<<"$(blob "$TMP/manifest")"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"synthetic"}}]}' \
    "$md" "$ms" >"$L/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' >"$L/oci-layout"
  tar --format=ustar --owner=0 --group=0 --mtime=@1700000000 -C "$L" -cf "$IMG.part" oci-layout index.json blobs
  mv "$IMG.part" "$IMG"
  echo "$LAYERS $FILES $BIG_MIB" >"$IMG.params"
  log "built $IMG ($(stat -c %s "$IMG") bytes) in $((SECONDS - START)) s"
fi

measure() { # measure LABEL ARGS... -> "wall_s rss_kib"
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -o "$TMP/time" -f '%e %M' "$@" >"$TMP/stdout" 2>"$TMP/err" || {
    echo "synthetic: failed: $*" >&2
    cat "$TMP/err" >&2
    return 1
  }
  t1=$(date +%s%N)
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }') $(awk '{print $2}' "$TMP/time")"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

cat "$IMG" >/dev/null # page cache
: >"$TMP/runs"
for ((r = 1; r <= RUNS; r++)); do
  log "inspect run $r/$RUNS"
  measure "$BIN" inspect "${NOCACHE[@]}" "${LIMITS[@]}" "$IMG" >>"$TMP/runs"
done
cp "$TMP/stdout" "$OUT/synthetic-inspect.txt"
log "inspect --no-verify"
nv=$(measure "$BIN" inspect "${NOCACHE[@]}" --no-verify "${LIMITS[@]}" "$IMG")
log "ls (counting merged paths)"
lsm=$(measure "$BIN" ls "${NOCACHE[@]}" --no-verify "${LIMITS[@]}" "$IMG")
PATHS=$(wc -l <"$TMP/stdout")
WALL=$(awk '{print $1}' "$TMP/runs" | median)
RSS=$(awk '{print $2}' "$TMP/runs" | median)
content=$(sed -n 's/^Content *//p' "$OUT/synthetic-inspect.txt" | head -n1)
tarsize=$(sed -n 's/^Layers *//p' "$OUT/synthetic-inspect.txt" | head -n1)
row() { # row LABEL WALL RSS_KIB
  awk -v l="$1" -v w="$2" -v k="$3" -v n="$PATHS" 'BEGIN {
    printf "| %s | %.2f | %.0f | %.0f | ≤ 200 |\n", l, w, k / 1024, (k * 1024 - 32 * 1048576) / n }'
}
cat <<EOF
### Scale check: synthetic image

\`tests/bench/synthetic.sh\`: $LAYERS zstd layers, $PATHS merged paths, archive $(awk -v b="$(stat -c %s "$IMG")" 'BEGIN { printf "%.1f MB", b / 1e6 }');
inspect says: Content $content; Layers $tarsize.
Flags raised: \`${LIMITS[*]}\` (repetitive data: ~400 uncompressed bytes per stored byte). layerdiff: \`$BIN_SHOWN\`.

| command | wall s | peak RSS MiB | (RSS − 32 MiB) / path, bytes | target |
|---|---:|---:|---:|---:|
EOF
row "inspect (median of $RUNS)" "$WALL" "$RSS"
row "inspect --no-verify" $nv
row "ls --no-verify" $lsm
