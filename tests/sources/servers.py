#!/usr/bin/env python3
"""servers.py: the small HTTP servers registry_test.sh starts beside Debian's docker-registry.

  servers.py ports N                       print N free loopback TCP ports
  servers.py token PORT KEY CERT ISSUER SERVICE USER:PASS REFRESH LOG
      a Docker token server (the distribution spec's token auth): GET /token with Basic
      credentials, or anonymously for repositories under public/, or POST /token with an OAuth2
      refresh token, answers a JWT signed RS256 by KEY (with `openssl dgst`), CERT in its x5c
      header (the registry trusts CERT through auth.token.rootcertbundle).
  servers.py proxy PORT STORAGE_PORT BACKEND USER:PASS LOG
      a registry front with faults, chosen by the repository's first path component, which it
      strips before asking BACKEND (an anonymous docker-registry):
        drop/…     the first GET of each blob sends half the bytes, then closes the connection
        corrupt/…  blobs that are gzip streams get another gzip header mtime (the stream still
                   decompresses; its sha256 no longer matches the digest)
        flaky/…    the first GET of each manifest answers 503, of each blob 429 (Retry-After: 0)
        auth/…     Basic auth required (USER:PASS); blobs redirect to STORAGE_PORT, which refuses a
                   request carrying an Authorization header (it must not be forwarded)
        anything else is passed through.
      LOG gets one line per request: METHOD PATH STATUS RANGE AUTHORIZATION?
Python 3 standard library only (Debian's python3).
"""
import base64
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def free_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    print(" ".join(map(str, ports)))


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Base(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    log_path = None
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def note(self, status):
        if not self.log_path:
            return
        with self.lock, open(self.log_path, "a") as f:
            f.write("%s %s %s %s %s\n" % (self.command, self.path, status,
                                          self.headers.get("Range", "-").replace(" ", ""),
                                          "auth" if self.headers.get("Authorization") else "-"))

    def reply(self, status, body=b"", headers=()):
        self.note(status)
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


# ---------------------------------------------------------------------------------------------
# Token server

def token_server(port, key, cert, issuer, service, userpass, refresh, log):
    der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"], check=True,
                         capture_output=True).stdout

    def sign(claims):
        header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(der).decode()]}
        signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=signing_input.encode(),
                             check=True, capture_output=True).stdout
        return signing_input + "." + b64url(sig)

    class Handler(Base):
        log_path = log

        def grant(self, scope, anonymous):
            access = []
            for s in scope.split(" "):
                parts = s.split(":")
                if len(parts) != 3 or parts[0] != "repository":
                    continue
                name, actions = parts[1], parts[2].split(",")
                if anonymous:
                    if not name.startswith("public/"):
                        return None
                    actions = [a for a in actions if a == "pull"]
                access.append({"type": "repository", "name": name, "actions": actions})
            now = int(time.time())
            claims = {"iss": issuer, "sub": "" if anonymous else userpass.split(":")[0], "aud": service,
                      "exp": now + 300, "nbf": now - 10, "iat": now, "jti": os.urandom(8).hex(),
                      "access": access}
            tok = sign(claims)
            return json.dumps({"token": tok, "access_token": tok, "expires_in": 300}).encode()

        def do_GET(self):
            u = urllib.parse.urlparse(self.path)
            q = urllib.parse.parse_qs(u.query)
            if u.path != "/token":
                return self.reply(404)
            auth = self.headers.get("Authorization", "")
            anonymous = not auth
            if auth:
                if not auth.startswith("Basic ") or base64.b64decode(auth[6:]).decode() != userpass:
                    return self.reply(401, b'{"details":"wrong user name or password"}')
            body = self.grant(q.get("scope", [""])[0], anonymous)
            if body is None:
                return self.reply(401, b'{"details":"anonymous access denied"}')
            self.reply(200, body, [("Content-Type", "application/json")])

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            form = urllib.parse.parse_qs(self.rfile.read(n).decode())
            if form.get("grant_type") != ["refresh_token"] or form.get("refresh_token") != [refresh]:
                return self.reply(401, b'{"error":"invalid_grant"}')
            body = self.grant(form.get("scope", [""])[0], False)
            self.reply(200, body, [("Content-Type", "application/json")])

    Server(("127.0.0.1", port), Handler).serve_forever()


