#include "analyzer/file_tree.h"

#include <algorithm>

#include "analyzer/path.h"

namespace layerdiff {

FileTree::FileTree() {
  Inode r;
  r.type = EntryType::Dir;
  r.mode = 0755;
  r.nlink = 1;
  r.implicit = true;
  inodes_.push_back(r);
  root_.inode = 0;
}

InodeId FileTree::new_inode(Inode ino) {
  inodes_.push_back(std::move(ino));
  return static_cast<InodeId>(inodes_.size() - 1);
}

const Node* FileTree::find(std::string_view p) const {
  const Node* n = &root_;
  for (auto c : split_path(p)) {
    auto it = n->children.find(c);
    if (it == n->children.end()) return nullptr;
    n = it->second.get();
  }
  return n;
}

void FileTree::walk(const Node& n, const std::string& prefix,
                    const std::function<void(const std::string&, const Node&)>& f) const {
  for (const auto& [name, child] : n.children) {
    std::string p = prefix.empty() ? name : prefix + "/" + name;
    f(p, *child);
    walk(*child, p, f);
  }
}

std::vector<PathRow> FileTree::rows() const {
  std::vector<PathRow> out;
  walk(root_, "", [&](const std::string& p, const Node& n) { out.push_back({p, n.inode, true, n.layer}); });
  // Tree order is per component; `ls` wants bytewise order of whole paths ("a-b" < "a/b").
  std::sort(out.begin(), out.end(), [](const PathRow& a, const PathRow& b) { return a.path < b.path; });
  std::vector<uint8_t> seen(inodes_.size(), 0);
  for (auto& r : out) {
    if (inodes_[r.inode].type != EntryType::File) continue;
    if (seen[r.inode]) r.first_name = false;
    seen[r.inode] = 1;
  }
  return out;
}

}  // namespace layerdiff
