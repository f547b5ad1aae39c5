#include "analyzer/listing.h"

#include <cstdio>

#include "analyzer/path.h"

namespace layerdiff {

std::vector<ListingRow> listing(const FileTree& t) {
  std::vector<PathRow> rows = t.rows();
  std::vector<const std::string*> first(t.inode_count(), nullptr);
  for (const auto& r : rows)
    if (r.first_name) first[r.inode] = &r.path;
  std::vector<ListingRow> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    const Inode& ino = t.inode(r.inode);
    ListingRow l{display_path(r.path), type_letter(ino.type), 0, ino.mode, ino.uid, ino.gid, "", &ino,
                 r.layer};
    if (ino.type == EntryType::Symlink) l.target = ino.target;
    if (ino.type == EntryType::CharDev || ino.type == EntryType::BlockDev)
      l.target = std::to_string(ino.dev_major) + "," + std::to_string(ino.dev_minor);
    if (ino.type == EntryType::File) {
      l.size = ino.size;
      if (!r.first_name) {
        l.type = 'h';
        l.target = display_path(*first[r.inode]);
      }
    }
    out.push_back(std::move(l));
  }
  return out;
}

std::string listing_text(const std::vector<ListingRow>& rows) {
  std::string s;
  char mode[8];
  for (const auto& r : rows) {
    std::snprintf(mode, sizeof mode, "%04o", r.mode & 07777);
    s += r.path;
    s += '\t';
    s += r.type;
    s += '\t';
    s += std::to_string(r.size);
    s += '\t';
    s += mode;
    s += '\t';
    s += std::to_string(r.uid);
    s += '\t';
    s += std::to_string(r.gid);
    s += '\t';
    s += r.target;
    s += '\n';
  }
  return s;
}

}  // namespace layerdiff
