#include "analyzer/file_tree.h"

#include <algorithm>
#include <cstring>
#include <functional>

#include "analyzer/error.h"
#include "analyzer/path.h"

namespace layerdiff {
namespace {

constexpr uint32_t kTomb = 0xffffffffu;  // an index slot whose node was removed

void put_u32(std::string& o, uint32_t v) { o.append(reinterpret_cast<const char*>(&v), 4); }
uint32_t get_u32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

/// Orders the children of one directory so that a depth-first walk lists whole paths bytewise:
/// a directory stands twice among its siblings, as itself ("a") and as its subtree ("a/"), since
/// a sibling "a-b" sorts between "a" and "a/b".
bool item_less(std::string_view a, bool a_sub, std::string_view b, bool b_sub) {
  size_t n = std::min(a.size(), b.size());
  int c = n ? std::memcmp(a.data(), b.data(), n) : 0;
  if (c != 0) return c < 0;
  // One name is a prefix of the other: compare the next byte, '/' for a subtree, none (lowest)
  // for the end of a name.
  int na = a.size() > n ? static_cast<unsigned char>(a[n]) : a_sub ? '/' : -1;
  int nb = b.size() > n ? static_cast<unsigned char>(b[n]) : b_sub ? '/' : -1;
  return na < nb;
}

}  // namespace

FileTree::FileTree() {
  Inode r;
  r.type = EntryType::Dir;
  r.mode = 0755;
  r.nlink = 1;
  r.implicit = true;
  inodes_.push_back(r);
  inodes_view_ = inodes_;
  MNode root;
  root.live = 1;
  mnodes_.push_back(root);
}

FileTree::FileTree(FileTree&& o) noexcept { *this = std::move(o); }

FileTree& FileTree::operator=(FileTree&& o) noexcept {
  inodes_ = std::move(o.inodes_);
  extras_ = std::move(o.extras_);
  blob_ = std::move(o.blob_);
  contents_ = std::move(o.contents_);
  mnodes_ = std::move(o.mnodes_);
  free_ = std::move(o.free_);
  name_chunks_ = std::move(o.name_chunks_);
  chunk_used_ = o.chunk_used_;
  index_ = std::move(o.index_);
  index_used_ = o.index_used_;
  frozen_ = o.frozen_;
  paths_ = std::move(o.paths_);
  path_end_ = std::move(o.path_end_);
  nodes_ = std::move(o.nodes_);
  first_ = std::move(o.first_);
  keep_ = std::move(o.keep_);
  find_index_ = std::move(o.find_index_);
  finds_ = o.finds_;
  last_found_ = o.last_found_;
  view_ = o.view_;
  inodes_view_ = o.inodes_view_;
  if (!keep_) {
    // Vectors keep their buffers when moved, but a short string may live inside the object.
    inodes_view_ = inodes_;
    if (frozen_) set_view();
  }
  return *this;
}

FileTree::~FileTree() = default;

const InodeExtra* FileTree::extra_of(InodeId id) const {
  const Inode& i = inode(id);
  if (!i.extra) return nullptr;
  return frozen_ ? &view_.extras[i.extra - 1] : &extras_[i.extra - 1];
}

std::string_view FileTree::target(InodeId id) const {
  const InodeExtra* x = extra_of(id);
  return x ? blob().substr(x->target_off, x->target_len) : std::string_view();
}

std::string_view FileTree::xattrs_bytes(InodeId id) const {
  const InodeExtra* x = extra_of(id);
  return x ? blob().substr(x->xattrs_off, x->xattrs_len) : std::string_view();
}

Xattrs FileTree::xattrs(InodeId id) const {
  Xattrs out;
  std::string_view b = xattrs_bytes(id);
  size_t p = 0;
  while (p + 4 <= b.size()) {
    uint32_t kl = get_u32(b.data() + p);
    p += 4;
    if (kl > b.size() - p) break;
    std::string k(b.substr(p, kl));
    p += kl;
    if (p + 4 > b.size()) break;
    uint32_t vl = get_u32(b.data() + p);
    p += 4;
    if (vl > b.size() - p) break;
    out.emplace_back(std::move(k), std::string(b.substr(p, vl)));
    p += vl;
  }
  return out;
}

std::optional<std::string_view> FileTree::content(InodeId id) const {
  const InodeExtra* x = extra_of(id);
  if (!x || !x->has_content) return std::nullopt;
  if (!keep_) return std::string_view(*contents_[x->content_off]);  // shared with the layers
  return view_.blob.substr(x->content_off, x->content_len);
}

uint32_t FileTree::add_extra(InodeId id) {
  Inode& i = inodes_[id];
  if (!i.extra) {
    extras_.emplace_back();
    i.extra = static_cast<uint32_t>(extras_.size());
  }
  return i.extra - 1;
}

InodeId FileTree::new_inode(const Inode& ino, std::string_view target, const Xattrs* xattrs,
                            std::shared_ptr<const std::string> content) {
  inodes_.push_back(ino);
  inodes_.back().extra = 0;
  inodes_view_ = inodes_;
  InodeId id = static_cast<InodeId>(inodes_.size() - 1);
  if (!target.empty()) {
    InodeExtra& x = extras_[add_extra(id)];
    x.target_off = blob_.size();
    x.target_len = static_cast<uint32_t>(target.size());
    blob_.append(target);
  }
  if (xattrs && !xattrs->empty()) set_xattrs(id, *xattrs);
  if (content) {
    InodeExtra& x = extras_[add_extra(id)];
    x.has_content = 1;
    x.content_off = contents_.size();
    x.content_len = content->size();
    contents_.push_back(std::move(content));
  }
  return id;
}

void FileTree::drop_content(InodeId id) {
  const Inode& i = inodes_[id];
  if (!i.extra || !extras_[i.extra - 1].has_content) return;
  InodeExtra& x = extras_[i.extra - 1];
  contents_[x.content_off].reset();
  x.has_content = 0;
}

void FileTree::drop_contents() {
  if (keep_) return;
  for (InodeExtra& x : extras_) x.has_content = 0;
  contents_.clear();
  contents_.shrink_to_fit();
}

void FileTree::set_xattrs(InodeId id, const Xattrs& xs) {
  if (xs.empty()) {
    if (inodes_[id].extra) extras_[inodes_[id].extra - 1].xattrs_len = 0;
    return;
  }
  InodeExtra& x = extras_[add_extra(id)];
  // A new range: an earlier one may still describe the state before a layer (merge.cc).
  x.xattrs_off = blob_.size();
  for (const auto& [k, v] : xs) {
    put_u32(blob_, static_cast<uint32_t>(k.size()));
    blob_.append(k);
    put_u32(blob_, static_cast<uint32_t>(v.size()));
    blob_.append(v);
  }
  x.xattrs_len = static_cast<uint32_t>(blob_.size() - x.xattrs_off);
}

// --- names ------------------------------------------------------------------------------------

uint64_t FileTree::hash(NodeId parent, std::string_view name) const {
  uint64_t h = std::hash<std::string_view>{}(name);
  return h ^ (static_cast<uint64_t>(parent) * 0x9e3779b97f4a7c15ull);
}

FileTree::NodeId FileTree::child(NodeId dir, std::string_view name) const {
  if (index_.empty()) return kNone;
  size_t mask = index_.size() - 1;
  for (size_t s = hash(dir, name) & mask;; s = (s + 1) & mask) {
    uint32_t v = index_[s];
    if (v == 0) return kNone;
    if (v == kTomb) continue;
    const MNode& m = mnodes_[v - 1];
    if (m.parent == dir && m.name_len == name.size() &&
        std::memcmp(this->name(v - 1).data(), name.data(), name.size()) == 0)
      return v - 1;
  }
}

void FileTree::index_grow() {
  size_t live = 0;
  for (uint32_t v : index_) live += v != 0 && v != kTomb;
  size_t cap = 1024;
  while (cap < (live + 1) * 2) cap *= 2;
  std::vector<uint32_t> old = std::move(index_);
  index_.assign(cap, 0);
  index_used_ = 0;
  for (uint32_t v : old)
    if (v != 0 && v != kTomb) index_insert(v - 1);
}

void FileTree::index_insert(NodeId n) {
  if ((index_used_ + 1) * 10 > index_.size() * 7) index_grow();
  size_t mask = index_.size() - 1;
  const MNode& m = mnodes_[n];
  for (size_t s = hash(m.parent, name(n)) & mask;; s = (s + 1) & mask) {
    if (index_[s] == 0) {
      index_[s] = n + 1;
      ++index_used_;
      return;
    }
  }
}

void FileTree::index_erase(NodeId n) {
  size_t mask = index_.size() - 1;
  const MNode& m = mnodes_[n];
  for (size_t s = hash(m.parent, name(n)) & mask;; s = (s + 1) & mask) {
    if (index_[s] == 0) return;
    if (index_[s] == n + 1) {
      index_[s] = kTomb;
      return;
    }
  }
}

FileTree::NodeId FileTree::add_child(NodeId dir, std::string_view name, InodeId inode, uint32_t layer) {
  constexpr size_t kChunk = 1 << 16;
  if (name.size() >= kChunk) throw LimitError("a name of 64 KiB or more in the merged tree");
  if (chunk_used_ + name.size() > kChunk) {
    if (name_chunks_.size() >= kChunk) throw LimitError("more than 4 GiB of names in the merged tree");
    name_chunks_.push_back(std::make_unique<char[]>(kChunk));
    chunk_used_ = 0;
  }
  const uint32_t off = static_cast<uint32_t>(((name_chunks_.size() - 1) << 16) | chunk_used_);
  if (!name.empty()) std::memcpy(name_chunks_.back().get() + chunk_used_, name.data(), name.size());
  chunk_used_ += name.size();
  NodeId id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
  } else {
    id = static_cast<NodeId>(mnodes_.size());
    mnodes_.emplace_back();
  }
  MNode& m = mnodes_[id];
  m = MNode{};
  m.n = {inode, layer};
  m.parent = dir;
  m.name_off = off;
  m.name_len = static_cast<uint16_t>(name.size());
  m.live = 1;
  MNode& d = mnodes_[dir];
  m.next = d.first_child;
  if (d.first_child != kNone) mnodes_[d.first_child].prev = id;
  d.first_child = id;
  index_insert(id);
  return id;
}

