#include "cmd/text.h"

#include <cstdio>

#include "cmd/render.h"

namespace layerdiff {

std::string human_bytes(uint64_t n) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  if (n < 1024) return std::to_string(n) + " B";
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, v < 10 ? "%.2f %s" : (v < 100 ? "%.1f %s" : "%.0f %s"), v, units[u]);
  return buf;
}

std::string human_delta(int64_t n) {
  if (n == 0) return "0 B";
  uint64_t mag = n < 0 ? static_cast<uint64_t>(-(n + 1)) + 1 : static_cast<uint64_t>(n);
  return (n < 0 ? "-" : "+") + human_bytes(mag);
}

int64_t sdiff(uint64_t before, uint64_t after) {
  return static_cast<int64_t>(after) - static_cast<int64_t>(before);
}

std::string pct(uint64_t before, uint64_t after) {
  if (before == after) return "";
  if (before == 0) return "[NEW]";
  if (after == 0) return "[DEL]";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", 100.0 * static_cast<double>(sdiff(before, after)) / before);
  return buf;
}

std::string percent(double f) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", f * 100.0);
  return buf;
}

std::string octal_mode(uint32_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
  return buf;
}

std::string clip(const std::string& in, size_t width) {
  std::string s;
  for (char c : in) s += (c == '\n' || c == '\t' || c == '\r') ? ' ' : c;
  // Count UTF-8 code points, not bytes, so that cut text stays valid.
  size_t cps = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (cps == width - 1 && width > 0) {
        size_t rest = 0;
        for (size_t j = i; j < s.size(); ++j)
          if ((static_cast<unsigned char>(s[j]) & 0xC0) != 0x80) ++rest;
        if (rest > 1) return s.substr(0, i) + "…";
      }
      ++cps;
    }
  }
  return s;
}

std::string pad(const std::string& s, size_t width) {
  size_t cps = 0;
  for (char c : s) cps += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return cps >= width ? s : s + std::string(width - cps, ' ');
}

std::string rpad(const std::string& s, size_t width) {
  size_t cps = 0;
  for (char c : s) cps += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return cps >= width ? s : std::string(width - cps, ' ') + s;
}

std::string count(uint64_t n, const std::string& singular, const std::string& plural) {
  return std::to_string(n) + " " + (n == 1 ? singular : plural.empty() ? singular + "s" : plural);
}

std::string md_cell(const std::string& in) {
  std::string s;
  for (char c : in) {
    if (c == '|') s += "\\|";
    else if (c == '\n' || c == '\r') s += ' ';
    else if (c == '`') s += '\'';
    else s += c;
  }
  return s;
}

std::string Style::fit(const std::string& s, size_t used, size_t min) const {
  if (width == 0) {
    std::string o;
    for (char c : s) o += (c == '\n' || c == '\t' || c == '\r') ? ' ' : c;
    return o;
  }
  return clip(s, width > used + min ? width - used : min);
}

}  // namespace layerdiff
