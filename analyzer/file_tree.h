// file_tree.h: the merged filesystem of an image as a runtime would materialise it.
// Names (Node) point at inodes (Inode); several names of one inode are hardlinks. An inode's
// nlink counts the names in the tree that point at it; a regular-file inode whose nlink drops to 0
// is dead, and its bytes were wasted (see merge.h). Invariant: every name in the tree points at an
// inode with nlink >= 1, and only directories have names below them.
//
// Compact by design (an image has hundreds of thousands of paths):
//  - inodes are plain data in one table; symlink targets, xattrs and package database content
//    live in a side table (InodeExtra) and one byte blob;
//  - while layers are merged, names are nodes in one table, their name bytes in one arena, looked
//    up through one hash index of (parent, name), with the children of a directory linked in
//    their node;
//  - freeze() turns that into the tree's final form, read by everything after the merge: every
//    path once, sorted bytewise, in one byte buffer ("/a/b", the display form), with its node
//    (inode, layer) and whether it is the first name of its file. find() is a binary search.
// A frozen tree can also be adopted from a cache file mapped into memory as it is (no allocation
// per path): Inode and InodeExtra are fixed-layout plain data for that reason.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/layer_entry.h"

namespace layerdiff {

using InodeId = uint32_t;

/// One inode: plain data (no pointers), so that a cache can map a table of them.
struct Inode {
  uint64_t size = 0;   ///< content bytes (File only)
  int64_t mtime = 0;
  ContentDigest digest;
  uint32_t mode = 0755, uid = 0, gid = 0;
  uint32_t dev_major = 0, dev_minor = 0;
  uint32_t nlink = 0;  ///< names in the tree pointing here
  uint32_t extra = 0;  ///< 1 + its InodeExtra index (target, xattrs, content); 0: none of them
  uint16_t layer = 0;  ///< index of the layer that wrote this inode (limits::kMaxLayers < 65536)
  EntryType type = EntryType::Dir;  ///< never Hardlink
  bool implicit = false;  ///< a directory no layer listed, created for a child (mode 0755, root)
};
static_assert(sizeof(Inode) == 64, "Inode is a fixed-layout record of cache files");

/// What an inode keeps beside its record: ranges of the tree's blob (content: in a tree built by
/// a merge, content_off is the index of the content the merge shared with its layers).
struct InodeExtra {
  uint64_t target_off = 0, xattrs_off = 0, content_off = 0;
  uint32_t target_len = 0, xattrs_len = 0;
  uint64_t content_len = 0;
  uint32_t has_content = 0;  ///< 1: package database content kept (it may be empty)
  uint32_t pad_ = 0;
};
static_assert(sizeof(InodeExtra) == 48, "InodeExtra is a fixed-layout record of cache files");

/// A name of the tree: what find() returns.
struct Node {
  InodeId inode = 0;
  uint32_t layer = 0;  ///< the layer that last set this name (created, replaced or re-listed it)
};

/// One name of the merged tree, as listed by `layerdiff ls`.
struct PathRow {
  std::string_view path;  ///< canonical (no leading '/'); points into the tree
  InodeId inode;
  bool first_name;   ///< false for the 2nd.. names (in sort order) of a multi-name regular file
  uint32_t layer = 0;  ///< Node::layer: the layer that last set this name
};

/// The arrays of a frozen tree, wherever they live (the tree's own vectors or a mapped file).
struct FrozenTreeView {
  std::string_view paths;                ///< every display path ("/a/b") concatenated, sorted
  std::span<const uint64_t> path_end;    ///< end offset in `paths` of row i
  std::span<const Node> nodes;           ///< row i's node
  std::span<const uint8_t> first_name;   ///< row i is the first name of its inode (or no file)
  std::span<const Inode> inodes;
  std::span<const InodeExtra> extras;
  std::string_view blob;                 ///< symlink targets, xattrs, package database content
  Node root;
};

/// Every name of a frozen tree in path order, as PathRow values made on the fly from the tree's
/// table (no copy of it): iterable, indexable, and convertible to a vector where one is wanted.
class RowsView {
 public:
  explicit RowsView(const FrozenTreeView& v) : v_(&v) {}
  size_t size() const { return v_->nodes.size(); }
  bool empty() const { return v_->nodes.empty(); }
  PathRow operator[](size_t i) const {
    size_t b = i ? v_->path_end[i - 1] : 0;
    return {v_->paths.substr(b + 1, v_->path_end[i] - b - 1), v_->nodes[i].inode, v_->first_name[i] != 0,
            v_->nodes[i].layer};
  }
  class iterator {
   public:
    using value_type = PathRow;
    using difference_type = std::ptrdiff_t;
    iterator(const RowsView* r, size_t i) : r_(r), i_(i) {}
    PathRow operator*() const { return (*r_)[i_]; }
    iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator==(const iterator& o) const { return i_ == o.i_; }
    bool operator!=(const iterator& o) const { return i_ != o.i_; }