void FileTree::unlink(NodeId n) {
  MNode& m = mnodes_[n];
  index_erase(n);
  if (m.prev != kNone) mnodes_[m.prev].next = m.next;
  else mnodes_[m.parent].first_child = m.next;
  if (m.next != kNone) mnodes_[m.next].prev = m.prev;
  m.prev = m.next = kNone;
}

void FileTree::free_subtree(NodeId n) {
  std::vector<NodeId> todo{n};
  while (!todo.empty()) {
    NodeId x = todo.back();
    todo.pop_back();
    for (NodeId c = mnodes_[x].first_child; c != kNone; c = mnodes_[c].next) {
      index_erase(c);
      todo.push_back(c);
    }
    mnodes_[x].live = 0;
    mnodes_[x].first_child = kNone;
    free_.push_back(x);
  }
}

void FileTree::clear_children(NodeId dir) {
  for (NodeId c = mnodes_[dir].first_child; c != kNone;) {
    NodeId next = mnodes_[c].next;
    index_erase(c);
    mnodes_[c].prev = mnodes_[c].next = kNone;
    free_subtree(c);
    c = next;
  }
  mnodes_[dir].first_child = kNone;
}

// --- the frozen form -------------------------------------------------------------------------

void FileTree::set_view() {
  view_.paths = paths_;
  view_.path_end = path_end_;
  view_.nodes = nodes_;
  view_.first_name = first_;
  view_.inodes = inodes_;
  view_.extras = extras_;
  view_.blob = blob_;
  inodes_view_ = inodes_;
}

