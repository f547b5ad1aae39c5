#!/usr/bin/env bash
# make_packages_fixture.sh OUTDIR — build fixtures/packages-before.tar and packages-after.tar:
# two docker-save archives whose package databases were written by the real tools.
#
#  - dpkg: real .deb files from the Debian mirror (apt-get download), installed into a staging
#    root by the real dpkg (`dpkg --root`), merged-/usr like Debian 12 (bin -> usr/bin, ...):
#    hostname, libjq1 + jq 1.6-2.1+deb12u2, and python3-blinker (unpacked only: its
#    postinst byte-compiles with the host's python, which must not run outside a chroot). Only
#    packages without maintainer scripts are configured, so --force-script-chrootless runs none.
#    AFTER: `dpkg -i` of jq/libjq1 1.6-2.1+deb12u3 (a real upgrade), `dpkg --purge hostname`.
#  - python: python3-blinker's own dist-info/RECORD (dpkg owns those files too: precedence).
#  - npm: `npm install` from the npm registry: BEFORE is-odd@2.0.0 is-number@7.0.0, AFTER
#    is-odd@3.0.1 is-number@7.0.0 (is-odd's own is-number is nested below it: 4.0.0 -> 6.0.0).
#  - apk: no real apk exists on Debian: lib/apk/db/installed is written here by hand, in the
#    format apk-tools writes (P:, V:, A:, F:, R: lines), for two tiny packages.
# BEFORE is one layer; AFTER adds a second layer holding what changed (new and changed files,
# and a .wh. whiteout for each removed path), as a container build would.
#
# (dpkg's output is discarded: it warns that libc6 is missing, as --force-depends allows.)
# Needs root, dpkg, apt-get (network to the Debian mirror), npm (network to the registry),
# python3, GNU tar, gzip, sha256sum. ~15 s. Layer tars: sorted, numeric owners, fixed mtimes.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
[[ $(id -u) -eq 0 ]] || { echo "make_packages_fixture.sh: must run as root (dpkg --root)" >&2; exit 1; }
export LC_ALL=C TZ=UTC SOURCE_DATE_EPOCH=1700000000
umask 022
EPOCH=@1700000000
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/layerdiff-pkgfix.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
log() { echo "make_packages_fixture: $*" >&2; }

# 1. Real packages from the mirror.
mkdir -p "$WORK/debs"
(cd "$WORK/debs" && apt-get download -q hostname=3.23+nmu1\
   libjq1=1.6-2.1+deb12u2 jq=1.6-2.1+deb12u2 python3-blinker=1.5-1 2>/dev/null &&
 mkdir -p new && cd new && apt-get download -q libjq1=1.6-2.1+deb12u3 jq=1.6-2.1+deb12u3 2>/dev/null)
