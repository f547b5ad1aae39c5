// http.h: one HTTP request over libcurl, its body read as a pull stream (a ByteSource), so that a
// layer blob flows from the socket into the layer reader with no temporary file and at most about
// 1 MiB buffered. Redirects are not followed here: the registry client follows them itself so that
// it can drop the Authorization header when a blob is served from another host.
//
// Contract: the constructor returns once the status line and headers arrived (or throws
// HttpError); read() then pulls the body and throws HttpError if the connection drops before the
// end. Transport-level timeouts bound every wait: connecting, and no byte for kStallSeconds.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyzer/error.h"
#include "formats/byte_source.h"

namespace layerdiff {

struct TlsOptions {
  bool verify = true;   ///< check the server's certificate and name
  std::string ca_pem;   ///< extra CA certificates (PEM) trusted beside the system store
  std::string client_cert, client_key;  ///< PEM files of a client certificate (certs.d *.cert/*.key)
};

struct HttpRequest {
  std::string method = "GET";  ///< GET, HEAD or POST
  std::string url;
  std::vector<std::string> headers;  ///< "Name: value"
  std::string body;                  ///< POST body (application/x-www-form-urlencoded)
  std::string unix_socket;           ///< speak HTTP over this unix socket (a Docker daemon)
  TlsOptions tls;
  int connect_timeout_s = 15;
};

/// A failure below HTTP: no connection, TLS, a connection dropped mid-body, a stall.
class HttpError : public Error {
 public:
  enum Kind { Connect, Tls, TlsCertificate, Dropped, Other };
  HttpError(Kind k, const std::string& msg) : Error(msg), kind(k) {}
  Kind kind;
};

class HttpResponse : public ByteSource {
 public:
  /// Seconds without a byte after which a transfer is abandoned (a stalled server).
  static constexpr int kStallSeconds = 60;

  /// Sends the request and waits for the response's status and headers.
  explicit HttpResponse(const HttpRequest& req);
  ~HttpResponse() override;
  HttpResponse(const HttpResponse&) = delete;
  HttpResponse& operator=(const HttpResponse&) = delete;

  long status() const { return status_; }
  /// The value of a response header (name case-insensitive), "" when absent.
  std::string header(std::string_view name) const;
  /// The URL a Location header points at, resolved against the request's URL ("" if none).
  std::string redirect_url() const;

  /// The body. Throws HttpError (Dropped) when the connection ends before the body does.
  size_t read(void* buf, size_t n) override;
  /// The whole body, at most `limit` bytes (Error naming `what` beyond that).
  std::string read_all(uint64_t limit, const std::string& what);
  /// Bytes of body delivered by read() so far.
  uint64_t delivered() const { return delivered_; }

 private:
  struct Impl;
  /// Runs the transfer until the headers are in (`headers_only`) or body bytes are buffered;
  /// false when it ended first.
  bool pump(bool headers_only);
  void fail_if_error();

  std::unique_ptr<Impl> impl_;
  long status_ = 0;
  std::vector<std::pair<std::string, std::string>> headers_;
  uint64_t delivered_ = 0;
  friend size_t http_header_cb(char*, size_t, size_t, void*);
  friend size_t http_write_cb(char*, size_t, size_t, void*);
};

/// Percent-encodes a query value or path segment (RFC 3986 unreserved characters stay).
std::string url_escape(std::string_view s);

}  // namespace layerdiff