void FileTree::freeze() {
  if (!frozen_) freeze_now();
}

void FileTree::freeze_now() {
  // The index is not needed to walk the tree: free it first (peak memory is tree + table).
  std::vector<uint32_t>().swap(index_);
  free_.clear();
  free_.shrink_to_fit();
  // Bytes and rows of the table, to allocate it once.
  size_t rows = 0, bytes = 0;
  {
    std::vector<std::pair<NodeId, size_t>> todo{{0, 0}};
    while (!todo.empty()) {
      auto [n, len] = todo.back();
      todo.pop_back();
      for (NodeId c = mnodes_[n].first_child; c != kNone; c = mnodes_[c].next) {
        size_t l = len + 1 + mnodes_[c].name_len;
        ++rows;
        bytes += l;
        todo.emplace_back(c, l);
      }
    }
  }
  paths_.reserve(bytes);
  path_end_.reserve(rows);
  nodes_.reserve(rows);
  // Depth first, each directory's items sorted (see item_less).
  struct Item {
    NodeId node;
    bool subtree;
  };
  struct Frame {
    std::vector<Item> items;
    size_t next = 0;
    size_t prefix = 0;  // length of the directory's display path
  };
  auto items_of = [&](NodeId dir) {
    std::vector<Item> v;
    for (NodeId c = mnodes_[dir].first_child; c != kNone; c = mnodes_[c].next) {
      v.push_back({c, false});
      if (mnodes_[c].first_child != kNone) v.push_back({c, true});
    }
    std::sort(v.begin(), v.end(), [&](const Item& a, const Item& b) {
      return item_less(name(a.node), a.subtree, name(b.node), b.subtree);
    });
    return v;
  };
  std::string prefix;
  std::vector<Frame> stack;
  stack.push_back({items_of(0), 0, 0});
  while (!stack.empty()) {
    Frame& f = stack.back();
    if (f.next == f.items.size()) {
      stack.pop_back();
      continue;
    }
    Item it = f.items[f.next++];
    prefix.resize(f.prefix);
    prefix += '/';
    prefix += name(it.node);
    if (!it.subtree) {
      paths_ += prefix;
      path_end_.push_back(paths_.size());
      nodes_.push_back(mnodes_[it.node].n);
    } else {
      size_t p = prefix.size();
      stack.push_back({items_of(it.node), 0, p});
    }
  }
  view_.root = mnodes_[0].n;
  // First names: a file's names in sort order, the first is `f`, the others `h`.
  first_.assign(nodes_.size(), 1);
  std::vector<bool> seen(inodes_.size(), false);
  for (size_t i = 0; i < nodes_.size(); ++i) {
    InodeId id = nodes_[i].inode;
    if (inodes_[id].type != EntryType::File) continue;
    if (seen[id]) first_[i] = 0;
    seen[id] = true;
  }
  std::vector<MNode>().swap(mnodes_);
  name_chunks_.clear();
  name_chunks_.shrink_to_fit();
  // Package database content of files no name points at any more is not needed.
  for (InodeId id = 0; id < inodes_.size(); ++id)
    if (inodes_[id].nlink == 0) drop_content(id);
  frozen_ = true;
  set_view();
}

