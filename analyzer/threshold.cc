#include "analyzer/threshold.h"

#include <utility>

#include "analyzer/error.h"

namespace layerdiff {
namespace {

using u128 = unsigned __int128;
constexpr uint64_t kMaxBytes = static_cast<uint64_t>(INT64_MAX);
constexpr int kMaxDecimals = 6;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// A decimal "123.45" as mantissa 12345 and 2 decimals; the rest of `s` after the number is
/// left in `s`. Throws with `what` on a missing number or too many digits.
std::pair<u128, int> parse_decimal(std::string_view& s, const std::string& what) {
  u128 m = 0;
  int digits = 0, decimals = 0;
  bool dot = false;
  while (!s.empty()) {
    char c = s.front();
    if (c == '.' && !dot) {
      dot = true;
    } else if (c >= '0' && c <= '9') {
      if (dot && ++decimals > kMaxDecimals)
        throw Error(what + ": at most " + std::to_string(kMaxDecimals) + " decimals");
      m = m * 10 + static_cast<unsigned>(c - '0');
      if (m > u128(kMaxBytes) * 1000000) throw Error(what + ": too large");
      ++digits;
    } else {
      break;
    }
    s.remove_prefix(1);
  }
  if (digits == 0) throw Error(what + ": expected a number");
  return {m, decimals};
}

u128 pow10(int n) {
  u128 p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

Threshold percentage(std::string_view s, const std::string& what, uint64_t max_percent) {
  std::string_view rest = s.substr(0, s.size() - 1);  // without '%'
  rest = trim(rest);
  auto [m, decimals] = parse_decimal(rest, what);
  if (!rest.empty()) throw Error(what + ": expected a number before '%'");
  u128 den = pow10(decimals) * 100;
  if (max_percent && m > u128(max_percent) * pow10(decimals))
    throw Error(what + ": at most " + std::to_string(max_percent) + "%");
  Threshold t;
  t.kind = Threshold::Fraction;
  t.num = static_cast<uint64_t>(m);
  t.den = static_cast<uint64_t>(den);
  return t;
}

}  // namespace

uint64_t parse_size(std::string_view in) {
  std::string what = "bad size '" + std::string(in) + "'";
  std::string_view s = trim(in);
  if (!s.empty() && (s.front() == '-' || s.front() == '+'))
    throw Error(what + ": expected a number of bytes without a sign");
  auto [m, decimals] = parse_decimal(s, what);
  std::string_view unit = trim(s);
  static const std::pair<std::string_view, uint64_t> units[] = {
      {"", 1},          {"B", 1},
      {"kB", 1000},     {"KB", 1000},         {"MB", 1000000},       {"GB", 1000000000},
      {"TB", 1000000000000ull},
      {"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30}, {"TiB", 1ull << 40}};
  uint64_t mult = 0;
  for (const auto& [name, m2] : units)
    if (unit == name) mult = m2;
  if (mult == 0)
    throw Error(what + ": unknown unit '" + std::string(unit) +
                "'; use B, kB, MB, GB, TB (1000) or KiB, MiB, GiB, TiB (1024)");
  u128 scaled = m * mult;
  u128 div = pow10(decimals);
  if (scaled % div != 0) throw Error(what + ": not a whole number of bytes");
  u128 bytes = scaled / div;
  if (bytes > kMaxBytes) throw Error(what + ": too large (at most 8 EiB)");
  return static_cast<uint64_t>(bytes);
}

Threshold parse_threshold(std::string_view in, bool allow_percent) {
  std::string_view s = trim(in);
  Threshold t;
  if (!s.empty() && s.back() == '%') {
    std::string what = "bad percentage '" + std::string(in) + "'";
    if (!allow_percent) throw Error("bad size '" + std::string(in) + "': a size is needed here, not a percentage");
    if (s.front() == '-' || s.front() == '+') throw Error(what + ": expected a number without a sign");
    t = percentage(s, what, 0);
  } else {
    t.bytes = parse_size(s);
  }
  t.text = std::string(s);
  return t;
}

Threshold parse_fraction(std::string_view in) {
  std::string what = "bad fraction '" + std::string(in) + "'";
  std::string_view s = trim(in);
  if (!s.empty() && (s.front() == '-' || s.front() == '+'))
    throw Error(what + ": expected a number without a sign");
  Threshold t;
  if (!s.empty() && s.back() == '%') {
    t = percentage(s, what, 100);
  } else {
    std::string_view rest = s;
    auto [m, decimals] = parse_decimal(rest, what);
    if (!trim(rest).empty()) throw Error(what + ": expected a percentage (90%) or a fraction (0.9)");
    u128 den = pow10(decimals);
    if (m > den) throw Error(what + ": a fraction is at most 1 (write 90% or 0.9)");
    t.kind = Threshold::Fraction;
    t.num = static_cast<uint64_t>(m);
    t.den = static_cast<uint64_t>(den);
  }
  t.text = std::string(s);
  return t;
}

}  // namespace layerdiff