# ---------------------------------------------------------------------------------------------
# Fault proxy

def proxy_server(port, storage_port, backend, userpass, log):
    seen = set()
    seen_lock = threading.Lock()

    def first_time(key):
        with seen_lock:
            if key in seen:
                return False
            seen.add(key)
            return True

    def fetch(path, headers):
        req = urllib.request.Request(backend + path, headers=headers)
        try:
            r = urllib.request.urlopen(req)
            return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    class Storage(Base):
        log_path = log

        def do_GET(self):
            if self.headers.get("Authorization"):
                return self.reply(400, b"the registry's Authorization header was forwarded to storage")
            u = urllib.parse.urlparse(self.path)
            status, hdrs, body = fetch(u.path[len("/storage"):], {})
            self.reply(status, body, [("Content-Type", "application/octet-stream")])

    class Proxy(Base):
        log_path = log

        def do_HEAD(self):
            self.do_GET()

        def do_GET(self):
            u = urllib.parse.urlparse(self.path)
            parts = u.path.split("/")
            if u.path in ("/v2/", "/v2"):
                mode = ""
                backend_path = "/v2/"
            elif len(parts) > 3 and parts[1] == "v2":
                mode = parts[2]
                backend_path = "/v2/" + "/".join(parts[3:])
            else:
                return self.reply(404)
            if mode == "auth" or (mode == "" and self.headers.get("X-Need-Auth")):
                auth = self.headers.get("Authorization", "")
                if not auth.startswith("Basic ") or base64.b64decode(auth[6:]).decode() != userpass:
                    return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
                                      [("WWW-Authenticate", 'Basic realm="proxy"'),
                                       ("Content-Type", "application/json")])
            is_blob = "/blobs/" in backend_path
            is_manifest = "/manifests/" in backend_path
            if mode == "flaky" and is_manifest and first_time(("m", backend_path)):
                return self.reply(503, b'{"errors":[{"code":"UNAVAILABLE","message":"try again"}]}')
            if mode == "flaky" and is_blob and first_time(("b", backend_path)):
                return self.reply(429, b'{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}',
                                  [("Retry-After", "0")])
            if mode == "auth" and is_blob:
                return self.reply(307, b"", [("Location", "http://127.0.0.1:%d/storage%s" % (storage_port, backend_path))])
            headers = {k: v for k, v in self.headers.items() if k in ("Accept", "Range")}
            status, hdrs, body = fetch(backend_path, headers)
            out = [(k, v) for k, v in hdrs.items()
                   if k.lower() in ("content-type", "docker-content-digest", "content-range")]
            if mode == "drop" and is_blob and status == 200 and len(body) > 1 and first_time(("d", backend_path)):
                self.note("200-dropped")
                self.send_response(200)
                for k, v in out:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if mode == "corrupt" and is_blob and body[:2] == b"\x1f\x8b" and len(body) > 8:
                body = body[:4] + bytes([body[4] ^ 0x55]) + body[5:]
            self.reply(status, body, out)

    threading.Thread(target=Server(("127.0.0.1", storage_port), Storage).serve_forever, daemon=True).start()
    Server(("127.0.0.1", port), Proxy).serve_forever()


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "ports":
        free_ports(int(sys.argv[2]))
    elif cmd == "token":
        a = sys.argv[2:]
        token_server(int(a[0]), a[1], a[2], a[3], a[4], a[5], a[6], a[7])
    elif cmd == "proxy":
        a = sys.argv[2:]
        proxy_server(int(a[0]), int(a[1]), a[2], a[3], a[4])
    else:
        sys.exit("usage: servers.py ports N | token … | proxy …")
