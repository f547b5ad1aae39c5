#!/usr/bin/env bash
# seeds.sh OUT [LAYERDIFF]: seed corpora for the fuzzers from the committed fixtures:
#   OUT/image: every fixture archive below 1 MiB (the hostile ones too);
#   OUT/layer: every blob of the OCI fixtures (layers in all compressions, and JSON);
#   OUT/manifest: index.json / manifest.json shapes in fuzz_manifest's "--"-separated form;
#   OUT/cache: merged-image cache files of small fixtures, made by LAYERDIFF (when given).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=$1
mkdir -p "$out/image" "$out/layer" "$out/manifest" "$out/cache"
if [[ -n ${2:-} ]]; then
  for f in docker.tar oci-after.tar packages-before.tar; do
    "$2" inspect --cache-dir "$out/cache-src" "$here/fixtures/$f" >/dev/null
  done
  find "$out/cache-src" -name 'merged-*.img' -exec cp {} "$out/cache/" \;
  rm -rf "$out/cache-src"
fi
find "$here/fixtures" -maxdepth 2 -type f \( -name '*.tar' -o -name '*.gz' -o -name '*.zst' \) \
  -size -1024k ! -name 'gzip-bomb.tar' -exec cp {} "$out/image/" \;
for d in "$here/fixtures/oci" "$here/fixtures/oci-uncompressed"; do
  for b in "$d"/blobs/sha256/*; do [[ -s $b && $(stat -c %s "$b") -lt 300000 ]] && cp "$b" "$out/layer/"; done
done
d1=$(printf '1%.0s' {1..64}) d2=$(printf '2%.0s' {1..64}) de=$(printf 'e%.0s' {1..64})
mt='"mediaType":"application/vnd.oci.image.manifest.v1+json"'
printf '%s\n--\n%s\n--\n%s' \
  '{"schemaVersion":2,"manifests":[{'"$mt"',"digest":"sha256:'"$d1"'","size":1,"annotations":{"org.opencontainers.image.ref.name":"x"},"platform":{"os":"linux","architecture":"amd64"}}]}' \
  '{"schemaVersion":2,'"$mt"',"config":{"digest":"sha256:'"$d2"'","size":1},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:'"$de"'","size":1024}]}' \
  '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:'"$de"'"]},"history":[{"created_by":"x"}]}' \
  >"$out/manifest/oci"
printf '%s\n--\n%s' \
  '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"sha256:'"$d1"'","size":1}]}' \
  '{"schemaVersion":2,"manifests":[{'"$mt"',"digest":"sha256:'"$d1"'","size":1,"platform":{"os":"linux","architecture":"arm64","variant":"v8"}}]}' \
  >"$out/manifest/nested-index"
printf '%s\n--\n%s' \
  '[{"Config":"config.json","RepoTags":["a:1","b:2"],"Layers":["layer.tar","blobs/sha256/'"$de"'"]}]' \
  '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:'"$de"'","sha256:'"$de"'"]},"history":[{"created_by":"a"},{"empty_layer":true},{"created_by":"b"}]}' \
  >"$out/manifest/docker"
