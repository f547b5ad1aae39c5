// glob.h: path patterns of `layerdiff check --budget/--forbid`, matched against in-image paths.
// A pattern is anchored at the image root (the leading '/' is optional) and is split into
// components at '/':
//   *    any characters within one component (also a leading '.'), possibly none
//   ?    exactly one character (a UTF-8 code point) other than '/'
//   **   as a whole component: zero or more components, so "/usr/lib/**" matches /usr/lib itself
//        and everything below it, and "**/.cache/**" any .cache directory and what it holds;
//        "**" inside a component ("a**b") is the same as "*"
// Every other character matches itself; there are no classes ([abc]) or escapes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace layerdiff {

class Glob {
 public:
  /// Throws Error "bad pattern '<p>': <reason>" for an empty pattern, an empty, "." or ".."
  /// component (the paths it would be matched against have none).
  explicit Glob(std::string_view pattern);

  /// True when the path ("/usr/bin/gcc" or canonical "usr/bin/gcc") matches. The root never does.
  bool matches(std::string_view path) const;

  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::vector<std::string> parts_;  ///< consecutive "**" collapsed into one
};

/// One component against one component pattern with * and ? (no '/' in either).
bool match_component(std::string_view pattern, std::string_view name);

}  // namespace layerdiff
