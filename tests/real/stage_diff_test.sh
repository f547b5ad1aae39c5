#!/usr/bin/env bash
# stage_diff_test.sh LAYERDIFF_BIN FS_LIST_BIN
#
# `layerdiff diff` on images built by a real builder. With buildah (private storage under a
# temporary directory, chroot isolation, no network) it builds from a busybox base image:
#   single   one stage: fake toolchain, sources, "build" of the app, deletions (a whiteout and an
#            opaque directory), all in the final image;
#   multi    the same build in a `builder` stage, and a final stage that copies only the app;
#   builder  `--target builder` of the multi-stage Containerfile.
# Exported with skopeo (docker-archive, oci-archive gzip and zstd, OCI layout), unpacked with
# umoci and listed with fs_list (the runtime's view), then compared with what layerdiff reports:
# added/removed/modified paths and bytes, the TOTAL delta, the builder stage's left-over bytes,
# instruction labels, and --exit-code on identical images and on two encodings of one image.
#
# Exits 77 (skip) when not root or when buildah, skopeo, umoci or a static busybox are missing.
# Needs only bash, coreutils, findutils, tar, awk, grep, sed (no python, no jq).
set -uo pipefail
export LC_ALL=C
umask 022

if [[ $# -ne 2 ]]; then
  echo "usage: $0 LAYERDIFF_BIN FS_LIST_BIN" >&2
  exit 2
fi
ld=$(realpath "$1")
fsl=$(realpath "$2")
[[ -x $ld && -x $fsl ]] || { echo "$0: not executable: $1 or $2" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)

skip() { echo "SKIP: $*"; exit 77; }
[[ $(id -u) -eq 0 ]] || skip "needs root (buildah storage, umoci unpack)"
for t in buildah skopeo umoci tar; do
  command -v "$t" >/dev/null || skip "$t not installed"
done
busybox=""
for b in /bin/busybox /usr/bin/busybox; do [[ -x $b ]] && busybox=$b && break; done
[[ -n $busybox ]] || skip "busybox (package busybox-static) not installed"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/layerdiff-stage.XXXXXX")
store=$tmp/storage run=$tmp/runroot driver=""
cleanup() {
  if [[ -n $driver ]]; then
    buildah --root "$store" --runroot "$run" --storage-driver "$driver" rm --all >/dev/null 2>&1
    buildah --root "$store" --runroot "$run" --storage-driver "$driver" rmi --all --force \
      >/dev/null 2>&1
  fi
  # containers/storage leaves its overlay home bind-mounted on itself: unmount what is ours,
  # deepest first.
  local m
  while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done < <(
    awk -v p="$tmp/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
  if [[ -n ${LAYERDIFF_KEEP_TMP:-} ]]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

pass=0 fail=0
ok() { echo "PASS: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
die() { echo "ERROR: $*" >&2; exit 1; }
check() {  # check NAME EXPECTED ACTUAL
  if [[ "$2" == "$3" ]]; then ok "$1 ($3)"; else bad "$1: expected '$2', got '$3'"; fi
}
set_check() {  # set_check NAME EXPECTED_FILE ACTUAL_FILE (sorted, one item a line)
  if cmp -s "$2" "$3"; then
    ok "$1 ($(wc -l <"$3") paths)"
  else
    bad "$1: expected (<) vs layerdiff (>):"
    diff "$2" "$3" | head -20 | sed 's/^/    /'
  fi
}

# ---------------------------------------------------------------------------------------------
# 1. Base image: busybox and a few files, one layer made with umoci.
rootfs=$tmp/rootfs
mkdir -p "$rootfs"/{bin,etc,tmp,usr/share/doc/base,var/cache/old}
cp "$busybox" "$rootfs/bin/busybox"
for a in sh cat rm mkdir dd echo ls cp true chmod; do ln -s busybox "$rootfs/bin/$a"; done
chroot "$rootfs" /bin/busybox true 2>/dev/null || skip "$busybox does not run in a bare chroot (not static?)"
echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
echo 'base 1' >"$rootfs/etc/version"
echo 'welcome' >"$rootfs/etc/motd"
echo 'base documentation' >"$rootfs/usr/share/doc/base/README"
echo 'old cache' >"$rootfs/var/cache/old/data"
tar -C "$rootfs" --numeric-owner -cf "$tmp/base.tar" .
{
  umoci init --layout "$tmp/base-oci" &&
    umoci new --image "$tmp/base-oci:1" &&
    umoci raw add-layer --image "$tmp/base-oci:1" "$tmp/base.tar" &&
    umoci config --image "$tmp/base-oci:1" --config.cmd /bin/sh
} >"$tmp/umoci.log" 2>&1 || { cat "$tmp/umoci.log"; die "umoci could not make the base image"; }

# ---------------------------------------------------------------------------------------------
# 2. Containerfiles. The app is built from sources in the context (same bytes in every build);
# the toolchain is random (it must not reach the multi-stage image).
ctx=$tmp/ctx
mkdir -p "$ctx/src"
head -c 150000 /dev/urandom >"$ctx/src/main.c"
head -c 120000 /dev/urandom >"$ctx/src/util.c"
run_tool='RUN mkdir -p /usr/lib/gcc /usr/include && dd if=/dev/urandom of=/usr/lib/gcc/cc1 bs=1k count=800 2>/dev/null && echo "#define EOF (-1)" > /usr/include/stdio.h && echo int > /usr/include/stdlib.h'
run_tool=${run_tool//\"/\'}  # no double quotes: the JSON checks below grep the text
run_build='RUN mkdir -p /app/bin && cat /src/main.c /src/util.c > /app/bin/app'
run_clean='RUN rm -rf /etc/version /usr/share/doc/base /var/cache/old && mkdir -p /usr/share/doc/base && echo rewritten > /usr/share/doc/base/NEW && echo daemon:x:1:1::/:/bin/false >> /etc/passwd && chmod 600 /etc/motd'
from=localhost/base:1  # pushed into buildah's storage below (FROM oci:PATH names it after PATH)
cat >"$ctx/Containerfile.single" <<EOF
FROM $from
$run_tool
COPY src /src
$run_build
$run_clean
EOF
cat >"$ctx/Containerfile.multi" <<EOF
FROM $from AS builder
$run_tool
COPY src /src
$run_build

FROM $from
COPY --from=builder /app/bin/app /app/bin/app
EOF

# ---------------------------------------------------------------------------------------------
# 3. Build with buildah: overlay first, vfs when overlay cannot mount here.
bud() {  # bud TAG CONTAINERFILE [extra args]
  local tag=$1 file=$2
  shift 2
  buildah --root "$store" --runroot "$run" --storage-driver "$driver" bud --isolation chroot \
    --layers -f "$file" -t "localhost/$tag:1" "$@" "$ctx" >>"$tmp/buildah.log" 2>&1
}
for d in ${LAYERDIFF_BUILDAH_DRIVERS:-overlay vfs}; do  # env: e.g. LAYERDIFF_BUILDAH_DRIVERS=vfs
  driver=$d store=$tmp/storage-$d run=$tmp/runroot-$d  # one root per driver: they cannot share
  if skopeo copy -q "oci:$tmp/base-oci:1" "containers-storage:[$d@$store+$run]$from" \
       >>"$tmp/buildah.log" 2>&1 && bud single "$ctx/Containerfile.single"; then break; fi
  echo "buildah with --storage-driver $d failed:"; tail -5 "$tmp/buildah.log" | sed 's/^/    /'
  buildah --root "$store" --runroot "$run" --storage-driver "$d" rmi --all --force >/dev/null 2>&1
  driver=""
done
[[ -n $driver ]] || die "buildah could not build with overlay nor vfs (log: above)"
echo "buildah storage driver: $driver"
bud multi "$ctx/Containerfile.multi" || { tail -20 "$tmp/buildah.log"; die "buildah: multi"; }
bud builder "$ctx/Containerfile.multi" --target builder || { tail -20 "$tmp/buildah.log"; die "buildah: builder"; }

# Export: docker-archive (uncompressed layers), OCI layout (for umoci), oci-archive gzip and zstd.
cs="containers-storage:[$driver@$store+$run]"
for i in single multi builder; do
  skopeo copy -q "${cs}localhost/$i:1" "docker-archive:$tmp/$i.tar:localhost/$i:1" &&
    skopeo copy -q "${cs}localhost/$i:1" "oci:$tmp/oci:$i" || die "skopeo: export $i"
done
skopeo copy -q --dest-compress-format zstd "${cs}localhost/multi:1" "oci-archive:$tmp/multi-zstd.tar:multi" ||
  die "skopeo: zstd export"
skopeo copy -q "${cs}localhost/single:1" "oci-archive:$tmp/single-gzip.tar:single" ||
  die "skopeo: gzip export"

# Did the storage driver write an opaque whiteout for the deleted-and-recreated directory?
opq=no
for blob in "$tmp"/oci/blobs/sha256/*; do
  if tar -tzf "$blob" 2>/dev/null | grep -q '\.wh\.\.wh\.\.opq$' ||
     tar -tf "$blob" 2>/dev/null | grep -q '\.wh\.\.wh\.\.opq$'; then opq=yes; fi
done
echo "opaque whiteout (.wh..wh..opq) in the exported layers: $opq"

# ---------------------------------------------------------------------------------------------
# 4. The runtime's view: umoci unpack + fs_list, and a sha256 of every regular file.
for i in single multi builder; do
  FS_LIST=$fsl "$here/unpack_view.sh" "$tmp/oci" "$i" "$tmp/$i.ls" || die "unpack $i"
  umoci unpack --image "$tmp/oci:$i" "$tmp/b-$i" >/dev/null 2>&1 || die "umoci unpack $i"
  # path <TAB> sha256 for every regular file (paths as fs_list prints them: /a/b)
  (cd "$tmp/b-$i/rootfs" && find . -type f -print0 | xargs -0 -r sha256sum) |
    awk '{ h = $1; p = substr($0, length($1) + 4); sub(/^\.\//, "/", p); print p "\t" h }' |
    sort >"$tmp/$i.sha"
  rm -rf "$tmp/b-$i"
done

# ---------------------------------------------------------------------------------------------
# 5. layerdiff single -> multi.
json=$tmp/diff.json table=$tmp/diff.txt
"$ld" --format json "$tmp/single.tar" "$tmp/multi.tar" --stage "builder=$tmp/builder.tar" \
  --dockerfile "$ctx/Containerfile.multi" >"$json" 2>"$tmp/err"
check "json diff exits 0 without --exit-code" 0 $?
"$ld" --format table --color never "$tmp/single.tar" "$tmp/multi.tar" --stage "builder=$tmp/builder.tar" \
  --dockerfile "$ctx/Containerfile.multi" >"$table" 2>>"$tmp/err"
check "table diff exits 0" 0 $?
[[ -s $tmp/err ]] && { echo "stderr:"; sed 's/^/    /' "$tmp/err"; }

# JSON is one line; boost.json keeps key order, so changes read '"path":P,"change":K'.
changes() {  # changes KIND -> sorted paths
  grep -o "\"path\":\"[^\"]*\",\"change\":\"$1\"" "$json" | sed 's/^"path":"//; s/",".*//' | sort
}
num() {  # num REGEX_PREFIX -> the number after it (first match)
  grep -o "$1-\?[0-9]*" "$json" | head -1 | sed 's/.*[^0-9-]//'
}

paths() { cut -f1 "$1" | sort; }
paths "$tmp/single.ls" >"$tmp/single.paths"
paths "$tmp/multi.ls" >"$tmp/multi.paths"
comm -23 "$tmp/single.paths" "$tmp/multi.paths" >"$tmp/exp.removed"
comm -13 "$tmp/single.paths" "$tmp/multi.paths" >"$tmp/exp.added"
# Modified: in both, and the fs_list row (type size mode uid gid target) or the content differs.
awk -F'\t' 'FNR == 1 { n++ }
  n == 1 { row[$1] = $0; next }
  n == 2 { sha1[$1] = $2; next }
  n == 3 { sha2[$1] = $2; next }
  ($1 in row) && (row[$1] != $0 || sha1[$1] != sha2[$1]) { print $1 }' \
  "$tmp/single.ls" "$tmp/single.sha" "$tmp/multi.sha" "$tmp/multi.ls" | sort >"$tmp/exp.modified"
for k in removed added modified; do changes "$k" >"$tmp/got.$k"; done
set_check "removed paths = single minus multi (runtime unpacks)" "$tmp/exp.removed" "$tmp/got.removed"
set_check "added paths = multi minus single (runtime unpacks)" "$tmp/exp.added" "$tmp/got.added"
set_check "modified paths = rows or content differing in the runtime unpacks" "$tmp/exp.modified" "$tmp/got.modified"
what() { grep -o "\"path\":\"$1\",\"change\":\"[a-z]*\",\"what\":\[[^]]*\]" "$json"; }
check "/etc/motd: a mode-only change" '"path":"/etc/motd","change":"modified","what":["mode"]' "$(what /etc/motd)"
pw=$(what /etc/passwd)
[[ $pw == *'"change":"modified"'* && $pw == *'"content"'* && $pw == *'"size"'* && $pw != *'"mode"'* ]] &&
  ok "/etc/passwd: content and size changed ($pw)" || bad "/etc/passwd: expected modified content+size, got '$pw'"
grep -qx /usr/lib/gcc/cc1 "$tmp/got.removed" && ok "toolchain /usr/lib/gcc/cc1 is removed" ||
  bad "/usr/lib/gcc/cc1 not among the removed paths"

fsum() { awk -F'\t' '$2 == "f" { s += $3 } END { print s + 0 }' "$@"; }
s_single=$(fsum "$tmp/single.ls") s_multi=$(fsum "$tmp/multi.ls")
check "TOTAL delta (summary.delta.content_size) = multi files - single files" \
  $((s_multi - s_single)) "$(num '"delta":{"content_size":')"
check "summary.before.content_size = single's file bytes" "$s_single" "$(num '"before":{"source":"[^"]*","reference":"[^"]*","platform":"[^"]*","layout":"[^"]*","layers":[0-9]*,"files":[0-9]*,"content_size":')"
# Bytes of the removed/added paths (plus the old/new content of modified ones).
bytes_of() {  # bytes_of LISTING PATHFILE... -> sum of f sizes of those paths
  local ls=$1; shift
  awk -F'\t' 'FNR == NR { s[$1] = ($2 == "f") ? $3 : 0; next } { t += s[$1] } END { print t + 0 }' \
    "$ls" <(cat "$@")
}
check "removed_bytes = single's bytes of removed+modified paths" \
  "$(bytes_of "$tmp/single.ls" "$tmp/exp.removed" "$tmp/exp.modified")" "$(num '"removed_bytes":')"
check "added_bytes = multi's bytes of added+modified paths" \
  "$(bytes_of "$tmp/multi.ls" "$tmp/exp.added" "$tmp/exp.modified")" "$(num '"added_bytes":')"
# The rollup TOTAL row is the last "path":"TOTAL" object: {"path":"TOTAL","before":B,"after":A,"delta":D
rt=$(grep -o '"path":"TOTAL","before":[0-9]*,"after":[0-9]*,"delta":-\?[0-9]*' "$json" | head -1)
check "rollup TOTAL row" "\"path\":\"TOTAL\",\"before\":$s_single,\"after\":$s_multi,\"delta\":$((s_multi - s_single))" "$rt"

# ---------------------------------------------------------------------------------------------
# 6. The builder stage: what it held and multi does not, by content.
cc1=$(awk -F'\t' '$1 == "/usr/lib/gcc/cc1" { print $3 }' "$tmp/builder.ls")
app=$(awk -F'\t' '$1 == "/app/bin/app" { print $3 }' "$tmp/builder.ls")
[[ $cc1 == 819200 && $app == 270000 ]] || bad "builder listing: cc1 '$cc1' (819200), app '$app' (270000)"
s_builder=$(fsum "$tmp/builder.ls")
awk -F'\t' 'FNR == NR { have[$2] = 1; next } !($2 in have) { print $1 }' \
  "$tmp/multi.sha" "$tmp/builder.sha" >"$tmp/exp.absent"
exp_absent=$(bytes_of "$tmp/builder.ls" "$tmp/exp.absent")
lo=$(grep -o '"name":"builder","content":[0-9]*,"absent":[0-9]*,"carried":[0-9]*' "$json")
check "stage leftover builder: content, absent, carried" \
  "\"name\":\"builder\",\"content\":$s_builder,\"absent\":$exp_absent,\"carried\":$((s_builder - exp_absent))" "$lo"
absent=$(sed 's/.*"absent":\([0-9]*\).*/\1/' <<<"$lo")
carried=$(sed 's/.*"carried":\([0-9]*\)/\1/' <<<"$lo")
((absent >= cc1)) && ok "builder leftover ($absent) includes the toolchain cc1 ($cc1)" ||
  bad "builder leftover $absent < cc1 $cc1"
((carried >= app)) && ok "builder carried ($carried) includes the app ($app)" ||
  bad "builder carried $carried < app $app"
# absent_directories must not name /app; the toolchain RUN layer of the stage has absent >= cc1.
dirs=$(grep -o '"absent_directories":\[[^]]*\]' "$json" | head -1)
grep -q '"path":"/app' <<<"$dirs" && bad "builder absent_directories names /app: $dirs" ||
  ok "builder absent_directories does not name /app"
grep -q '"path":"/usr/lib[^"]*","size":[0-9]*' <<<"$dirs" && ok "builder absent_directories names /usr/lib" ||
  bad "builder absent_directories lacks /usr/lib: $dirs"
tool_prefix=${run_tool:0:40}
tl=$(grep -o "\"instruction\":\"[^\"]*\",\"content\":[0-9]*,\"absent\":[0-9]*" "$json" |
  grep -F "\"instruction\":\"$tool_prefix" | head -1)
tl_absent=${tl##*\"absent\":}
[[ -n $tl ]] && ((tl_absent >= cc1)) && ok "builder layer '$tool_prefix…' left $tl_absent bytes behind" ||
  bad "builder leftover layers: no toolchain RUN row with absent >= $cc1 (got '$tl')"
bl=$(grep -o "\"instruction\":\"[^\"]*\",\"content\":[0-9]*,\"absent\":[0-9]*" "$json" |
  grep -F "\"instruction\":\"${run_build:0:40}" | head -1)
[[ -n $bl && ${bl##*\"absent\":} == 0 ]] && ok "builder's app RUN layer left nothing behind" ||
  bad "builder's app RUN layer: expected absent 0, got '$bl'"

# ---------------------------------------------------------------------------------------------
# 7. The table names the toolchain RUN as a source of removed bytes.
awk '/^LAYERS AND INSTRUCTIONS/ { on = 1; next } on && /^$/ { exit } on' "$table" >"$tmp/layers.txt"
if grep -F "${run_tool:0:50}" "$tmp/layers.txt" | grep -qE ' -[0-9.]+ (B|KiB|MiB) '; then
  ok "table: the toolchain RUN instruction has removed bytes"
else
  bad "table: no LAYERS row with removed bytes naming '${run_tool:0:50}'"
  sed 's/^/    /' "$tmp/layers.txt"
fi
awk '/^LEFT BEHIND IN STAGE builder/ { on = 1; print; next } on && /by directory/ { exit } on' "$table" \
  >"$tmp/left.txt"
grep -qF "${run_tool:0:50}" "$tmp/left.txt" && ok "table: LEFT BEHIND IN STAGE builder names the toolchain RUN" ||
  { bad "table: LEFT BEHIND IN STAGE builder lacks the toolchain RUN"; sed 's/^/    /' "$tmp/left.txt"; }

# ---------------------------------------------------------------------------------------------
# 8. --exit-code: identical images, two encodings of one image, and different images.
exit_code() {  # exit_code NAME EXPECTED_RC BEFORE AFTER [grep text]
  local name=$1 want=$2 out rc
  out=$("$ld" --exit-code "$3" "$4" 2>&1)
  rc=$?
  check "$name: exit code" "$want" "$rc"
  if [[ -n ${5:-} ]]; then
    grep -qF "$5" <<<"$out" && ok "$name: prints '$5'" || bad "$name: no '$5' in output"
  fi
}
same="The merged filesystems are identical."
exit_code "same archive twice" 0 "$tmp/multi.tar" "$tmp/multi.tar" "$same"
exit_code "docker-archive vs oci-archive zstd (multi)" 0 "$tmp/multi.tar" "$tmp/multi-zstd.tar" "$same"
exit_code "docker-archive vs oci-archive gzip (single)" 0 "$tmp/single.tar" "$tmp/single-gzip.tar" "$same"
exit_code "single vs multi" 1 "$tmp/single.tar" "$tmp/multi.tar"
rc=0; "$ld" --exit-code "$tmp/single.tar" "$tmp/nonexistent.tar" >/dev/null 2>&1 || rc=$?
check "missing image with --exit-code is an error" 2 "$rc"

echo "$pass passed, $fail failed"
if ((fail > 0)); then
  echo "--- table output ---"
  cat "$table"
  exit 1
fi
exit 0
