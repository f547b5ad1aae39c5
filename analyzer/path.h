// path.h: canonical in-image paths. A canonical path has no leading or trailing '/', no "." or
// empty components and no ".."; the root is "". Layer paths are normalised the way a runtime
// extracting a tar joins them onto the root, except that a ".." that would leave the root is an
// error rather than being clamped (a layer that tries it is hostile or broken).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace layerdiff {

/// Normalises "./a//b/", "/a/b", "a/./b", "a/x/../b" to "a/b". Throws Error naming `raw` when a ".."
/// component would go above the root, or when the path contains a NUL byte.
std::string normalize_path(std::string_view raw);
/// The same into `out` (its buffer reused: no allocation once it is large enough).
void normalize_path_into(std::string_view raw, std::string& out);

/// Splits a path into its components, skipping empty ones ("/a//b/" -> a, b; "" gives none).
std::vector<std::string_view> split_path(std::string_view canonical);

/// "/" + canonical (the root is "/").
std::string display_path(std::string_view canonical);

/// Parent of a canonical path ("a/b" -> "a", "a" -> "").
std::string_view parent_path(std::string_view canonical);

/// Last component of a canonical path.
std::string_view base_name(std::string_view canonical);

}  // namespace layerdiff
