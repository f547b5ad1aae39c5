// threshold.h: the limits of `layerdiff check` rules as people write them: sizes ("10MiB",
// "120MB", "512"), percentages ("5%", "2.5%") and fractions ("0.9"). Values are exact: a size is
// a whole number of bytes, a percentage a fraction num/den, so a rule compares at its limit
// without floating-point rounding.
//
// Sizes: a decimal number, optional spaces, and a unit: B (or none), kB/KB, MB, GB, TB (powers
// of 1000), KiB, MiB, GiB, TiB (powers of 1024). Bare K/M/G are refused as ambiguous.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace layerdiff {

struct Threshold {
  enum Kind { Bytes, Fraction } kind = Bytes;
  uint64_t bytes = 0;         ///< Bytes: the limit in bytes (at most INT64_MAX)
  uint64_t num = 0, den = 1;  ///< Fraction: the limit is num/den (5% = 5/100, 0.9 = 9/10)
  std::string text;           ///< as written ("10MiB", "5%")
  double fraction() const { return static_cast<double>(num) / static_cast<double>(den); }
};

/// "10MiB" -> 10485760. Throws Error "bad size '<s>': <reason>" for anything else (negative,
/// no digits, unknown unit, not a whole number of bytes, above INT64_MAX).
uint64_t parse_size(std::string_view s);

/// A size, or with allow_percent a percentage "N%" (N >= 0, up to 6 decimals). Throws Error.
Threshold parse_threshold(std::string_view s, bool allow_percent);

/// A fraction of 1 written as "N%" (0..100) or a decimal "0.9" (0..1). Throws Error.
Threshold parse_fraction(std::string_view s);

}  // namespace layerdiff
