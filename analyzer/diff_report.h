// diff_report.h: the rows of a `layerdiff diff` report, built from two merged images: summary,
// a bloaty-style directory rollup, the layers with the changes each is responsible for (diff.h),
// the build stages (stages.h), and the biggest changed files. One story: the changes' deltas, the
// rollup's TOTAL, the layer rows' NET and the stage rows' NET all equal the content delta, and
// added - removed + grown - shrunk == the content delta.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "analyzer/config_diff.h"
#include "analyzer/diff.h"
#include "analyzer/findings.h"
#include "analyzer/size_tree.h"
#include "analyzer/stages.h"

namespace layerdiff {

struct ImageSummary {
  std::string name;  ///< how reports name the image: its reference, or "file (tag)" for a bare tag
  std::string source, reference, platform, layout;
  size_t layers = 0;
  uint64_t content_size = 0, compressed_size = 0, tar_size = 0;
  uint64_t files = 0;  ///< distinct regular files (hardlinked names once)
  bool compressed_known = true;  ///< false when a layer is stored uncompressed (no compressed size)
};
ImageSummary summarize(const MergedImage& img);

/// One row of the directory rollup (a directory, or a file at a level above --depth).
struct RollupRow {
  std::string label;  ///< display path, "[other]" or "TOTAL"
  uint64_t before = 0, after = 0;
  int64_t delta() const { return static_cast<int64_t>(after) - static_cast<int64_t>(before); }
  int level = 0;      ///< 0 = TOTAL, 1 = children of "/"
  std::vector<RollupRow> children;
};

/// One layer of either image with the changes it is responsible for.
struct LayerDiffRow {
  enum Status { Shared, BeforeOnly, AfterOnly } status;
  int before_index = -1, after_index = -1;
  LayerInfo info;
  StageLabel label;      ///< stage and instruction (stages.h)
  uint64_t added = 0;    ///< bytes its changes added: new paths and growth of modified ones
  uint64_t removed = 0;  ///< bytes its changes removed: removed paths and shrinkage
  uint64_t paths = 0;    ///< changes it is responsible for
  int64_t delta() const { return static_cast<int64_t>(added) - static_cast<int64_t>(removed); }
};

struct DiffReportOptions {
  size_t top = 10;
  int depth = 2;
  ConfigDiffOptions config;  ///< e.g. whether `created` is compared
  size_t treemap_nodes = 0;  ///< paths the size tree keeps by name (size_tree.h); 0: no tree
};

struct DiffReport {
  ImageSummary before, after;
  uint64_t added_paths = 0, removed_paths = 0, modified_paths = 0;
  uint64_t metadata_only = 0;  ///< modified paths whose content is the same (delta 0)
  uint64_t added_bytes = 0;    ///< content of added paths
  uint64_t removed_bytes = 0;  ///< content of removed paths
  uint64_t grown_bytes = 0, shrunk_bytes = 0;  ///< net growth / shrinkage of modified paths
  int64_t content_delta() const {
    return static_cast<int64_t>(added_bytes + grown_bytes) -
           static_cast<int64_t>(removed_bytes + shrunk_bytes);
  }
  size_t shared_layers = 0;
  RollupRow rollup;                              ///< label "TOTAL", level 0
  std::vector<LayerDiffRow> layers;              ///< shared, then BEFORE's own, then AFTER's own
  std::vector<const FileChange*> top_added, top_removed, top_grown, top_shrunk;
  std::vector<FileChange> changes;  ///< all, sorted by path (the rows above point into it)
  LayerLabels labels;
  StageReport stages;
  /// With DiffReportOptions::treemap_nodes: BEFORE ∪ AFTER by directory, every path that carries
  /// bytes in either image (diff.h's carrier rule), coloured by change; a node's layer is the
  /// index in `layers` of the row charged with its changes. Root: before/after content sizes.
  SizeNode treemap;
  /// The layer row a change is charged to.
  const LayerDiffRow& row_of(const LayerRef& r) const;
  std::vector<ConfigChange> config_changes;  ///< the configs' differing fields (config_diff.h)
  FindingsReport new_findings;  ///< AFTER's findings that BEFORE lacks (findings.h)
  size_t top = 10;              ///< DiffReportOptions::top: findings shown per kind
};

DiffReport build_diff_report(const MergedImage& before, const MergedImage& after,
                             const StageInputs& stages, const DiffOptions& dopt,
                             const DiffReportOptions& opt);

/// True when the images' merged trees or configs differ (what --exit-code reports).
inline bool images_differ(const DiffReport& r) {
  return !r.changes.empty() || !r.config_changes.empty();
}

}  // namespace layerdiff
