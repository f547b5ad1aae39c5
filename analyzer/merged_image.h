// merged_image.h: an image's metadata plus the tree its layers merge into, with what the merge
// measured per layer (entries, written bytes) and the waste it saw.
#pragma once

#include <memory>
#include <vector>

#include "analyzer/error.h"
#include "analyzer/file_tree.h"
#include "analyzer/image.h"
#include "analyzer/layer_entry.h"
#include "analyzer/merge.h"

namespace layerdiff {

struct MergedImage {
  ImageInfo info;
  FileTree tree;
  std::vector<LayerMergeStats> stats;  ///< parallel to info.layers
  std::vector<WasteRecord> waste;
  /// Every path absent from the tree that a layer removed (a whiteout, an opaque directory, a
  /// replaced subtree), canonical -> the last layer that removed it.
  std::unordered_map<std::string, uint32_t> removed_by;
};

/// Merges `layers` (parallel to info.layers, bottom first). Errors are rethrown as
/// "<source>: layer <digest12>: <path>: <reason>".
std::unique_ptr<MergedImage> merge_image(ImageInfo info,
                                         const std::vector<const std::vector<LayerEntry>*>& layers,
                                         Diagnostics& diag, LayerChangeSink* changes = nullptr);

}  // namespace layerdiff
