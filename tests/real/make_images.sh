#!/usr/bin/env bash
# make_images.sh OUTDIR — build REAL container image test fixtures with real
# tools (GNU tar, umoci, skopeo) for layerdiff. See fixtures/README.md for what
# every output contains and which overlay rule each layer exercises.
#
# Needs: bash, coreutils, GNU tar, umoci, skopeo, gzip, zstd; optional: setfattr
# (package attr) for the xattr file. Must run as root (chown to 1000/65534,
# mknod). No network. Single-threaded, a few seconds.
#
# Deterministic where possible: every mtime is 1700000000 (2023-11-14T22:13:20Z),
# tars are written with --numeric-owner and (except where order matters) with
# --sort=name, PAX headers carry no atime/ctime/pid, config/history timestamps
# are fixed, and the pseudo-random file is derived with sha512sum. Two runs on
# the same tool versions give byte-identical outputs.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "make_images.sh: must run as root (chown, mknod)" >&2
  exit 1
fi

export LC_ALL=C TZ=UTC
export SOURCE_DATE_EPOCH=1700000000
umask 022
EPOCH=@1700000000
CREATED=2023-11-14T22:13:20Z

mkdir -p "$1"
OUT=$(cd "$1" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/layerdiff-mkimg.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

log() { echo "make_images: $*" >&2; }

# Common tar options. Layer tars: numeric owners, fixed mtime, and for the
# posix format no atime/ctime and no PID in the PAX header names.
TAR_COMMON=(--numeric-owner --mtime="$EPOCH")
# shellcheck disable=SC2054  # commas belong to the --pax-option value
TAR_POSIX=(--format=posix
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime)
TAR_GNU=(--format=gnu)
SKOPEO=(skopeo --insecure-policy copy -q)

# Archives that are not image layers (hand-assembled docker/OCI archives):
# sorted, root-owned, fixed mtime, top-level names without "./".
pack_dir() { # pack_dir DIR OUT.tar
  local dir=$1 out=$2
  find "$dir" -exec touch -h -d "$EPOCH" {} +
  (cd "$dir" && find . -mindepth 1 -maxdepth 1 -printf '%P\n' | sort) >"$WORK/pack.list"
  tar --format=ustar --sort=name --owner=root:0 --group=root:0 \
    --mtime="$EPOCH" -C "$dir" -cf "$out" -T "$WORK/pack.list"
}

# skopeo's oci-archive writer stamps the current time on every tar entry;
# re-pack (same entries, same order, same ustar format, mtime fixed) so that
# the output is reproducible. Blobs are untouched.
normalize_archive() { # normalize_archive FILE.tar
  local d
  d=$(mktemp -d "$WORK/norm.XXXX")
  tar -C "$d" -xf "$1"
  rm -f "$1"
  pack_dir "$d" "$1"
  rm -rf "$d"
}

sha() { sha256sum "$1" | cut -d' ' -f1; }
fsize() { stat -c %s "$1"; }
# first "sha256:<hex>" of a JSON file (the manifest of a single-tag index.json)
first_digest() { grep -o 'sha256:[0-9a-f]\{64\}' "$1" | head -n1 | cut -d: -f2; }
# all digests of a manifest blob in order: config first, then layers
all_digests() { grep -o '"digest":"sha256:[0-9a-f]\{64\}"' "$1" | cut -d: -f3 | tr -d '"'; }

# Pseudo-random but deterministic bytes: sha512 in counter mode (coreutils only).
prandom() { # prandom NBYTES SEED OUTFILE (NBYTES multiple of 64)
  local n=$1 seed=$2 out=$3 d
  d=$(mktemp -d "$WORK/rnd.XXXX")
  seq -f "$seed-%g" 1 $((n / 64)) | split -l 1 -a 5 -d - "$d/c"
  (cd "$d" && sha512sum c*) | cut -c1-128 | tr -d '\n' | tr a-f A-F |
    basenc --base16 -d >"$out"
  rm -rf "$d"
}

D1=$(printf 'd%.0s' {1..120})   # 120-char directory name
F1=$(printf 'f%.0s' {1..130})   # 130-char file name: long/D1/F1 is 256 chars
F2=$(printf 'g%.0s' {1..140})   # 140-char file name (GNU ././@LongLink)

############################################################################
# Layer 1 (base): POSIX/PAX format, entries "./..." incl. the root "./".
############################################################################
S=$WORK/stage1
mkdir -p "$S"
(
  cd "$S"
  mkdir -p bin etc home/user tmp var/empty data dev run hl opq/sub gone/deep/er \
    typedir/sub "long/$D1" secret
  printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n' >etc/passwd
  echo edge >etc/hostname
  printf '#!/bin/sh\necho hello\n' >bin/hello
  printf '#!/bin/sh\necho sgid\n' >bin/sgid
  chmod 4755 bin/hello
  chmod 2755 bin/sgid
  ln -s hello bin/sh_rel               # relative symlink
  ln -s /etc/passwd etc/abs_link       # absolute symlink
  ln -s ../nonexistent etc/dangling    # dangling relative symlink
  echo 'notes of user 1000' >home/user/notes.txt
  chown -R 1000:1000 home/user
  chmod 0700 home/user
  chmod 0640 home/user/notes.txt
  echo 'owned by nobody' >var/empty/nobody.dat
  chown 65534:65534 var/empty/nobody.dat
  chmod 0600 var/empty/nobody.dat
  chmod 0700 secret
  echo 'top secret' >secret/key
  chmod 0400 secret/key
  chmod 1777 tmp
  prandom 102400 layerdiff data/random.bin
  seq 1 1000 >data/medium.txt            # 3893 bytes
  : >data/empty
  echo 'hardlinked content' >hl/one
  ln hl/one hl/two                       # hardlink pair inside the layer
  mkfifo run/fifo
  echo 'a long path' >"long/$D1/$F1"
  echo 'opq a' >opq/a
  echo 'opq sub b' >opq/sub/b
  echo 'gone f' >gone/f
  echo 'gone deep file' >gone/deep/er/file
  echo 'delete me' >del1
  echo 'i am a file, will become a dir' >typefile
  echo 'typedir x' >typedir/x
  echo 'typedir sub y' >typedir/sub/y
  echo 'lower target content' >lower_target
  echo 'chm content' >chm
  chmod 0644 chm
  echo 'original content' >ow
)
chmod 0755 "$S"
DEVICES=yes
if ! mknod "$S/dev/null" c 1 3 2>/dev/null || ! mknod "$S/dev/loop0" b 7 0 2>/dev/null; then
  DEVICES=no
  rm -f "$S/dev/null" "$S/dev/loop0"
  log "mknod failed: devices skipped"
fi
XATTR=no
if command -v setfattr >/dev/null && setfattr -n user.foo -v bar "$S/etc/hostname" 2>/dev/null; then
  XATTR=yes
else
  log "setfattr unavailable or user xattrs unsupported: xattr skipped"
fi
find "$S" -exec touch -h -d "$EPOCH" {} +
XATTR_OPTS=()
[[ $XATTR == yes ]] && XATTR_OPTS=(--xattrs --xattrs-include='user.*')
tar "${TAR_POSIX[@]}" "${TAR_COMMON[@]}" "${XATTR_OPTS[@]}" --sort=name \
  -C "$S" -cf "$WORK/layer1.tar" .

############################################################################
# Layer 2: GNU format, explicit entry order (no --sort).
############################################################################
S=$WORK/stage2
mkdir -p "$S"
(
  cd "$S"
  : >.wh.del1                            # whiteout of a file
  : >.wh.gone                            # whiteout of a directory
  mkdir opq
  echo 'opq new' >opq/new                # new child, BEFORE the opaque marker
  : >opq/.wh..wh..opq                    # opaque marker
  mkdir typefile
  echo 'typefile child' >typefile/child  # file -> directory
  echo 'typedir is now a file' >typedir  # directory -> file (no whiteout)
  echo 'lower target content' >lower_target
  ln lower_target link_to_lower          # hardlink to a file of layer 1
  echo 'chm content' >chm                # same content, new mode/owner
  chmod 0600 chm
  chown 1000:1000 chm
  echo 'overwritten in layer 2 with different, longer content' >ow
  mkdir -p "long/$D1"
  echo 'gnu long name' >"long/$D1/$F2"   # ././@LongLink (L)
  ln -s "long/$D1/$F1" long_link         # long symlink target (././@LongLink K)
)
find "$S" -exec touch -h -d "$EPOCH" {} +
cat >"$WORK/layer2.list" <<EOF
.wh.del1
.wh.gone
opq
opq/new
opq/.wh..wh..opq
typefile
typefile/child
typedir
lower_target
link_to_lower
chm
ow
long/$D1/$F2
long_link
EOF
tar "${TAR_GNU[@]}" "${TAR_COMMON[@]}" --no-recursion -C "$S" \
  -cf "$WORK/layer2.tar" -T "$WORK/layer2.list"
# drop lower_target: link_to_lower now names a file present only in layer 1
tar --delete -f "$WORK/layer2.tar" lower_target

############################################################################
# Layer 3: POSIX format, explicit list; implicit parents; whiteout one of
# the layer-1 hardlink pair; recreate a directory whited out in layer 2.
############################################################################
S=$WORK/stage3
mkdir -p "$S"
(
  cd "$S"
  mkdir -p gone hl implicit/deep/dir
  chmod 0750 gone
  echo 'reborn after whiteout' >gone/reborn
  : >hl/.wh.one
  echo 'file under implicit parents' >implicit/deep/dir/file.txt
)
find "$S" -exec touch -h -d "$EPOCH" {} +
printf '%s\n' gone gone/reborn hl/.wh.one implicit/deep/dir/file.txt >"$WORK/layer3.list"
tar "${TAR_POSIX[@]}" "${TAR_COMMON[@]}" --no-recursion -C "$S" \
  -cf "$WORK/layer3.tar" -T "$WORK/layer3.list"

############################################################################
# Layer 4 (only in tag "after"): deletes and adds, for a future diff command.
############################################################################
S=$WORK/stage4
mkdir -p "$S"
(
  cd "$S"
  mkdir -p etc data bin newdir
  : >etc/.wh.hostname
  : >data/.wh.random.bin
  : >.wh.typefile
  printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\nextra:x:2000:2000::/:/bin/false\n' >etc/passwd
  echo 'new config' >etc/newconf
  printf '#!/bin/sh\necho hello\n' >bin/hello
  chmod 0755 bin/hello                   # setuid dropped, same content
  echo 'new file' >newdir/file
)
find "$S" -exec touch -h -d "$EPOCH" {} +
printf '%s\n' .wh.typefile bin/hello data/.wh.random.bin etc/.wh.hostname \
  etc/newconf etc/passwd newdir newdir/file >"$WORK/layer4.list"
tar "${TAR_GNU[@]}" "${TAR_COMMON[@]}" --no-recursion -C "$S" \
  -cf "$WORK/layer4.tar" -T "$WORK/layer4.list"

############################################################################
# Small layers for the "dup" image (same layer twice) and the arm64 image.
############################################################################
for v in A B; do
  S=$WORK/stage_dup$v
  mkdir -p "$S/dup"
  echo "content from layer $v" >"$S/dup/file"
  echo "only in $v" >"$S/dup/only_$v"
  find "$S" -exec touch -h -d "$EPOCH" {} +
  tar "${TAR_GNU[@]}" "${TAR_COMMON[@]}" --sort=name -C "$S" -cf "$WORK/dup$v.tar" dup
done
S=$WORK/stage_arm
mkdir -p "$S/etc"
echo 'arm64' >"$S/etc/arch"
find "$S" -exec touch -h -d "$EPOCH" {} +
tar "${TAR_GNU[@]}" "${TAR_COMMON[@]}" --sort=name -C "$S" -cf "$WORK/arm.tar" etc

############################################################################
# OCI layout OUT/oci with tags edge, after, dup, arm64 (umoci, gzip layers).
############################################################################
log "building OCI layout with umoci"
rm -rf "$OUT/oci"
IMG=$OUT/oci
umoci init --layout "$IMG"
H=(--history.created "$CREATED")

umoci new --image "$IMG:edge"
umoci raw add-layer --image "$IMG:edge" "${H[@]}" \
  --history.created_by '/bin/sh -c #(nop) ADD file:base.tar in / ' \
  --history.comment 'base layer: modes, owners, links, fifo, devices, long names' \
  "$WORK/layer1.tar"
umoci config --image "$IMG:edge" "${H[@]}" --config.env FOO=bar \
  --history.created_by '/bin/sh -c #(nop)  ENV FOO=bar'
umoci raw add-layer --image "$IMG:edge" "${H[@]}" \
  --history.created_by '/bin/sh -c rm -rf /del1 /gone /opq/* /typefile /typedir && echo opq new > /opq/new && mkdir /typefile && ln /lower_target /link_to_lower && chown 1000:1000 /chm && chmod 600 /chm && echo ... > /ow' \
  "$WORK/layer2.tar"
umoci raw add-layer --image "$IMG:edge" "${H[@]}" \
  --history.created_by '/bin/sh -c rm /hl/one && mkdir -p /gone /implicit/deep/dir && echo reborn > /gone/reborn && echo x > /implicit/deep/dir/file.txt' \
  --history.author 'layerdiff tests' \
  "$WORK/layer3.tar"
umoci config --image "$IMG:edge" "${H[@]}" --created "$CREATED" \
  --author 'layerdiff tests' --config.cmd /bin/sh --config.workingdir / \
  --history.created_by '/bin/sh -c #(nop)  CMD ["/bin/sh"]'

umoci raw add-layer --image "$IMG:edge" --tag after "${H[@]}" \
  --history.created_by '/bin/sh -c rm /etc/hostname /data/random.bin && rm -r /typefile && chmod u-s /bin/hello && echo extra >> /etc/passwd && ...' \
  "$WORK/layer4.tar"

umoci new --image "$IMG:dup"
umoci raw add-layer --image "$IMG:dup" "${H[@]}" --history.created_by 'ADD dupA.tar /' "$WORK/dupA.tar"
umoci raw add-layer --image "$IMG:dup" "${H[@]}" --history.created_by 'ADD dupB.tar /' "$WORK/dupB.tar"
umoci raw add-layer --image "$IMG:dup" "${H[@]}" --history.created_by 'ADD dupA.tar / (again)' "$WORK/dupA.tar"
umoci config --image "$IMG:dup" --created "$CREATED" --no-history \
  --architecture amd64 --os linux

umoci new --image "$IMG:arm64"
umoci raw add-layer --image "$IMG:arm64" "${H[@]}" --history.created_by 'ADD arm.tar /' "$WORK/arm.tar"
umoci config --image "$IMG:arm64" --created "$CREATED" --no-history \
  --architecture arm64 --os linux
umoci gc --layout "$IMG"
find "$IMG" -exec touch -h -d "$EPOCH" {} +

# the ENV/CMD steps must have produced empty_layer history entries
cfg=$(all_digests "$IMG/blobs/sha256/$(skopeo inspect --raw "oci:$IMG:edge" | sha256sum | cut -d' ' -f1)" | head -n1)
grep -q '"empty_layer":true' "$IMG/blobs/sha256/$cfg" || { log "no empty_layer history entry"; exit 1; }

############################################################################
# skopeo conversions
############################################################################
log "skopeo conversions"
rm -rf "$OUT/docker.tar" "$OUT/oci-gzip.tar" "$OUT/oci-zstd.tar" "$OUT/oci-after.tar" \
  "$OUT/oci-uncompressed"
"${SKOPEO[@]}" "oci:$IMG:edge" "docker-archive:$OUT/docker.tar:example/edge:1"
"${SKOPEO[@]}" "oci:$IMG:edge" "oci-archive:$OUT/oci-gzip.tar:edge"
"${SKOPEO[@]}" --dest-compress-format zstd "oci:$IMG:edge" "oci-archive:$OUT/oci-zstd.tar:edge"
"${SKOPEO[@]}" "oci:$IMG:after" "oci-archive:$OUT/oci-after.tar:after"
for f in oci-gzip.tar oci-zstd.tar oci-after.tar; do normalize_archive "$OUT/$f"; done

# check the zstd archive's layers really are zstd (magic 28 b5 2f fd)
mkdir "$WORK/zchk"
tar -C "$WORK/zchk" -xf "$OUT/oci-zstd.tar"
zman=$WORK/zchk/blobs/sha256/$(first_digest "$WORK/zchk/index.json")
all_digests "$zman" | tail -n +2 | while read -r h; do
  magic=$(head -c4 "$WORK/zchk/blobs/sha256/$h" | od -An -tx1 | tr -d ' \n')
  [[ $magic == 28b52ffd ]] || { log "layer $h of oci-zstd.tar is not zstd ($magic)"; exit 1; }
done
grep -q 'layer.v1.tar+zstd' "$zman" || { log "oci-zstd.tar manifest lacks +zstd"; exit 1; }

# uncompressed OCI dir: skopeo decompresses only for dir:, so go via dir:
"${SKOPEO[@]}" --dest-decompress "oci:$IMG:edge" "dir:$WORK/edge-dir"
"${SKOPEO[@]}" --dest-oci-accept-uncompressed-layers "dir:$WORK/edge-dir" "oci:$OUT/oci-uncompressed:edge"
find "$OUT/oci-uncompressed" -exec touch -h -d "$EPOCH" {} +

# whole-archive compression
gzip -n -9 -c "$OUT/docker.tar" >"$OUT/docker.tar.gz"
zstd -q -f -19 --no-progress "$OUT/oci-gzip.tar" -o "$OUT/oci-gzip.tar.zst"

############################################################################
# docker25.tar: Docker 25+ `docker save` layout, hand-assembled:
# OCI layout with uncompressed layers + docker manifest.json.
############################################################################
log "docker25.tar"
D=$WORK/docker25
mkdir -p "$D"
cp -a "$OUT/oci-uncompressed/blobs" "$D/"
printf '{"imageLayoutVersion":"1.0.0"}' >"$D/oci-layout"
mh=$(first_digest "$OUT/oci-uncompressed/index.json")
msize=$(fsize "$D/blobs/sha256/$mh")
mapfile -t digs < <(all_digests "$D/blobs/sha256/$mh")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"docker.io/example/edge:25","org.opencontainers.image.ref.name":"25"}}]}\n' \
  "$mh" "$msize" >"$D/index.json"
