#include "sources/credentials.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "analyzer/error.h"
#include "formats/limits.h"

extern char** environ;

namespace layerdiff {
namespace json = boost::json;
namespace {

constexpr int kHelperSeconds = 30;  ///< a credential helper that says nothing this long is stopped

std::optional<std::string> read_text(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  if (!S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) > limits::kMaxJsonBytes)
    throw Error(path + ": not an auth file (not a regular file, or larger than 16 MiB)");
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": cannot read the auth file: " + std::strerror(errno));
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string str(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

/// An `auths` key as "host[/path]": no scheme, no /v1/ or /v2/ suffix, Docker Hub's aliases.
std::string normalize_key(std::string k) {
  auto s = k.find("://");
  if (s != std::string::npos) k = k.substr(s + 3);
  while (!k.empty() && k.back() == '/') k.pop_back();
  for (const char* suf : {"/v1", "/v2"})
    if (k.size() > 3 && k.compare(k.size() - 3, 3, suf) == 0) k.resize(k.size() - 3);
  auto slash = k.find('/');
  std::string host = k.substr(0, slash);
  if (host == "index.docker.io" || host == "registry-1.docker.io") host = "docker.io";
  return slash == std::string::npos ? host : host + k.substr(slash);
}

/// Runs `docker-credential-NAME get` with `server` on stdin; its JSON answer's Username/Secret.
std::optional<Credentials> run_helper(const std::string& name, const std::string& server) {
  std::string prog = "docker-credential-" + name;
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) throw Error(prog + ": cannot start: " + std::strerror(errno));
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    throw Error(prog + ": cannot start: " + std::strerror(errno));
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  char* argv[] = {prog.data(), const_cast<char*>("get"), nullptr};
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, prog.c_str(), &fa, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(in[0]);
  ::close(out[1]);
  if (rc != 0) {
    ::close(in[1]);
    ::close(out[0]);
    throw Error(prog + ": cannot run the credential helper: " + std::strerror(rc));
  }
  // The server name is a few bytes: the pipe takes it whole.
  struct sigaction ign{}, old{};
  ign.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ign, &old);
  ssize_t w = ::write(in[1], server.data(), server.size());
  (void)w;
  sigaction(SIGPIPE, &old, nullptr);
  ::close(in[1]);
  std::string text;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kHelperSeconds);
  bool timed_out = false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    struct pollfd p{out[0], POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      timed_out = r == 0;
      break;
    }
    char buf[4096];
    ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > (1u << 20)) break;
  }
  ::close(out[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) throw Error(prog + ": no answer within " + std::to_string(kHelperSeconds) + " s");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    // "credentials not found in native keychain": anonymous, as docker does.
    if (text.find("not found") != std::string::npos) return std::nullopt;
    throw Error(prog + " get " + server + ": failed (exit " +
                std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)) +
                ")" + (text.empty() ? "" : ": " + text.substr(0, 200)));
  }
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) throw Error(prog + ": its answer is not a JSON object");
  Credentials c;
  c.username = str(v.as_object(), "Username");
  c.password = str(v.as_object(), "Secret");
  c.from = prog;
  if (c.username == "<token>") {  // docker's convention for an identity token
    c.identity_token = c.password;
    c.username.clear();
    c.password.clear();
  }
  return c;
}

