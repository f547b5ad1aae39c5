#!/usr/bin/env bash
# audit_test.sh LAYERDIFF_BIN [BASE_CACHE_DIR]
#
# The image config and the audit findings on images built by real tools. A Debian bookworm base
# with apt (mmdebstrap --variant=apt, from Debian's mirror; kept in BASE_CACHE_DIR when given so
# that a second run needs no download), then buildah (private storage in a temporary directory,
# chroot isolation) builds:
#   before        the base with a config: ENV APP_MODE=development, USER root, CMD ["/bin/sh"]
#   after         RUN writes /root/.ssh/id_rsa; RUN apt-get update && apt-get install jq
#                 (no cleanup); RUN rm the key; RUN a setuid copy of a binary and a world-writable
#                 directory; ADD a tar holding a device node (/srv/null); ENV APP_MODE=production,
#                 USER nobody, CMD ["/usr/local/bin/helper", "--serve"]
#   after-config  the same RUN steps (buildah's layer cache: the same layers) with before's
#                 config: only the config differs from after
# exported with skopeo as docker archives, and compared with what the runtime sees (the
# container's root filesystem mounted by buildah, listed with find) and what the layer tars
# hold (tar -t of each layer of the archive):
#   - the config diff lists exactly the fields that differ, and `--exit-code` exits 1 when only
#     the config differs;
#   - each finding kind: the key hidden in layer 1 and deleted by layer 3 (hidden-secret), what
#     apt overwrote (hidden), apt's caches in layer 2 with their bytes (removable), the setuid,
#     setgid, world-writable and device findings equal to `find` on the root filesystem;
#   - the diff's new findings are what AFTER adds; the check rules pass and fail on them.
#
# Exits 77 (skip) only when not root. Needs buildah, skopeo, mmdebstrap and network access to
# deb.debian.org (scripts/deps.sh installs the tools); without them it fails. Needs only bash,
# coreutils, findutils, tar, awk, grep, sed. About 1-2 minutes (most of it mmdebstrap and apt).
set -uo pipefail
export LC_ALL=C
umask 022

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 LAYERDIFF_BIN [BASE_CACHE_DIR]" >&2
  exit 2
fi
ld=$(realpath "$1")
cache_dir=${2:-}
[[ -x $ld ]] || { echo "$0: not executable: $1" >&2; exit 2; }

[[ $(id -u) -eq 0 ]] || { echo "SKIP: needs root (buildah storage, mmdebstrap)"; exit 77; }
die() { echo "ERROR: $*" >&2; exit 1; }
for t in buildah skopeo mmdebstrap tar; do
  command -v "$t" >/dev/null || die "$t not installed (scripts/deps.sh test installs it)"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/layerdiff-audit.XXXXXX")
# shellcheck source=tests/real/buildah_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/buildah_lib.sh"

# ---------------------------------------------------------------------------------------------
# 1. The Debian base: mmdebstrap's tarball (cached across runs when a cache directory is given).
base_tar=$tmp/debian-apt.tar
if [[ -n $cache_dir && -s $cache_dir/debian-apt.tar ]]; then
  base_tar=$cache_dir/debian-apt.tar
  echo "base: cached $base_tar"
else
  mmdebstrap --quiet --variant=apt --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    bookworm "$base_tar" >"$tmp/mmdebstrap.log" 2>&1 ||
    { tail -20 "$tmp/mmdebstrap.log"; die "mmdebstrap could not build the Debian base (network?)"; }
  if [[ -n $cache_dir ]]; then
    mkdir -p "$cache_dir" && cp "$base_tar" "$cache_dir/debian-apt.tar.part" &&
      mv "$cache_dir/debian-apt.tar.part" "$cache_dir/debian-apt.tar"
  fi
fi