layers=""
for h in "${digs[@]:1}"; do layers+="${layers:+,}\"blobs/sha256/$h\""; done
printf '[{"Config":"blobs/sha256/%s","RepoTags":["example/edge:25"],"Layers":[%s]}]\n' \
  "${digs[0]}" "$layers" >"$D/manifest.json"
pack_dir "$D" "$OUT/docker25.tar"

############################################################################
# docker-symlink.tar: legacy `docker save` layout (<id>/layer.tar, json,
# VERSION) where the repeated layer's layer.tar is a symlink to the first.
############################################################################
log "docker-symlink.tar"
"${SKOPEO[@]}" --dest-decompress "oci:$IMG:dup" "dir:$WORK/dup-dir"
D=$WORK/legacy
mkdir -p "$D"
mapfile -t digs < <(all_digests "$WORK/dup-dir/manifest.json")
cp "$WORK/dup-dir/${digs[0]}" "$D/${digs[0]}.json"
parent="" layers="" first_id=""
i=0
for h in "${digs[@]:1}"; do
  i=$((i + 1))
  id=$(printf 'legacy-v1-id %s %s %s' "$i" "$parent" "$h" | sha256sum | cut -d' ' -f1)
  mkdir "$D/$id"
  printf '1.0' >"$D/$id/VERSION"
  if [[ -n $parent ]]; then
    printf '{"id":"%s","parent":"%s","created":"%s","container_config":{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,"Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null},"os":"linux"}' "$id" "$parent" "$CREATED" >"$D/$id/json"
  else
    printf '{"id":"%s","created":"%s","container_config":{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,"Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null},"os":"linux"}' "$id" "$CREATED" >"$D/$id/json"
  fi
  if [[ $i -eq 3 ]]; then
    [[ $h == "${digs[1]}" ]] || { log "dup image: layer 3 != layer 1"; exit 1; }
    ln -s "../$first_id/layer.tar" "$D/$id/layer.tar"
  else
    cp "$WORK/dup-dir/$h" "$D/$id/layer.tar"
  fi
  [[ $i -eq 1 ]] && first_id=$id
  layers+="${layers:+,}\"$id/layer.tar\""
  parent=$id
