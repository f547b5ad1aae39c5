#include "analyzer/listing.h"

#include <charconv>

#include "analyzer/path.h"

namespace layerdiff {

std::vector<ListingRow> listing(const FileTree& t) {
  const size_t n = t.size();
  const FrozenTreeView& v = t.view();
  // The first name of each multi-name file, as a row index.
  std::vector<uint32_t> first(t.inode_count(), 0);
  for (size_t i = 0; i < n; ++i)
    if (v.first_name[i]) first[v.nodes[i].inode] = static_cast<uint32_t>(i);
  std::vector<ListingRow> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    InodeId id = v.nodes[i].inode;
    const Inode& ino = t.inode(id);
    ListingRow l{t.display(i), type_letter(ino.type), 0, ino.mode, ino.uid, ino.gid, {}, &ino,
                 v.nodes[i].layer, id};
    if (ino.type == EntryType::Symlink) l.target = t.target(id);
    if (ino.type == EntryType::CharDev || ino.type == EntryType::BlockDev)
      l.target = std::to_string(ino.dev_major) + "," + std::to_string(ino.dev_minor);
    if (ino.type == EntryType::File) {
      l.size = ino.size;
      if (!v.first_name[i]) {
        l.type = 'h';
        l.target = t.display(first[id]);
      }
    }
    out.push_back(std::move(l));
  }
  return out;
}

void append_listing_line(std::string& s, const ListingRow& r) {
  char num[24];
  auto put = [&](uint64_t x) {
    auto [end, ec] = std::to_chars(num, num + sizeof num, x);
    s.append(num, end);
  };
  s += r.path;
  s += '\t';
  s += r.type;
  s += '\t';
  put(r.size);
  s += '\t';
  char mode[5];
  uint32_t m = r.mode & 07777;
  for (int k = 3; k >= 0; --k) {
    mode[k] = static_cast<char>('0' + (m & 7));
    m >>= 3;
  }
  s.append(mode, 4);
  s += '\t';
  put(r.uid);
  s += '\t';
  put(r.gid);
  s += '\t';
  s += r.target;
  s += '\n';
}

std::string listing_text(const std::vector<ListingRow>& rows) {
  std::string s;
  for (const auto& r : rows) append_listing_line(s, r);
  return s;
}

}  // namespace layerdiff
