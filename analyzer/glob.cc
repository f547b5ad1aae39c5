#include "analyzer/glob.h"

#include "analyzer/error.h"
#include "analyzer/path.h"

namespace layerdiff {
namespace {

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }


bool match_parts(const std::vector<std::string>& pat, size_t i,
                 const std::vector<std::string_view>& path, size_t j) {
  for (; i < pat.size(); ++i, ++j) {
    if (pat[i] == "**") {
      for (size_t k = j; k <= path.size(); ++k)
        if (match_parts(pat, i + 1, path, k)) return true;
      return false;
    }
    if (j == path.size() || !match_component(pat[i], path[j])) return false;
  }
  return j == path.size();
}

}  // namespace

bool match_component(std::string_view p, std::string_view s) {
  // Iterative wildcard match: on a mismatch, let the last '*' take one more character.
  size_t pi = 0, si = 0, star = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '*') {
      while (pi < p.size() && p[pi] == '*') ++pi;
      star = pi;
      star_s = si;
    } else if (pi < p.size() && p[pi] == '?') {
      ++pi;
      ++si;
      while (si < s.size() && is_continuation(s[si])) ++si;
    } else if (pi < p.size() && p[pi] == s[si]) {
      ++pi;
      ++si;
    } else if (star != std::string_view::npos) {
      pi = star;
      si = ++star_s;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

Glob::Glob(std::string_view pattern) : text_(pattern) {
  std::string what = "bad pattern '" + text_ + "'";
  std::string_view p = pattern;
  if (!p.empty() && p.front() == '/') p.remove_prefix(1);
  if (!p.empty() && p.back() == '/') p.remove_suffix(1);
  if (p.empty()) throw Error(what + ": names no path (patterns start at the image root: /usr/lib/**)");
  size_t i = 0;
  while (true) {
    size_t j = p.find('/', i);
    std::string_view c = p.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i);
    if (c.empty()) throw Error(what + ": empty component ('//')");
    if (c == "." || c == "..") throw Error(what + ": '" + std::string(c) + "' component");
    if (!(c == "**" && !parts_.empty() && parts_.back() == "**")) parts_.emplace_back(c);
    if (j == std::string_view::npos) break;
    i = j + 1;
  }
}

bool Glob::matches(std::string_view path) const {
  auto comps = split_path(path);
  if (comps.empty()) return false;
  return match_parts(parts_, 0, comps, 0);
}

}  // namespace layerdiff
