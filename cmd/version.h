// version.h: the version of layerdiff and the commit it was built from (generated at build time
// by cmake/version.cmake from the project version and `git describe`).
#pragma once

#include <string>

namespace layerdiff {

extern const char* const kVersion;  ///< "0.1.0"
extern const char* const kCommit;   ///< "1ea49a4c5d2e", "1ea49a4c5d2e-dirty", or "unknown"

/// "layerdiff 0.1.0 (commit 1ea49a4c5d2e)": what --version prints.
inline std::string version_line() { return std::string("layerdiff ") + kVersion + " (commit " + kCommit + ")"; }

}  // namespace layerdiff
