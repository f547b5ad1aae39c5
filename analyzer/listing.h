// listing.h: the merged tree as `layerdiff ls` shows it: one row per path, sorted bytewise,
// with the first name (in sort order) of a multi-name file typed `f` and the others `h`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/file_tree.h"

namespace layerdiff {

struct ListingRow {
  std::string_view path;  ///< absolute ("/etc/passwd"); points into the tree (or the caller's string)
  char type;           ///< f d l h c b p s
  uint64_t size;       ///< content bytes for f and h, else 0
  uint32_t mode, uid, gid;
  std::string target;  ///< symlink target, "major,minor", or the first name for h
  const Inode* inode;
  uint32_t layer = 0;  ///< the layer that last set this name (Node::layer)
  InodeId id = 0;      ///< the inode's id in its tree (xattrs, target: FileTree accessors)
};

std::vector<ListingRow> listing(const FileTree& t);

/// "path\ttype\tsize\tmode\tuid\tgid\ttarget\n" for each row.
std::string listing_text(const std::vector<ListingRow>& rows);
/// The same for one row, appended to `out`.
void append_listing_line(std::string& out, const ListingRow& r);

}  // namespace layerdiff
