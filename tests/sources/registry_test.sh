#!/usr/bin/env bash
# registry_test.sh LAYERDIFF_BIN FIXTURES_DIR
#
# Images read where they live, from real servers this test starts on loopback and a unix socket
# in a temporary directory:
#   * Debian's docker-registry, anonymous over plain HTTP (a loopback host may speak HTTP), with
#     the fixtures pushed by `skopeo copy`: gzip and zstd OCI images, a docker-archive (converted
#     to a Docker v2 manifest), a multi-platform index. ls, inspect, diff and check equal those of
#     the same archives; the registry's access log shows the distinct blobs served once on a cold
#     run and no blob at all on a warm one;
#   * docker-registry with htpasswd (Basic) over TLS, its certificate signed by a CA made here with
#     openssl: untrusted without --cert-dir, wrong and missing passwords, --creds, --authfile,
#     $REGISTRY_AUTH_FILE, ~/.docker/config.json, a credential helper, --tls-verify=false;
#   * docker-registry with token auth, the token server servers.py (JWTs signed with openssl by a
#     key whose certificate the registry trusts): anonymous pull where allowed and refused where
#     not, credentials, a wrong password, an OAuth2 refresh token (identitytoken);
#   * servers.py's fault proxy in front of the anonymous registry: a connection dropped mid-blob
#     (resumed with a Range request), a blob whose bytes do not match its digest, 503 and 429
#     (retried), a redirect to blob storage that must not receive the Authorization header;
#   * `podman system service` (Docker API) on a unix socket: docker-daemon: equals the archive.
# Prints one line per check, then "N passed, M failed"; exits 1 if any check failed. The tools are
# installed by scripts/deps.sh test; a missing one is a failure, not a skip.
set -u
export LC_ALL=C
unset NO_COLOR DOCKER_HOST REGISTRY_AUTH_FILE

