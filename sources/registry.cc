#include "sources/registry.h"

#include <dirent.h>

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "analyzer/error.h"
#include "analyzer/image.h"
#include "formats/layer_cache.h"
#include "formats/limits.h"

namespace layerdiff {
namespace json = boost::json;
namespace {

constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";
constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
constexpr const char* kDockerList = "application/vnd.docker.distribution.manifest.list.v2+json";
constexpr const char* kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
constexpr int kMaxRedirects = 10;

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

/// "https://Host:5000/x" -> "https://host:5000": requests to the same origin carry the registry's
/// Authorization header; others (blob storage a registry redirects to) do not.
std::string origin(const std::string& url) {
  auto s = url.find("://");
  if (s == std::string::npos) return "";
  auto e = url.find_first_of("/?#", s + 3);
  return lower(url.substr(0, e));
}

/// The "errors" of a registry's error body, as "CODE: message; …" ("" when there are none).
std::string registry_errors(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return "";
  auto* errs = v.as_object().if_contains("errors");
  if (!errs || !errs->is_array()) return "";
  std::string out;
  for (const auto& e : errs->as_array()) {
    if (!e.is_object()) continue;
    auto* c = e.as_object().if_contains("code");
    auto* m = e.as_object().if_contains("message");
    std::string one = c && c->is_string() ? std::string(c->as_string()) : "";
    if (m && m->is_string()) one += (one.empty() ? "" : ": ") + std::string(m->as_string());
    if (!one.empty()) out += (out.empty() ? "" : "; ") + one;
  }
  return out;
}

/// "; tags: a, b, c" from a tags/list answer (the first ten), "" when it lists none.
std::string tag_list(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return "";
  auto* t = v.as_object().if_contains("tags");
  if (!t || !t->is_array() || t->as_array().empty()) return "";
  std::string out;
  size_t n = 0;
  for (const auto& x : t->as_array()) {
    if (!x.is_string()) continue;
    if (++n > 10) {
      out += ", …";
      break;
    }
    out += (out.empty() ? "" : ", ") + std::string(x.as_string());
  }
  return "; tags: " + out;
}

struct Challenge {
  std::string scheme;  ///< lower case: "bearer", "basic"
  std::map<std::string, std::string> params;
};

/// `Bearer realm="https://auth.example/token",service="reg",scope="repository:a:pull"`.
Challenge parse_challenge(const std::string& h) {
  Challenge c;
  size_t i = 0;
  while (i < h.size() && h[i] == ' ') ++i;
  size_t s = i;
  while (i < h.size() && h[i] != ' ') ++i;
  c.scheme = lower(h.substr(s, i - s));
  while (i < h.size()) {
    while (i < h.size() && (h[i] == ' ' || h[i] == ',')) ++i;
    size_t k = i;
    while (i < h.size() && h[i] != '=' && h[i] != ',') ++i;
    std::string key = lower(h.substr(k, i - k));
    if (i >= h.size() || h[i] != '=') continue;
    ++i;
    std::string val;
    if (i < h.size() && h[i] == '"') {
      ++i;
      while (i < h.size() && h[i] != '"') {
        if (h[i] == '\\' && i + 1 < h.size()) ++i;
        val += h[i++];
      }
      ++i;
    } else {
      while (i < h.size() && h[i] != ',') val += h[i++];
    }
    c.params[key] = val;
  }
  return c;
}

std::string read_file(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  if (f) ss << f.rdbuf();
  return ss.str();
}

std::string status_text(long s) {
  switch (s) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

std::string http_status(long s, const std::string& body) {
  std::string t = "HTTP " + std::to_string(s);
  std::string st = status_text(s);
  if (!st.empty()) t += " " + st;
  std::string errs = registry_errors(body);
  if (!errs.empty()) t += ": " + errs;
  return t;
}

/// A blob's bytes; after a dropped connection it asks again from where it broke off.
class BlobStream : public ByteSource {
 public:
  BlobStream(RegistryClient& c, std::string digest, std::string what, int max_attempts, double backoff_s)
      : c_(c), digest_(std::move(digest)), what_(std::move(what)), max_(max_attempts), backoff_(backoff_s) {}

  size_t read(void* buf, size_t n) override {
    if (!cur_) open();
    for (;;) {
      try {
        size_t k = cur_->read(buf, n);
        got_ += k;
        return k;
      } catch (const HttpError& e) {
        if (e.kind == HttpError::Tls || e.kind == HttpError::TlsCertificate || ++tries_ >= max_)
          throw Error(what_ + ": download broke off after " + std::to_string(got_) + " bytes (" +
                      std::to_string(tries_) + (tries_ == 1 ? " try" : " tries") + "): " + e.what());
        cur_.reset();
        std::this_thread::sleep_for(std::chrono::duration<double>(
            std::min(8.0, backoff_ * (1 << std::min(tries_ - 1, 4)))));
        open();
      }
    }
  }

 private:
  void open() {
    std::vector<std::string> h;
    if (got_ > 0) h.push_back("Range: bytes=" + std::to_string(got_) + "-");
    cur_ = c_.request("GET", "/v2/" + c_.ref().repository + "/blobs/" + digest_, h, what_);
    long s = cur_->status();
    if (got_ > 0 && s == 206) {
      std::string cr = cur_->header("content-range");
      if (cr.rfind("bytes " + std::to_string(got_) + "-", 0) != 0)
        throw Error(what_ + ": the resumed download starts elsewhere (Content-Range: " + cr + ")");
      return;
    }
    if (s == 200) {
      // A server that ignores Range sends the whole blob again: pass over what we have.
      uint64_t skip = got_;
      char b[65536];
      while (skip > 0) {
        size_t k = cur_->read(b, std::min<uint64_t>(skip, sizeof b));
        if (k == 0) throw Error(what_ + ": the blob is shorter on the retry than before");
        skip -= k;
      }
      return;
    }
    std::string body = cur_->read_all(1 << 20, what_);
    if (s == 404) throw Error(what_ + ": the registry has no such blob (" + http_status(s, body) + ")");
    throw Error(what_ + ": " + http_status(s, body));
  }

  RegistryClient& c_;
  std::string digest_, what_;
  int max_;
  double backoff_;
  std::unique_ptr<HttpResponse> cur_;
  uint64_t got_ = 0;
  int tries_ = 0;
};

}  // namespace

RegistryClient::RegistryClient(ImageRef ref, RegistryOptions opt, std::string label)
    : ref_(std::move(ref)), opt_(std::move(opt)), label_(std::move(label)) {}

std::string RegistryClient::registry_label() const {
  return label_ + ": registry " + ref_.registry;
}

void RegistryClient::backoff(int attempt, const HttpResponse* r) {
  double wait = std::min(8.0, opt_.backoff_s * (1 << std::min(attempt - 1, 4)));
  if (r) {
    std::string ra = r->header("retry-after");
    if (!ra.empty() && std::all_of(ra.begin(), ra.end(), ::isdigit))
      wait = std::min(60.0, std::max(wait, std::stod(ra)));
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(wait));
}

std::unique_ptr<HttpResponse> RegistryClient::send(HttpRequest req, const std::string& what) {
  const std::string registry_origin = origin(base_);
  for (int attempt = 1;; ++attempt) {
    std::string url = req.url, method = req.method;
    bool reauthed = false;
    int hops = 0;
    std::unique_ptr<HttpResponse> resp;
    for (;;) {
      HttpRequest r = req;
      r.url = url;
      r.method = method;
      bool own = origin(url) == registry_origin;
      {
        std::lock_guard<std::mutex> l(auth_mu_);
        if (own && !authorization_.empty()) r.headers.push_back(authorization_);
      }
      try {
        resp = std::make_unique<HttpResponse>(r);
      } catch (const HttpError& e) {
        bool retry = e.kind == HttpError::Dropped || e.kind == HttpError::Other;
        if (retry && attempt < opt_.max_attempts) {
          backoff(attempt, nullptr);
          resp.reset();
          break;
        }
        std::string host = own ? "registry " + ref_.registry : origin(url);
        if (e.kind == HttpError::TlsCertificate)
          throw Error(label_ + ": " + host + ": TLS certificate not trusted (" + e.what() +
                      "); trust its CA with --cert-dir DIR (DIR/ca.crt) or /etc/containers/certs.d/" +
                      ref_.registry + "/ca.crt, or skip the check with --tls-verify=false");
        throw Error(label_ + ": " + host + ": " + what + ": " + e.what() +
                    (attempt > 1 ? " (after " + std::to_string(attempt) + " tries)" : ""));
      }
      long s = resp->status();
      if (s == 401 && own && !reauthed) {
        std::string ch = resp->header("www-authenticate");
        if (ch.empty()) return resp;
        authenticate(ch);
        reauthed = true;
        continue;
      }
      if (s == 301 || s == 302 || s == 303 || s == 307 || s == 308) {
        std::string next = resp->redirect_url();
        if (next.empty() || ++hops > kMaxRedirects)
          throw Error(registry_label() + ": " + what + ": HTTP " + std::to_string(s) +
                      (next.empty() ? " without a Location" : ": more than 10 redirects"));
        if (s == 303) method = "GET";
        url = next;
        continue;
      }
      if ((s == 429 || s >= 500) && attempt < opt_.max_attempts) {
        backoff(attempt, resp.get());
        resp.reset();
        break;
      }
      return resp;
    }
  }
}

void RegistryClient::connect() {
  std::lock_guard<std::mutex> l(connect_mu_);
  if (connected_) return;
  tls_.verify = opt_.tls_verify.value_or(true);
  std::vector<std::string> dirs;
  if (!opt_.cert_dir.empty()) dirs.push_back(opt_.cert_dir);
  else {
    dirs.push_back("/etc/containers/certs.d/" + ref_.registry);
    dirs.push_back("/etc/docker/certs.d/" + ref_.registry);
  }
  for (const auto& d : dirs) {
    DIR* dir = ::opendir(d.c_str());
    if (!dir) {
      if (!opt_.cert_dir.empty()) throw Error(opt_.cert_dir + ": --cert-dir: cannot open the directory");
      continue;
    }
    std::vector<std::string> names;
    while (dirent* e = ::readdir(dir)) names.emplace_back(e->d_name);
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      auto ends = [&](const std::string& suf) {
        return n.size() > suf.size() && n.compare(n.size() - suf.size(), suf.size(), suf) == 0;
      };
      if (ends(".crt")) tls_.ca_pem += read_file(d + "/" + n) + "\n";
      if (ends(".cert") && tls_.client_cert.empty()) {
        tls_.client_cert = d + "/" + n;
        tls_.client_key = d + "/" + n.substr(0, n.size() - 5) + ".key";
      }
    }
  }
  // Plain HTTP only where docker allows it: loopback hosts, or when told not to verify TLS.
  // It is tried when HTTPS fails below HTTP (the server speaks no TLS); an untrusted
  // certificate stays an error unless --tls-verify=false.
  bool may_http = is_loopback_host(ref_.registry) || !tls_.verify;
  std::string host = ref_.api_host();
  base_ = "https://" + host;
  HttpRequest probe;
  probe.url = base_ + "/v2/";
  probe.tls = tls_;
  std::unique_ptr<HttpResponse> ping;
  try {
    ping = std::make_unique<HttpResponse>(probe);
  } catch (const HttpError& e) {
    if (!may_http || (e.kind == HttpError::TlsCertificate && tls_.verify))
      ping = send(probe, "GET /v2/");  // retries, and the message for this failure
    else
      base_ = "http://" + host;
  }
  if (!ping || ping->status() == 429 || ping->status() >= 500) {
    probe.url = base_ + "/v2/";
    ping = send(probe, "GET /v2/");
  }
  connected_ = true;
  long s = ping->status();
  if (s == 401) {
    std::string ch = ping->header("www-authenticate");
    if (!ch.empty()) authenticate(ch);
  } else if (s != 200) {
    std::string body = ping->read_all(1 << 20, registry_label());
    throw Error(registry_label() + ": not a registry (GET /v2/ answered " + http_status(s, body) + ")");
  }
}

void RegistryClient::authenticate(const std::string& header) {
  std::lock_guard<std::mutex> authn(authn_mu_);
  Challenge c = parse_challenge(header);
  if (!creds_looked_up_) {
    std::vector<std::string> notes;
    creds_ = find_credentials(ref_.registry, ref_.repository, opt_.credentials, notes);
    if (opt_.warnings) opt_.warnings->insert(opt_.warnings->end(), notes.begin(), notes.end());
    creds_looked_up_ = true;
  }
  std::string repo = "repository " + ref_.repository;
  if (c.scheme == "basic") {
    if (!creds_)
      throw Error(registry_label() + ": " + repo +
                  ": the registry asks for a user name and password (HTTP 401 Unauthorized); give "
                  "--creds USER:PASS or an --authfile (podman login / docker login write one)");
    std::lock_guard<std::mutex> l(auth_mu_);
    if (authorization_ == "Authorization: Basic " + base64_encode(creds_->username + ":" + creds_->password))
      throw Error(registry_label() + ": " + repo + ": authentication failed (HTTP 401 Unauthorized) "
                  "with the credentials from " + creds_->from);
    authorization_ = "Authorization: Basic " + base64_encode(creds_->username + ":" + creds_->password);
    return;
  }
  if (c.scheme != "bearer")
    throw Error(registry_label() + ": unsupported authentication scheme \"" + c.scheme + "\"");
  std::string realm = c.params["realm"];
  if (realm.empty()) throw Error(registry_label() + ": Bearer challenge without a realm");
  std::string scope = c.params.count("scope") ? c.params["scope"] : "repository:" + ref_.repository + ":pull";
  // The ping's challenge names no scope: ask for this repository's.
  if (!c.params.count("scope")) scope = "repository:" + ref_.repository + ":pull";
  HttpRequest r;
  r.tls = tls_;
  std::string q = "service=" + url_escape(c.params["service"]) + "&scope=" + url_escape(scope);
  if (creds_ && !creds_->identity_token.empty()) {
    r.method = "POST";
    r.url = realm;
    r.body = q + "&grant_type=refresh_token&client_id=layerdiff&refresh_token=" +
             url_escape(creds_->identity_token);
    r.headers.push_back("Content-Type: application/x-www-form-urlencoded");
  } else {
    r.url = realm + (realm.find('?') == std::string::npos ? "?" : "&") + q;
    if (creds_)
      r.headers.push_back("Authorization: Basic " +
                          base64_encode(creds_->username + ":" + creds_->password));
  }
  std::unique_ptr<HttpResponse> resp;
  for (int attempt = 1;; ++attempt) {
    try {
      resp = std::make_unique<HttpResponse>(r);
    } catch (const HttpError& e) {
      if ((e.kind == HttpError::Dropped || e.kind == HttpError::Other) && attempt < opt_.max_attempts) {
        backoff(attempt, nullptr);
        continue;
      }
      if (e.kind == HttpError::TlsCertificate)
        throw Error(registry_label() + ": token server " + origin(realm) + ": TLS certificate not trusted (" +
                    e.what() + ")");
      throw Error(registry_label() + ": token server " + origin(realm) + ": " + e.what());
    }
    long s = resp->status();
    if ((s == 429 || s >= 500) && attempt < opt_.max_attempts) {
      backoff(attempt, resp.get());
      continue;
    }
    break;
  }
  long s = resp->status();
  std::string body = resp->read_all(1 << 20, registry_label() + ": token");
  if (s == 401 || s == 403) {
    if (creds_)
      throw Error(registry_label() + ": " + repo + ": authentication failed: the token server " +
                  origin(realm) + " refused the credentials from " + creds_->from + " (" +
                  http_status(s, body) + ")");
    throw Error(registry_label() + ": " + repo + ": the token server " + origin(realm) +
                " refused anonymous access (" + http_status(s, body) +
                "); give --creds USER:PASS or an --authfile");
  }
  if (s != 200)
    throw Error(registry_label() + ": token server " + origin(realm) + ": " + http_status(s, body));
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  std::string token;
  if (!ec && v.is_object()) {
    for (const char* k : {"token", "access_token"})
      if (auto* t = v.as_object().if_contains(k); t && t->is_string() && token.empty())
        token = std::string(t->as_string());
  }
  if (token.empty())
    throw Error(registry_label() + ": token server " + origin(realm) + ": the answer holds no token");
  std::lock_guard<std::mutex> l(auth_mu_);
  authorization_ = "Authorization: Bearer " + token;
}

std::unique_ptr<HttpResponse> RegistryClient::request(const std::string& method, const std::string& path,
                                                      std::vector<std::string> headers,
                                                      const std::string& what) {
  connect();
  HttpRequest r;
  r.method = method;
  r.url = base_ + path;
  r.headers = std::move(headers);
  r.tls = tls_;
  return send(r, what);
}

void RegistryClient::fail(const HttpResponse& r, const std::string& what, const std::string& body) {
  long s = r.status();
  std::string repo = ref_.registry + "/" + ref_.repository;
  std::string st = http_status(s, body);
  if (s == 401)
    throw Error(registry_label() + ": repository " + ref_.repository + ": " + what +
                ": not authorized (" + st + ")" +
                (creds_ ? " with the credentials from " + creds_->from : "; give --creds USER:PASS or an --authfile"));
  if (s == 403)
    throw Error(registry_label() + ": repository " + ref_.repository + ": " + what + ": access denied (" + st + ")");
  if (s == 429 || s >= 500)
    throw Error(registry_label() + ": repository " + ref_.repository + ": " + what + ": " + st + " (after " +
                std::to_string(opt_.max_attempts) + " tries)");
  throw Error(registry_label() + ": repository " + ref_.repository + ": " + what + ": " + st);
}

std::unique_ptr<HttpResponse> RegistryClient::fetch_small(const std::string& path,
                                                          std::vector<std::string> headers,
                                                          const std::string& what, std::string& body) {
  for (int attempt = 1;; ++attempt) {
    auto resp = request("GET", path, headers, what);
    try {
      body = resp->read_all(limits::kMaxJsonBytes, registry_label() + ": " + what);
      return resp;
    } catch (const HttpError& e) {
      if (e.kind != HttpError::Dropped || attempt >= opt_.max_attempts)
        throw Error(registry_label() + ": " + what + ": " + e.what() + " (" + std::to_string(attempt) +
                    (attempt == 1 ? " try)" : " tries)"));
      backoff(attempt, nullptr);
    }
  }
}

RegistryDocument RegistryClient::manifest(const std::string& reference) {
  bool by_digest = reference.rfind("sha256:", 0) == 0;
  std::string what = by_digest ? "manifest " + reference : "tag " + reference;
  std::string body;
  auto resp = fetch_small("/v2/" + ref_.repository + "/manifests/" + reference,
                          {std::string("Accept: ") + kOciIndex + ", " + kOciManifest + ", " + kDockerList +
                           ", " + kDockerManifest},
                          what, body);
  long s = resp->status();
  if (s == 404) {
    std::string errs = registry_errors(body);
    std::string tags;
    if (errs.find("NAME_UNKNOWN") == std::string::npos && !by_digest) {
      // Many registries answer MANIFEST_UNKNOWN for a repository they do not have: the tag list
      // tells the two apart, and names the tags there are.
      std::string tbody;
      auto t = fetch_small("/v2/" + ref_.repository + "/tags/list", {}, "tags", tbody);
      if (t->status() == 404)
        throw Error(registry_label() + ": no repository " + ref_.repository + " (" +
                    http_status(404, tbody) + ")");
      if (t->status() == 200) tags = tag_list(tbody);
    }
    if (errs.find("NAME_UNKNOWN") != std::string::npos)
      throw Error(registry_label() + ": no repository " + ref_.repository + " (" + http_status(s, body) + ")");
    throw Error(registry_label() + ": repository " + ref_.repository + ": no " + what + " (" +
                http_status(s, body) + ")" + tags);
  }
  if (s != 200) fail(*resp, what, body);
  RegistryDocument d;
  d.body = std::move(body);
  d.digest = sha256_digest(d.body);
  if (by_digest && d.digest != reference)
    throw Error(registry_label() + ": " + what + ": digest mismatch: the registry sent a document hashing to " +
                d.digest);
  std::string said = resp->header("docker-content-digest");
  if (!by_digest && !said.empty() && said.rfind("sha256:", 0) == 0 && said != d.digest)
    throw Error(registry_label() + ": " + what + ": digest mismatch: Docker-Content-Digest says " + said +
                ", the manifest hashes to " + d.digest);
  std::string ct = resp->header("content-type");
  d.media_type = lower(ct.substr(0, ct.find(';')));
  while (!d.media_type.empty() && d.media_type.back() == ' ') d.media_type.pop_back();
  if (d.media_type.rfind("application/vnd.docker.distribution.manifest.v1", 0) == 0)
    throw Error(registry_label() + ": " + what + ": a Docker schema 1 manifest (" + d.media_type +
                "), which layerdiff does not read; push the image again with a current client");
  return d;
}

std::string RegistryClient::small_blob(const std::string& digest) {
  std::string what = "blob " + short_digest(digest);
  std::string body;
  auto resp = fetch_small("/v2/" + ref_.repository + "/blobs/" + digest, {}, what, body);
  long s = resp->status();
  if (s == 404)
    throw Error(registry_label() + ": repository " + ref_.repository + ": no " + what + " (" +
                http_status(s, body) + ")");
  if (s != 200) fail(*resp, what, body);
  std::string got = sha256_digest(body);
  if (digest.rfind("sha256:", 0) == 0 && got != digest)
    throw Error(registry_label() + ": " + what + ": digest mismatch: expected " + digest +
                ", the blob hashes to " + got);
  return body;
}

std::unique_ptr<ByteSource> RegistryClient::blob(const std::string& digest, uint64_t, const std::string& what) {
  connect();
  return std::make_unique<BlobStream>(*this, digest, what, opt_.max_attempts, opt_.backoff_s);
}

namespace {

class RegistryImageSource : public ImageSource {
 public:
  RegistryImageSource(const ImageRef& ref, const RegistryOptions& opt, const std::string& label,
                      const LayerReadOptions& lo, LayerStore* store)
      : ImageSource(label, lo), client_(ref, opt, label), store_(store) {
    RegistryDocument top;
    std::optional<std::string> cached;
    if (!ref.digest.empty() && store_) cached = store_->find_document(ref.digest);
    if (cached) {  // by digest and known: no request at all
      top.digest = ref.digest;
      top.body = std::move(*cached);
    } else {
      top = client_.manifest(ref.digest.empty() ? ref.tag : ref.digest);
      if (store_) store_->put_document(top.digest, top.body);
    }
    remember(top.digest, top.body);
    if (top.media_type.empty() || top.media_type == "application/json") top.media_type = media_type_of(top.body);
    json::object desc;
    desc["mediaType"] = top.media_type;
    desc["digest"] = top.digest;
    desc["size"] = static_cast<int64_t>(top.body.size());
    desc["annotations"] = json::object{{"org.opencontainers.image.ref.name", ref.name()}};
    json::object idx;
    idx["schemaVersion"] = 2;
    idx["mediaType"] = kOciIndex;
    idx["manifests"] = json::array{desc};
    index_json_ = json::serialize(idx);
  }