# ---------------------------------------------------------------------------------------------
# 2. Build with buildah: overlay first, vfs when overlay cannot mount here.
ctx=$tmp/ctx
mkdir -p "$ctx/dev"
# A device node outside /dev (RUN mknod is not permitted in the build; ADD extracts one).
mknod "$ctx/dev/null" c 1 3 || die "mknod (as root) failed"
tar -C "$ctx/dev" --numeric-owner -cf "$ctx/devices.tar" null
rm -rf "$ctx/dev"
key='-----BEGIN OPENSSH PRIVATE KEY----- layerdiff test key, not a real one -----END OPENSSH PRIVATE KEY-----'
steps=$(cat <<EOF
RUN mkdir -p /root/.ssh && echo '$key' > /root/.ssh/id_rsa && chmod 600 /root/.ssh/id_rsa
RUN apt-get update && apt-get install -y --no-install-recommends jq
RUN rm /root/.ssh/id_rsa
RUN cp /bin/true /usr/local/bin/helper && chmod u+s /usr/local/bin/helper && mkdir -m 777 /srv/upload
ADD devices.tar /srv/
EOF
)
cat >"$ctx/Containerfile.before" <<EOF
FROM localhost/debian-apt:1
ENV APP_MODE=development
USER root
CMD ["/bin/sh"]
EOF
cat >"$ctx/Containerfile.after" <<EOF
FROM localhost/debian-apt:1
$steps
ENV APP_MODE=production
USER nobody
CMD ["/usr/local/bin/helper", "--serve"]
EOF
cat >"$ctx/Containerfile.after-config" <<EOF
FROM localhost/debian-apt:1
$steps
ENV APP_MODE=development
USER root
CMD ["/bin/sh"]
EOF
bud() {  # bud NAME
  B bud --isolation chroot --layers -f "$ctx/Containerfile.$1" -t "localhost/$1:1" "$ctx" \
    >>"$tmp/buildah.log" 2>&1
}
base_image() {  # the mmdebstrap tree as a one-layer image
  local c
  c=$(B from scratch 2>>"$tmp/buildah.log") &&
    B add "$c" "$base_tar" / >>"$tmp/buildah.log" 2>&1 &&
    B config --cmd /bin/sh "$c" >>"$tmp/buildah.log" 2>&1 &&
    B commit -q "$c" localhost/debian-apt:1 >>"$tmp/buildah.log" 2>&1 &&
    B rm "$c" >/dev/null 2>&1
}
for d in ${LAYERDIFF_BUILDAH_DRIVERS:-overlay vfs}; do
  driver=$d store=$tmp/storage-$d run=$tmp/runroot-$d
  if base_image && bud after; then break; fi
  echo "buildah with --storage-driver $d failed:"; tail -5 "$tmp/buildah.log" | sed 's/^/    /'
  B rmi --all --force >/dev/null 2>&1
  driver=""
done
[[ -n $driver ]] || die "buildah could not build with overlay nor vfs (log: above)"
echo "buildah storage driver: $driver"
bud before || { tail -20 "$tmp/buildah.log"; die "buildah: before"; }
bud after-config || { tail -20 "$tmp/buildah.log"; die "buildah: after-config"; }
cs="containers-storage:[$driver@$store+$run]"
for i in before after after-config; do
  skopeo copy -q "${cs}localhost/$i:1" "docker-archive:$tmp/$i.tar:localhost/$i:1" ||
    die "skopeo: export $i"
done

# The runtime's view of after: its container's root filesystem.
ctr=$(B from localhost/after:1 2>>"$tmp/buildah.log") || die "buildah from after"
root=$(B mount "$ctr") || die "buildah mount"

# The layers of after.tar, in order (manifest.json's "Layers"), and what each tar lists.
layers=$(tar -xOf "$tmp/after.tar" manifest.json | grep -o '"Layers":\[[^]]*\]' |
  sed 's/.*\[//; s/\]//; s/"//g' | tr ',' '\n')
layer_has() {  # layer_has INDEX PATH: the layer tar lists PATH (./PATH or PATH)
  local member list=$tmp/layer$1.list
  if [[ ! -f $list ]]; then
    member=$(sed -n "$(($1 + 1))p" <<<"$layers")
    tar -xOf "$tmp/after.tar" "$member" | tar -t | sed 's|^\./||' >"$list"
  fi
  grep -qxF "$2" "$list"
}

inspect=$tmp/inspect.json
"$ld" inspect --format json "$tmp/after.tar" >"$inspect" 2>"$tmp/err" || { cat "$tmp/err"; die "inspect after"; }

# JSON is one line; Boost.JSON keeps key order, so a finding reads
# {"kind":K,"path":P,"type":T,"size":S,"layer":L,...}.
findings() {  # findings FILE KIND -> "path size layer[ removed_by how]" lines, sorted
  grep -o "{\"kind\":\"$2\",\"path\":\"[^\"]*\",\"type\":\"[a-z]\",\"size\":[0-9]*,\"layer\":[0-9]*\(,\"removed_by\":[0-9]*,\"how\":\"[a-z]*\"\)\?" "$1" |
    sed 's/{"kind":"[^"]*","path":"\([^"]*\)","type":"[a-z]","size":\([0-9]*\),"layer":\([0-9]*\)/\1 \2 \3/; s/,"removed_by":\([0-9]*\),"how":"\([a-z]*\)"/ \1 \2/' |
    sort
}
paths_of() { cut -d' ' -f1 | sort; }

