// registry.h: a client of the OCI distribution API (Docker registry v2) for one repository, and
// the image source that presents a registry image to formats/ as an OCI layout: a synthetic
// index.json pointing at the manifest the reference resolves to, and blobs/sha256/<hex> members
// fetched on demand. The layout reader (formats/image_reader.cc) then chooses the platform,
// verifies digests, consults the layer cache and reads the layers it lacks exactly as it does for
// an archive; the analyzer never learns where the image came from.
//
// Protocol: GET /v2/ finds the scheme and the authentication challenge; `WWW-Authenticate: Bearer`
// gets a token for repository:NAME:pull from the realm (anonymously, with Basic credentials, or
// an OAuth2 refresh token), `Basic` sends the credentials. HTTPS is verified against the system
// store plus --cert-dir / certs.d CAs; plain HTTP only for loopback hosts or --tls-verify=false.
// Redirects (blob storage) are followed without the registry's Authorization header when they
// leave its host. 429, 5xx and dropped connections are retried with backoff; a blob download that
// breaks resumes with a Range request.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "formats/image_reader.h"
#include "sources/credentials.h"
#include "sources/http.h"
#include "sources/image_ref.h"

namespace layerdiff {

struct RegistryOptions {
  CredentialOptions credentials;
  std::string cert_dir;             ///< --cert-dir: ca.crt (*.crt), client *.cert/*.key
  std::optional<bool> tls_verify;   ///< --tls-verify (unset: verify, HTTP for loopback hosts)
  /// Where notes for the user go (an unreadable default auth file); may be null.
  std::shared_ptr<std::vector<std::string>> warnings;
  int max_attempts = 5;             ///< tries per request (429, 5xx, dropped connections)
  double backoff_s = 0.5;           ///< first wait between tries; doubles each time (max 8 s)
};

/// A registry document: manifest or index.
struct RegistryDocument {
  std::string digest, media_type, body;
};

class RegistryClient {
 public:
  /// `label` is the IMAGE argument, for messages. Nothing is sent until the first request.
  RegistryClient(ImageRef ref, RegistryOptions opt, std::string label);

  /// The manifest or index `reference` (a tag or a digest) names, verified against its digest.
  RegistryDocument manifest(const std::string& reference);
  /// A small blob (a config), verified against `digest`.
  std::string small_blob(const std::string& digest);
  /// A blob's bytes as a stream that resumes after dropped connections (not verified here: the
  /// layer reader hashes what passes). `what` names it in messages.
  std::unique_ptr<ByteSource> blob(const std::string& digest, uint64_t size, const std::string& what);

  const ImageRef& ref() const { return ref_; }

  /// One request to the registry with authentication, redirects and retries. `path` starts with
  /// "/v2/". Returns the response whose status is not 401/3xx/429/5xx (or the last one after the
  /// tries), so the caller judges 2xx and 4xx.
  std::unique_ptr<HttpResponse> request(const std::string& method, const std::string& path,
                                        std::vector<std::string> headers, const std::string& what);

 private:
  void connect();  ///< the ping: scheme and challenge
  /// GET of a small document into `body`, retried when the connection drops mid-body.
  std::unique_ptr<HttpResponse> fetch_small(const std::string& path, std::vector<std::string> headers,
                                            const std::string& what, std::string& body);
  void authenticate(const std::string& challenge);
  std::unique_ptr<HttpResponse> send(HttpRequest req, const std::string& what);
  [[noreturn]] void fail(const HttpResponse& r, const std::string& what, const std::string& body);
  std::string registry_label() const;
  void backoff(int attempt, const HttpResponse* r);

  ImageRef ref_;
  RegistryOptions opt_;
  std::string label_;
  TlsOptions tls_;
  std::string base_;           ///< "https://host:port"
  std::string authorization_;  ///< "Authorization: …" for the registry's own host
  std::optional<Credentials> creds_;
  bool creds_looked_up_ = false;
  bool connected_ = false;
  std::mutex connect_mu_;  ///< held by the first request while it pings
  std::mutex authn_mu_;    ///< held while authenticating (two downloads may both see a 401)
  std::mutex auth_mu_;     ///< guards authorization_
};

/// Opens `ref` in its registry as an image source for formats/ (see above). The manifest the
/// reference names is fetched here; blobs when the reader asks for them.
std::unique_ptr<ImageSource> open_registry_image(const ImageRef& ref, const RegistryOptions& opt,
                                                 const std::string& label, const ReadOptions& ro);

}  // namespace layerdiff
