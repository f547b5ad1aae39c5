#include "analyzer/path.h"

#include "analyzer/error.h"

namespace layerdiff {

void normalize_path_into(std::string_view raw, std::string& out) {
  if (raw.find('\0') != std::string_view::npos) throw Error("path contains a NUL byte");
  out.clear();
  size_t i = 0;
  while (i <= raw.size()) {
    size_t j = raw.find('/', i);
    if (j == std::string_view::npos) j = raw.size();
    std::string_view c = raw.substr(i, j - i);
    if (c.empty() || c == ".") {
      // skip
    } else if (c == "..") {
      if (out.empty()) throw Error(std::string(raw) + ": path escapes the image root through '..'");
      size_t k = out.rfind('/');
      out.resize(k == std::string::npos ? 0 : k);
    } else {
      if (!out.empty()) out += '/';
      out += c;
    }
    i = j + 1;
  }
}

std::string normalize_path(std::string_view raw) {
  std::string out;
  normalize_path_into(raw, out);
  return out;
}

std::vector<std::string_view> split_path(std::string_view p) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    if (j > i) out.push_back(p.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::string display_path(std::string_view p) { return "/" + std::string(p); }

std::string_view parent_path(std::string_view p) {
  size_t k = p.rfind('/');
  return k == std::string_view::npos ? std::string_view() : p.substr(0, k);
}

std::string_view base_name(std::string_view p) {
  size_t k = p.rfind('/');
  return k == std::string_view::npos ? p : p.substr(k + 1);
}

}  // namespace layerdiff