# ---------------------------------------------------------------------------------------------
# 3. The config as inspect shows it, against what the Containerfile set and the raw config.
raw=$(skopeo inspect --config --raw "docker-archive:$tmp/after.tar")
cfg=$(grep -o '"config":{"Entrypoint":[^}]*' "$inspect")
for want in '"Cmd":["/usr/local/bin/helper","--serve"]' '"User":"nobody"' 'APP_MODE=production'; do
  grep -qF "$want" <<<"$cfg" && ok "inspect config has $want" || bad "inspect config lacks $want: $cfg"
done
grep -q '"User":"nobody"' <<<"$raw" && ok "the raw config says User nobody too" || bad "raw config: no User nobody"
hist=$(grep -o '"created_by"' <<<"$raw" | wc -l)
check "config.history = the raw config's history entries" "\"history\":$hist" \
  "$(grep -o '"variant":"[^"]*","created":"[^"]*","history":[0-9]*' "$inspect" | grep -o '"history":[0-9]*')"

# ---------------------------------------------------------------------------------------------
# 4. The config diff: exactly the fields that differ.
config_changes() {  # config_changes BEFORE AFTER -> "field key change" lines
  "$ld" --format json "$1" "$2" 2>/dev/null | grep -o '"config_changes":\[.*\],"findings"' |
    grep -o '"field":"[^"]*"\(,"key":"[^"]*"\)\?,"change":"[a-z]*"' |
    sed 's/"field":"\([^"]*\)"\(,"key":"\([^"]*\)"\)\?,"change":"\([a-z]*\)"/\1 \3 \4/'
}
check "after-config -> after: Cmd, User, Env APP_MODE" \
  "$(printf 'Cmd  changed\nUser  changed\nEnv APP_MODE changed')" \
  "$(config_changes "$tmp/after-config.tar" "$tmp/after.tar")"
hb=$(skopeo inspect --config --raw "docker-archive:$tmp/before.tar" | grep -o '"created_by"' | wc -l)
check "before -> after: the same three, and history ($hb -> $hist)" \
  "$(printf 'Cmd  changed\nUser  changed\nEnv APP_MODE changed\nhistory  changed')" \
  "$(config_changes "$tmp/before.tar" "$tmp/after.tar")"
diff_json=$("$ld" --format json "$tmp/before.tar" "$tmp/after.tar" 2>/dev/null)
grep -qF "\"field\":\"history\",\"change\":\"changed\",\"before\":$hb,\"after\":$hist" <<<"$diff_json" &&
  ok "history before/after are the raw configs' counts" || bad "history change: $(grep -o '"field":"history"[^}]*' <<<"$diff_json")"
grep -qF '"field":"Cmd","change":"changed","before":["/bin/sh"],"after":["/usr/local/bin/helper","--serve"]' <<<"$diff_json" &&
  ok "Cmd before/after" || bad "Cmd change: $(grep -o '"field":"Cmd"[^}]*' <<<"$diff_json")"
grep -qF '"field":"Env","key":"APP_MODE","change":"changed","before":"development","after":"production"' <<<"$diff_json" &&
  ok "Env APP_MODE before/after" || bad "Env change: $(grep -o '"field":"Env"[^}]*' <<<"$diff_json")"

out=$("$ld" --exit-code "$tmp/after-config.tar" "$tmp/after.tar" 2>&1); rc=$?
check "--exit-code when only the config differs" 1 "$rc"
grep -qF "The merged filesystems are identical. The configs differ: see CONFIG." <<<"$out" &&
  ok "the table says the filesystems are identical and the configs differ" || bad "table: $(head -8 <<<"$out")"
grep -qE '^  User +root +-> +nobody$' <<<"$out" && ok "table CONFIG row: User root -> nobody" ||
  bad "table CONFIG: $(sed -n '/^CONFIG/,/^$/p' <<<"$out")"
"$ld" --exit-code "$tmp/after.tar" "$tmp/after.tar" >/dev/null 2>&1
check "--exit-code on the same image" 0 $?

