#!/usr/bin/env bash
# reader_version_test.sh CMAKE SCRIPT ROOT HEADER SALT FILE...: the layer cache's reader version
# (cmake/reader_version.cmake, SCRIPT) is derived from the reader's sources, automatically:
#   * the same files give the same version, whatever their order;
#   * one byte changed in one file, a file renamed, or another compiler (SALT) gives another;
#   * the build's generated HEADER holds the version of the sources as they are now (the build
#     regenerated it after the last change to any of FILE...).
# MACRO (environment, default LAYERDIFF_READER_VERSION) is the version HEADER defines: the same
# script makes the merged-image cache's LAYERDIFF_MERGE_VERSION from a larger set of files.
set -u
if [[ $# -lt 6 ]]; then
  echo "usage: $0 CMAKE SCRIPT ROOT HEADER SALT FILE..." >&2
  exit 2
fi
cmake=$1 script=$2 root=$3 header=$4 salt=$5
shift 5
macro=${MACRO:-LAYERDIFF_READER_VERSION}
BIN=/bin/false OUT=/dev/null ERR=/dev/null
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/layerdiff-rv.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# version ROOT SALT FILE...: the version the script computes.
version() {
  local r=$1 s=$2
  shift 2
  "$cmake" -DOUT="$tmp/v.h" -DROOT="$r" -DSALT="$s" -DMACRO="$macro" -P "$script" "$@" >/dev/null 2>"$tmp/err" &&
    sed -n "s/^#define $macro \"\([0-9a-f]*\)\"\$/\1/p" "$tmp/v.h"
}
expect() {  # expect NAME CONDITION_TEXT A B (A == B or A != B)
  local name=$1 op=$2 a=$3 b=$4
  if [[ ${#a} -ne 16 || ${#b} -ne 16 ]]; then fail "$name" "not 16 hex digits: '$a' '$b'"; excerpt "$tmp/err"
  elif [[ $op == same && $a == "$b" ]] || [[ $op == differ && $a != "$b" ]]; then pass "$name ($a, $b)"
  else fail "$name" "want $op: $a vs $b"; fi
}

mkdir -p "$tmp/src/formats"
printf 'int a = 1;\n' >"$tmp/src/formats/a.cc"
printf 'int b = 2;\n' >"$tmp/src/formats/b.cc"
v1=$(version "$tmp/src" gcc "$tmp/src/formats/a.cc" "$tmp/src/formats/b.cc")
v2=$(version "$tmp/src" gcc "$tmp/src/formats/b.cc" "$tmp/src/formats/a.cc")
expect "same sources, any order: same version" same "$v1" "$v2"
printf 'int b = 3;\n' >"$tmp/src/formats/b.cc"
v3=$(version "$tmp/src" gcc "$tmp/src/formats/a.cc" "$tmp/src/formats/b.cc")
expect "one byte changed: another version" differ "$v1" "$v3"
mv "$tmp/src/formats/b.cc" "$tmp/src/formats/c.cc"
v4=$(version "$tmp/src" gcc "$tmp/src/formats/a.cc" "$tmp/src/formats/c.cc")
expect "a file renamed: another version" differ "$v3" "$v4"
v5=$(version "$tmp/src" clang "$tmp/src/formats/a.cc" "$tmp/src/formats/c.cc")
expect "another compiler: another version" differ "$v4" "$v5"

# The build's header is up to date with the sources it was built from.
built=$(sed -n "s/^#define $macro \"\([0-9a-f]*\)\"\$/\1/p" "$header")
now=$(version "$root" "$salt" "$@")
expect "the build's $macro is that of the current sources ($# files)" same "$built" "$now"
summary