FileTree FileTree::adopt(const FrozenTreeView& v, std::shared_ptr<const void> keep) {
  FileTree t;
  t.inodes_.clear();
  t.inodes_.shrink_to_fit();
  t.mnodes_.clear();
  t.mnodes_.shrink_to_fit();
  t.frozen_ = true;
  t.keep_ = std::move(keep);
  t.view_ = v;
  t.inodes_view_ = v.inodes;
  return t;
}

const FrozenTreeView& FileTree::view() const {
  if (!frozen_) const_cast<FileTree*>(this)->freeze_now();  // the tree's final form, built once
  return view_;
}

std::string_view FileTree::display(size_t i) const {
  const FrozenTreeView& v = view();
  size_t b = i ? v.path_end[i - 1] : 0;
  return v.paths.substr(b, v.path_end[i] - b);
}

size_t FileTree::lower_bound(std::string_view p) const {
  size_t lo = 0, hi = view().nodes.size();
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (canonical(mid) < p) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const Node& FileTree::root() const { return frozen_ ? view_.root : mnodes_[0].n; }

const Node* FileTree::find(std::string_view p) const {
  if (!frozen_) {
    NodeId n = 0;
    for (auto c : split_path(p)) {
      n = child(n, c);
      if (n == kNone) return nullptr;
    }
    return &mnodes_[n].n;
  }
  // Strip the slashes a canonical path does not have, as split_path would.
  while (!p.empty() && p.front() == '/') p.remove_prefix(1);
  while (!p.empty() && p.back() == '/') p.remove_suffix(1);
  if (p.empty()) return &view_.root;
  if (p.find("//") != std::string_view::npos) {
    std::string c;
    for (auto part : split_path(p)) c += (c.empty() ? "" : "/") + std::string(part);
    return find(c);
  }
  // Many lookups (a package database names every file) go through a hash index of the rows;
  // the first few through a binary search.
  const size_t n = view_.nodes.size();
  for (size_t k = last_found_ + 1; k < n && k <= last_found_ + 2; ++k)
    if (canonical(k) == p) {
      last_found_ = k;
      return &view_.nodes[k];
    }
  if (find_index_.empty() && ++finds_ > 64 && n > 0) {
    size_t cap = 1024;
    while (cap < 2 * n) cap *= 2;
    find_index_.assign(cap, 0);
    for (size_t i = 0; i < n; ++i) {
      size_t s = std::hash<std::string_view>{}(canonical(i)) & (cap - 1);
      while (find_index_[s]) s = (s + 1) & (cap - 1);
      find_index_[s] = static_cast<uint32_t>(i + 1);
    }
  }
  if (!find_index_.empty()) {
    size_t mask = find_index_.size() - 1;
    for (size_t s = std::hash<std::string_view>{}(p) & mask; find_index_[s]; s = (s + 1) & mask)
      if (canonical(find_index_[s] - 1) == p) {
        last_found_ = find_index_[s] - 1;
        return &view_.nodes[last_found_];
      }
    return nullptr;
  }
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = canonical(mid).compare(p);
    if (c == 0) {
      last_found_ = mid;
      return &view_.nodes[mid];
    }
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return nullptr;
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
  // A path of plain names that is in the tree has only directories above it: that is the node,
  // one lookup (a package database names every file). Anything else walks it component by
  // component.
  // (Most paths have no "." component at all: one scan says so.)
  bool plain = true;
  const bool maybe_dot = (!path.empty() && path[0] == '.') || path.find("/.") != std::string_view::npos;
  for (size_t i = 0; maybe_dot && i <= path.size() && plain;) {
    size_t j = std::min(path.find('/', i), path.size());
    std::string_view c = path.substr(i, j - i);
    plain = c != "." && c != "..";
    i = j + 1;
  }
  if (plain)
    if (const Node* n = find(path); n && (!follow_last || inode(n->inode).type != EntryType::Symlink))
      return n;
  std::vector<std::string> pending;
  push_components(pending, path);
  std::string dir;            // canonical path of the directory reached
  std::vector<size_t> marks;  // length of `dir` before each component
  int hops = 0;
  while (!pending.empty()) {
    std::string c = std::move(pending.back());
    pending.pop_back();
    if (c == "..") {
      if (!marks.empty()) {
        dir.resize(marks.back());
        marks.pop_back();
      }
      continue;
    }
    std::string p = dir.empty() ? c : dir + "/" + c;
    const Node* n = find(p);
    if (!n) return nullptr;
    const Inode& ino = inode(n->inode);
    if (ino.type == EntryType::Symlink && (follow_last || !pending.empty())) {
      if (++hops > kMaxSymlinkHops) return nullptr;
      std::string_view t = target(n->inode);
      if (!t.empty() && t[0] == '/') {
        dir.clear();
        marks.clear();
      }
      push_components(pending, t);
      continue;
    }
    if (pending.empty()) return n;
    if (ino.type != EntryType::Dir) return nullptr;
    marks.push_back(dir.size());
    dir = std::move(p);
  }
  return dir.empty() ? &root() : find(dir);
}

}  // namespace layerdiff