# ---------------------------------------------------------------------------------------------
# 5. Findings of after. Layers: 0 base, 1 the key, 2 apt, 3 rm the key, 4 setuid & co, 5 device.
check "hidden-secret: the key, written by layer 1, deleted by layer 3" \
  "/root/.ssh/id_rsa $(( ${#key} + 1 )) 1 3 deleted" "$(findings "$inspect" hidden-secret)"
layer_has 1 root/.ssh/id_rsa && ok "layer 1's tar holds root/.ssh/id_rsa" || bad "layer 1 lacks root/.ssh/id_rsa"
layer_has 3 root/.ssh/.wh.id_rsa && ok "layer 3's tar holds the whiteout root/.ssh/.wh.id_rsa" ||
  bad "layer 3 lacks root/.ssh/.wh.id_rsa"
[[ ! -e $root/root/.ssh/id_rsa ]] && ok "the runtime does not see /root/.ssh/id_rsa" || bad "/root/.ssh/id_rsa is visible"

# hidden: whatever apt and dpkg rewrote. Each one's layer tar writes the path, and the tar of
# the layer that removed it writes it again (overwritten) or holds its whiteout (deleted).
findings "$inspect" hidden >"$tmp/hidden"
[[ -s $tmp/hidden ]] && ok "hidden: $(wc -l <"$tmp/hidden") copies apt and dpkg overwrote or deleted" || bad "no hidden finding"
awk '$3 >= $4 { bad = 1 } END { exit bad }' "$tmp/hidden" && ok "every hidden copy was removed by a later layer" ||
  bad "a hidden finding's removed_by is not above its layer"
