#include "cmd/source_options.h"

namespace layerdiff {

void add_source_options(CLI::App* c, SourceOptions& o) {
  const char* g = "Registries";
  c->add_option("--authfile", o.registry.credentials.authfile,
                "registry credentials file (auth.json of podman login / docker login);\n"
                "default $REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json,\n"
                "then ~/.docker/config.json")
      ->group(g);
  c->add_option("--creds", o.registry.credentials.creds, "USER[:PASSWORD] for the registry")->group(g);
  c->add_option("--cert-dir", o.registry.cert_dir,
                "CA certificates (*.crt) and client certificate (*.cert, *.key) for the registry;\n"
                "default /etc/containers/certs.d/HOST:PORT, /etc/docker/certs.d/HOST:PORT")
      ->group(g);
  c->add_option_function<bool>(
       "--tls-verify", [&o](const bool& v) { o.registry.tls_verify = v; },
       "=false: do not check the registry's TLS certificate, and allow plain HTTP\n"
       "(plain HTTP is always allowed to localhost, 127.0.0.0/8 and ::1)")
      ->group(g);
}

}  // namespace layerdiff