   private:
    const RowsView* r_;
    size_t i_;
  };
  iterator begin() const { return {this, 0}; }
  iterator end() const { return {this, size()}; }
  operator std::vector<PathRow>() const {
    std::vector<PathRow> out;
    out.reserve(size());
    for (size_t i = 0; i < size(); ++i) out.push_back((*this)[i]);
    return out;
  }

 private:
  const FrozenTreeView* v_;
};

class FileTree {
 public:
  using NodeId = uint32_t;
  static constexpr NodeId kNone = 0xffffffffu;

  FileTree();
  FileTree(FileTree&&) noexcept;
  FileTree& operator=(FileTree&&) noexcept;
  ~FileTree();

  // --- inodes ------------------------------------------------------------------------------------
  const Inode& inode(InodeId id) const { return inodes_view_[id]; }
  size_t inode_count() const { return inodes_view_.size(); }
  /// The symlink target of an inode ("" for others).
  std::string_view target(InodeId id) const;
  /// An inode's xattrs, sorted by name (allocates only when it has some).
  Xattrs xattrs(InodeId id) const;
  /// The xattrs in their stored form: equal bytes <=> equal xattrs.
  std::string_view xattrs_bytes(InodeId id) const;
  /// Package database content (analyzer/packages.h); nullopt when none was kept.
  std::optional<std::string_view> content(InodeId id) const;

  // --- the merge (mutable phase; merge.cc) -------------------------------------------------------
  Inode& mutable_inode(InodeId id) { return inodes_[id]; }
  /// A new inode with its target, xattrs and content; `extra` in `ino` is ignored.
  InodeId new_inode(const Inode& ino, std::string_view target = {}, const Xattrs* xattrs = nullptr,
                    std::shared_ptr<const std::string> content = nullptr);
  /// Forgets an inode's package database content (its last name is gone).
  void drop_content(InodeId id);
  /// Forgets every package database content the merge kept (a command that reports no packages
  /// frees it); a tree read from a cache file keeps its (mapped) content.
  void drop_contents();
  /// Replaces an inode's xattrs (a directory re-listed).
  void set_xattrs(InodeId id, const Xattrs& x);
  /// Room for n inodes, so that growing the table never holds two copies of it at once.
  void reserve_inodes(size_t n) {
    inodes_.reserve(n);
    inodes_view_ = inodes_;
  }
  /// Room for n names.
  void reserve_nodes(size_t n) { mnodes_.reserve(n); }
  /// The contents a merge shared (for writing a cache file).
  const std::vector<std::shared_ptr<const std::string>>& contents() const { return contents_; }

  NodeId root_node() const { return 0; }
  /// The child `name` of directory node `dir`, or kNone.
  NodeId child(NodeId dir, std::string_view name) const;
  /// Adds child `name` (which must not exist) to `dir`.
  NodeId add_child(NodeId dir, std::string_view name, InodeId inode, uint32_t layer);
  /// Unlinks node `n` (and so its subtree) from its parent; its nodes are freed by free_subtree.
  void unlink(NodeId n);
  /// Returns the nodes of a detached subtree to the free list.
  void free_subtree(NodeId n);
  Node& node(NodeId n) { return mnodes_[n].n; }
  const Node& node(NodeId n) const { return mnodes_[n].n; }
  std::string_view name(NodeId n) const {
    uint32_t o = mnodes_[n].name_off;
    return {name_chunks_[o >> 16].get() + (o & 0xffff), mnodes_[n].name_len};
  }
  NodeId first_child(NodeId n) const { return mnodes_[n].first_child; }
  NodeId next_sibling(NodeId n) const { return mnodes_[n].next; }
  /// Removes every child of directory node `dir` (each subtree is freed).
  void clear_children(NodeId dir);
  bool frozen() const { return frozen_; }

