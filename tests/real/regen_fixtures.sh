#!/usr/bin/env bash
# regen_fixtures.sh [FIXTURES_DIR] — rebuild the committed fixtures:
#   1. compile fs_list.cc (g++, one process) into a temp dir,
#   2. tests/real/make_images.sh FIXTURES_DIR (default: <repo>/fixtures),
#   3. FIXTURES_DIR/expected/<tag>.ls = umoci's runtime view (unpack_view.sh)
#      for the tags edge, after, dup, arm64 of FIXTURES_DIR/oci.
# Must run as root. Outputs are byte-identical across runs with the same tools.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fix=${1:-$here/../../fixtures}
mkdir -p "$fix/expected"
fix=$(cd "$fix" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/layerdiff-regen.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"${CXX:-g++}" -std=c++17 -O2 -Wall -Wextra -o "$tmp/fs_list" "$here/fs_list.cc"
"$here/make_images.sh" "$fix"
for tag in edge after dup arm64; do
  FS_LIST=$tmp/fs_list "$here/unpack_view.sh" "$fix/oci" "$tag" "$fix/expected/$tag.ls"
done
echo "regen_fixtures: done: $fix" >&2
