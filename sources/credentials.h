// credentials.h: the user name and password (or identity token) for a registry, found where
// podman, skopeo and docker keep them:
//   --creds USER[:PASS]                      first, when given;
//   --authfile FILE, else $REGISTRY_AUTH_FILE  that file only, when either is given;
//   else ${XDG_RUNTIME_DIR}/containers/auth.json, then ~/.docker/config.json (first match wins).
// In a file, `auths` keys may be a host ("127.0.0.1:5000"), a host and repository prefix
// ("quay.io/org", the longest match wins) or a docker URL ("https://index.docker.io/v1/"); an
// entry holds `auth` (base64 USER:PASS), or `username`/`password`, or `identitytoken`.
// `credHelpers` / `credsStore` name a docker-credential-NAME program, run as docker does
// (`docker-credential-NAME get`, the server on stdin, JSON on stdout).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace layerdiff {

struct Credentials {
  std::string username, password;
  std::string identity_token;  ///< an OAuth2 refresh token (docker login to some registries)
  std::string from;            ///< where they came from, for messages ("--creds", a file, a helper)
};

struct CredentialOptions {
  std::string creds;     ///< --creds USER[:PASS]
  std::string authfile;  ///< --authfile FILE
};

/// Credentials for `registry` ("docker.io", "host:port") and `repository`, or nullopt (anonymous).
/// Throws Error for an unreadable or malformed auth file or a failing helper; appends notes (a
/// file that could not be parsed is an error only when named explicitly) to `warnings`.
std::optional<Credentials> find_credentials(const std::string& registry,
                                            const std::string& repository,
                                            const CredentialOptions& opt,
                                            std::vector<std::string>& warnings);

/// Base64 (RFC 4648, with padding) of `s`, and its inverse (nullopt for invalid input).
std::string base64_encode(const std::string& s);
std::optional<std::string> base64_decode(const std::string& s);

}  // namespace layerdiff