  /// Ends the mutable phase: builds the sorted path table and frees the nodes, names and index.
  void freeze();
  /// A frozen tree over arrays that live elsewhere (a mapped cache file); `keep` keeps them alive.
  static FileTree adopt(const FrozenTreeView& v, std::shared_ptr<const void> keep);
  /// The frozen arrays (for writing a cache file); freezes first if needed.
  const FrozenTreeView& view() const;

  // --- reading (both phases; freezes first) -------------------------------------------------------
  /// The node at a canonical path without following symlinks, or nullptr.
  const Node* find(std::string_view canonical) const;
  /// The root's node.
  const Node& root() const;
  /// The node a path names with the symlinks in its parents followed inside the root, as a
  /// runtime resolves it ("/bin/ls" finds usr/bin/ls when bin -> usr/bin; ".." stops at the
  /// root); a symlink as the last component is followed too when `follow_last`. nullptr when
  /// a component is missing or not a directory, or after 40 symlinks (Linux's MAXSYMLINKS).
  const Node* resolve(std::string_view path, bool follow_last = false) const;

  /// Every name, sorted bytewise by canonical path; the root itself is not listed. The paths point
  /// into the tree; the view lives as long as the tree.
  RowsView rows() const { return RowsView(view()); }
  size_t size() const { return view().nodes.size(); }
  /// The first row whose canonical path is not below `canonical` bytewise (size() if none).
  size_t lower_bound(std::string_view canonical) const;
  /// Row i's display path ("/a/b") and canonical path ("a/b").
  std::string_view display(size_t i) const;
  std::string_view canonical(size_t i) const { return display(i).substr(1); }

 private:
  struct MNode {
    Node n;
    NodeId parent = kNone, first_child = kNone, next = kNone, prev = kNone;
    uint32_t name_off = 0;
    uint16_t name_len = 0;
    uint16_t live = 0;
  };
  uint64_t hash(NodeId parent, std::string_view name) const;
  void index_insert(NodeId n);
  void index_erase(NodeId n);
  void index_grow();
  uint32_t add_extra(InodeId id);
  /// The inode's side-table record (frozen or not), or null when it has none.
  const InodeExtra* extra_of(InodeId id) const;
  /// The byte blob the records' offsets point into.
  std::string_view blob() const { return frozen_ ? view_.blob : std::string_view(blob_); }
  void freeze_now();
  void set_view();

  // mutable phase
  std::vector<Inode> inodes_;
  std::vector<InodeExtra> extras_;
  std::string blob_;
  std::vector<std::shared_ptr<const std::string>> contents_;
  std::vector<MNode> mnodes_;
  std::vector<NodeId> free_;
  /// Name bytes in 64 KiB chunks that never move (name_off: chunk << 16 | offset).
  std::vector<std::unique_ptr<char[]>> name_chunks_;
  size_t chunk_used_ = 1 << 16;
  std::vector<uint32_t> index_;  ///< 1 + node id; 0 empty; kTomb removed
  size_t index_used_ = 0;        ///< live and removed slots
  // frozen phase (owned, unless adopted)
  bool frozen_ = false;
  std::string paths_;
  std::vector<uint64_t> path_end_;
  std::vector<Node> nodes_;
  std::vector<uint8_t> first_;
  std::shared_ptr<const void> keep_;
  /// find()'s hash index of the frozen rows (1 + row; 0 empty), made once find() is used often.
  mutable std::vector<uint32_t> find_index_;
  mutable uint32_t finds_ = 0;
  mutable size_t last_found_ = 0;  ///< lookups often come in path order: the rows after it first
  FrozenTreeView view_;
  std::span<const Inode> inodes_view_;
};

}  // namespace layerdiff
