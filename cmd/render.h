// render.h: report rows -> text. Renderers only read rows; they compute nothing but layout.
#pragma once

#include <ostream>

#include "analyzer/inspect.h"
#include "analyzer/merged_image.h"
#include "analyzer/packages.h"

namespace layerdiff {

enum class Format { Table, Json, Markdown, Html };

/// Style for the table renderer: colour only when asked (a terminal without NO_COLOR, or
/// --color always); `width` the terminal's columns to fit long cells into (0: never cut).
struct Style {
  bool color = false;
  size_t width = 0;
  std::string bold(const std::string& s) const { return color ? "\033[1m" + s + "\033[0m" : s; }
  std::string dim(const std::string& s) const { return color ? "\033[2m" + s + "\033[0m" : s; }
  std::string red(const std::string& s) const { return color ? "\033[31m" + s + "\033[0m" : s; }
  std::string green(const std::string& s) const { return color ? "\033[32m" + s + "\033[0m" : s; }
  /// A size change: growth red, shrinkage green (the text already padded by the caller).
  std::string delta(const std::string& s, int64_t d) const {
    return d > 0 ? red(s) : d < 0 ? green(s) : s;
  }
  /// `s` cut to what is left of the terminal's width after `used` columns (never below `min`).
  std::string fit(const std::string& s, size_t used, size_t min = 24) const;
};

/// JSON schema version of every document layerdiff prints; bumped on incompatible changes.
/// 2: the diff charges each change to one responsible layer (changes[].responsible), layers and
/// stages carry added/removed/delta of those changes, leftovers split four ways.
inline constexpr int kSchemaVersion = 2;

/// Package attribution as the renderers show it (cmd/render_packages.h).
struct PackageView {
  PackageReport report;
  size_t top = 10;  ///< rows before "[other]"
};
struct PackageDiffView {
  PackageDiff diff;
  size_t top = 10;
  bool by_package = false;  ///< --by package: SIZE BY PACKAGE in place of SIZE BY DIRECTORY
};

/// With `packages` (--by package), the table and Markdown show the package table in place of
/// the layer, directory, file, waste and duplicate lists; JSON adds "packages".
void render_inspect(const InspectReport& r, Format f, const Style& st, std::ostream& out,
                    const PackageView* packages = nullptr);
void render_ls(const MergedImage& img, Format f, std::ostream& out);
/// The HTML page of inspect (render_html_inspect.cc): every section, and the packages when given.
void render_html_inspect(const InspectReport& r, const PackageView* packages, std::ostream& out);

/// `ls --layer N` (or `all`, only < 0): the changes the merge reports, with each path's state as
/// it was then (the new one for added/modified, the old one for removed).
struct LayerChangeRows : LayerChangeSink {
  struct Row {
    uint32_t layer = 0;
    PathChange change = PathChange::Added;
    std::string path, link;  ///< display paths; link: the name a hardlink entry joined
    Inode inode;
    std::string target;  ///< the inode's symlink target
    Xattrs xattrs;
  };
  int only = -1;
  std::vector<Row> rows;
  void layer_changes(const FileTree& tree, std::vector<LayerPathChange>&& changes) override;
};
/// Table: "A<TAB>" + the `ls` columns (with `all`, the layer index first); JSON lines: the fields
/// of `ls --format json` plus layer, change ("added", "modified", "removed") and written_by.
void render_layer_changes(const LayerChangeRows& changes, bool all, Format f, std::ostream& out);

}  // namespace layerdiff

#include "analyzer/diff_report.h"

namespace layerdiff {
/// With `packages`, a PACKAGES section (JSON: "packages") where either image has a database.
/// "shared", "before" or "after": a layer row of the diff, in every format.
const char* layer_status_name(LayerDiffRow::Status s);
void render_diff(const DiffReport& r, Format f, const Style& st, std::ostream& out,
                 const PackageDiffView* packages = nullptr);
void render_html_diff(const DiffReport& r, const PackageDiffView* packages, std::ostream& out);
}  // namespace layerdiff

#include "analyzer/gate.h"

namespace layerdiff {
/// `layerdiff check` results: table, JSON or Markdown (the GitHub step summary uses Markdown).
void render_check(const GateReport& g, Format f, const Style& st, std::ostream& out);
void render_html_check(const GateReport& g, std::ostream& out);
/// The words every format of the check uses (render_check.cc), for the HTML page.
std::string check_status_name(RuleResult::Status s);  ///< "pass", "fail", "skip"
std::string check_value_text(const RuleResult& r);
std::string check_limit_text(const RuleResult& r);
std::string check_message(const RuleResult& r);
std::string check_verdict(const GateReport& g);       ///< "FAILED: 2 of 3 rules failed"
std::string check_offender_size(const RuleResult& r, const Offender& o);
/// JUnit XML: one test case per rule; failures carry the message and the blamed paths and layers.
void render_junit(const GateReport& g, std::ostream& out);
/// GitHub Actions `::error title=…::message` commands, one per failed rule.
void render_github_annotations(const GateReport& g, std::ostream& out);
}  // namespace layerdiff