  bool is_directory() const override { return false; }
  std::string oci_layout_name() const override { return "registry"; }

  bool has(const std::string& name) override {
    return name == "index.json" || name == "oci-layout" || name.rfind("blobs/", 0) == 0;
  }

  int64_t member_size(const std::string& name) override {
    std::lock_guard<std::mutex> l(mu_);
    auto it = sizes_.find(digest_of(name));
    return it == sizes_.end() ? -1 : static_cast<int64_t>(it->second);
  }

  std::string read_small(const std::string& name) override {
    if (name == "index.json") return index_json_;
    if (name == "oci-layout") return R"({"imageLayoutVersion":"1.0.0"})";
    std::string digest = digest_of(name);
    if (digest.empty()) throw Error(label_ + ": " + name + ": not in a registry image");
    {
      std::lock_guard<std::mutex> l(mu_);
      auto it = docs_.find(digest);
      if (it != docs_.end()) return it->second;
    }
    std::optional<std::string> text;
    if (store_) text = store_->find_document(digest);
    if (!text) {
      bool manifest;
      {
        std::lock_guard<std::mutex> l(mu_);
        manifest = manifests_.count(digest) > 0;
      }
      text = manifest ? client_.manifest(digest).body : client_.small_blob(digest);
      if (store_) store_->put_document(digest, *text);
    }
    remember(digest, *text);
    return *text;
  }

