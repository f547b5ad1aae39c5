// listing.h: the merged tree as `layerdiff ls` shows it: one row per path, sorted bytewise,
// with the first name (in sort order) of a multi-name file typed `f` and the others `h`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analyzer/file_tree.h"

namespace layerdiff {

struct ListingRow {
  std::string path;    ///< absolute ("/etc/passwd")
  char type;           ///< f d l h c b p s
  uint64_t size;       ///< content bytes for f and h, else 0
  uint32_t mode, uid, gid;
  std::string target;  ///< symlink target, "major,minor", or the first name for h
  const Inode* inode;
  uint32_t layer = 0;  ///< the layer that last set this name (Node::layer)
};

std::vector<ListingRow> listing(const FileTree& t);

/// "path\ttype\tsize\tmode\tuid\tgid\ttarget\n" for each row.
std::string listing_text(const std::vector<ListingRow>& rows);

}  // namespace layerdiff
