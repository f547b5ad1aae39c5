// render_packages.h: the package parts of `inspect --by package` and of the diff, as table rows,
// JSON and Markdown. render_inspect.cc and render_diff.cc call these; rows come from
// analyzer/packages.h (package_table, package_diff_table), so every column sums to its TOTAL.
#pragma once

#include <boost/json.hpp>
#include <ostream>

#include "analyzer/packages.h"
#include "cmd/render.h"

namespace layerdiff {

/// inspect: {"databases", "warnings", "contested_files", "no_package": {size, files},
/// "packages": [ {name, ecosystem, version, size, files, copies} ]} (every package).
boost::json::object packages_json(const PackageReport& r);
/// inspect --by package: the PACKAGES table (top rows, [other], [no package], TOTAL).
void packages_table(const PackageReport& r, size_t top, const Style& st, std::ostream& out);
void packages_markdown(const PackageReport& r, size_t top, std::ostream& out);

/// diff: {"databases": bool, "added", "removed", "upgraded", "downgraded", "changed",
/// "unchanged", "no_package": {before, after, delta}, "rows": [ {name, ecosystem, change,
/// version_before, version_after, before, after, delta, files_before, files_after} ]} (every
/// package of either image, by |delta|).
boost::json::object package_diff_json(const PackageDiff& d);
/// diff: the PACKAGES section (changed packages by |delta|, NET).
void package_changes_table(const PackageDiffView& v, const Style& st, std::ostream& out);
/// diff --by package: SIZE BY PACKAGE, every package, reconciling to TOTAL.
void package_rollup_table(const PackageDiffView& v, const Style& st, std::ostream& out);
void package_changes_markdown(const PackageDiffView& v, std::ostream& out);
void package_rollup_markdown(const PackageDiffView& v, std::ostream& out);

}  // namespace layerdiff
