#!/usr/bin/env bash
# make_app_images.sh OUTDIR: the Node and Python apps of the README's multi-stage walkthrough,
# built with buildah on a Debian 12 minbase made by mmdebstrap (apt, npm and pip as a user's
# Dockerfile runs them), exported with skopeo as docker-save archives:
#   node-single.tar   the builder's steps in one stage     node-multi.tar   builder, prod-deps, runtime
#   node-builder.tar  --target builder                     node-prod-deps.tar  --target prod-deps
#   py-single.tar, py-multi.tar, py-builder.tar            the same for the Python app
#   node-multi.oci-gzip.tar                                node-multi as an OCI archive
# Then, from OUTDIR (the Dockerfiles are in OUTDIR/node and OUTDIR/py):
#   layerdiff node-single.tar node-multi.tar --stage builder=node-builder.tar \
#     --stage prod-deps=node-prod-deps.tar --dockerfile node/Dockerfile.multi
# Needs root, mmdebstrap, buildah, skopeo, umoci, npm on the host (to write the lock file), and
# network to a Debian mirror and the npm registry. A CA the host trusts for them (a proxy's,
# in /usr/local/share/ca-certificates) is copied into the base image. ~1 GB, ~10 minutes.
set -euo pipefail
export LC_ALL=C
[[ $# -eq 1 ]] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
cd "$OUT"
store=$OUT/storage run=$OUT/runroot
B="buildah --root $store --runroot $run --storage-driver overlay"
cs="containers-storage:[overlay@$store+$run]"
if [[ ! -f base.tar ]]; then
  mmdebstrap --variant=minbase --include=ca-certificates \
    --customize-hook='cp /usr/local/share/ca-certificates/*.crt "$1/usr/local/share/ca-certificates/" 2>/dev/null; chroot "$1" update-ca-certificates' \
    bookworm rootfs.tar http://deb.debian.org/debian
  rm -rf base-oci; umoci init --layout base-oci; umoci new --image base-oci:12
  umoci raw add-layer --image base-oci:12 rootfs.tar
  umoci config --image base-oci:12 --config.cmd bash --config.env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt --history.created_by 'ADD rootfs.tar /'
  skopeo copy -q oci:base-oci:12 "${cs}localhost/debian:12"
  touch base.tar
fi
# ---------------- Node app
mkdir -p node/src
cat > node/package.json <<'J'
{ "name": "app", "version": "1.0.0", "private": true,
  "scripts": { "build": "tsc -p ." },
  "dependencies": { "express": "4.19.2", "lodash": "4.17.21" },
  "devDependencies": { "typescript": "5.4.5", "@types/express": "4.17.21", "@types/lodash": "4.17.0" } }
J
cat > node/tsconfig.json <<'J'
{ "compilerOptions": { "outDir": "dist", "module": "commonjs", "target": "es2020", "esModuleInterop": true, "skipLibCheck": true }, "include": ["src"] }
J
cat > node/src/server.ts <<'J'
import express from "express";
import _ from "lodash";
const app = express();
app.get("/", (_req, res) => res.send(_.capitalize("hello")));
app.listen(3000);
J
[[ -f node/package-lock.json ]] || (cd node && npm install --package-lock-only --silent)
cat > node/Dockerfile.multi <<'D'
FROM localhost/debian:12 AS builder
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm
WORKDIR /app
COPY package*.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM builder AS prod-deps
RUN npm prune --omit=dev

FROM localhost/debian:12 AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends nodejs && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=builder /app/dist ./dist
CMD ["node", "dist/server.js"]
D
cat > node/Dockerfile.single <<'D'
FROM localhost/debian:12
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm
WORKDIR /app
COPY package*.json ./
RUN npm ci
COPY . .
RUN npm run build
CMD ["node", "dist/server.js"]
D
# ---------------- Python app
mkdir -p py/app
cat > py/pyproject.toml <<'J'
[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"
[project]
name = "pyapp"
version = "1.0"
J
cat > py/app/__init__.py <<'J'
def main():
    print("hello")
J
head -c 300000 /dev/urandom | base64 > py/app/data.txt
cat > py/Dockerfile.multi <<'D'
FROM localhost/debian:12 AS builder
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-pip python3-setuptools python3-wheel gcc libc6-dev python3-dev
WORKDIR /src
COPY . .
RUN pip install --break-system-packages --no-build-isolation --no-deps --no-index --prefix /install .

FROM localhost/debian:12
RUN apt-get update && apt-get install -y --no-install-recommends python3 && rm -rf /var/lib/apt/lists/*
COPY --from=builder /install /usr/local
CMD ["python3", "-c", "import app; app.main()"]
D
cat > py/Dockerfile.single <<'D'
FROM localhost/debian:12
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-pip python3-setuptools python3-wheel gcc libc6-dev python3-dev
WORKDIR /src
COPY . .
RUN pip install --break-system-packages --no-build-isolation --no-deps --no-index --prefix /install .
CMD ["python3", "-c", "import app; app.main()"]
D
bud() { local ctx=$1 tag=$2 file=$3; shift 3; $B bud --isolation chroot --layers -f "$ctx/$file" -t "localhost/$tag" "$@" "$ctx" >> build.log 2>&1; }
bud node node-single Dockerfile.single
bud node node-multi Dockerfile.multi
bud node node-builder Dockerfile.multi --target builder
bud node node-prod-deps Dockerfile.multi --target prod-deps
bud py py-single Dockerfile.single
bud py py-multi Dockerfile.multi
bud py py-builder Dockerfile.multi --target builder
for i in node-single node-multi node-builder node-prod-deps py-single py-multi py-builder; do
  skopeo copy -q "${cs}localhost/$i" "docker-archive:$OUT/$i.tar:localhost/$i:latest"
done
skopeo copy -q "${cs}localhost/node-multi" "oci-archive:$OUT/node-multi.oci-gzip.tar:latest"
echo "make_app_images: images in $OUT"
