#include "sources/image_ref.h"

#include <sys/stat.h>

#include <cctype>

#include "analyzer/error.h"

namespace layerdiff {
namespace {

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

/// One path component: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*
bool valid_component(const std::string& c) {
  if (c.empty() || !lower_alnum(c.front()) || !lower_alnum(c.back())) return false;
  for (size_t i = 0; i < c.size(); ++i) {
    char ch = c[i];
    if (lower_alnum(ch)) continue;
    if (ch == '.' || ch == '_') {
      if (ch == '.' && !lower_alnum(c[i + 1])) return false;
      if (ch == '_' && !(lower_alnum(c[i + 1]) || (c[i + 1] == '_' && lower_alnum(c[i + 2])))) return false;
      if (ch == '_' && c[i + 1] == '_') ++i;
      continue;
    }
    if (ch == '-') continue;
    return false;
  }
  return true;
}

/// A tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
bool valid_tag(const std::string& t) {
  if (t.empty() || t.size() > 128 || t[0] == '.' || t[0] == '-') return false;
  for (char c : t)
    if (!(lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '_' || c == '.' || c == '-')) return false;
  return true;
}

bool valid_digest(const std::string& d) {
  if (d.rfind("sha256:", 0) != 0 || d.size() != 7 + 64) return false;
  for (size_t i = 7; i < d.size(); ++i)
    if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f'))) return false;
  return true;
}

/// HOST[:PORT], HOST a DNS name or [IPv6].
bool valid_host(const std::string& h) {
  if (h.empty()) return false;
  size_t i = 0;
  if (h[0] == '[') {
    auto e = h.find(']');
    if (e == std::string::npos) return false;
    for (size_t k = 1; k < e; ++k)
      if (!(std::isxdigit(static_cast<unsigned char>(h[k])) || h[k] == ':')) return false;
    i = e + 1;
  } else {
    while (i < h.size() && h[i] != ':') {
      char c = h[i];
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-')) return false;
      ++i;
    }
    if (i == 0) return false;
  }
  if (i == h.size()) return true;
  if (h[i] != ':' || i + 1 == h.size()) return false;
  for (size_t k = i + 1; k < h.size(); ++k)
    if (!std::isdigit(static_cast<unsigned char>(h[k]))) return false;
  return true;
}

bool exists(const std::string& p) {
  struct stat st{};
  return ::stat(p.c_str(), &st) == 0;
}

bool ends_with(const std::string& s, const std::string& suf) {
  return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
}

/// A name a person types for a file, never for an image reference.
bool looks_like_file(const std::string& a) {
  if (a.empty() || a[0] == '/' || a[0] == '.' || a[0] == '~') return true;
  for (const char* suf : {".tar", ".tgz", ".gz", ".zst", ".tzst", ".json"})
    if (ends_with(a, suf)) return true;
  return false;
}

/// PATH[:REF] after docker-archive:, oci-archive:, oci: — PATH may itself hold colons.
ImageRef path_ref(const std::string& rest) {
  ImageRef r;
  r.kind = ImageRef::Path;
  r.path = rest;
  if (!exists(rest)) {
    auto c = rest.rfind(':');
    if (c != std::string::npos && c > 0 && exists(rest.substr(0, c))) {
      r.path = rest.substr(0, c);
      r.image = rest.substr(c + 1);
    }
  }
  return r;
}

}  // namespace

bool parse_registry_ref(const std::string& s, ImageRef& out, std::string* why) {
  auto fail = [&](const std::string& w) {
    if (why) *why = w;
    return false;
  };
  ImageRef r;
  r.kind = ImageRef::Registry;
  std::string rest = s;
  auto at = rest.find('@');
  if (at != std::string::npos) {
    r.digest = rest.substr(at + 1);
    rest = rest.substr(0, at);
    if (!valid_digest(r.digest)) return fail("invalid digest \"" + r.digest + "\" (expected sha256:<64 hex>)");
  }
  // The tag follows the last ':' after the last '/' (a ':' before it is the registry's port).
  auto slash = rest.rfind('/');
  auto colon = rest.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    r.tag = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
    if (!valid_tag(r.tag)) return fail("invalid tag \"" + r.tag + "\"");
  }
  if (rest.empty()) return fail("no repository name");
  auto first = rest.find('/');
  std::string head = rest.substr(0, first);
  if (first != std::string::npos &&
      (head.find('.') != std::string::npos || head.find(':') != std::string::npos ||
       head == "localhost" || head[0] == '[')) {
    r.registry = head;
    r.repository = rest.substr(first + 1);
    if (!valid_host(r.registry)) return fail("invalid registry host \"" + r.registry + "\"");
  } else {
    r.registry = "docker.io";
    r.repository = rest;
  }
  if (r.registry == "index.docker.io" || r.registry == "registry-1.docker.io") r.registry = "docker.io";
  if (r.registry == "docker.io" && r.repository.find('/') == std::string::npos)
    r.repository = "library/" + r.repository;
  size_t b = 0;
  for (;;) {
    auto e = r.repository.find('/', b);
    std::string c = r.repository.substr(b, e == std::string::npos ? std::string::npos : e - b);
    if (!valid_component(c))
      return fail("invalid repository name \"" + r.repository +
                  "\" (lower-case letters, digits and . _ - between them)");
    if (e == std::string::npos) break;
    b = e + 1;
  }
  if (r.repository.size() > 255) return fail("repository name longer than 255 characters");
  if (r.tag.empty() && r.digest.empty()) r.tag = "latest";
  out = std::move(r);
  return true;
}

ImageRef parse_image_ref(const std::string& arg) {
  auto starts = [&](const char* p) { return arg.rfind(p, 0) == 0; };
  if (starts("docker://")) {
    ImageRef r;
    std::string why;
    if (!parse_registry_ref(arg.substr(9), r, &why))
      throw Error(arg + ": not an image reference: " + why);
    return r;
  }
  if (starts("docker-daemon:")) {
    ImageRef r;
    r.kind = ImageRef::Daemon;
    r.daemon_name = arg.substr(14);
    if (r.daemon_name.empty()) throw Error(arg + ": no image name after docker-daemon:");
    return r;
  }
  if (starts("docker-archive:")) return path_ref(arg.substr(15));
  if (starts("oci-archive:")) return path_ref(arg.substr(12));
  if (starts("oci:")) return path_ref(arg.substr(4));
  ImageRef r;
  r.path = arg;
  if (arg == "-" || exists(arg) || looks_like_file(arg)) return r;
  ImageRef reg;
  if (parse_registry_ref(arg, reg)) {
    reg.bare = true;
    return reg;
  }
  return r;  // not a reference either: the path's own error ("cannot open") says what is wrong
}

std::string ImageRef::name() const {
  std::string n = registry + "/" + repository;
  if (!tag.empty()) n += ":" + tag;
  if (!digest.empty()) n += "@" + digest;
  return n;
}

std::string ImageRef::api_host() const {
  return registry == "docker.io" ? "registry-1.docker.io" : registry;
}

bool is_loopback_host(const std::string& hp) {
  std::string h = hp;
  if (!h.empty() && h[0] == '[') {
    h = h.substr(1, h.find(']') - 1);
    return h == "::1";
  }
  h = h.substr(0, h.find(':'));
  if (h == "localhost") return true;
  if (h.rfind("127.", 0) != 0) return false;
  int dots = 0;
  for (char c : h) {
    if (c == '.') ++dots;
    else if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return dots == 3;
}

}  // namespace layerdiff
