// error.h: the one error type thrown inside layerdiff and the warning collector.
// Library code never exits or prints; cmd/ catches Error once and prints `layerdiff: error: <what>`.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace layerdiff {

/// An input or usage problem. what() is the full message without the "layerdiff: error: " prefix,
/// shaped `<image>: layer <digest12>: <path>: <reason>` where those parts apply.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& msg) : std::runtime_error(msg) {}
};

/// Which limit a LimitError hit; cmd/ maps it to the flag that raises it.
class LimitError : public Error {
 public:
  LimitError(const std::string& msg) : Error(msg) {}
};

/// Rethrows `e` with `context: ` put in front of its message (keeps the type of LimitError).
[[noreturn]] void rethrow_with_context(const std::string& context);

/// Non-fatal findings (a runtime would accept the input, but it is odd). Collected, printed once.
struct Diagnostics {
  std::vector<std::string> warnings;
  void warn(std::string msg) { warnings.push_back(std::move(msg)); }
};

}  // namespace layerdiff
