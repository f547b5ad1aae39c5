// inspect.h: one image's size analysis as report rows (no rendering here): totals, layers, the
// largest directories and files, wasted bytes and duplicates. Every list that is cut to N rows
// ends with an "[other]" row holding the rest, so each column sums to its total.
// Waste (dive's heuristic, corrected): bytes some layer wrote that a later layer overwrote or
// deleted; each wasted copy counts once, the surviving copy never. Efficiency = visible content
// bytes / all content bytes written by all layers. Invariant: written == content + wasted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analyzer/findings.h"
#include "analyzer/merged_image.h"
#include "analyzer/size_tree.h"

namespace layerdiff {

struct SizeRow {
  std::string label;   ///< display path, or "[other]"
  uint64_t bytes = 0;
  uint64_t count = 0;  ///< files the row stands for
  /// largest_dirs: what is below this directory, the same way (rows sum to this row); else empty.
  std::vector<SizeRow> children;
};

struct LayerReport {
  LayerInfo info;
  LayerMergeStats stats;
  uint64_t visible_bytes = 0;  ///< of its written bytes, those still visible in the merged tree
  uint64_t wasted_bytes = 0;   ///< of its written bytes, those overwritten or deleted later
  /// With a Dockerfile (inspect --dockerfile): its stage and instruction (stages.h); else empty.
  std::string stage, instruction;
};

struct WasteRow {
  std::string path;  ///< display path, or "[other]"
  uint64_t bytes = 0;
  uint64_t count = 1;
  uint32_t layer = 0, removed_by = 0;
  bool deleted = false;
};

struct DuplicateGroup {
  uint64_t groups = 1;               ///< "[other]": the groups it stands for
  uint64_t size = 0;                 ///< bytes of one copy (0 for "[other]")
  std::vector<std::string> paths;    ///< display paths, sorted
  uint64_t savings = 0;              ///< size * (copies - 1)
};

struct InspectOptions {
  size_t top = 10;  ///< rows per list before "[other]"
  int depth = 2;    ///< directory depth of the largest-directories rollup
  size_t treemap_nodes = 0;  ///< paths the size tree keeps by name (size_tree.h); 0: no tree
};

struct InspectReport {
  ImageInfo image;
  uint64_t content_size = 0;  ///< visible regular-file bytes, hardlinks once
  uint64_t files = 0;      ///< distinct regular files (a hardlinked file counts once)
  uint64_t hardlinks = 0;  ///< extra names of hardlinked files (`h` rows of ls)
  uint64_t dirs = 0, symlinks = 0, others = 0;
  uint64_t compressed_size = 0, tar_size = 0, written_size = 0;
  std::vector<LayerReport> layers;
  /// Directories cumulative (each holds everything below it, as du and bloaty count), nested to
  /// --depth: the top rows sum to content_size, each row's children to the row. A file above
  /// the depth cut is a row of its own; `-n` rows per level, the rest in "[other]".
  std::vector<SizeRow> largest_dirs;
  std::vector<SizeRow> largest_files;
  uint64_t wasted_bytes = 0;
  double efficiency = 1.0;
  std::vector<WasteRow> waste;
  uint64_t duplicate_savings = 0, duplicate_groups = 0;
  /// The `top` groups saving the most, then an "[other]" group (paths empty) for the rest, so
  /// the savings sum to duplicate_savings.
  std::vector<DuplicateGroup> duplicates;
  FindingsReport findings;  ///< the audit (findings.h), every finding; the config is image.config
  size_t top = 10;          ///< InspectOptions::top: the findings table shows this many per kind
  /// With InspectOptions::treemap_nodes: every file's bytes by directory, coloured by the layer
  /// that wrote them (size_tree.h); the root holds content_size and files.
  SizeNode treemap;
};

InspectReport build_inspect(const MergedImage& img, const InspectOptions& opt);

}  // namespace layerdiff
