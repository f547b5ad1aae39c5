// diff_report.h: the rows of a `layerdiff diff` report, built from two merged images and their
// path changes: summary, a bloaty-style directory rollup, per-layer attribution, the biggest
// changed files, and the stage section. Every byte column reconciles: the rollup's TOTAL delta,
// the layer table's net and the stage table's net all equal after.content - before.content.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "analyzer/diff.h"
#include "analyzer/stages.h"

namespace layerdiff {

struct ImageSummary {
  std::string source, reference, platform, layout;
  size_t layers = 0;
  uint64_t content_size = 0, compressed_size = 0, tar_size = 0;
  uint64_t files = 0;  ///< distinct regular files (hardlinked names once)
};

/// One row of the directory rollup (a directory, or a file at a level above --depth).
struct RollupRow {
  std::string label;  ///< display path, "[other]" or "TOTAL"
  uint64_t before = 0, after = 0;
  int64_t delta() const { return static_cast<int64_t>(after) - static_cast<int64_t>(before); }
  int level = 0;      ///< 0 = TOTAL, 1 = children of "/"
  std::vector<RollupRow> children;
};

/// One layer of either image with the bytes of the diff it is responsible for.
struct LayerDiffRow {
  enum Status { Shared, BeforeOnly, AfterOnly } status;
  int before_index = -1, after_index = -1;
  LayerInfo info;
  uint64_t added = 0;    ///< bytes of added/grown paths this (AFTER) layer wrote
  uint64_t removed = 0;  ///< bytes of removed/replaced paths this (BEFORE) layer had written
  StageLabel label;      ///< stage and instruction (stages.h)
};

struct DiffReportOptions {
  size_t top = 10;
  int depth = 2;
};

struct DiffReport {
  ImageSummary before, after;
  uint64_t added_paths = 0, removed_paths = 0, modified_paths = 0;
  uint64_t added_bytes = 0, removed_bytes = 0;  ///< sums of after bytes / before bytes of changes
  RollupRow rollup;                              ///< label "TOTAL", level 0
  std::vector<LayerDiffRow> layers;
  std::vector<const FileChange*> top_added, top_removed, top_grown, top_shrunk;
  std::vector<FileChange> changes;  ///< all, sorted by path (the rows above point into it)
  StageReport stages;
};

DiffReport build_diff_report(const MergedImage& before, const MergedImage& after,
                             std::vector<FileChange> changes, const StageInputs& stages,
                             const DiffReportOptions& opt);

/// True when the images' merged trees differ (what --exit-code reports).
inline bool images_differ(const DiffReport& r) { return !r.changes.empty(); }

}  // namespace layerdiff
