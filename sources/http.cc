#include "sources/http.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>

namespace layerdiff {
namespace {

constexpr size_t kMaxBuffered = 1 << 20;  ///< body bytes held before the transfer is paused

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return o;
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r' || s[b] == '\n')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '\n')) --e;
  return std::string(s.substr(b, e - b));
}

/// The system's CA bundle (Debian's ca-certificates), to trust beside extra CAs.
const std::string& system_ca_bundle() {
  static std::string pem = [] {
    std::ifstream f("/etc/ssl/certs/ca-certificates.crt", std::ios::binary);
    std::stringstream ss;
    if (f) ss << f.rdbuf();
    return ss.str();
  }();
  return pem;
}

}  // namespace

struct HttpResponse::Impl {
  CURLM* multi = nullptr;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::string ca_blob;
  std::string buf;  ///< body bytes received, not yet read
  size_t pos = 0;
  bool paused = false, headers_done = false, done = false;
  CURLcode result = CURLE_OK;
  char errbuf[CURL_ERROR_SIZE] = {};
  std::string url, method;
  std::vector<std::pair<std::string, std::string>> pending;  ///< headers of the current response
  long pending_status = 0;

  // Here rather than in ~HttpResponse: a constructor that throws (no connection) runs no
  // destructor of its own, but its members' destructors still run.
  ~Impl() {
    if (multi && easy) curl_multi_remove_handle(multi, easy);
    if (easy) curl_easy_cleanup(easy);
    if (multi) curl_multi_cleanup(multi);
    if (headers) curl_slist_free_all(headers);
  }
};

size_t http_header_cb(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<HttpResponse*>(user);
  auto& im = *r->impl_;
  std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {  // a status line: a new response (after a 100, or the first)
    im.pending.clear();
    auto sp = line.find(' ');
    im.pending_status = sp == std::string_view::npos ? 0 : std::atol(std::string(line.substr(sp + 1, 3)).c_str());
  } else if (trim(line).empty()) {
    if (im.pending_status >= 200 || im.pending_status == 0) {
      r->status_ = im.pending_status;
      r->headers_ = std::move(im.pending);
      im.headers_done = true;
    }
  } else {
    auto c = line.find(':');
    if (c != std::string_view::npos)
      im.pending.emplace_back(lower(trim(line.substr(0, c))), trim(line.substr(c + 1)));
  }
  return size * n;
}

size_t http_write_cb(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<HttpResponse*>(user);
  auto& im = *r->impl_;
  if (im.buf.size() - im.pos >= kMaxBuffered) {
    im.paused = true;
    return CURL_WRITEFUNC_PAUSE;  // curl hands the same bytes again once unpaused
  }
  if (im.pos > 0 && im.pos == im.buf.size()) {
    im.buf.clear();
    im.pos = 0;
  }
  im.buf.append(data, size * n);
  return size * n;
}

HttpResponse::HttpResponse(const HttpRequest& req) : impl_(std::make_unique<Impl>()) {
  global_init();
  auto& im = *impl_;
  im.url = req.url;
  im.method = req.method;
  im.multi = curl_multi_init();
  im.easy = curl_easy_init();
  if (!im.multi || !im.easy) throw HttpError(HttpError::Other, req.url + ": cannot start libcurl");
  CURL* e = im.easy;
  curl_easy_setopt(e, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, im.errbuf);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, static_cast<long>(req.connect_timeout_s));
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, static_cast<long>(kStallSeconds));
  curl_easy_setopt(e, CURLOPT_USERAGENT, "layerdiff/0.1.0");
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, http_header_cb);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, http_write_cb);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, this);
  // Blobs are stored compressed already; a transfer encoding would only cost CPU.
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, nullptr);
  if (req.method == "HEAD") curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  if (req.method == "POST") {
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(req.body.size()));
    curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, req.body.c_str());
  }
  if (!req.unix_socket.empty()) curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, req.unix_socket.c_str());
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, req.tls.verify ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, req.tls.verify ? 2L : 0L);
  if (!req.tls.ca_pem.empty()) {
    im.ca_blob = system_ca_bundle() + "\n" + req.tls.ca_pem;
    curl_blob b{im.ca_blob.data(), im.ca_blob.size(), CURL_BLOB_NOCOPY};
    curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &b);
  }
  if (!req.tls.client_cert.empty()) {
    curl_easy_setopt(e, CURLOPT_SSLCERT, req.tls.client_cert.c_str());
    curl_easy_setopt(e, CURLOPT_SSLKEY, req.tls.client_key.c_str());
  }
  for (const auto& h : req.headers) im.headers = curl_slist_append(im.headers, h.c_str());
  if (im.headers) curl_easy_setopt(e, CURLOPT_HTTPHEADER, im.headers);
  curl_multi_add_handle(im.multi, e);
  // Until the status and headers of the final response are in (or the transfer ended).
  if (!pump(true)) {
    fail_if_error();
    if (status_ == 0) {
      long code = 0;
      curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
      status_ = code;
      headers_ = std::move(im.pending);
    }
  }
}

