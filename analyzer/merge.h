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
#include <deque>
#include <functional>
#include <memory>
#include <string_view>
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

/// A hash of paths that also takes string_views (heterogeneous lookup).
struct PathHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
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
  void apply(uint32_t layer, const PackedEntries& entries, Diagnostics& diag);

  const std::vector<WasteRecord>& waste() const { return waste_; }
  std::vector<WasteRecord>&& take_waste() { return std::move(waste_); }
  const std::vector<LayerMergeStats>& stats() const { return stats_; }
  /// For every path absent from the tree now that some layer removed: the last layer that did.
  const std::unordered_map<std::string, uint32_t, PathHash, std::equal_to<>>& removed_by() const {
    return removed_by_;
  }

 private:
  using NodeId = FileTree::NodeId;
  /// The state of a path before the current layer touched it.
  struct Touch {
    InodeId inode = 0;
    uint32_t nlink = 0;  ///< of that inode, before the layer
    uint32_t existed : 1 = 0;
    uint32_t dir : 31 = 0;  ///< 1 + index in dir_meta_ (a directory, updated in place); 0: none
    uint32_t link = 0;    ///< 1 + index in saved_: the last entry was a hardlink to this name
  };
  /// A directory's metadata before the layer.
  struct DirMeta {
    uint32_t mode = 0, uid = 0, gid = 0;
    uint32_t xattrs = 0;  ///< 1 + index in saved_ of its xattrs bytes; 0: none
  };
  /// A touched path: its parent directory (interned per layer) and its name (in chunks).
  struct Touched {
    uint32_t dir;
    uint32_t name_len;
    const char* name;
    Touch t;
    std::string_view base() const { return {name, name_len}; }
  };

  template <class Source>
  void apply_entries(uint32_t layer, Source& src, size_t count, Diagnostics& diag);
  /// Resolves a canonical parent path to a directory node (kNone when it is missing or not a
  /// directory and !create). `resolved` (when not null) receives the canonical path it resolved to.
  NodeId resolve_parent(std::string_view canonical_parent, uint32_t layer, bool create,
                        const std::string& for_path, std::string* resolved = nullptr);
  NodeId resolve_slow(std::string_view canonical_parent, uint32_t layer, bool create,
                      const std::string& for_path, std::string* resolved);
  /// Removes node `n` (at `path`) with its subtree from the tree.
  void remove_node(NodeId n, const std::string& path, uint32_t by, bool deleted);
  void detach(NodeId n, const std::string& path, uint32_t by, bool deleted);
  /// Notes the state of `path` (node: what is there now, or kNone) before the layer changes it;
  /// returns its index in touched_.
  uint32_t touch(std::string_view path, NodeId node);
  /// The node at a canonical path now, or kNone.
  NodeId lookup(std::string_view canonical) const;
  uint32_t save(std::string_view s);
  /// Compares every touched path with its state before the layer: stats, removed_by, the sink.
  void finish_layer(uint32_t layer, InodeId first_new_inode);

  FileTree& tree_;
  LayerChangeSink* sink_ = nullptr;
  // The paths the current layer touched, by directory and name: each directory's path once, the
  // names in chunks that never move, an index by (directory, name).
  std::vector<Touched> touched_;
  std::vector<uint32_t> touched_index_;  ///< open addressing: 1 + index in touched_, 0 empty
  std::deque<std::string> dirs_;         ///< interned parent paths of the touched paths
  std::unordered_map<std::string_view, uint32_t> dir_index_;
  uint32_t last_dir_ = 0xffffffffu;
  std::vector<std::unique_ptr<char[]>> name_chunks_;
  size_t chunk_left_ = 0;
  char* chunk_pos_ = nullptr;
  uint32_t dir_id(std::string_view dir);
  /// The canonical path of touched_[k], into `out`.
  void path_of(uint32_t k, std::string& out) const;
  std::vector<std::string> saved_;  ///< xattrs and link names of touched paths (rare)
  std::vector<DirMeta> dir_meta_;   ///< of touched directories that existed
  std::unordered_map<std::string, uint32_t, PathHash, std::equal_to<>> removed_by_;
  // The last parent resolved without a symlink (entries of a layer come directory by directory).
  std::string cache_parent_;
  NodeId cache_node_ = FileTree::kNone;
  std::string scratch_;            ///< a reused path buffer
  Diagnostics* diag_ = nullptr;    ///< of the current apply()
  uint32_t layer_ = 0;             ///< of the current apply(), for warnings
  uint64_t entries_seen_ = 0;      ///< entries of all layers applied so far
  uint64_t implicit_dirs_ = 0;     ///< directories created for unlisted parents
  std::vector<WasteRecord> waste_;
  std::vector<LayerMergeStats> stats_;
};

}  // namespace layerdiff