if [[ $# -ne 2 ]]; then
  echo "usage: $0 LAYERDIFF_BIN FIXTURES_DIR" >&2
  exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
FIX=$(cd "$2" && pwd)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SERVERS=$HERE/servers.py

TMP=$(mktemp -d "${TMPDIR:-/tmp}/layerdiff-registry.XXXXXX")
OUT=$TMP/out ERR=$TMP/err
# shellcheck source=tests/lib.sh
source "$HERE/../lib.sh"

pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  if [[ -n ${LAYERDIFF_KEEP_TMP:-} ]]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
die() {
  echo "ERROR: $*"
  exit 1
}

for t in docker-registry skopeo podman openssl python3 curl; do
  command -v "$t" >/dev/null || die "$t is not installed (scripts/deps.sh test installs it)"
done
# No user configuration leaks in: credentials and caches live under $TMP.
export HOME=$TMP/home XDG_RUNTIME_DIR=$TMP/run XDG_CACHE_HOME=$TMP/cache
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
# Loopback is never proxied.
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost

read -r P_ANON P_TLS P_TOK P_TOKSRV P_PROXY P_STORE < <(python3 "$SERVERS" ports 6)
ANON=127.0.0.1:$P_ANON TLS=127.0.0.1:$P_TLS TOK=127.0.0.1:$P_TOK PROXY=127.0.0.1:$P_PROXY

# ---------------------------------------------------------------------------------------------
# Certificates: a CA, the TLS registry's certificate for 127.0.0.1, the token signer.
C=$TMP/certs
mkdir -p "$C/trusted"
{
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=layerdiff-test-ca \
    -keyout "$C/ca.key" -out "$C/ca.crt" &&
    openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$C/server.key" -out "$C/server.csr" &&
    printf 'subjectAltName=IP:127.0.0.1\n' >"$C/ext" &&
    openssl x509 -req -in "$C/server.csr" -CA "$C/ca.crt" -CAkey "$C/ca.key" -CAcreateserial -days 2 \
      -extfile "$C/ext" -out "$C/server.crt" &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=token-signer \
      -keyout "$C/token.key" -out "$C/token.crt"
} >"$TMP/openssl.log" 2>&1 || { cat "$TMP/openssl.log"; die "openssl could not make the certificates"; }
cp "$C/ca.crt" "$C/trusted/ca.crt"
hash=$(python3 -W ignore -c 'import crypt; print(crypt.crypt("s3cret", crypt.mksalt(crypt.METHOD_BLOWFISH)))')
echo "alice:$hash" >"$TMP/htpasswd"

# ---------------------------------------------------------------------------------------------
# Servers.
registry() {  # registry NAME ADDR [extra YAML under http: / auth:]
  local name=$1 addr=$2
  mkdir -p "$TMP/$name"
  {
    printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\n' "$TMP/$name/data"
    printf 'http:\n  addr: %s\n' "$addr"
    printf '%s\n' "${3:-}"
  } >"$TMP/$name/config.yml"
  docker-registry serve "$TMP/$name/config.yml" >"$TMP/$name/access.log" 2>&1 &
  pids+=($!)
}
registry anon "$ANON"
registry tls "$TLS" "  tls:
    certificate: $C/server.crt
    key: $C/server.key
auth:
  htpasswd:
    realm: test
    path: $TMP/htpasswd"
registry tok "$TOK" "auth:
  token:
    realm: http://127.0.0.1:$P_TOKSRV/token
    service: test-registry
    issuer: test-issuer
    rootcertbundle: $C/token.crt"
python3 "$SERVERS" token "$P_TOKSRV" "$C/token.key" "$C/token.crt" test-issuer test-registry \
  alice:s3cret refresh-secret "$TMP/token.log" 2>"$TMP/token.err" &
pids+=($!)
python3 "$SERVERS" proxy "$P_PROXY" "$P_STORE" "http://$ANON" alice:s3cret "$TMP/proxy.log" \
  2>"$TMP/proxy.err" &
pids+=($!)
PM=(podman --root "$TMP/pm/root" --runroot "$TMP/pm/run" --storage-driver vfs)
"${PM[@]}" system service --time=0 "unix://$TMP/pm/api.sock" >"$TMP/podman.log" 2>&1 &
pids+=($!)

up() {  # up URL [curl args]: waits up to 15 s for an HTTP answer
  local url=$1 i
  shift
  for ((i = 0; i < 150; i++)); do
    curl -s -o /dev/null "$@" "$url" && return 0
    sleep 0.1
  done
  return 1
}
up "http://$ANON/v2/" || die "docker-registry (anonymous) did not start: $(tail -3 "$TMP/anon/access.log")"
up "https://$TLS/v2/" --cacert "$C/ca.crt" || die "docker-registry (TLS) did not start: $(tail -3 "$TMP/tls/access.log")"
up "http://$TOK/v2/" || die "docker-registry (token) did not start: $(tail -3 "$TMP/tok/access.log")"
up "http://127.0.0.1:$P_TOKSRV/token" || die "the token server did not start: $(cat "$TMP/token.err")"
up "http://$PROXY/v2/" || die "the fault proxy did not start: $(cat "$TMP/proxy.err")"
up http://d/_ping --unix-socket "$TMP/pm/api.sock" || die "podman system service did not start: $(tail -3 "$TMP/podman.log")"

# ---------------------------------------------------------------------------------------------
# Images: the fixtures, pushed with skopeo.
push() {  # push SRC DEST [skopeo copy flags]
  local src=$1 dst=$2
  shift 2
  skopeo copy -q --insecure-policy "$@" "$src" "docker://$dst" >>"$TMP/skopeo.log" 2>&1 ||
    { tail -5 "$TMP/skopeo.log"; die "skopeo copy $src docker://$dst"; }
}
push "oci-archive:$FIX/oci-gzip.tar" "$ANON/test/gz:1" --dest-tls-verify=false
push "oci-archive:$FIX/oci-zstd.tar" "$ANON/test/zstd:1" --dest-tls-verify=false
push "oci-archive:$FIX/oci-after.tar" "$ANON/test/after:1" --dest-tls-verify=false
push "docker-archive:$FIX/docker.tar" "$ANON/test/docker:1" --dest-tls-verify=false
push "oci-archive:$FIX/multiarch.tar:1" "$ANON/test/multi:1" --dest-tls-verify=false --all
push "oci-archive:$FIX/oci-gzip.tar" "$TLS/test/gz:1" --dest-cert-dir "$C/trusted" --dest-creds alice:s3cret
push "oci-archive:$FIX/oci-gzip.tar" "$TOK/public/gz:1" --dest-tls-verify=false --dest-creds alice:s3cret
push "oci-archive:$FIX/oci-gzip.tar" "$TOK/private/gz:1" --dest-tls-verify=false --dest-creds alice:s3cret
"${PM[@]}" pull -q "docker-archive:$FIX/docker.tar" >>"$TMP/podman.log" 2>&1 || die "podman pull docker.tar"
"${PM[@]}" tag sha256:02956ff8cce36b8adf92217893b848e562df8fe2914b0fa48e1793c36efdacf7 localhost/app:1 ||
  die "podman tag"

# ---------------------------------------------------------------------------------------------
# Helpers.
strip() {  # the JSON report without the fields that name where the image came from
  sed -E 's/"(name|source|layout|reference)":"[^"]*"/"\1":""/g' "$@"
}
same() {  # same NAME FILE_A FILE_B
  if cmp -s "$2" "$3"; then
    pass "$1"
  else
    fail "$1" "differs:"
    diff "$2" "$3" | head -n 6 | sed 's/^/      | /'
  fi
}
ok_run() {  # ok_run NAME: the last run exited 0 with nothing on stderr
  if [[ $rc -ne 0 ]]; then
    fail "$1" "exit $rc: $(head -n 2 "$ERR")"
    return 1
  fi
  pass "$1"
}
mark() { wc -l <"$1"; }
blob_gets() {  # blob_gets LOG FROM_LINE: "digest bytes" of each blob GET answered 200 after a mark
  tail -n +"$(($2 + 1))" "$1" | grep -o '"GET /v2/[^ ]*/blobs/sha256:[0-9a-f]* HTTP/[0-9.]*" 200 [0-9]*' |
    sed -E 's|.*/blobs/(sha256:[0-9a-f]*) HTTP/[0-9.]*" 200 ([0-9]*)|\1 \2|'
}
manifest_gets() {  # manifest_gets LOG FROM_LINE: the manifests (tags and digests) fetched
  tail -n +"$(($2 + 1))" "$1" | grep -o '"GET /v2/[^ ]*/manifests/[^ ]*' | sed 's|.*/manifests/||'
}
blob_sizes() {  # blob_sizes DIGEST...: the sum of the sizes of these blobs in the OCI fixtures
  local total=0 d s
  for d in "$@"; do
    s=$(cat "$FIX"/oci-gzip.tar "$FIX"/oci-after.tar | tar -tvif - 2>/dev/null |
      awk -v n="blobs/sha256/${d#sha256:}" '$6 == n { print $3; exit }')
    total=$((total + s))
  done
  echo "$total"
}
ld() { run --cache-dir "$TMP/cache/c" "$@"; }
# LAYERDIFF_SHOW_ERRORS=1: print each expected error as layerdiff wrote it (for the README).
if [[ -n ${LAYERDIFF_SHOW_ERRORS:-} ]]; then
  eval "$(declare -f check_err | sed '1s/check_err/lib_check_err/')"
  check_err() {
    lib_check_err "$@"
    sed -n '1s/^/      > /p' "$ERR"
  }
fi

# ---------------------------------------------------------------------------------------------
# 1. Anonymous registry: the same results as the archives.
for img in gz:oci-gzip.tar zstd:oci-zstd.tar after:oci-after.tar docker:docker.tar multi:multiarch.tar; do
  repo=${img%%:*} file=${img#*:}
  ld ls "docker://$ANON/test/$repo:1" && ok_run "ls docker://…/test/$repo:1 exits 0" &&
    { "$BIN" ls "$FIX/$file" >"$TMP/want.ls"; same "ls docker://…/test/$repo:1 = ls $file" "$TMP/want.ls" "$OUT"; }
done
ld ls --platform linux/arm64 "docker://$ANON/test/multi:1"
"$BIN" ls --platform linux/arm64 "$FIX/multiarch.tar" >"$TMP/want.ls"
same "ls --platform linux/arm64 of the registry's index = the archive's" "$TMP/want.ls" "$OUT"
for img in gz:oci-gzip.tar zstd:oci-zstd.tar; do
  repo=${img%%:*} file=${img#*:}
  ld inspect --format json "docker://$ANON/test/$repo:1"
  strip "$OUT" >"$TMP/got.json"
  "$BIN" inspect --format json "$FIX/$file" | strip >"$TMP/want.json"
  same "inspect --format json of test/$repo = of $file (but source, layout, reference)" "$TMP/want.json" "$TMP/got.json"
done
ld inspect --format json "docker://$ANON/test/gz:1"
grep -q "\"source\":\"docker://$ANON/test/gz:1\",\"name\":\"$ANON/test/gz:1\",\"reference\":\"$ANON/test/gz:1\",\"platform\":\"linux/amd64\",\"layout\":\"registry\"" "$OUT" &&
  pass "inspect names the registry image: source, name, reference, layout registry" ||
  fail "inspect's image fields" "$(head -c 300 "$OUT")"
ld --format json "docker://$ANON/test/gz:1" "docker://$ANON/test/after:1"
strip "$OUT" >"$TMP/got.json"
"$BIN" --format json "$FIX/oci-gzip.tar" "$FIX/oci-after.tar" | strip >"$TMP/want.json"
same "diff of two registry images = diff of the archives" "$TMP/want.json" "$TMP/got.json"
ld check --format json --baseline "docker://$ANON/test/gz:1" --max-growth 1% --max-new-file 10B "docker://$ANON/test/after:1"
want_rc=$rc
strip "$OUT" >"$TMP/got.json"
"$BIN" check --format json --baseline "$FIX/oci-gzip.tar" --max-growth 1% --max-new-file 10B "$FIX/oci-after.tar" |
  strip >"$TMP/want.json"
same "check --baseline of registry images = of the archives" "$TMP/want.json" "$TMP/got.json"
[[ $want_rc -eq 1 ]] && pass "check on registry images fails its rule (exit 1)" || fail "check exit $want_rc, want 1"
# A bare reference that is no file is read from its registry; other transports name files.
ld ls "$ANON/test/gz:1"
"$BIN" ls "$FIX/oci-gzip.tar" >"$TMP/want.ls"
same "a bare reference (no such file) is read from the registry" "$TMP/want.ls" "$OUT"
ld ls "oci-archive:$FIX/oci-gzip.tar"
same "oci-archive:PATH" "$TMP/want.ls" "$OUT"
ld ls "docker-archive:$FIX/docker.tar"
"$BIN" ls "$FIX/docker.tar" >"$TMP/want.ls"
same "docker-archive:PATH" "$TMP/want.ls" "$OUT"
ld ls "oci:$FIX/oci:edge"
"$BIN" ls --image edge "$FIX/oci" >"$TMP/want.ls"
same "oci:DIR:REF chooses the image like --image" "$TMP/want.ls" "$OUT"
ld --format json --stage "builder=docker://$ANON/test/gz:1" "docker://$ANON/test/gz:1" "docker://$ANON/test/after:1"
grep -q '"name":"builder"' "$OUT" && pass "--stage NAME=docker://… reads the stage from the registry" ||
  fail "--stage from a registry" "$(head -n 2 "$ERR")"

# ---------------------------------------------------------------------------------------------
# 2. Cold and warm: blob bytes the registry served (its access log).
log=$TMP/anon/access.log
rm -rf "$TMP/cache/cold"
m=$(mark "$log")
run --cache-dir "$TMP/cache/cold" "docker://$ANON/test/gz:1" "docker://$ANON/test/after:1"
ok_run "cold diff exits 0"
mapfile -t want_blobs < <({
  for f in oci-gzip.tar oci-after.tar; do
    mf=$(tar -xOf "$FIX/$f" index.json | grep -o 'sha256:[0-9a-f]\{64\}' | head -n 1)
    tar -xOf "$FIX/$f" "blobs/sha256/${mf#sha256:}" | grep -o 'sha256:[0-9a-f]\{64\}'
  done
} | sort -u)
want_bytes=$(blob_sizes "${want_blobs[@]}")
got_list=$(blob_gets "$log" "$m")
got_bytes=$(awk '{ s += $2 } END { print s + 0 }' <<<"$got_list")
[[ $got_bytes -eq $want_bytes && $got_bytes -gt 0 ]] &&
  pass "cold diff: blob bytes served = the distinct blobs of both images ($got_bytes in ${#want_blobs[@]} blobs)" ||
  fail "cold diff: $got_bytes blob bytes served, want $want_bytes" "$got_list"
dups=$(awk '{ print $1 }' <<<"$got_list" | sort | uniq -d)
[[ -z $dups ]] && pass "cold diff: each blob downloaded once (layers shared by both images too)" ||
  fail "cold diff: blobs downloaded twice" "$dups"
m=$(mark "$log")
run --cache-dir "$TMP/cache/cold" "docker://$ANON/test/gz:1" "docker://$ANON/test/after:1"
ok_run "warm diff exits 0"
cp "$OUT" "$TMP/warm.txt"
got_list=$(blob_gets "$log" "$m")
[[ -z $got_list ]] && pass "warm diff: no blob served (only the manifests: $(manifest_gets "$log" "$m" | tr '\n' ' '))" ||
  fail "warm diff downloaded blobs" "$got_list"
m=$(mark "$log")
run --no-cache "docker://$ANON/test/gz:1" "docker://$ANON/test/after:1"
same "--no-cache: the same report" "$TMP/warm.txt" "$OUT"
got_bytes=$(blob_gets "$log" "$m" | awk '{ s += $2 } END { print s + 0 }')
[[ $got_bytes -eq $want_bytes ]] && pass "--no-cache downloads the blobs again ($got_bytes bytes)" ||
  fail "--no-cache: $got_bytes blob bytes, want $want_bytes"
# A multi-platform index: only the index and the chosen platform's manifest are fetched.
m=$(mark "$log")
run --cache-dir "$TMP/cache/multi" ls --platform linux/arm64 "docker://$ANON/test/multi:1"
got=$(manifest_gets "$log" "$m" | tr '\n' ' ')
[[ $got == "1 sha256:2de60488d262"*" " && $(wc -w <<<"$got") -eq 2 ]] &&
  pass "index: the tag and the arm64 manifest fetched, no other platform's ($got)" ||
  fail "index: manifests fetched: $got"

# ---------------------------------------------------------------------------------------------
# 3. Errors of the anonymous registry.
ld ls "docker://$ANON/test/gz:nope"
check_err "unknown tag (the tags there are named)" 2 "layerdiff: error: docker://$ANON/test/gz:nope: registry $ANON: repository test/gz: no tag nope (HTTP 404 Not Found: MANIFEST_UNKNOWN: manifest unknown); tags: 1"
ld ls "docker://$ANON/no/such:1"
check_err "no such repository" 2 "layerdiff: error: docker://$ANON/no/such:1: registry $ANON: no repository no/such (HTTP 404 Not Found: NAME_UNKNOWN: repository name not known to registry)"
ld ls "docker://$ANON/test/gz@sha256:0000000000000000000000000000000000000000000000000000000000000000"
check_err "unknown digest" 2 "layerdiff: error: docker://$ANON/test/gz@sha256:0000000000000000000000000000000000000000000000000000000000000000: registry $ANON: repository test/gz: no manifest sha256:0000000000000000000000000000000000000000000000000000000000000000 (HTTP 404 Not Found: MANIFEST_UNKNOWN: manifest unknown)"
ld ls "docker://$ANON/Bad/Name:1"
check_err "malformed reference" 2 "layerdiff: error: docker://$ANON/Bad/Name:1: not an image reference: invalid repository name \"Bad/Name\" (lower-case letters, digits and . _ - between them)"
ld ls "$TMP/missing.tar"
check_err "a missing file stays a file" 2 "layerdiff: error: $TMP/missing.tar: cannot open: No such file or directory"
ld ls "docker://$TLS/test/gz:1" --tls-verify=false --creds alice:s3cret
ok_run "--tls-verify=false reads a registry whose certificate is not trusted"

# ---------------------------------------------------------------------------------------------
# 4. htpasswd (Basic) over TLS.
"$BIN" ls "$FIX/oci-gzip.tar" >"$TMP/want.ls"
ld ls "docker://$TLS/test/gz:1" --creds alice:s3cret
check_err "untrusted certificate" 2 "layerdiff: error: docker://$TLS/test/gz:1: registry $TLS: TLS certificate not trusted (SSL certificate problem: unable to get local issuer certificate); trust its CA with --cert-dir DIR (DIR/ca.crt) or /etc/containers/certs.d/$TLS/ca.crt, or skip the check with --tls-verify=false"
ld ls "docker://$TLS/test/gz:1" --cert-dir "$C/trusted" --creds alice:s3cret
same "TLS + Basic with --cert-dir and --creds" "$TMP/want.ls" "$OUT"
ld ls "docker://$TLS/test/gz:1" --cert-dir "$C/trusted" --creds alice:wrong
check_err "wrong password (Basic)" 2 "layerdiff: error: docker://$TLS/test/gz:1: registry $TLS: repository test/gz: authentication failed (HTTP 401 Unauthorized) with the credentials from --creds"
ld ls "docker://$TLS/test/gz:1" --cert-dir "$C/trusted"
check_err "no credentials (Basic)" 2 "layerdiff: error: docker://$TLS/test/gz:1: registry $TLS: repository test/gz: the registry asks for a user name and password (HTTP 401 Unauthorized); give --creds USER:PASS or an --authfile (podman login / docker login write one)"
printf '{"auths":{"%s":{"auth":"%s"}}}' "$TLS" "$(printf alice:s3cret | base64)" >"$TMP/auth.json"
ld ls "docker://$TLS/test/gz:1" --cert-dir "$C/trusted" --authfile "$TMP/auth.json"
same "--authfile (auths entry, base64 auth)" "$TMP/want.ls" "$OUT"
REGISTRY_AUTH_FILE=$TMP/auth.json ld ls "docker://$TLS/test/gz:1" --cert-dir "$C/trusted"
same "\$REGISTRY_AUTH_FILE" "$TMP/want.ls" "$OUT"
mkdir -p "$HOME/.docker"
printf '{"auths":{"https://%s/v1/":{"username":"alice","password":"s3cret"}}}' "$TLS" >"$HOME/.docker/config.json"
ld ls "docker://$TLS/test/gz:1" --cert-dir "$C/trusted"
same "~/.docker/config.json (URL key, username/password)" "$TMP/want.ls" "$OUT"
mkdir -p "$XDG_RUNTIME_DIR/containers"
printf '{"auths":{"%s/test":{"auth":"%s"}}}' "$TLS" "$(printf alice:wrong | base64)" >"$XDG_RUNTIME_DIR/containers/auth.json"
ld ls "docker://$TLS/test/gz:1" --cert-dir "$C/trusted"
check_err "\$XDG_RUNTIME_DIR/containers/auth.json comes first (a repository-prefix key)" 2 "layerdiff: error: docker://$TLS/test/gz:1: registry $TLS: repository test/gz: authentication failed (HTTP 401 Unauthorized) with the credentials from $XDG_RUNTIME_DIR/containers/auth.json"
rm -f "$XDG_RUNTIME_DIR/containers/auth.json" "$HOME/.docker/config.json"
mkdir -p "$TMP/bin"
cat >"$TMP/bin/docker-credential-ldtest" <<'EOF'
#!/bin/sh
read -r server
[ "$1" = get ] && printf '{"ServerURL":"%s","Username":"alice","Secret":"s3cret"}\n' "$server"
EOF
chmod +x "$TMP/bin/docker-credential-ldtest"
printf '{"credHelpers":{"%s":"ldtest"}}' "$TLS" >"$TMP/helper.json"
PATH=$TMP/bin:$PATH ld ls "docker://$TLS/test/gz:1" --cert-dir "$C/trusted" --authfile "$TMP/helper.json"
same "credHelpers: docker-credential-ldtest get" "$TMP/want.ls" "$OUT"

# ---------------------------------------------------------------------------------------------
# 5. Token (Bearer) auth.
ld ls "docker://$TOK/public/gz:1"
same "Bearer: anonymous token for a public repository" "$TMP/want.ls" "$OUT"
ld ls "docker://$TOK/private/gz:1"
check_err "Bearer: anonymous access refused" 2 "layerdiff: error: docker://$TOK/private/gz:1: registry $TOK: repository private/gz: the token server http://127.0.0.1:$P_TOKSRV refused anonymous access (HTTP 401 Unauthorized); give --creds USER:PASS or an --authfile"
ld ls "docker://$TOK/private/gz:1" --creds alice:s3cret
same "Bearer: token for alice" "$TMP/want.ls" "$OUT"
ld ls "docker://$TOK/private/gz:1" --creds alice:wrong
check_err "Bearer: wrong password" 2 "layerdiff: error: docker://$TOK/private/gz:1: registry $TOK: repository private/gz: authentication failed: the token server http://127.0.0.1:$P_TOKSRV refused the credentials from --creds (HTTP 401 Unauthorized)"
printf '{"auths":{"%s":{"identitytoken":"refresh-secret"}}}' "$TOK" >"$TMP/idtoken.json"
ld ls "docker://$TOK/private/gz:1" --authfile "$TMP/idtoken.json"
same "Bearer: OAuth2 refresh token (identitytoken)" "$TMP/want.ls" "$OUT"

# ---------------------------------------------------------------------------------------------
# 6. Faults (servers.py proxy in front of the anonymous registry; fresh caches).
plog=$TMP/proxy.log
ld ls --no-cache "docker://$PROXY/drop/test/gz:1"
same "a connection dropped mid-blob: resumed, the same listing" "$TMP/want.ls" "$OUT"
grep -q ' 200-dropped ' "$plog" && grep -Eq '/blobs/sha256:[0-9a-f]+ 206 bytes=[0-9]+- ' "$plog" &&
  pass "the dropped blob was resumed with a Range request (206)" ||
  fail "no dropped blob resumed with Range" "$(grep blobs "$plog" | tail -n 4)"
ld ls --no-cache "docker://$PROXY/corrupt/test/gz:1"
check_err "a blob whose bytes do not match its digest" 2 "layerdiff: error: docker://$PROXY/corrupt/test/gz:1: layer 12da91788cde: digest mismatch: the manifest says sha256:12da91788cde51e0bad03783b4a96128274dca3fa92367f62fadc73d93e73de0, the blob hashes to $(tar -xOf "$FIX/oci-gzip.tar" blobs/sha256/12da91788cde51e0bad03783b4a96128274dca3fa92367f62fadc73d93e73de0 | python3 -c 'import sys,hashlib; b=bytearray(sys.stdin.buffer.read()); b[4]^=0x55; print("sha256:"+hashlib.sha256(b).hexdigest())')"
ld ls --no-cache "docker://$PROXY/flaky/test/gz:1"
same "503 and 429 are retried" "$TMP/want.ls" "$OUT"
grep -q '/flaky/.*/manifests/1 503 ' "$plog" && grep -q '/flaky/.*/blobs/.* 429 ' "$plog" &&
  pass "the proxy answered 503 and 429 first" || fail "no 503/429 in the proxy log"
ld ls --no-cache "docker://$PROXY/auth/test/gz:1" --creds alice:s3cret
same "a redirect to blob storage (no Authorization forwarded: storage refuses one)" "$TMP/want.ls" "$OUT"
grep -Eq '^GET /storage/v2/test/gz/blobs/sha256:[0-9a-f]+ 200 - -$' "$plog" &&
  ! grep -q '^GET /storage/.* auth$' "$plog" &&
  pass "storage saw the blob requests without Authorization" || fail "storage requests" "$(grep storage "$plog")"

# ---------------------------------------------------------------------------------------------
# 7. The Docker Engine API: podman system service on a unix socket.
export DOCKER_HOST=unix://$TMP/pm/api.sock
ld ls docker-daemon:localhost/app:1
"$BIN" ls "$FIX/docker.tar" >"$TMP/want.ls"
same "docker-daemon: ls = the archive's" "$TMP/want.ls" "$OUT"
ld inspect --format json docker-daemon:localhost/app:1
strip "$OUT" | sed -E 's/"compressed_size":[0-9]+/"compressed_size":0/g' >"$TMP/got.json"
"$BIN" inspect --format json "$FIX/docker.tar" | strip | sed -E 's/"compressed_size":[0-9]+/"compressed_size":0/g' >"$TMP/want.json"
same "docker-daemon: inspect --format json = the archive's" "$TMP/want.json" "$TMP/got.json"
ld ls docker-daemon:localhost/nope:1
check_err "docker-daemon: no such image" 2 "layerdiff: error: docker-daemon:localhost/nope:1: no such image in the Docker daemon at unix://$TMP/pm/api.sock (failed to find image localhost/nope:1: localhost/nope:1: image not known)"
DOCKER_HOST=unix://$TMP/none.sock ld ls docker-daemon:localhost/app:1
check_err "docker-daemon: no daemon" 2 "layerdiff: error: docker-daemon:localhost/app:1: cannot connect to the Docker daemon at unix://$TMP/none.sock (no such socket); is it running? Set DOCKER_HOST to reach another one"

summary
