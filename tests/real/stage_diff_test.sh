#!/usr/bin/env bash
# stage_diff_test.sh LAYERDIFF_BIN FS_LIST_BIN
#
# Stage and instruction attribution on multi-stage builds made by a real builder. With buildah
# (private storage under a temporary directory, chroot isolation, no network) it builds, from a
# busybox base image, the two classic shapes with stand-ins for the package managers:
#   node    builder (toolchain RUN, WORKDIR, COPY package.json, `npm ci`, COPY . ., build),
#           prod-deps FROM builder (`npm prune`), runtime (its own install, COPY --from=prod-deps
#           node_modules, COPY --from=builder dist); node-single runs the builder's steps alone;
#   python  builder (toolchain, COPY, `pip install --prefix /install`), runtime (its own install,
#           COPY --from=builder /install /usr/local); python-single the builder's steps alone;
#   cleaned node-single plus one layer that deletes (a file, a tree), chmods and adds a hardlink
#           to a lower file: it shares every layer of node-single.
# Exported with skopeo (docker-archive, OCI layout, oci-archive zstd), unpacked with umoci and
# listed with fs_list (the runtime's view). check_stage_diff.py then compares layerdiff's JSON
# with that view and with the exact facts of the build: the changed paths, each change's
# responsible layer, the layer/stage/leftover sums, the labels of every layer; and the table and
# Markdown with the JSON.
#
# The HTML pages of the node diff, inspect and check are checked in headless Chromium against
# the JSON (tests/html/check_page.py).
# Exits 77 (skip) when not root or when buildah, skopeo, umoci, python3 or a static busybox are
# missing.
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
for t in buildah skopeo umoci tar python3; do
  command -v "$t" >/dev/null || skip "$t not installed"
