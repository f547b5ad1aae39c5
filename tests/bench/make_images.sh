#!/usr/bin/env bash
# make_images.sh OUTDIR — build the large benchmark images with real tools.
#
# A Debian bookworm root filesystem with many packages (mmdebstrap, ~2 GB,
# ~200k paths) is cut into 7 layers the way a Dockerfile with one apt-get RUN
# per package group lays it out (split_layers.py), assembled with umoci and
# written by skopeo in three encodings:
#
#   OUTDIR/before-docker.tar     docker save layout (skopeo docker-archive:)
#   OUTDIR/before-oci-gzip.tar   OCI archive, gzip layers
#   OUTDIR/before-oci-zstd.tar   OCI archive, zstd layers (--dest-compress-format zstd)
#   OUTDIR/after-*.tar           shares before's bottom 6 layers; a rebuilt top layer
#                                (changed, removed, added files) and a layer of
#                                whiteouts, an opaque dir, changed files, additions
#   OUTDIR/before-top-*.tar      only the layers of before that after does not share
#   OUTDIR/after-top-*.tar       only the layers of after that before does not share
#                                (the diff's "non-shared" floor: inspect both)
#   OUTDIR/stats.txt             sizes and counts
#
# Cached: when OUTDIR/.complete exists with every output, nothing is rebuilt;
# a partial run resumes from its last finished step (OUTDIR/.build). The
# intermediate files are removed at the end (KEEP_BUILD=1 keeps them).
#
# Needs root, network to a Debian mirror (MIRROR, default deb.debian.org),
# mmdebstrap, python3, umoci, skopeo, GNU tar. One CPU-heavy process at a time.
# Takes ~5–10 minutes and ~10 GB of temporary space; the outputs are ~6 GB.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
export LC_ALL=C TZ=UTC SOURCE_DATE_EPOCH=1700000000
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
BUILD=$OUT/.build
MIRROR=${MIRROR:-http://deb.debian.org/debian}
CREATED=2023-11-14T22:13:20Z
IMAGES=(before after before-top after-top)
ENCODINGS=(docker oci-gzip oci-zstd)
PACKAGES=(
  build-essential llvm-14-dev libboost-dev linux-headers-amd64
  python3-full python3-scipy python3-sympy
  openjdk-17-jdk-headless npm
  golang-go rustc cargo rust-src
  git perl
  emacs-nox papirus-icon-theme
)

log() { echo "make_images: $(date +%T) $*" >&2; }

outputs() {
  local img enc
  for img in "${IMAGES[@]}"; do
    for enc in "${ENCODINGS[@]}"; do echo "$OUT/$img-$enc.tar"; done
  done
  echo "$OUT/stats.txt"
}

complete=1
[[ -f $OUT/.complete ]] || complete=0
while read -r f; do [[ -s $f ]] || complete=0; done < <(outputs)
if ((complete)); then
  log "cached: $OUT has every output (remove $OUT/.complete to rebuild)"
  exit 0
fi
rm -f "$OUT/.complete"

if [[ $(id -u) -ne 0 ]]; then
  echo "make_images.sh: must run as root (mmdebstrap --mode=root)" >&2
  exit 1
fi
for tool in mmdebstrap python3 umoci skopeo tar; do
  command -v "$tool" >/dev/null || { echo "make_images.sh: needs $tool" >&2; exit 1; }
done
# apt's helpers run as _apt and write to /dev/null; a /dev/null without write
# permission for others makes mmdebstrap fail with a misleading gpgv error.
if [[ $(stat -c %a /dev/null) != 666 ]]; then
  echo "make_images.sh: /dev/null is mode $(stat -c %a /dev/null), apt needs 666 (chmod 666 /dev/null)" >&2
  exit 1
fi
mkdir -p "$BUILD"
START=$SECONDS

# 1. the root filesystem
if [[ ! -s $BUILD/rootfs.tar ]]; then
  log "mmdebstrap: ${#PACKAGES[@]} packages and their dependencies"
  rm -f "$BUILD/rootfs.part.tar"
  # force-unsafe-io: no fsync per unpacked file (dpkg's default made it 12 min here)
  mmdebstrap --quiet --variant=apt --dpkgopt=force-unsafe-io --include="$(IFS=,; echo "${PACKAGES[*]}")" \
    bookworm "$BUILD/rootfs.part.tar" "$MIRROR"
  mv "$BUILD/rootfs.part.tar" "$BUILD/rootfs.tar"
fi

# 2. layers
if [[ ! -f $BUILD/layers/.done ]]; then
  log "split_layers.py: cutting the rootfs into layers"
  rm -rf "$BUILD/layers"
  mkdir -p "$BUILD/layers"
  python3 "$HERE/split_layers.py" "$BUILD/rootfs.tar" "$BUILD/layers"
  touch "$BUILD/layers/.done"
fi

# 3. an OCI layout with the four images (umoci gzips each layer)
created_by() { awk -F'\t' -v n="$1" '$1 == n { print $2 }' "$BUILD/layers/layers.txt"; }
add_layer() { # add_layer IMAGE[:TAG] LAYERNAME [--tag NEW]
  local image=$1 name=$2
  shift 2
  log "umoci raw add-layer $name -> ${*:-$image}"
  umoci raw add-layer --image "$BUILD/oci:$image" "$@" \
    --history.created "$CREATED" --history.created_by "$(created_by "$name")" \
    "$BUILD/layers/$name.tar"
}
if [[ ! -f $BUILD/oci.done ]]; then
  rm -rf "$BUILD/oci"
  umoci init --layout "$BUILD/oci"
  umoci new --image "$BUILD/oci:base"
  for i in 0 1 2 3 4 5; do add_layer base "L$i"; done
  add_layer base L6 --tag before
  add_layer base A6 --tag after
  add_layer after A7
  umoci new --image "$BUILD/oci:before-top"
  add_layer before-top L6
  umoci new --image "$BUILD/oci:after-top"
  add_layer after-top A6
  add_layer after-top A7
  touch "$BUILD/oci.done"
fi

# 4. the encodings
for img in "${IMAGES[@]}"; do
  for enc in "${ENCODINGS[@]}"; do
    dest=$OUT/$img-$enc.tar
    [[ -s $dest ]] && continue
    log "skopeo copy $img -> $enc"
    rm -f "$dest.part"
    case $enc in
      docker) skopeo --insecure-policy copy -q "oci:$BUILD/oci:$img" "docker-archive:$dest.part:bench/$img:1" ;;
      oci-gzip) skopeo --insecure-policy copy -q "oci:$BUILD/oci:$img" "oci-archive:$dest.part:$img" ;;
      oci-zstd) skopeo --insecure-policy copy -q --dest-compress-format zstd \
        "oci:$BUILD/oci:$img" "oci-archive:$dest.part:$img" ;;
    esac
    mv "$dest.part" "$dest"
  done
