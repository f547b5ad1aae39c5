// merge.h: applies layers onto a FileTree with the OCI layer rules (image-spec layer.md):
//  - `DIR/.wh.NAME` removes NAME (a directory with its whole subtree) put there by LOWER layers;
//  - `DIR/.wh..wh..opq` hides everything lower layers put in DIR, but keeps what the same layer adds
//    there, whatever the order of the entries in the layer (whiteouts are applied first, then entries);
//  - other `.wh..wh.*` names are reserved and ignored; no whiteout ever appears as a file;
//  - an entry replacing a directory with a non-directory removes the subtree, and the reverse;
//    a directory over a directory only updates its metadata;
//  - a hardlink names the inode its target has at that moment (also a lower layer's file): the bytes
//    are counted once, and replacing one name later leaves the other names with the old content;
//  - parents that no layer lists are created as directories 0755 root:root; a parent that is a
//    symlink is followed inside the root, as a runtime resolves it (containerd's scoped
//    resolution): a ".." that would leave the root stays at the root, with a warning.
// Hostile input: an absolute entry path is taken relative to the root (warning), as runtimes do;
// a name with a newline or other control character is kept (warning); limits (formats/limits.h)
// bound the depth a path resolves to and the directories created for unlisted parents.
// Waste is computed during the merge, not by re-stacking: when a regular-file inode loses its last
// name, its bytes were written by inode.layer and wasted by the layer that removed it. Invariant:
// for every layer, written == visible + wasted (sums over that layer's inodes).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analyzer/error.h"
#include "analyzer/file_tree.h"
#include "analyzer/layer_entry.h"

namespace layerdiff {

struct WasteRecord {
  std::string path;     ///< canonical path of the last name the inode had
  uint64_t bytes = 0;
  uint32_t layer = 0;       ///< layer that wrote the bytes
  uint32_t removed_by = 0;  ///< layer that overwrote or deleted them
  bool deleted = false;     ///< true: removed by a whiteout; false: overwritten by a new entry
};

/// Per-layer numbers the merge measures.
struct LayerMergeStats {
  uint64_t entries = 0;        ///< tar entries, whiteouts included
  uint64_t written_bytes = 0;  ///< content bytes of regular files this layer wrote
  uint64_t files = 0, dirs = 0, symlinks = 0, hardlinks = 0, whiteouts = 0, others = 0;
};

class Merger {
 public:
  explicit Merger(FileTree& tree) : tree_(tree) {}

  /// Applies one layer on top of what was applied before. Throws Error "<path>: <reason>" for a path
  /// that escapes the root, a hardlink to a missing path or a directory, or a non-directory parent.
  void apply(uint32_t layer, const std::vector<LayerEntry>& entries, Diagnostics& diag);

  const std::vector<WasteRecord>& waste() const { return waste_; }
  const std::vector<LayerMergeStats>& stats() const { return stats_; }

 private:
  Node* resolve_parent(std::string_view canonical_parent, uint32_t layer, bool create,
                       const std::string& for_path);
  void remove_node(std::unique_ptr<Node> n, const std::string& path, uint32_t by, bool deleted);
  void detach(Node& n, const std::string& path, uint32_t by, bool deleted);

  FileTree& tree_;
  Diagnostics* diag_ = nullptr;    ///< of the current apply()
  uint32_t layer_ = 0;             ///< of the current apply(), for warnings
  uint64_t entries_seen_ = 0;      ///< entries of all layers applied so far
  uint64_t implicit_dirs_ = 0;     ///< directories created for unlisted parents
  std::vector<WasteRecord> waste_;
  std::vector<LayerMergeStats> stats_;
};

}  // namespace layerdiff
