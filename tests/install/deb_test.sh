#!/usr/bin/env bash
# deb_test.sh BUILD_DIR FIXTURES_DIR
#
# The Debian package as a user gets it: `cpack -G DEB` from the build, then
#   * dpkg-deb: its files (/usr/bin/layerdiff, the man page, the completions) and its control
#     fields; Depends holds the package of every library the binary links (its ELF NEEDED
#     entries, resolved with dpkg -S), as dpkg-shlibdeps computed them;
#   * `dpkg --dry-run -i` on this machine accepts it;
#   * a clean Debian 12 made by mmdebstrap (variant apt: essential packages and apt, nothing of
#     ours), where apt installs the package with its dependencies from the archive: there
#     `layerdiff --version` runs, `layerdiff inspect` reads a fixture (and writes its HTML page),
#     `man layerdiff` shows the page, and the bash completion answers.
# Needs root (mmdebstrap's chroot) and Debian's archive (the machine's apt sources reach it).
# Prints one line per check, then "N passed, M failed"; exits 1 if any check failed.
set -u
if [[ $# -ne 2 ]]; then
  echo "usage: $0 BUILD_DIR FIXTURES_DIR" >&2
  exit 2
fi
export LC_ALL=C.UTF-8
BUILD=$(cd "$1" && pwd)
FIX=$(cd "$2" && pwd)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/layerdiff-deb.XXXXXX")
cleanup() {
  # mmdebstrap (root mode) unmounts what it mounted; a chroot we entered mounted nothing.
  rm -rf "$TMP"
}
trap cleanup EXIT
OUT=$TMP/out ERR=$TMP/err
# shellcheck source=tests/lib.sh
source "$HERE/../lib.sh"

need "the package" cpack dpkg-deb dpkg-shlibdeps objdump || { summary; exit $?; }

if cpack -G DEB -B "$TMP/pkg" --config "$BUILD/CPackConfig.cmake" >"$TMP/cpack.log" 2>&1; then
  pass "cpack -G DEB"
else
  fail "cpack -G DEB" "$(tail -n 5 "$TMP/cpack.log")"
  summary
  exit 1
fi
deb=$(ls "$TMP"/pkg/layerdiff_*.deb 2>/dev/null | head -n 1)
[[ -n $deb ]] && pass "a .deb: $(basename "$deb")" || { fail "a .deb in $TMP/pkg"; summary; exit 1; }

# ---------------------------------------------------------------------------------------------
# Contents and control fields.
dpkg-deb --contents "$deb" | awk '{ print $NF }' | sed 's|^\./|/|' >"$TMP/contents"
for f in /usr/bin/layerdiff /usr/share/man/man1/layerdiff.1.gz /usr/share/bash-completion/completions/layerdiff \
         /usr/share/zsh/vendor-completions/_layerdiff /usr/share/fish/vendor_completions.d/layerdiff.fish \
         /usr/share/doc/layerdiff/README.md; do
  grep -qxF "$f" "$TMP/contents" && pass "contains $f" || fail "contains $f"
done
outside=$(grep -v '^/usr/' "$TMP/contents" | grep -v '^/$' || true)
[[ -z $outside ]] && pass "everything under /usr" || fail "everything under /usr" "$outside"
for field in Package Version Architecture Maintainer Description Section; do
  [[ -n $(dpkg-deb -f "$deb" "$field") ]] && pass "control: $field" || fail "control: $field"
done
arch=$(dpkg --print-architecture)
[[ $(dpkg-deb -f "$deb" Architecture) == "$arch" ]] && pass "Architecture $arch" || fail "Architecture $arch"
depends=$(dpkg-deb -f "$deb" Depends)
# The package of every library the binary links, as dpkg knows it on this machine.
dpkg-deb -x "$deb" "$TMP/x"
want=()
while read -r lib; do
  path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64|64bit|AArch64/ { print $NF; exit }')
  [[ -z $path ]] && path=$(ldconfig -p | awk -v l="$lib" '$1 == l { print $NF; exit }')
  pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -n 1 | cut -d: -f1)
  [[ -z $pkg ]] && pkg=$(dpkg -S "$path" 2>/dev/null | head -n 1 | cut -d: -f1)
  [[ -n $pkg ]] && want+=("$pkg") || fail "the package of $lib ($path)"
done < <(objdump -p "$TMP/x/usr/bin/layerdiff" | awk '$1 == "NEEDED" { print $2 }')
[[ ${#want[@]} -ge 8 ]] && pass "the binary links ${#want[@]} libraries: ${want[*]}" ||
  fail "the binary's NEEDED libraries" "${want[*]}"
names=$(tr ',' '\n' <<<"$depends" | awk '{ print $1 }')  # "libc6 (>= 2.34), …" -> one name a line
missing=()
for p in "${want[@]}"; do
  grep -qxF -- "$p" <<<"$names" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && pass "Depends holds the package of every linked library" ||
  fail "Depends holds the package of every linked library" "missing: ${missing[*]}" "Depends: $depends"
[[ $(objdump -h "$TMP/x/usr/bin/layerdiff" | grep -c '\.debug_') -eq 0 ]] && pass "the binary is stripped" ||
  fail "the binary is stripped"
zcat "$TMP/x/usr/share/man/man1/layerdiff.1.gz" | head -n 3 | grep -q '^\.TH LAYERDIFF 1' &&
  pass "the man page is gzipped roff" || fail "the man page is gzipped roff"

if [[ $(id -u) -eq 0 ]]; then
  dpkg --dry-run -i "$deb" >"$OUT" 2>"$ERR" && pass "dpkg --dry-run -i accepts it here" ||
    fail "dpkg --dry-run -i accepts it here" "$(head -n 5 "$ERR")"
fi

# ---------------------------------------------------------------------------------------------
# A clean Debian 12: apt installs the package and its dependencies; then use it.
if [[ $(id -u) -ne 0 ]]; then
  skip "install on a clean Debian 12" "needs root (mmdebstrap's chroot)"
elif need "install on a clean Debian 12" mmdebstrap; then
  root=$TMP/root
  # file-mirror-automount: apt inside the chroot reaches the .deb given by its path.
  if mmdebstrap --variant=apt --hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount \
       --include=man-db --include="$deb" bookworm "$root" >"$TMP/mmdebstrap.log" 2>&1; then
    pass "mmdebstrap bookworm: apt installs the .deb with its dependencies"
    cp "$FIX/oci-zstd.tar" "$root/tmp/image.tar"
    in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 "$@"; }
    v=$(in_root layerdiff --version 2>&1)
    [[ $v == "$("$BUILD/layerdiff" --version)" ]] && pass "in the chroot: $v" || fail "in the chroot: --version" "$v"
    in_root layerdiff inspect -n 3 --html /tmp/page.html /tmp/image.tar >"$OUT" 2>"$ERR"
    rc=$?
    [[ $rc -eq 0 && ! -s $ERR ]] && grep -q '^Content    104 KiB in 21 files' "$OUT" && [[ -s $root/tmp/page.html ]] &&
      pass "in the chroot: layerdiff inspect reads an image and writes its page" ||
      fail "in the chroot: layerdiff inspect" "exit $rc" "$(head -n 3 "$ERR")" "$(head -n 3 "$OUT")"
    in_root MANWIDTH=200 man -P cat layerdiff >"$OUT" 2>"$ERR"
    grep -qE '^ +layerdiff +- +where +the +bytes +of +container +images' "$OUT" && pass "in the chroot: man layerdiff" ||
      fail "in the chroot: man layerdiff" "$(head -n 3 "$ERR")"
    in_root bash -c 'source /usr/share/bash-completion/completions/layerdiff; COMP_WORDS=(layerdiff inspect --format ""); COMP_CWORD=3; _layerdiff 2>/dev/null; echo "${COMPREPLY[*]}"' >"$OUT" 2>&1
    grep -q 'html' "$OUT" && pass "in the chroot: the bash completion" || fail "in the chroot: the bash completion" "$(cat "$OUT")"
    [[ -e $root/usr/share/zsh/vendor-completions/_layerdiff && -e $root/usr/share/fish/vendor_completions.d/layerdiff.fish ]] &&
      pass "in the chroot: zsh and fish completions in place" || fail "in the chroot: zsh and fish completions in place"
  else
    fail "mmdebstrap bookworm with the .deb" "$(tail -n 8 "$TMP/mmdebstrap.log")"
  fi
fi

summary