/// Looks `registry`/`repository` up in one auth file. nullopt: no entry for it.
std::optional<Credentials> from_file(const std::string& path, const std::string& text,
                                     const std::string& registry, const std::string& repository) {
  boost::system::error_code ec;
  json::parse_options po;
  po.max_depth = limits::kMaxJsonDepth;
  json::value v = json::parse(text, ec, {}, po);
  if (ec || !v.is_object()) throw Error(path + ": not a JSON object (an auth file)");
  const json::object& root = v.as_object();
  std::string full = registry + "/" + repository;
  // credHelpers: a helper for this registry.
  if (auto* h = root.if_contains("credHelpers"); h && h->is_object())
    for (const auto& [k, name] : h->as_object())
      if (normalize_key(std::string(k)) == registry && name.is_string())
        return run_helper(std::string(name.as_string()),
                          registry == "docker.io" ? "https://index.docker.io/v1/" : registry);
  const json::object* auths = nullptr;
  if (auto* a = root.if_contains("auths"); a && a->is_object()) auths = &a->as_object();
  const json::object* best = nullptr;
  size_t best_len = 0;
  if (auths)
    for (const auto& [k, e] : *auths) {
      std::string key = normalize_key(std::string(k));
      bool match = key == registry ||
                   (full.size() > key.size() && full.compare(0, key.size(), key) == 0 &&
                    full[key.size()] == '/' && key.find('/') != std::string::npos) ||
                   key == full;
      if (match && e.is_object() && key.size() >= best_len) {
        best = &e.as_object();
        best_len = key.size();
      }
    }
  if (best) {
    Credentials c;
    c.from = path;
    std::string auth = str(*best, "auth");
    if (!auth.empty()) {
      auto dec = base64_decode(auth);
      auto colon = dec ? dec->find(':') : std::string::npos;
      if (colon == std::string::npos)
        throw Error(path + ": the \"auth\" entry for " + registry + " is not base64 of USER:PASSWORD");
      c.username = dec->substr(0, colon);
      c.password = dec->substr(colon + 1);
    } else {
      c.username = str(*best, "username");
      c.password = str(*best, "password");
    }
    c.identity_token = str(*best, "identitytoken");
    if (!c.username.empty() || !c.identity_token.empty()) return c;
  }
  // credsStore: the default helper for every registry without an entry.
  if (auto* s = root.if_contains("credsStore"); s && s->is_string() && !s->as_string().empty())
    return run_helper(std::string(s->as_string()),
                      registry == "docker.io" ? "https://index.docker.io/v1/" : registry);
  return std::nullopt;
}

}  // namespace

std::optional<Credentials> find_credentials(const std::string& registry,
                                            const std::string& repository,
                                            const CredentialOptions& opt,
                                            std::vector<std::string>& warnings) {
  if (!opt.creds.empty()) {
    Credentials c;
    auto colon = opt.creds.find(':');
    c.username = opt.creds.substr(0, colon);
    c.password = colon == std::string::npos ? "" : opt.creds.substr(colon + 1);
    c.from = "--creds";
    return c;
  }
  std::string explicit_file = opt.authfile;
  if (explicit_file.empty())
    if (const char* e = std::getenv("REGISTRY_AUTH_FILE"); e && *e) explicit_file = e;
  if (!explicit_file.empty()) {
    auto text = read_text(explicit_file);
    if (!text) throw Error(explicit_file + ": no such auth file");
    return from_file(explicit_file, *text, registry, repository);
  }
  std::vector<std::string> files;
  if (const char* x = std::getenv("XDG_RUNTIME_DIR"); x && *x)
    files.push_back(std::string(x) + "/containers/auth.json");
  if (const char* h = std::getenv("HOME"); h && *h) files.push_back(std::string(h) + "/.docker/config.json");
  for (const auto& f : files) {
    try {
      auto text = read_text(f);
      if (!text) continue;
      if (auto c = from_file(f, *text, registry, repository)) return c;
    } catch (const Error& e) {
      warnings.push_back(std::string(e.what()) + "; reading " + registry + " anonymously");
    }
  }
  return std::nullopt;
}

std::string base64_encode(const std::string& s) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string o;
  size_t i = 0;
  for (; i + 2 < s.size(); i += 3) {
    uint32_t v = (static_cast<unsigned char>(s[i]) << 16) | (static_cast<unsigned char>(s[i + 1]) << 8) |
                 static_cast<unsigned char>(s[i + 2]);
    o += t[v >> 18];
    o += t[(v >> 12) & 63];
    o += t[(v >> 6) & 63];
    o += t[v & 63];
  }
  if (i + 1 == s.size()) {
    uint32_t v = static_cast<unsigned char>(s[i]) << 16;
    o += t[v >> 18];
    o += t[(v >> 12) & 63];
    o += "==";
  } else if (i + 2 == s.size()) {
    uint32_t v = (static_cast<unsigned char>(s[i]) << 16) | (static_cast<unsigned char>(s[i + 1]) << 8);
    o += t[v >> 18];
    o += t[(v >> 12) & 63];
    o += t[(v >> 6) & 63];
    o += '=';
  }
  return o;
}

std::optional<std::string> base64_decode(const std::string& s) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string o;
  uint32_t acc = 0;
  int bits = 0;
  size_t i = 0;
  for (; i < s.size() && s[i] != '='; ++i) {
    int v = val(s[i]);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      o += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  for (; i < s.size(); ++i)
    if (s[i] != '=') return std::nullopt;
  return o;
}

}  // namespace layerdiff