  std::map<std::string, std::shared_ptr<const LayerData>> read_layers(
      const std::vector<std::string>& names) override {
    std::vector<std::string> todo;
    for (const auto& n : names)
      if (std::find(todo.begin(), todo.end(), n) == todo.end()) todo.push_back(n);
    std::map<std::string, std::shared_ptr<const LayerData>> out;
    std::mutex out_mu;
    std::atomic<size_t> next{0};
    std::exception_ptr error;
    auto work = [&] {
      for (size_t i; (i = next++) < todo.size();) {
        try {
          const std::string& name = todo[i];
          std::string digest = digest_of(name);
          auto stream = client_.blob(digest, 0, label_ + ": layer " + short_digest(digest));
          auto ld = read_one(*stream, name);
          std::lock_guard<std::mutex> l(out_mu);
          out[name] = std::move(ld);
        } catch (...) {
          std::lock_guard<std::mutex> l(out_mu);
          if (!error) error = std::current_exception();
          next = todo.size();
        }
      }
    };
    // Two downloads at a time: one layer's parsing overlaps the other's transfer.
    std::vector<std::thread> pool;
    if (todo.size() > 1) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    if (error) std::rethrow_exception(error);
    return out;
  }

 private:
  static std::string digest_of(const std::string& name) {
    // "blobs/sha256/<hex>" -> "sha256:<hex>"
    if (name.rfind("blobs/", 0) != 0) return "";
    auto s = name.find('/', 6);
    if (s == std::string::npos) return "";
    return name.substr(6, s - 6) + ":" + name.substr(s + 1);
  }

