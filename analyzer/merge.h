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
// What each layer did is measured against the tree below it, as its net effect: every path the
// layer touched (an entry, a whiteout's victim, a replaced or emptied subtree, a parent created
// for an entry) is compared after the layer with its state before it: Added (did not exist),
// Removed (no longer exists), Modified (type, content or metadata differ, or it became a copy
// of its own while its old file lives on under other names); a path
// re-listed unchanged (buildah re-lists parents) is no change. Bytes follow the inodes: a file's
// content is added where its inode is born and removed where its last name goes, once, so for
// every layer added - removed + grown - shrunk == content after it - content before it.
// Waste is computed during the merge, not by re-stacking: when a regular-file inode loses its last
// name, its bytes were written by inode.layer and wasted by the layer that removed it. Invariant:
// for every layer, written == visible + wasted (sums over that layer's inodes).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
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
  ContentDigest digest;     ///< of the lost content (is it still visible elsewhere? findings.h)
};

enum class PathChange : uint8_t { Added, Modified, Removed };
char change_letter(PathChange c);  ///< 'A', 'M', 'D'

/// What one layer did to one path (its net effect, see above).
struct LayerPathChange {
  uint32_t layer = 0;
  PathChange change = PathChange::Added;
  std::string path;      ///< canonical, after resolving the entry's parent symlinks
  InodeId inode = 0;     ///< the new state (Added, Modified) or the old one (Removed)
  uint32_t old_inode = 0;  ///< Modified: the state before the layer
  std::string link;      ///< set when a hardlink entry made it: the other name it joined (canonical)
  uint64_t added_bytes = 0;    ///< content born with this path (a new inode's size, counted once)
  uint64_t removed_bytes = 0;  ///< content that died with this path (its inode's last name, once)
};

/// Counts and bytes of what a layer did; bytes as in LayerPathChange (Modified paths' bytes go
/// to grown/shrunk by their net).
struct LayerChangeStats {
  uint64_t added = 0, modified = 0, removed = 0;
  uint64_t added_bytes = 0, removed_bytes = 0, grown_bytes = 0, shrunk_bytes = 0;
};

/// Receives each layer's changes, sorted bytewise by path, when the layer is done (the tree
/// then holds the new states; old inodes stay in the inode table).
class LayerChangeSink {
 public:
  virtual ~LayerChangeSink() = default;
  virtual void layer_changes(const FileTree& tree, std::vector<LayerPathChange>&& changes) = 0;
};

/// Per-layer numbers the merge measures.
struct LayerMergeStats {
  uint64_t entries = 0;        ///< tar entries, whiteouts included
  uint64_t written_bytes = 0;  ///< content bytes of regular files this layer wrote
  uint64_t files = 0, dirs = 0, symlinks = 0, hardlinks = 0, whiteouts = 0, others = 0;
  LayerChangeStats changes;    ///< what the layer did to the tree below it
};

class Merger {
 public:
  explicit Merger(FileTree& tree, LayerChangeSink* sink = nullptr) : tree_(tree), sink_(sink) {}

  /// Applies one layer on top of what was applied before. Throws Error "<path>: <reason>" for a path
  /// that escapes the root, a hardlink to a missing path or a directory, or a non-directory parent.
  void apply(uint32_t layer, const std::vector<LayerEntry>& entries, Diagnostics& diag);

  const std::vector<WasteRecord>& waste() const { return waste_; }
  const std::vector<LayerMergeStats>& stats() const { return stats_; }
  /// For every path absent from the tree now that some layer removed: the last layer that did.
  const std::unordered_map<std::string, uint32_t>& removed_by() const { return removed_by_; }

 private:
  /// The state of a path before the current layer touched it.
  struct Touch {
    bool existed = false;
    InodeId inode = 0;
    uint32_t nlink = 0;  ///< of that inode, before the layer
    // A directory is updated in place: its metadata before the layer.
    uint32_t mode = 0, uid = 0, gid = 0;
    int64_t mtime = 0;
    Xattrs xattrs;
    std::string link;  ///< the last entry for this path was a hardlink to this name
  };

  /// `resolved` (when not null) receives the canonical path the parent resolved to.
  Node* resolve_parent(std::string_view canonical_parent, uint32_t layer, bool create,
                       const std::string& for_path, std::string* resolved = nullptr);
  void remove_node(std::unique_ptr<Node> n, const std::string& path, uint32_t by, bool deleted);
  void detach(Node& n, const std::string& path, uint32_t by, bool deleted);
  /// Notes the state of `path` (node: what is there now, or null) before the layer changes it.
  Touch& touch(const std::string& path, const Node* node);
  /// Compares every touched path with its state before the layer: stats, removed_by, the sink.
  void finish_layer(uint32_t layer, InodeId first_new_inode);

  FileTree& tree_;
  LayerChangeSink* sink_ = nullptr;
  std::unordered_map<std::string, Touch> touched_;  ///< of the current layer
  std::unordered_map<std::string, uint32_t> removed_by_;
  Diagnostics* diag_ = nullptr;    ///< of the current apply()
  uint32_t layer_ = 0;             ///< of the current apply(), for warnings
  uint64_t entries_seen_ = 0;      ///< entries of all layers applied so far
  uint64_t implicit_dirs_ = 0;     ///< directories created for unlisted parents
  std::vector<WasteRecord> waste_;
  std::vector<LayerMergeStats> stats_;
};

}  // namespace layerdiff
