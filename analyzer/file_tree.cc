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

namespace {
constexpr int kMaxSymlinkHops = 40;  // as Linux's MAXSYMLINKS

/// Pushes the components of `path` onto `pending` so that the first is popped first.
void push_components(std::vector<std::string>& pending, std::string_view path) {
  auto parts = split_path(path);
  for (auto it = parts.rbegin(); it != parts.rend(); ++it)
    if (*it != ".") pending.emplace_back(*it);
}
}  // namespace

const Node* FileTree::resolve(std::string_view path, bool follow_last) const {
  std::vector<std::string> pending;
  push_components(pending, path);
  std::vector<const Node*> stack{&root_};
  int hops = 0;
  while (!pending.empty()) {
    std::string c = std::move(pending.back());
    pending.pop_back();
    if (c == "..") {
      if (stack.size() > 1) stack.pop_back();
      continue;
    }
    auto it = stack.back()->children.find(c);
    if (it == stack.back()->children.end()) return nullptr;
    const Node* n = it->second.get();
    const Inode& ino = inodes_[n->inode];
    if (ino.type == EntryType::Symlink && (follow_last || !pending.empty())) {
      if (++hops > kMaxSymlinkHops) return nullptr;
      if (!ino.target.empty() && ino.target[0] == '/') stack.resize(1);
      push_components(pending, ino.target);
      continue;
    }
    if (pending.empty()) return n;
    if (ino.type != EntryType::Dir) return nullptr;
    stack.push_back(n);
  }
  return stack.back();
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