done
busybox=""
for b in /bin/busybox /usr/bin/busybox; do [[ -x $b ]] && busybox=$b && break; done
[[ -n $busybox ]] || skip "busybox (package busybox-static) not installed"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/layerdiff-stage.XXXXXX")
# shellcheck source=tests/real/buildah_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/buildah_lib.sh"
die() { echo "ERROR: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# 1. Base image: busybox and a few files, one layer made with umoci.
rootfs=$tmp/rootfs
mkdir -p "$rootfs"/{bin,etc,tmp,usr/share/doc/base,var/cache/old}
cp "$busybox" "$rootfs/bin/busybox"
for a in sh cat rm mkdir dd echo ls cp true chmod head; do ln -s busybox "$rootfs/bin/$a"; done
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
# 2. Containerfiles. Package-manager stand-ins: random bytes for what only the builder installs
# (it must not reach the runtime), busybox's own bytes for what both stages install (the same
# content at the same path), a different cache file in each.
ctx=$tmp/ctx
from=localhost/base:1  # pushed into buildah's storage below (FROM oci:PATH names it after PATH)
mkdir -p "$ctx/src"
head -c 150000 /dev/urandom >"$ctx/src/main.js"
head -c 20000 /dev/urandom >"$ctx/src/util.js"
echo '{"name":"app"}' >"$ctx/package.json"
tool='RUN mkdir -p /usr/lib/gcc /usr/share/npm /var/cache/apt /usr/bin && dd if=/dev/urandom of=/usr/lib/gcc/cc1 bs=1k count=800 2>/dev/null && dd if=/dev/urandom of=/usr/share/npm/cli.js bs=1k count=90 2>/dev/null && dd if=/bin/busybox of=/usr/bin/node bs=1k count=200 2>/dev/null && dd if=/dev/urandom of=/var/cache/apt/pkgcache.bin bs=1k count=40 2>/dev/null'
ci='RUN mkdir -p node_modules/express node_modules/typescript /root/.npm && dd if=/dev/urandom of=node_modules/express/index.js bs=1k count=60 2>/dev/null && dd if=/dev/urandom of=node_modules/typescript/tsc.js bs=1k count=300 2>/dev/null && dd if=/dev/urandom of=/root/.npm/cache bs=1k count=100 2>/dev/null'
build='RUN mkdir -p dist && cat src/main.js src/util.js > dist/server.js'
cat >"$ctx/Containerfile.node" <<CONTAINERFILE
FROM $from AS builder
$tool
WORKDIR /app
COPY package.json ./
$ci
COPY . .
$build

FROM builder AS prod-deps
RUN rm -rf node_modules/typescript

FROM $from AS runtime
RUN mkdir -p /usr/bin /var/cache/apt && dd if=/bin/busybox of=/usr/bin/node bs=1k count=200 2>/dev/null && dd if=/dev/urandom of=/var/cache/apt/pkgcache.bin bs=1k count=30 2>/dev/null
WORKDIR /app
ENV NODE_ENV=production
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=builder /app/dist ./dist
CMD ["/bin/sh"]
CONTAINERFILE
cat >"$ctx/Containerfile.node-single" <<CONTAINERFILE
FROM $from
$tool
WORKDIR /app
COPY package.json ./
$ci
COPY . .
$build
CONTAINERFILE
pytool='RUN mkdir -p /usr/lib/gcc-12 /usr/include && dd if=/dev/urandom of=/usr/lib/gcc-12/cc1 bs=1k count=700 2>/dev/null && echo "int x;" > /usr/include/python.h'
pyinstall='RUN mkdir -p /install/lib/site-packages/app && cp src/main.js /install/lib/site-packages/app/main.py'
cat >"$ctx/Containerfile.python" <<CONTAINERFILE
FROM $from AS builder
$pytool
WORKDIR /src
COPY . .
$pyinstall

FROM $from
RUN mkdir -p /usr/lib/python3 && dd if=/bin/busybox of=/usr/lib/python3/libpython.so bs=1k count=100 2>/dev/null
COPY --from=builder /install /usr/local
CONTAINERFILE
cat >"$ctx/Containerfile.python-single" <<CONTAINERFILE
FROM $from
$pytool
WORKDIR /src
COPY . .
$pyinstall
CONTAINERFILE
cat >"$ctx/Containerfile.cleaned" <<CONTAINERFILE
FROM localhost/node-single:1
RUN rm -rf /root/.npm /usr/lib/gcc /app/src && chmod 600 /etc/motd && chmod 700 /usr/share/npm/cli.js && ln /usr/bin/node /usr/bin/nodejs
CONTAINERFILE

# ---------------------------------------------------------------------------------------------
# 3. Build with buildah: overlay first, vfs when overlay cannot mount here.
bud() {  # bud TAG CONTAINERFILE [extra args]
  local tag=$1 file=$2
  shift 2
  B bud --isolation chroot \
    --layers -f "$file" -t "localhost/$tag:1" "$@" "$ctx" >>"$tmp/buildah.log" 2>&1
}
for d in ${LAYERDIFF_BUILDAH_DRIVERS:-overlay vfs}; do  # env: e.g. LAYERDIFF_BUILDAH_DRIVERS=vfs
  driver=$d store=$tmp/storage-$d run=$tmp/runroot-$d  # one root per driver: they cannot share
  if skopeo copy -q "oci:$tmp/base-oci:1" "containers-storage:[$d@$store+$run]$from" \
       >>"$tmp/buildah.log" 2>&1 && bud node-builder "$ctx/Containerfile.node" --target builder; then break; fi
  echo "buildah with --storage-driver $d failed:"; tail -5 "$tmp/buildah.log" | sed 's/^/    /'
  B rmi --all --force >/dev/null 2>&1
  driver=""
done
[[ -n $driver ]] || die "buildah could not build with overlay nor vfs (log: above)"
echo "buildah storage driver: $driver"
build() { bud "$@" || { tail -20 "$tmp/buildah.log"; die "buildah: $1"; }; }
build node-prod-deps "$ctx/Containerfile.node" --target prod-deps
build node "$ctx/Containerfile.node"
build node-single "$ctx/Containerfile.node-single"
build python-builder "$ctx/Containerfile.python" --target builder
build python "$ctx/Containerfile.python"
build python-single "$ctx/Containerfile.python-single"
build cleaned "$ctx/Containerfile.cleaned"

# Export: docker-archive (uncompressed layers), OCI layout (for umoci), one zstd OCI archive.
cs="containers-storage:[$driver@$store+$run]"
images=(node-builder node-prod-deps node node-single python-builder python python-single cleaned)
for i in "${images[@]}"; do
  skopeo copy -q "${cs}localhost/$i:1" "docker-archive:$tmp/$i.tar:localhost/$i:1" &&
    skopeo copy -q "${cs}localhost/$i:1" "oci:$tmp/oci:$i" || die "skopeo: export $i"
done
skopeo copy -q --dest-compress-format zstd "${cs}localhost/node:1" "oci-archive:$tmp/node-zstd.tar:node" ||
  die "skopeo: zstd export"

# ---------------------------------------------------------------------------------------------
# 4. The runtime's view: umoci unpack + fs_list, and a sha256 of every regular file.
for i in "${images[@]}"; do
  FS_LIST=$fsl "$here/unpack_view.sh" "$tmp/oci" "$i" "$tmp/$i.ls" || die "unpack $i"
  umoci unpack --image "$tmp/oci:$i" "$tmp/b-$i" >/dev/null 2>&1 || die "umoci unpack $i"
  # path <TAB> sha256 for every regular file (paths as fs_list prints them: /a/b)
  (cd "$tmp/b-$i/rootfs" && find . -type f -print0 | xargs -0 -r sha256sum) |
    awk '{ h = $1; p = substr($0, length($1) + 4); sub(/^\.\//, "/", p); print p "\t" h }' |
    sort >"$tmp/$i.sha"
  rm -rf "$tmp/b-$i"
done
FS_LIST=$fsl "$here/unpack_view.sh" "$tmp/base-oci" 1 "$tmp/base.ls" || die "unpack base"

# ---------------------------------------------------------------------------------------------
# 5. layerdiff on each pair, in every format, checked by check_stage_diff.py.
diff3() {  # diff3 NAME ARGS... : the report as JSON, table and Markdown in $tmp/NAME.{json,txt,md}
  local name=$1
  shift
  "$ld" --format json "$@" >"$tmp/$name.json" 2>"$tmp/$name.err" &&
    "$ld" --format table --color never "$@" >"$tmp/$name.txt" 2>>"$tmp/$name.err" &&
    "$ld" --format markdown "$@" >"$tmp/$name.md" 2>>"$tmp/$name.err"
  local rc=$?
  check "$name: json, table and markdown exit 0" 0 "$rc"
  if [[ -s $tmp/$name.err ]]; then bad "$name: stderr"; sed 's/^/    /' "$tmp/$name.err"; fi
}
diff3 node "$tmp/node-single.tar" "$tmp/node.tar" --stage "builder=$tmp/node-builder.tar" \
  --stage "prod-deps=$tmp/node-prod-deps.tar" --dockerfile "$ctx/Containerfile.node"
diff3 node-nodf "$tmp/node-single.tar" "$tmp/node-zstd.tar" --stage "builder=$tmp/node-builder.tar" \
  --stage "prod-deps=$tmp/node-prod-deps.tar"
diff3 node-2df "$tmp/node-single.tar" "$tmp/node.tar" --dockerfile "$ctx/Containerfile.node" \
  --before-dockerfile "$ctx/Containerfile.node-single"
diff3 python "$tmp/python-single.tar" "$tmp/python.tar" --stage "builder=$tmp/python-builder.tar" \
  --dockerfile "$ctx/Containerfile.python"
diff3 cleaned "$tmp/node-single.tar" "$tmp/cleaned.tar" --dockerfile "$ctx/Containerfile.node-single"

# What each layer of the buildah images did, against umoci's unpacks of every layer prefix.
"$here/layer_changes_test.sh" "$ld" "$fsl" "$tmp/oci:node" "$tmp/oci:cleaned" "$tmp/oci:node-prod-deps" \
  >"$tmp/layers.out" 2>&1
grep -E '^(PASS|FAIL)' "$tmp/layers.out"
pass=$((pass + $(grep -c '^PASS' "$tmp/layers.out")))
fail=$((fail + $(grep -c '^FAIL' "$tmp/layers.out")))

python3 "$here/check_stage_diff.py" "$tmp" "$ctx" >"$tmp/check.out" 2>&1
py=$?
cat "$tmp/check.out"
pass=$((pass + $(grep -c '^PASS' "$tmp/check.out")))
fail=$((fail + $(grep -c '^FAIL' "$tmp/check.out")))
[[ $py -eq 0 ]] || bad "check_stage_diff.py exited $py"

# ---------------------------------------------------------------------------------------------
# 5b. The HTML pages of these real images in headless Chromium, reconciled with the JSON of the
# same arguments (tests/html/check_page.py): the multi-stage diff with its stages and leftovers,
# an inspect of the runtime image, and a failing check.
html_page() {  # html_page KIND NAME ARGS...
  local kind=$1 name=$2 cmd=() extra=() rc
  shift 2
  [[ $kind != diff ]] && cmd=("$kind")
  [[ $kind == inspect ]] && extra=(--by package)
  "$ld" "${cmd[@]}" --format html "$@" >"$tmp/$name.html" 2>"$tmp/$name.herr"
  rc=$?
  "$ld" "${cmd[@]}" --format json "${extra[@]}" "$@" >"$tmp/$name.hjson" 2>>"$tmp/$name.herr"
  if [[ -s $tmp/$name.herr ]]; then bad "$name.html: stderr"; sed 's/^/    /' "$tmp/$name.herr"; fi
  [[ $kind == check ]] || check "$name.html: exit 0" 0 "$rc"
  local opts=()
  [[ $kind == inspect ]] && "$ld" ls --format json "$@" >"$tmp/$name.ls" && opts=(--ls "$tmp/$name.ls")
  if python3 "$here/../html/check_page.py" "$kind" "$tmp/$name.html" "$tmp/$name.hjson" "${opts[@]}" \
       >"$tmp/$name.hcheck" 2>&1; then
    ok "$name.html in the browser ($(tail -n 1 "$tmp/$name.hcheck"))"
  else
    bad "$name.html in the browser"
    grep -v '^PASS' "$tmp/$name.hcheck" | head -30 | sed 's/^/    /'
  fi
}
if command -v chromium >/dev/null; then
  html_page diff node-html "$tmp/node-single.tar" "$tmp/node.tar" --stage "builder=$tmp/node-builder.tar" \
    --stage "prod-deps=$tmp/node-prod-deps.tar" --dockerfile "$ctx/Containerfile.node"
  for id in stages-table left-behind-layers-0 left-behind-directories-0; do
    grep -q "id=\"$id\"" "$tmp/node-html.html" && ok "node-html: has #$id" || bad "node-html: no #$id"
  done
  html_page inspect node-inspect-html "$tmp/node.tar"
  html_page check node-check-html --baseline "$tmp/node-single.tar" --max-new-file 10KiB \
    --forbid '/usr/lib/gcc/**' --dockerfile "$ctx/Containerfile.node" "$tmp/node.tar"
else
  bad "chromium not installed (scripts/deps.sh test installs it): the HTML pages cannot be checked"
fi

# ---------------------------------------------------------------------------------------------
# 6. --exit-code: identical images, two encodings of one image, and different images.
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
exit_code "same archive twice" 0 "$tmp/node.tar" "$tmp/node.tar" "$same"
exit_code "docker-archive vs oci-archive zstd" 0 "$tmp/node.tar" "$tmp/node-zstd.tar" "$same"
exit_code "single vs multi" 1 "$tmp/node-single.tar" "$tmp/node.tar"
rc=0; "$ld" --exit-code "$tmp/node.tar" "$tmp/nonexistent.tar" >/dev/null 2>&1 || rc=$?
check "missing image with --exit-code is an error" 2 "$rc"

echo "$pass passed, $fail failed"
if ((fail > 0)); then
  for f in node cleaned; do echo "--- $f table ---"; cat "$tmp/$f.txt"; done
  exit 1
fi
exit 0