  static std::string media_type_of(const std::string& body) {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    if (ec || !v.is_object()) return kOciManifest;
    auto* mt = v.as_object().if_contains("mediaType");
    if (mt && mt->is_string()) return std::string(mt->as_string());
    return v.as_object().contains("manifests") ? kOciIndex : kOciManifest;
  }

  /// Keeps a document and learns from it which digests are manifests and the blobs' sizes.
  void remember(const std::string& digest, const std::string& text) {
    boost::system::error_code ec;
    json::parse_options po;
    po.max_depth = limits::kMaxJsonDepth;
    json::value v = json::parse(text, ec, {}, po);
    std::lock_guard<std::mutex> l(mu_);
    docs_[digest] = text;
    if (ec || !v.is_object()) return;  // the reader reports it, naming the member
    const json::object& o = v.as_object();
    auto note = [&](const json::value& d, bool manifest) {
      if (!d.is_object()) return;
      auto* dg = d.as_object().if_contains("digest");
      auto* sz = d.as_object().if_contains("size");
      if (!dg || !dg->is_string()) return;
      std::string key(dg->as_string());
      if (manifest) manifests_.insert(key);
      if (sz && sz->is_int64() && sz->as_int64() >= 0) sizes_[key] = static_cast<uint64_t>(sz->as_int64());
    };
    if (auto* m = o.if_contains("manifests"); m && m->is_array())
      for (const auto& d : m->as_array()) note(d, true);
    if (auto* c = o.if_contains("config")) note(*c, false);
    if (auto* ls = o.if_contains("layers"); ls && ls->is_array())
      for (const auto& d : ls->as_array()) note(d, false);
  }

  RegistryClient client_;
  LayerStore* store_;
  std::string index_json_;
  std::mutex mu_;
  std::map<std::string, std::string> docs_;
  std::set<std::string> manifests_;
  std::map<std::string, uint64_t> sizes_;
};

}  // namespace

std::unique_ptr<ImageSource> open_registry_image(const ImageRef& ref, const RegistryOptions& opt,
                                                 const std::string& label, const ReadOptions& ro) {
  return std::make_unique<RegistryImageSource>(ref, opt, label, layer_options(ro), ro.store);
}

}  // namespace layerdiff
