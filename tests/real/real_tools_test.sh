#!/usr/bin/env bash
# real_tools_test.sh LAYERDIFF_BIN FS_LIST_BIN
#
# Real tools at test time: build the test images from scratch with GNU tar, umoci and skopeo
# (tests/real/make_images.sh) in a fresh temp dir, let umoci unpack them as a runtime does
# (tests/real/unpack_view.sh, listing made by FS_LIST_BIN), and check that `layerdiff ls` of
# every generated encoding equals what the runtime materialised:
#   edge  : docker.tar, docker.tar.gz, docker25.tar, oci-gzip.tar, oci-zstd.tar,
#           oci-gzip.tar.zst, oci-uncompressed/, oci/ --image edge, multiarch.tar (default and
#           linux/amd64), docker-multi.tar --image example/edge:1, stdin
#   after : oci-after.tar, oci/ --image after
#   dup   : oci/ --image dup, docker-symlink.tar, docker-multi.tar --image example/dup:1
#   arm64 : multiarch.tar --platform linux/arm64/v8
# plus skopeo round trips: docker-archive:docker.tar / docker25.tar / docker-symlink.tar ->
# oci: -> umoci unpack, compared with `layerdiff ls` of the same archive.
# Prints one line per check and "N passed, M failed"; exits 1 if any failed, 77 (CTest
# skip) when not root or when umoci/skopeo (or the other tools make_images.sh needs) are
# missing.
set -u

