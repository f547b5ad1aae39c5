#include "sources/daemon.h"

#include <boost/json.hpp>

#include <unistd.h>

#include <cstdlib>

#include "analyzer/error.h"
#include "sources/http.h"

namespace layerdiff {

std::unique_ptr<ImageSource> open_daemon_image(const std::string& name, const std::string& label,
                                               const ReadOptions& ro) {
  const char* env = std::getenv("DOCKER_HOST");
  std::string host = env && *env ? env : "unix:///var/run/docker.sock";
  HttpRequest req;
  std::string base;
  if (host.rfind("unix://", 0) == 0) {
    req.unix_socket = host.substr(7);
    base = "http://localhost";
  } else if (host.rfind("tcp://", 0) == 0) {
    base = "http://" + host.substr(6);
    while (!base.empty() && base.back() == '/') base.pop_back();
  } else {
    throw Error(label + ": DOCKER_HOST=" + host + ": expected unix://PATH or tcp://HOST:PORT");
  }
  // The name goes into the path as the API expects it: '/' and ':' stay, anything else escaped.
  std::string path;
  for (char c : name) {
    if (c == '/' || c == ':' || c == '@') path += c;
    else path += url_escape(std::string(1, c));
  }
  req.url = base + "/images/" + path + "/get";
  std::string daemon = "the Docker daemon at " + host;
  std::unique_ptr<HttpResponse> resp;
  try {
    resp = std::make_unique<HttpResponse>(req);
  } catch (const HttpError& e) {
    std::string why = e.what();
    if (!req.unix_socket.empty() && e.kind == HttpError::Connect)
      why = ::access(req.unix_socket.c_str(), F_OK) == 0 ? "nothing answers on the socket"
                                                           : "no such socket";
    throw Error(label + ": cannot connect to " + daemon + " (" + why +
                "); is it running? Set DOCKER_HOST to reach another one");
  }
  long s = resp->status();
  if (s != 200) {
    std::string body;
    try {
      body = resp->read_all(1 << 20, label);
    } catch (const Error&) {
    }
    std::string msg;
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    if (!ec && v.is_object())
      if (auto* m = v.as_object().if_contains("message"); m && m->is_string()) msg = m->as_string();
    if (msg.empty()) msg = body.substr(0, 200);
    std::string what = s == 404 ? "no such image in " + daemon : daemon + " answered HTTP " + std::to_string(s);
    throw Error(label + ": " + what + (msg.empty() ? "" : " (" + msg + ")"));
  }
  return open_image_stream(std::move(resp), label, layer_options(ro));
}

}  // namespace layerdiff