head -5 "$tmp/hidden" | while read -r p size layer by how; do
  q=${p#/}
  if [[ $how == deleted ]]; then w="$(dirname "$q")/.wh.$(basename "$q")"; w=${w#./}; else w=$q; fi
  if layer_has "$layer" "$q" && layer_has "$by" "$w"; then
    verb=overwrites
    [[ $how == deleted ]] && verb="deletes (whiteout)"
    echo "PASS: hidden $p: layer $layer writes it, layer $by $verb it"
  else
    echo "FAIL: hidden $p: layer $layer / $by tars do not match ($how)"
  fi
done >"$tmp/hidden.check"
cat "$tmp/hidden.check"
pass=$((pass + $(grep -c '^PASS' "$tmp/hidden.check"))) fail=$((fail + $(grep -c '^FAIL' "$tmp/hidden.check")))

# removable: apt's leftovers in layer 2, with the bytes the runtime sees.
bytes() { find "$@" -type f -size +0 -printf '%s\n' 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }
findings "$inspect" removable >"$tmp/removable"
lists=$(bytes "$root/var/lib/apt/lists")
((lists > 1000000)) || bad "apt lists in the runtime's view: only $lists bytes"
check "removable /var/lib/apt/lists = the runtime's bytes, layer 2" "/var/lib/apt/lists $lists 2" \
  "$(grep '^/var/lib/apt/lists ' "$tmp/removable")"
for bin in pkgcache.bin srcpkgcache.bin; do
  sz=$(stat -c %s "$root/var/cache/apt/$bin" 2>/dev/null)
  check "removable /var/cache/apt/$bin" "/var/cache/apt/$bin $sz 2" "$(grep "^/var/cache/apt/$bin " "$tmp/removable")"
done
debs=$(find "$root/var/cache/apt/archives" -maxdepth 2 -name '*.deb' -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
((debs > 0)) || bad "no .deb kept in /var/cache/apt/archives"
check "removable /var/cache/apt/archives (the .deb files)" "/var/cache/apt/archives $debs 2" \
  "$(grep '^/var/cache/apt/archives ' "$tmp/removable")"
grep -q '"toolchain":null' "$inspect" && ok "no compiler or linker in the image (toolchain null)" ||
  bad "toolchain: $(grep -o '"toolchain":[^,}]*' "$inspect")"

# Permissions: the same sets as find on the root filesystem.
perm_check() {  # perm_check KIND FIND-ARGS...
  local kind=$1
  shift
  (cd "$root" && find . \( "$@" \) -printf '/%P\n') | sort >"$tmp/exp.$kind"
  findings "$inspect" "$kind" | paths_of >"$tmp/got.$kind"
  set_check "$kind = find $*" "$tmp/exp.$kind" "$tmp/got.$kind"
}
perm_check setuid -type f -perm -4000
perm_check setgid -type f -perm -2000
perm_check world-writable \( -type f -perm -0002 \) -o \( -type d -perm -0002 ! -perm -1000 \)
perm_check device \( -type c -o -type b \) ! -path './dev/*'
grep -qx /usr/local/bin/helper "$tmp/got.setuid" && ok "setuid lists the chmod u+s helper" || bad "setuid lacks /usr/local/bin/helper"
grep -q '^/usr/local/bin/helper [0-9]* 4$' <(findings "$inspect" setuid) && ok "the helper's setuid finding is in layer 4" ||
  bad "helper layer: $(findings "$inspect" setuid | grep helper)"
grep -qx /srv/upload "$tmp/got.world-writable" && ok "world-writable lists /srv/upload" || bad "world-writable lacks /srv/upload"
grep -qx /srv/null "$tmp/got.device" && ok "device lists /srv/null" || bad "device lacks /srv/null"

# The table shows every kind.
table=$("$ld" inspect --color never "$tmp/after.tar" 2>/dev/null)
for k in hidden-secret hidden removable setuid setgid world-writable device; do
  [[ -n $(findings "$inspect" "$k") ]] || continue
  grep -qE "^  $k  " <<<"$table" && ok "table FINDINGS has a $k section" || bad "table FINDINGS lacks $k"
done

# ---------------------------------------------------------------------------------------------
# 6. The diff's findings are what after adds to before (before has the base's setuid files too).
new=$tmp/new.json
"$ld" --format json "$tmp/before.tar" "$tmp/after.tar" >"$new" 2>/dev/null
grep -o '"findings":\[.*' "$new" >"$tmp/new-findings"
check "new setuid findings: only the helper" "/usr/local/bin/helper" "$(findings "$tmp/new-findings" setuid | paths_of)"
check "new hidden-secret: the key" "/root/.ssh/id_rsa" "$(findings "$tmp/new-findings" hidden-secret | paths_of)"
grep -q '^/var/lib/apt/lists ' <(findings "$tmp/new-findings" removable) && ok "new removable: /var/lib/apt/lists" ||
  bad "new removable lacks /var/lib/apt/lists"

# ---------------------------------------------------------------------------------------------
# 7. The check rules.
gate() {  # gate EXPECTED_RC NAME ARGS...
  local want=$1 name=$2 out rc
  shift 2
  out=$("$ld" check --color never "$@" 2>&1)
  rc=$?
  check "check $name: exit" "$want" "$rc"
  last_gate=$out
}
gate 0 "--forbid-root-user after (User nobody)" --forbid-root-user "$tmp/after.tar"
gate 1 "--forbid-root-user before (User root)" --forbid-root-user "$tmp/before.tar"
grep -qE 'forbid-root-user +root +not root +FAIL' <<<"$last_gate" &&
  ok "the failed root-user rule names root" || bad "root-user table: $last_gate"
gate 1 "--forbid-config-change Cmd" --baseline "$tmp/before.tar" --forbid-config-change Cmd "$tmp/after.tar"
grep -qF 'changed  Cmd  ["/bin/sh"] -> ["/usr/local/bin/helper", "--serve"]' <<<"$last_gate" &&
  ok "the failed rule shows Cmd before -> after" || bad "config-change table: $last_gate"
gate 0 "--forbid-config-change Volumes" --baseline "$tmp/before.tar" --forbid-config-change Volumes "$tmp/after.tar"
gate 1 "--forbid-finding hidden-secret" --forbid-finding hidden-secret "$tmp/after.tar"
grep -qE '/root/.ssh/id_rsa  layer 1 -> 3 \(deleted by RUN rm /root/.ssh/id_rsa\)  \(name matches id_rsa\*\)' <<<"$last_gate" &&
  ok "the failed rule names the key, its layers and the instruction that deleted it" ||
  bad "hidden-secret table: $last_gate"
printf '[check]\nforbid-finding = ["device", "world-writable"]\nforbid-root-user = true\n' >"$tmp/gate.toml"
gate 1 "config file: forbid-finding device, world-writable; forbid-root-user" --config "$tmp/gate.toml" "$tmp/after.tar"
grep -qE 'forbid-finding device +1 finding +no finding +FAIL' <<<"$last_gate" &&
  grep -qE 'forbid-root-user +nobody +not root +PASS' <<<"$last_gate" &&
  ok "config-file rules: device FAIL, root-user PASS" || bad "config-file table: $last_gate"

echo "$pass passed, $fail failed"
((fail == 0))