done
printf '[{"Config":"%s.json","RepoTags":["example/dup:legacy"],"Layers":[%s]}]\n' "${digs[0]}" "$layers" >"$D/manifest.json"
printf '{"example/dup":{"legacy":"%s"}}\n' "$parent" >"$D/repositories"
pack_dir "$D" "$OUT/docker-symlink.tar"

############################################################################
# docker-multi.tar: two images (edge with two tags, dup) in one docker
# archive, hand-merged from two skopeo docker-archives.
############################################################################
log "docker-multi.tar"
"${SKOPEO[@]}" --additional-tag example/edge:latest "oci:$IMG:edge" "docker-archive:$WORK/m1.tar:example/edge:1"
"${SKOPEO[@]}" "oci:$IMG:dup" "docker-archive:$WORK/m2.tar:example/dup:1"
D=$WORK/multi
mkdir -p "$D/a" "$D/b" "$D/m"
tar -C "$D/a" -xf "$WORK/m1.tar"
tar -C "$D/b" -xf "$WORK/m2.tar"
cp -a "$D/a/." "$D/m/"
cp -an "$D/b/." "$D/m/"
strip_brackets() { tr -d '\n' <"$1" | sed -e 's/^\[//' -e 's/\]$//'; }
strip_braces() { tr -d '\n' <"$1" | sed -e 's/^{//' -e 's/}$//'; }
printf '[%s,%s]\n' "$(strip_brackets "$D/a/manifest.json")" "$(strip_brackets "$D/b/manifest.json")" >"$D/m/manifest.json"
printf '{%s,%s}\n' "$(strip_braces "$D/a/repositories")" "$(strip_braces "$D/b/repositories")" >"$D/m/repositories"
pack_dir "$D/m" "$OUT/docker-multi.tar"