HttpResponse::~HttpResponse() = default;

bool HttpResponse::pump(bool headers_only) {
  auto& im = *impl_;
  auto ready = [&] { return headers_only ? im.headers_done : im.pos < im.buf.size(); };
  for (;;) {
    if (ready()) return true;
    if (im.done) return false;
    if (im.paused) {
      im.paused = false;
      curl_easy_pause(im.easy, CURLPAUSE_CONT);  // may deliver the held bytes right away
      if (ready()) return true;
    }
    int running = 0;
    curl_multi_perform(im.multi, &running);
    int left = 0;
    while (CURLMsg* m = curl_multi_info_read(im.multi, &left)) {
      if (m->msg == CURLMSG_DONE) {
        im.done = true;
        im.result = m->data.result;
      }
    }
    if (ready()) return true;
    if (im.done) return false;
    curl_multi_poll(im.multi, nullptr, 0, 1000, nullptr);
  }
}

void HttpResponse::fail_if_error() {
  auto& im = *impl_;
  if (!im.done || im.result == CURLE_OK) return;
  std::string detail = im.errbuf[0] ? trim(im.errbuf) : curl_easy_strerror(im.result);
  HttpError::Kind k = HttpError::Other;
  switch (im.result) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      k = HttpError::Connect;
      break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      k = HttpError::TlsCertificate;
      break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_USE_SSL_FAILED:
      k = HttpError::Tls;
      break;
    case CURLE_OPERATION_TIMEDOUT:
      k = im.headers_done ? HttpError::Dropped : HttpError::Connect;
      break;
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      k = HttpError::Dropped;
      break;
    default:
      break;
  }
  throw HttpError(k, detail);
}

std::string HttpResponse::header(std::string_view name) const {
  std::string n = lower(name);
  for (const auto& [k, v] : headers_)
    if (k == n) return v;
  return "";
}

std::string HttpResponse::redirect_url() const {
  char* u = nullptr;
  if (curl_easy_getinfo(impl_->easy, CURLINFO_REDIRECT_URL, &u) == CURLE_OK && u) return u;
  return "";
}

size_t HttpResponse::read(void* buf, size_t n) {
  auto& im = *impl_;
  if (im.pos == im.buf.size() && !pump(false)) {
    fail_if_error();
    return 0;
  }
  size_t k = std::min(n, im.buf.size() - im.pos);
  std::memcpy(buf, im.buf.data() + im.pos, k);
  im.pos += k;
  delivered_ += k;
  return k;
}

std::string HttpResponse::read_all(uint64_t limit, const std::string& what) {
  std::string out;
  char buf[65536];
  for (size_t got; (got = read(buf, sizeof buf)) > 0;) {
    if (out.size() + got > limit)
      throw LimitError(what + ": larger than " + std::to_string(limit) + " bytes (a fixed limit)");
    out.append(buf, got);
  }
  return out;
}

std::string url_escape(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string o;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      o += static_cast<char>(c);
    } else {
      o += '%';
      o += hex[c >> 4];
      o += hex[c & 15];
    }
  }
  return o;
}

}  // namespace layerdiff