no_scripts() {
  for d in "$@"; do
    if dpkg-deb --ctrl-tarfile "$d" | tar -t | grep -Eq '(pre|post)(inst|rm)$'; then
      echo "make_packages_fixture: $d has maintainer scripts; refusing to configure it" >&2
      exit 1
    fi
  done
}
D=$WORK/debs
no_scripts "$D"/hostname_*.deb "$D"/libjq1_*.deb "$D"/jq_*.deb "$D"/new/*.deb

# 2. The staging root, merged-/usr, with an empty dpkg database.
R=$WORK/before
mkdir -p "$R"/usr/{bin,sbin,lib} "$R"/etc "$R"/var/lib/dpkg/{info,updates,triggers,alternatives}
ln -s usr/bin "$R/bin"; ln -s usr/sbin "$R/sbin"; ln -s usr/lib "$R/lib"
: >"$R/var/lib/dpkg/status"; : >"$R/var/lib/dpkg/available"
DPKG=(dpkg --root="$R" --log=/dev/null --force-script-chrootless --force-depends --no-triggers)
log "dpkg -i (before)"
"${DPKG[@]}" -i "$D"/hostname_*.deb "$D"/libjq1_*.deb "$D"/jq_*.deb >/dev/null 2>&1
"${DPKG[@]}" --unpack "$D"/python3-blinker_*.deb >/dev/null 2>&1

# 3. npm and the hand-written apk database.
npm_tree() { # npm_tree DIR PACKAGES...
  local dir=$1; shift
  mkdir -p "$dir"
  (cd "$dir" && echo '{"name":"app","version":"1.0.0","private":true}' >package.json &&
   npm install --no-audit --no-fund --no-update-notifier --silent "$@" >/dev/null 2>&1)
}
log "npm install (before)"
npm_tree "$R/app" is-odd@2.0.0 is-number@7.0.0
mkdir -p "$R/lib/apk/db" "$R/opt/apk/bin" "$R/opt/apk/etc"
printf '#!/bin/sh\necho tool 1.0\n' >"$R/opt/apk/bin/tool"
printf 'setting=1\n' >"$R/opt/apk/etc/tool.conf"
printf 'hello\n' >"$R/opt/apk/bin/greet"
apk_db() { # apk_db TOOL_VERSION
  printf 'C:Q1hand+written+checksum=\nP:tool\nV:%s\nA:x86_64\nS:1024\nI:4096\nT:a hand-written apk entry\nF:opt/apk/bin\nR:tool\nF:opt/apk/etc\nR:tool.conf\n\n' "$1"
  printf 'C:Q1hand+written+checksum=\nP:greet\nV:0.1-r0\nA:x86_64\nS:512\nI:1024\nT:another one\nF:opt/apk/bin\nR:greet\n\n'
}
apk_db 1.0-r0 >"$R/lib/apk/db/installed"

# 4. AFTER: a copy changed by the real tools.
A=$WORK/after
cp -a "$R" "$A"
DPKG[1]=--root="$A"
log "dpkg -i (upgrade) and --purge (after)"
"${DPKG[@]}" -i "$D"/new/*.deb >/dev/null 2>&1
"${DPKG[@]}" --force-remove-essential --purge hostname >/dev/null 2>&1
rm -rf "$A/app/node_modules" "$A/app/package-lock.json"
log "npm install (after)"
npm_tree "$A/app" is-odd@3.0.1 is-number@7.0.0
printf '#!/bin/sh\necho tool 1.1 with more output\n' >"$A/opt/apk/bin/tool"
apk_db 1.1-r0 >"$A/lib/apk/db/installed"
rm -f "$R"/var/lib/dpkg/*-old "$A"/var/lib/dpkg/*-old

# 5. Layers: BEFORE's root; AFTER's changes (new/changed paths, whiteouts for removed ones).
find "$R" "$A" -exec touch -h -d "$EPOCH" {} +
L2=$WORK/layer2
python3 - "$R" "$A" "$L2" <<'EOF'
import filecmp, os, shutil, sys
before, after, out = sys.argv[1:]
def walk(root):
    paths = {}
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(d, n)
            paths[os.path.relpath(p, root)] = p
    return paths
b, a = walk(before), walk(after)
os.makedirs(out)
for rel in sorted(a):
    p, q = a[rel], b.get(rel)
    same = q is not None and os.path.islink(p) == os.path.islink(q) and (
        os.readlink(p) == os.readlink(q) if os.path.islink(p) else
        os.path.isdir(p) == os.path.isdir(q) and (os.path.isdir(p) or filecmp.cmp(p, q, shallow=False)))
    if same:
        continue
    dst = os.path.join(out, rel)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if os.path.islink(p): os.symlink(os.readlink(p), dst)
    elif os.path.isdir(p): os.makedirs(dst, exist_ok=True)
    else: shutil.copy2(p, dst)
for rel in sorted(b):
    if rel in a or os.path.dirname(rel) not in a and os.path.dirname(rel) != "":
        continue  # present, or under a removed directory (its whiteout covers it)
    d = os.path.join(out, os.path.dirname(rel))
    os.makedirs(d, exist_ok=True)
    open(os.path.join(d, ".wh." + os.path.basename(rel)), "w").close()
EOF
find "$L2" -exec touch -h -d "$EPOCH" {} +

TAR=(tar --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime
     --sort=name --numeric-owner --owner=0 --group=0 --mtime="$EPOCH")
"${TAR[@]}" -C "$R" -cf "$WORK/l1.tar" .
"${TAR[@]}" -C "$L2" -cf "$WORK/l2.tar" .

# 6. docker-save archives (legacy layout), layers gzip-compressed.
archive() { # archive NAME TAG LAYER...
  local name=$1 tag=$2; shift 2
  local dir=$WORK/img-$name diff_ids="" layers="" history=""
  mkdir -p "$dir"
  for l in "$@"; do
    local id; id=$(sha256sum "$WORK/$l.tar" | cut -d' ' -f1)
    mkdir -p "$dir/$id"
    gzip -n -9 <"$WORK/$l.tar" >"$dir/$id/layer.tar"
    diff_ids+="${diff_ids:+,}\"sha256:$id\""
    layers+="${layers:+,}\"$id/layer.tar\""
    history+="${history:+,}{\"created\":\"2023-11-14T22:13:20Z\",\"created_by\":\"make_packages_fixture.sh $l\"}"
  done
  local cfg="{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2023-11-14T22:13:20Z\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[$diff_ids]},\"history\":[$history]}"
  local cid; cid=$(printf '%s' "$cfg" | sha256sum | cut -d' ' -f1)
  printf '%s' "$cfg" >"$dir/$cid.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":[%s]}]' "$cid" "$tag" "$layers" >"$dir/manifest.json"
  find "$dir" -exec touch -h -d "$EPOCH" {} +
  (cd "$dir" && find . -mindepth 1 -printf '%P\n' | sort) >"$WORK/list"
  tar --format=ustar --sort=name --owner=root:0 --group=root:0 --mtime="$EPOCH" --no-recursion \
    -C "$dir" -cf "$OUT/packages-$name.tar" -T "$WORK/list"
}
archive before localhost/packages:before l1
archive after localhost/packages:after l1 l2
log "wrote $OUT/packages-before.tar $OUT/packages-after.tar"