if [[ $# -ne 2 ]]; then
  echo "usage: $0 LAYERDIFF_BIN FS_LIST_BIN" >&2
  exit 2
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "SKIP: must run as root (umoci unpack, mknod, chown)"
  exit 77
fi
for tool in umoci skopeo tar gzip zstd sha256sum basenc; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool not found"
    exit 77
  fi
done
export LC_ALL=C

abspath() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
BIN=$(abspath "$1")
FS_LIST=$(abspath "$2")
HERE=$(cd "$(dirname "$0")" && pwd)

TMP=$(mktemp -d "${TMPDIR:-/tmp}/layerdiff-real.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
IMG=$TMP/img   # make_images.sh output: the same names as the committed fixtures
VIEW=$TMP/view # the runtime's listings
mkdir -p "$VIEW"

# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
finish() {
  echo "$passed passed, $failed failed"
  [[ $failed -eq 0 ]]
  exit
}

# 1. build every image from scratch
start=$SECONDS
if "$HERE/make_images.sh" "$IMG" >"$TMP/make.log" 2>&1; then
  pass "make_images.sh built the images ($((SECONDS - start)) s; $(grep -o 'devices=.*' "$TMP/make.log"))"
else
  fail "make_images.sh built the images" "log:"
  tail -n 20 "$TMP/make.log" | sed 's/^/      | /'
  finish
fi

# 2. the runtime's view: umoci unpack of each tag of the OCI layout
unpack() { # unpack OCI_DIR TAG OUT_LISTING NAME
  if FS_LIST=$FS_LIST "$HERE/unpack_view.sh" "$1" "$2" "$3" >"$TMP/unpack.log" 2>&1; then
    pass "umoci unpack $4 ($(wc -l <"$3") paths)"
    return 0
  fi
  fail "umoci unpack $4" "log:"
  tail -n 10 "$TMP/unpack.log" | sed 's/^/      | /'
  return 1
}
for tag in edge after dup arm64; do
  unpack "$IMG/oci" "$tag" "$VIEW/$tag.ls" "oci:$tag" || finish
done

# 3. layerdiff ls of every encoding = the runtime's listing
# check_ls NAME WANT_LISTING ARGS...: `layerdiff ls ARGS` exits 0, no stderr, equals WANT.
check_ls() {
  local name=$1 want=$2 rc
  shift 2
  "$BIN" ls "$@" >"$TMP/out" 2>"$TMP/err"
  rc=$?
  if [[ $rc -ne 0 ]]; then
    fail "$name" "exit $rc: $(head -n 1 "$TMP/err")"
  elif [[ -s $TMP/err ]]; then
    fail "$name" "unexpected stderr: $(head -n 1 "$TMP/err")"
  elif ! cmp -s "$TMP/out" "$want"; then
    fail "$name" "differs from the runtime's listing (< runtime, > layerdiff):"
    diff "$want" "$TMP/out" | head -n 10 | sed 's/^/      | /'
  else
    pass "$name"
  fi
}
E=$VIEW/edge.ls
for enc in docker.tar docker.tar.gz docker25.tar oci-gzip.tar oci-zstd.tar oci-gzip.tar.zst \
  oci-uncompressed multiarch.tar; do
  check_ls "ls $enc = runtime edge" "$E" "$IMG/$enc"
done
check_ls "ls --image edge oci/ = runtime edge" "$E" --image edge "$IMG/oci"
check_ls "ls --platform linux/amd64 multiarch.tar = runtime edge" "$E" --platform linux/amd64 "$IMG/multiarch.tar"
check_ls "ls --image example/edge:1 docker-multi.tar = runtime edge" "$E" --image example/edge:1 "$IMG/docker-multi.tar"
check_ls "ls - < docker.tar.gz = runtime edge" "$E" - <"$IMG/docker.tar.gz"
check_ls "ls oci-after.tar = runtime after" "$VIEW/after.ls" "$IMG/oci-after.tar"
check_ls "ls --image after oci/ = runtime after" "$VIEW/after.ls" --image after "$IMG/oci"
check_ls "ls --image dup oci/ = runtime dup" "$VIEW/dup.ls" --image dup "$IMG/oci"
check_ls "ls docker-symlink.tar = runtime dup" "$VIEW/dup.ls" "$IMG/docker-symlink.tar"
check_ls "ls --image example/dup:1 docker-multi.tar = runtime dup" "$VIEW/dup.ls" --image example/dup:1 "$IMG/docker-multi.tar"
check_ls "ls --platform linux/arm64/v8 multiarch.tar = runtime arm64" "$VIEW/arm64.ls" --platform linux/arm64/v8 "$IMG/multiarch.tar"

# 4. skopeo round trips: what skopeo reads from each docker archive, unpacked by umoci
roundtrip() { # roundtrip SRC_REF NAME LAYERDIFF_ARGS...
  local src=$1 name=$2 rt=$TMP/rt
  shift 2
  rm -rf "$rt"
  if ! skopeo --insecure-policy copy -q "$src" "oci:$rt:x" >"$TMP/skopeo.log" 2>&1; then
    fail "skopeo copy $name" "$(head -n 3 "$TMP/skopeo.log")"
    return
  fi
  unpack "$rt" x "$VIEW/rt.ls" "skopeo copy of $name" || return
  check_ls "ls $name = umoci unpack of skopeo's copy" "$VIEW/rt.ls" "$@"
}
roundtrip "docker-archive:$IMG/docker.tar" docker.tar "$IMG/docker.tar"
roundtrip "docker-archive:$IMG/docker25.tar" "docker25.tar (docker-archive:)" "$IMG/docker25.tar"
roundtrip "oci-archive:$IMG/docker25.tar:25" "docker25.tar (oci-archive:)" "$IMG/docker25.tar"
roundtrip "docker-archive:$IMG/docker-symlink.tar" docker-symlink.tar "$IMG/docker-symlink.tar"
roundtrip "docker-archive:$IMG/docker-multi.tar:example/dup:1" "docker-multi.tar example/dup:1" \
  --image example/dup:1 "$IMG/docker-multi.tar"

# Information only (tool versions may differ from the committed fixtures' ones).
fix=$HERE/../../fixtures/expected
for tag in edge after dup arm64; do
  if [[ -f $fix/$tag.ls ]] && ! cmp -s "$VIEW/$tag.ls" "$fix/$tag.ls"; then
    echo "INFO: runtime view of $tag differs from fixtures/expected/$tag.ls (other tool versions?)"
  fi
done
echo "INFO: took $((SECONDS - start)) s"
finish
