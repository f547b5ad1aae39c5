#!/usr/bin/env bash
# unpack_view.sh IMAGE_OCI_DIR TAG OUT_LISTING
#
# The "runtime's view" of an image: unpack IMAGE_OCI_DIR:TAG with
# `umoci unpack` (as root) into a temporary bundle, list bundle/rootfs with
# fs_list (binary path in $FS_LIST, default: fs_list on PATH) and write the
# listing to OUT_LISTING. The temporary bundle is always removed.
#
# Observed with umoci 0.4.7: `umoci unpack` leaves IMAGE_OCI_DIR untouched
# (names, sizes, mtimes and modes identical before and after).
set -euo pipefail
if [[ $# -ne 3 ]]; then
  echo "usage: $0 IMAGE_OCI_DIR TAG OUT_LISTING" >&2
  exit 2
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "unpack_view.sh: must run as root (umoci unpack without --rootless)" >&2
  exit 1
fi
export LC_ALL=C
# umoci creates implicit parent directories with 0777 &^ umask: pin it.
umask 022
img=$1 tag=$2 out=$3
fs_list=${FS_LIST:-fs_list}
command -v "$fs_list" >/dev/null || { echo "unpack_view.sh: FS_LIST binary '$fs_list' not found" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/layerdiff-unpack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
umoci unpack --image "$img:$tag" "$tmp/bundle" >"$tmp/umoci.log" 2>&1 || {
  cat "$tmp/umoci.log" >&2
  exit 1
}
"$fs_list" "$tmp/bundle/rootfs" >"$tmp/listing"
mv "$tmp/listing" "$out"
