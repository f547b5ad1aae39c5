// packages.h: which installed package owns each byte of a merged image, and how packages changed
// between two images. Package databases are read from the merged tree (never from the host):
//  - dpkg: /var/lib/dpkg/status + info/<pkg>[:<arch>].list, diversions, and distroless
//    status.d/<pkg> stanzas with status.d/<pkg>.md5sums;
//  - apk:  /lib/apk/db/installed (also /usr/lib/apk/db/installed);
//  - python: <dir>/{site,dist}-packages/<name>-<version>.dist-info/RECORD and
//    <name>-<version>[-pyX.Y].egg-info/installed-files.txt;
//  - npm: node_modules/<name>/package.json and node_modules/@scope/<name>/package.json: the
//    package owns every file under its directory except those under a nested package.
// formats/ keeps the content of exactly the files is_package_db_path() accepts (bounded by
// formats/limits.h); a database whose content was not kept is reported in `warnings`.
//
// Ownership (deterministic): bytes are attributed per inode, so a hardlinked file counts once,
// whichever of its names a database lists. A listed path is resolved in the merged tree with
// its parent symlinks followed (dpkg's /bin/ls is /usr/bin/ls on merged-/usr systems), so two
// names of one file never count twice. A file that several packages list goes to one owner, by
// ecosystem precedence dpkg > apk > python > npm (the system package manager installed it; a
// language database listing it too is describing files that package brought), then by package
// name, then version (bytewise). A dpkg diversion sends the diverted package's claim to the
// diverted-to path. Invariant: sum of package bytes + unowned_bytes == content_size.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/merged_image.h"

namespace layerdiff {

/// In precedence order: a file listed by two ecosystems belongs to the first.
enum class Ecosystem : uint8_t { Dpkg, Apk, Python, Npm };
const char* ecosystem_name(Ecosystem e);  ///< "dpkg", "apk", "python", "npm"

/// True for a layer entry path (raw, e.g. "./var/lib/dpkg/status") whose content the package
/// attribution needs. Cheap: called by formats/ for every regular file of every layer.
bool is_package_db_path(std::string_view raw_path);

/// One package (all its installed copies: npm and python may install a name in several places).
struct PackageRow {
  std::string name;      ///< "libc6:amd64", "PyYAML", "@types/node"; "[other]", "[no package]"
  std::string key;       ///< identity across images: the name (python: PEP 503 normalised)
  Ecosystem ecosystem = Ecosystem::Dpkg;
  std::string version;   ///< the versions of its copies, sorted and joined with ", "
  uint64_t bytes = 0;    ///< content bytes of the files attributed to it
  uint64_t files = 0;    ///< regular files (inodes) attributed to it
  uint64_t copies = 1;   ///< installed copies
  uint64_t folded = 0;   ///< "[other]": the packages it stands for
  bool special() const { return !name.empty() && name.front() == '['; }
};

struct PackageReport {
  std::vector<PackageRow> packages;  ///< every package, by bytes descending, then ecosystem, name
  uint64_t unowned_bytes = 0, unowned_files = 0;  ///< "[no package]"
  uint64_t content_size = 0, files = 0;           ///< the image's, as inspect counts them
  uint64_t contested_files = 0;  ///< files listed by more than one package (given to one)
  std::vector<std::string> databases;  ///< "dpkg: 120 packages in /var/lib/dpkg/status", …
  std::vector<std::string> warnings;   ///< databases not read or not understood
  /// Per inode of the image's tree: the index in `packages` of the package its bytes went to,
  /// or -1 ([no package], or not a visible regular file).
  std::vector<int32_t> inode_owner;
};

PackageReport build_package_report(const MergedImage& img);

/// Rows for a table: the `top` biggest packages, "[other]" for the rest (when any), then
/// "[no package]" (when any). The bytes and files of the rows sum to content_size and files.
std::vector<PackageRow> package_table(const PackageReport& r, size_t top);

enum class PackageChange { Added, Removed, Upgraded, Downgraded, Changed, Unchanged };
const char* package_change_name(PackageChange c);  ///< "added", "removed", "upgraded", …

/// A package (by ecosystem and name; npm and python names compared case-insensitively with
/// '-', '_' and '.' alike as PEP 503 does for python) in either image.
struct PackageDiffRow {
  std::string name;
  Ecosystem ecosystem = Ecosystem::Dpkg;
  PackageChange change = PackageChange::Unchanged;
  std::string version_before, version_after;  ///< "" where absent
  uint64_t before = 0, after = 0;             ///< bytes
  uint64_t files_before = 0, files_after = 0;
  uint64_t folded = 0;  ///< "[other]": the packages it stands for
  int64_t delta() const { return static_cast<int64_t>(after) - static_cast<int64_t>(before); }
};

struct PackageDiff {
  /// Every package of either image, by |delta| descending, then ecosystem and name. The
  /// version comparison (upgraded/downgraded) is dpkg's algorithm, which orders apk, PEP 440
  /// and semver versions of the usual forms the same way.
  std::vector<PackageDiffRow> rows;
  PackageDiffRow unowned;  ///< "[no package]": before/after unowned bytes
  uint64_t added = 0, removed = 0, upgraded = 0, downgraded = 0, changed = 0, unchanged = 0;
  bool any = false;  ///< a package database was found in either image
  std::vector<std::string> warnings;
  /// Sum of all rows' deltas + unowned.delta() == after.content_size - before.content_size.
};

PackageDiff diff_packages(const PackageReport& before, const PackageReport& after);

/// Rows of a diff table: the `top` rows with the largest |delta| among those matching `changed_only`
/// (skip Unchanged), "[other]" folding the rest of them, then "[no package]". With
/// changed_only=false every package counts, so the rows reconcile to TOTAL.
std::vector<PackageDiffRow> package_diff_table(const PackageDiff& d, size_t top, bool changed_only);

/// dpkg's version order (epoch, upstream, revision; '~' sorts before everything): <0, 0, >0.
int compare_versions(std::string_view a, std::string_view b);

}  // namespace layerdiff