############################################################################
# multiarch.tar: OCI archive, index.json -> nested image index ->
# linux/amd64 (edge), linux/arm64/v8 (arm64), attestation manifest.
############################################################################
log "multiarch.tar"
D=$WORK/multiarch
"${SKOPEO[@]}" "oci:$IMG:edge" "oci:$D:amd64"
"${SKOPEO[@]}" "oci:$IMG:arm64" "oci:$D:arm64"
B=$D/blobs/sha256
amd=$(skopeo inspect --raw "oci:$IMG:edge" | sha256sum | cut -d' ' -f1)
arm=$(skopeo inspect --raw "oci:$IMG:arm64" | sha256sum | cut -d' ' -f1)
[[ -f $B/$amd && -f $B/$arm ]] || { log "multiarch: manifests missing"; exit 1; }
put_blob() { # put_blob FILE -> prints hex, moves FILE into blobs
  local h
  h=$(sha "$1")
  mv "$1" "$B/$h"
  echo "$h"
}
printf '{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://spdx.dev/Document","subject":[{"name":"pkg:docker/example/multi@1?platform=linux%%2Famd64","digest":{"sha256":"%s"}}],"predicate":{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"layerdiff-test-sbom","dataLicense":"CC0-1.0","packages":[]}}' "$amd" >"$WORK/att-layer"
att_l=$(put_blob "$WORK/att-layer"); att_l_size=$(fsize "$B/$att_l")
printf '{"architecture":"unknown","os":"unknown","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$att_l" >"$WORK/att-config"
att_c=$(put_blob "$WORK/att-config"); att_c_size=$(fsize "$B/$att_c")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.in-toto+json","digest":"sha256:%s","size":%s,"annotations":{"in-toto.io/predicate-type":"https://spdx.dev/Document"}}]}' \
  "$att_c" "$att_c_size" "$att_l" "$att_l_size" >"$WORK/att-manifest"
att_m=$(put_blob "$WORK/att-manifest"); att_m_size=$(fsize "$B/$att_m")
MT=application/vnd.oci.image.manifest.v1+json
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"%s","digest":"sha256:%s","size":%s,"platform":{"architecture":"amd64","os":"linux"}},{"mediaType":"%s","digest":"sha256:%s","size":%s,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}},{"mediaType":"%s","digest":"sha256:%s","size":%s,"annotations":{"vnd.docker.reference.digest":"sha256:%s","vnd.docker.reference.type":"attestation-manifest"},"platform":{"architecture":"unknown","os":"unknown"}}]}' \
  "$MT" "$amd" "$(fsize "$B/$amd")" "$MT" "$arm" "$(fsize "$B/$arm")" "$MT" "$att_m" "$att_m_size" "$amd" >"$WORK/nested-index"
nidx=$(put_blob "$WORK/nested-index"); nidx_size=$(fsize "$B/$nidx")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"docker.io/example/multi:1","org.opencontainers.image.ref.name":"1"}}]}\n' \
  "$nidx" "$nidx_size" >"$D/index.json"
pack_dir "$D" "$OUT/multiarch.tar"

log "devices=$DEVICES xattr=$XATTR"
log "done: $OUT"
