// size_tree.h: the files of an image (or of two, for a diff) as a bounded tree of sizes, what the
// HTML report draws as a treemap. Every directory's numbers are the sums of its children's; the
// `max_nodes` biggest paths are kept by name and the rest of each directory's children fold into
// one "[other]" child, so no byte and no file is lost: the root holds the image's content size
// and file count (inspect.h), or both images' (diff_report.h), whatever is folded.
//
// Bytes follow the rules of the report the tree belongs to: inspect counts a file's content once
// per inode, on its first name; a diff counts it on its carrier name (diff.h). A file's `weight`,
// the area a treemap gives it, is max(before, after): a diff draws BEFORE ∪ AFTER, so a removed
// file keeps its old area and a grown one its new. A directory's weight is the sum of its
// children's, never less than max(before, after) of the directory.
// Which paths are kept: the `max_nodes` of largest weight (ties: the one met first, parents
// before children), which always include their parents (a parent weighs at least as much as a
// child); paths of weight 0 are never kept by name. Deterministic: children are ordered by weight
// descending, then name.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace layerdiff {

/// How a path's bytes changed in a diff (its colour): 'a' added (0 before), 'r' removed (0
/// after), 'g' grown, 's' shrunk, 'c' changed content of the same size, 'u' unchanged (or only
/// metadata changed). Inspect trees have 'u' everywhere.
char change_class(uint64_t before, uint64_t after, bool content_changed);

struct SizeNode {
  std::string name;  ///< a path component; "[other]" for folded children; "/" for the root
  bool dir = false;  ///< a directory (its children, if any, are listed); "[other]" is not one
  uint64_t before = 0, after = 0;  ///< bytes (inspect: `after` only)
  uint64_t weight = 0;             ///< treemap area: sum of max(before, after) of its files
  uint64_t files = 0;              ///< regular files (first or carrier names) below, or folded
  uint64_t folded = 0;             ///< "[other]": the paths (files and directories) it stands for
  /// The one layer behind every byte below: inspect, the layer that wrote them; a diff, the row
  /// of DiffReport::layers charged with every change below. -1: several, or none.
  int32_t layer = -1;
  char change = 'u';   ///< change_class of the node
  std::vector<SizeNode> children;
};

/// One regular file (its first or carrier name).
struct SizeLeaf {
  std::string_view path;  ///< canonical ("usr/bin/ls") or display ("/usr/bin/ls")
  uint64_t before = 0, after = 0;
  int32_t layer = -1;     ///< see SizeNode::layer; -1: counts for none (an unchanged file of a diff)
  bool content_changed = false;
};

class SizeTreeBuilder {
 public:
  SizeTreeBuilder();
  /// Adds a file; paths may come in any order, each at most once.
  void add(const SizeLeaf& leaf);
  /// The tree, with at most `max_nodes` paths kept by name (plus one "[other]" per directory
  /// that folded anything). Call once.
  SizeNode build(size_t max_nodes);

 private:
  struct Tmp {
    std::string name;
    uint32_t parent = 0;
    bool dir = false;
    uint64_t before = 0, after = 0, weight = 0, files = 0;
    int32_t layer = -2;  ///< -2: no byte yet, -1: mixed
    bool changed = false;
    std::vector<uint32_t> children;
  };
  uint32_t dir_of(std::string_view canonical);
  SizeNode emit(uint32_t i, const std::vector<bool>& keep) const;

  std::vector<Tmp> nodes_;  ///< parents before children; 0 is the root
  std::unordered_map<std::string, uint32_t> dirs_;  ///< canonical directory path -> node
  bool built_ = false;
};

}  // namespace layerdiff