done

# 5. stats
log "stats"
{
  echo "# made by tests/bench/make_images.sh"
  echo "packages: ${PACKAGES[*]} (mmdebstrap --variant=apt bookworm)"
  tar -tvf "$BUILD/rootfs.tar" | awk '
    { t = substr($1, 1, 1); n++; c[t]++; if (t == "-") b += $3 }
    END { printf "rootfs: %d entries: %d regular files (%.2f GB = %.0f bytes), %d hardlinks, %d dirs, %d symlinks, %d other\n",
                 n, c["-"], b / 1e9, b, c["h"], c["d"], c["l"], n - c["-"] - c["h"] - c["d"] - c["l"] }'
  for name in L0 L1 L2 L3 L4 L5 L6 A6 A7; do
    tar=$BUILD/layers/$name.tar
    printf '%s: %d bytes as tar, %d entries  %s\n' "$name" "$(stat -c %s "$tar")" \
      "$(tar -tf "$tar" | wc -l)" "$(created_by "$name")"
  done
  echo "before = L0..L6 (7 layers); after = L0..L5 + A6 + A7 (8 layers); before-top = L6; after-top = A6 + A7"
  for img in "${IMAGES[@]}"; do
    for enc in "${ENCODINGS[@]}"; do
      printf '%-22s %12d bytes\n' "$img-$enc.tar" "$(stat -c %s "$OUT/$img-$enc.tar")"
    done
  done
  echo "build time: $((SECONDS - START)) s (this run; cached steps not counted)"
} >"$OUT/stats.txt"
cat "$OUT/stats.txt" >&2

if [[ ${KEEP_BUILD:-0} != 1 ]]; then
  rm -rf "$BUILD"
fi
touch "$OUT/.complete"
log "done in $((SECONDS - START)) s"
