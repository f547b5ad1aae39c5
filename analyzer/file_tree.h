// file_tree.h: the merged filesystem of an image as a runtime would materialise it.
// Names (Node) point at inodes (Inode); several names of one inode are hardlinks. An inode's
// nlink counts the names in the tree that point at it; a regular-file inode whose nlink drops to 0
// is dead, and its bytes were wasted (see merge.h). Invariant: every Node reachable from the root
// points at an inode with nlink >= 1, and only directory nodes have children.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/layer_entry.h"

namespace layerdiff {

using InodeId = uint32_t;

struct Inode {
  EntryType type = EntryType::Dir;  ///< never Hardlink
  uint64_t size = 0;                ///< content bytes (File only)
  uint32_t mode = 0755, uid = 0, gid = 0;
  int64_t mtime = 0;
  uint32_t dev_major = 0, dev_minor = 0;
  std::string target;  ///< symlink target
  Xattrs xattrs;
  ContentDigest digest;
  std::shared_ptr<const std::string> content;  ///< package database files only (layer_entry.h)
  uint32_t layer = 0;  ///< index of the layer that wrote this inode
  uint32_t nlink = 0;  ///< names in the tree pointing here
  bool implicit = false;  ///< a directory no layer listed, created for a child (mode 0755, root)
};

struct Node {
  InodeId inode = 0;
  uint32_t layer = 0;  ///< the layer that last set this name (created, replaced or re-listed it)
  std::map<std::string, std::unique_ptr<Node>, std::less<>> children;  ///< directories only
};

/// One name of the merged tree, as listed by `layerdiff ls`.
struct PathRow {
  std::string path;  ///< canonical (no leading '/')
  InodeId inode;
  bool first_name;   ///< false for the 2nd.. names (in sort order) of a multi-name regular file
  uint32_t layer = 0;  ///< Node::layer: the layer that last set this name
};

class FileTree {
 public:
  FileTree();

  Node& root() { return root_; }
  const Node& root() const { return root_; }
  Inode& inode(InodeId id) { return inodes_[id]; }
  const Inode& inode(InodeId id) const { return inodes_[id]; }
  InodeId new_inode(Inode ino);
  /// Room for n inodes, so that growing the table never holds two copies of it at once.
  void reserve_inodes(size_t n) { inodes_.reserve(n); }
  size_t inode_count() const { return inodes_.size(); }

  /// The node at a canonical path without following symlinks, or nullptr.
  const Node* find(std::string_view canonical) const;

  /// The node a path names with the symlinks in its parents followed inside the root, as a
  /// runtime resolves it ("/bin/ls" finds usr/bin/ls when bin -> usr/bin; ".." stops at the
  /// root); a symlink as the last component is followed too when `follow_last`. nullptr when
  /// a component is missing or not a directory, or after 40 symlinks (Linux's MAXSYMLINKS).
  const Node* resolve(std::string_view path, bool follow_last = false) const;

  /// Every name, sorted bytewise by canonical path; the root itself is not listed.
  std::vector<PathRow> rows() const;

  /// Calls f(path, node) for every node below `n` (depth first, children in name order).
  void walk(const Node& n, const std::string& prefix,
            const std::function<void(const std::string&, const Node&)>& f) const;

 private:
  Node root_;
  std::vector<Inode> inodes_;
};

}  // namespace layerdiff
