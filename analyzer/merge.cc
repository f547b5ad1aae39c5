#include "analyzer/merge.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <stdexcept>

#include "analyzer/path.h"
#include "formats/limits.h"  // constants only: analyzer links nothing of formats

namespace layerdiff {
namespace {

constexpr int kMaxSymlinkHops = 40;  // as Linux's MAXSYMLINKS
constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

/// A name for a warning line: control characters shown as \n, \t, \xNN.
std::string printable(std::string_view p) {
  std::string o;
  for (unsigned char c : p) {
    if (c == '\n') o += "\\n";
    else if (c == '\t') o += "\\t";
    else if (c < 0x20 || c == 0x7f) {
      static const char* hx = "0123456789abcdef";
      o += "\\x";
      o += hx[c >> 4];
      o += hx[c & 15];
    } else o += static_cast<char>(c);
  }
  return o;
}

/// A path for an error message: printable and cut after 64 bytes (a hostile one may be KiBs).
std::string clipped(std::string_view canonical) {
  std::string p = printable(display_path(canonical));
  return p.size() <= 64 ? p : p.substr(0, 64) + "...";
}

bool has_control(std::string_view p) {
  for (unsigned char c : p)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

std::string join(const std::string& dir, std::string_view name) {
  return dir.empty() ? std::string(name) : dir + "/" + std::string(name);
}

Inode inode_from(const LayerEntry& e, uint32_t layer) {
  Inode i;
  i.type = e.type;
  i.size = e.type == EntryType::File ? e.size : 0;
  i.mode = e.mode & 07777;
  i.uid = e.uid;
  i.gid = e.gid;
  i.mtime = e.mtime;
  if (e.type == EntryType::CharDev || e.type == EntryType::BlockDev) {
    i.dev_major = e.dev_major;
    i.dev_minor = e.dev_minor;
  }
  i.digest = e.digest;
  i.layer = layer;
  return i;
}

/// Calls f(component) for each component of a canonical path, without allocating.
template <class F>
void for_each_component(std::string_view p, F f) {
  size_t i = 0;
  while (i < p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    if (j > i && !f(p.substr(i, j - i))) return;
    i = j + 1;
  }
}

/// Entries from a vector, or decoded from a packed buffer one at a time.
struct VectorSource {
  const std::vector<LayerEntry>& v;
  size_t i = 0;
  void reset() { i = 0; }
  const LayerEntry* next() { return i < v.size() ? &v[i++] : nullptr; }
};
struct PackedSource {
  const PackedEntries& p;
  std::optional<PackedEntries::Cursor> c;
  LayerEntry e;
  void reset() { c.emplace(p); }
  const LayerEntry* next() { return c->next(e) ? &e : nullptr; }
};

}  // namespace

char change_letter(PathChange c) {
  switch (c) {
    case PathChange::Added: return 'A';
    case PathChange::Modified: return 'M';
    case PathChange::Removed: return 'D';
  }
  return '?';
}

Merger::NodeId Merger::lookup(std::string_view p) const {
  NodeId n = tree_.root_node();
  for_each_component(p, [&](std::string_view c) {
    n = tree_.child(n, c);
    return n != FileTree::kNone;
  });
  return n;
}

// The common case: every component of the parent is a directory that exists. Anything else
// (a symlink to follow, a directory to create, an error to report) takes resolve_slow.
Merger::NodeId Merger::resolve_parent(std::string_view canonical_parent, uint32_t layer, bool create,
                                      const std::string& for_path, std::string* resolved) {
  if (cache_node_ != FileTree::kNone && canonical_parent == cache_parent_) {
    if (resolved) resolved->assign(canonical_parent);
    return cache_node_;
  }
  NodeId cur = tree_.root_node();
  bool simple = true;
  int depth = 0;
  for_each_component(canonical_parent, [&](std::string_view c) {
    NodeId ch = ++depth > limits::kMaxPathDepth ? FileTree::kNone : tree_.child(cur, c);
    if (ch == FileTree::kNone || tree_.inode(tree_.node(ch).inode).type != EntryType::Dir) {
      simple = false;
      return false;
    }
    cur = ch;
    return true;
  });
  if (!simple) return resolve_slow(canonical_parent, layer, create, for_path, resolved);
  cache_parent_.assign(canonical_parent);
  cache_node_ = cur;
  if (resolved) resolved->assign(canonical_parent);
  return cur;
}

// Walks `canonical_parent` from the root, following symlinks inside the root (".." clamps at the
// root, as a runtime's scoped resolution does). With create, missing directories are made
// (0755 root:root); without it, a missing or non-directory component gives kNone.
Merger::NodeId Merger::resolve_slow(std::string_view canonical_parent, uint32_t layer, bool create,
                                    const std::string& for_path, std::string* resolved) {
  std::vector<std::string> todo;
  for (auto c : split_path(canonical_parent)) todo.emplace_back(c);
  std::reverse(todo.begin(), todo.end());
  std::vector<NodeId> stack{tree_.root_node()};
  // The canonical path of `stack`, kept as it grows and shrinks (lens: its length below each
  // level), so that naming a new directory costs its length, not its depth (a deep chain of
  // implicit parents was quadratic: the implicit-dir-bomb fixture).
  std::string path;
  std::vector<size_t> lens;
  auto push = [&](NodeId n, std::string_view c) {
    stack.push_back(n);
    lens.push_back(path.size());
    if (!path.empty()) path += '/';
    path += c;
  };
  int hops = 0;
  bool warned_clamp = false;
  while (!todo.empty()) {
    std::string c = std::move(todo.back());
    todo.pop_back();
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (stack.size() > 1) {
        stack.pop_back();
        path.resize(lens.back());
        lens.pop_back();
      } else if (diag_ && hops > 0 && !warned_clamp) {
        warned_clamp = true;
        diag_->warn("layer " + std::to_string(layer_) + ": " + clipped(for_path) +
                    ": a symlink in its parent points above the root; resolved inside the root "
                    "as containerd does (Docker refuses such a symlink)");
      }
      continue;
    }
    if (stack.size() > static_cast<size_t>(limits::kMaxPathDepth))
      throw LimitError(clipped(for_path) + ": resolves deeper than " +
                       std::to_string(limits::kMaxPathDepth) + " directories through symlinks" +
                       " (a fixed limit)");
    NodeId cur = stack.back();
    NodeId child = tree_.child(cur, c);
    if (child == FileTree::kNone) {
      if (!create) return FileTree::kNone;
      if (++implicit_dirs_ > entries_seen_ + limits::kMaxImplicitDirsSlack)
        throw LimitError(clipped(for_path) + ": more than " + std::to_string(implicit_dirs_ - 1) +
                         " parent directories that no entry lists (" +
                         std::to_string(entries_seen_) + " entries + " +
                         std::to_string(limits::kMaxImplicitDirsSlack) + ", a fixed limit)");
      touch(path.empty() ? c : path + "/" + c, FileTree::kNone);
      Inode d;
      d.type = EntryType::Dir;
      d.mode = 0755;
      d.layer = layer;
      d.nlink = 1;
      d.implicit = true;
      push(tree_.add_child(cur, c, tree_.new_inode(d), layer), c);
      continue;
    }
    const Inode& ino = tree_.inode(tree_.node(child).inode);
    if (ino.type == EntryType::Dir) {
      push(child, c);
    } else if (ino.type == EntryType::Symlink) {
      if (++hops > kMaxSymlinkHops)
        throw Error(display_path(for_path) + ": too many levels of symbolic links in its parent");
      std::string t(tree_.target(tree_.node(child).inode));
      if (!t.empty() && t[0] == '/') {
        stack.resize(1);
        path.clear();
        lens.clear();
      }
      auto parts = split_path(t);
      for (auto p = parts.rbegin(); p != parts.rend(); ++p) todo.emplace_back(*p);
    } else {
      if (!create) return FileTree::kNone;
      throw Error(display_path(for_path) + ": parent " + display_path(path.empty() ? c : path + "/" + c) +
                  " is not a directory");
    }
  }
  if (resolved) {
    if (hops == 0) {
      *resolved = std::string(canonical_parent);  // canonical already: no symlink was followed
    } else {
      *resolved = std::move(path);
    }
  }
  return stack.back();
}

uint32_t Merger::save(std::string_view s) {
  saved_.emplace_back(s);
  return static_cast<uint32_t>(saved_.size());
}

uint32_t Merger::dir_id(std::string_view dir) {
  if (last_dir_ != 0xffffffffu && dirs_[last_dir_] == dir) return last_dir_;
  auto it = dir_index_.find(dir);
  if (it == dir_index_.end()) {
    dirs_.emplace_back(dir);
    it = dir_index_.emplace(dirs_.back(), static_cast<uint32_t>(dirs_.size() - 1)).first;
  }
  return last_dir_ = it->second;
}

void Merger::path_of(uint32_t k, std::string& out) const {
  const std::string& d = dirs_[touched_[k].dir];
  out.assign(d);
  if (!d.empty()) out += '/';
  out += touched_[k].base();
}

namespace {
size_t touch_hash(uint32_t dir, std::string_view name) {
  return std::hash<std::string_view>{}(name) ^ (static_cast<size_t>(dir) * 0x9e3779b97f4a7c15ull);
}
}  // namespace

uint32_t Merger::touch(std::string_view path, NodeId node) {
  const uint32_t dir = dir_id(parent_path(path));
  const std::string_view name = base_name(path);
  if ((touched_.size() + 1) * 2 > touched_index_.size()) {
    size_t cap = std::max<size_t>(1024, touched_index_.size() * 2);
    touched_index_.assign(cap, 0);
    for (uint32_t k = 0; k < touched_.size(); ++k) {
      size_t s = touch_hash(touched_[k].dir, touched_[k].base()) & (cap - 1);
      while (touched_index_[s]) s = (s + 1) & (cap - 1);
      touched_index_[s] = k + 1;
    }
  }
  size_t mask = touched_index_.size() - 1;
  size_t slot = touch_hash(dir, name) & mask;
  for (; touched_index_[slot]; slot = (slot + 1) & mask) {
    const Touched& o = touched_[touched_index_[slot] - 1];
    if (o.dir == dir && o.base() == name) return touched_index_[slot] - 1;
  }
  // The name's bytes go to a chunk that never moves.
  if (chunk_left_ < name.size()) {
    size_t sz = std::max<size_t>(name.size(), 1 << 18);
    name_chunks_.push_back(std::make_unique<char[]>(sz));
    chunk_pos_ = name_chunks_.back().get();
    chunk_left_ = sz;
  }
  if (!name.empty()) std::memcpy(chunk_pos_, name.data(), name.size());
  const char* kept = chunk_pos_;
  chunk_pos_ += name.size();
  chunk_left_ -= name.size();
  Touched t;
  t.dir = dir;
  t.name = kept;
  t.name_len = static_cast<uint32_t>(name.size());
  if (node != FileTree::kNone) {
    InodeId id = tree_.node(node).inode;
    const Inode& i = tree_.inode(id);
    t.t.existed = 1;
    t.t.inode = id;
    t.t.nlink = i.nlink;
    if (i.type == EntryType::Dir) {
      DirMeta m;
      m.mode = i.mode;
      m.uid = i.uid;
      m.gid = i.gid;
      std::string_view x = tree_.xattrs_bytes(id);
      if (!x.empty()) m.xattrs = save(x);
      dir_meta_.push_back(m);
      t.t.dir = static_cast<uint32_t>(dir_meta_.size());
    }
  }
  uint32_t idx = static_cast<uint32_t>(touched_.size());
  touched_.push_back(t);
  touched_index_[slot] = idx + 1;
  return idx;
}

namespace {

/// Whether a path whose state before a layer was `t` differs now (mtime aside: rebuilds change
/// every mtime, and the diff leaves them out too unless asked).
bool state_changed(const FileTree& tree, InodeId old_id, uint32_t old_nlink, uint32_t dir_mode,
                   uint32_t dir_uid, uint32_t dir_gid, std::string_view dir_xattrs, InodeId now_id) {
  const Inode& n = tree.inode(now_id);
  if (old_id == now_id) {
    if (n.type != EntryType::Dir) return false;  // only directories change in place
    return n.mode != dir_mode || n.uid != dir_uid || n.gid != dir_gid ||
           tree.xattrs_bytes(now_id) != dir_xattrs;
  }
  const Inode& o = tree.inode(old_id);
  (void)old_nlink;
  // A new copy while the old file lives on under other names: it no longer shares their content.
  if (o.nlink > 0) return true;
  return o.type != n.type || o.size != n.size || o.digest != n.digest || o.mode != n.mode ||
         o.uid != n.uid || o.gid != n.gid || tree.target(old_id) != tree.target(now_id) ||
         o.dev_major != n.dev_major || o.dev_minor != n.dev_minor ||
         tree.xattrs_bytes(old_id) != tree.xattrs_bytes(now_id);
}

}  // namespace

void Merger::finish_layer(uint32_t layer, InodeId first_new) {
  struct Change {
    uint32_t touch;
    PathChange change;
    InodeId inode, old_inode;
  };
  std::vector<Change> out;
  std::vector<std::pair<InodeId, InodeId>> neutral;  // old, new inode of paths re-listed unchanged
  out.reserve(touched_.size());
  // Each touched path's node now: its directory once, then the name in it.
  std::vector<NodeId> dir_node(dirs_.size(), FileTree::kNone - 1);
  for (uint32_t k = 0; k < touched_.size(); ++k) {
    const Touched& tp = touched_[k];
    const Touch& t = tp.t;
    NodeId& dn = dir_node[tp.dir];
    if (dn == FileTree::kNone - 1) dn = lookup(dirs_[tp.dir]);
    NodeId now = FileTree::kNone;
    if (dn != FileTree::kNone) {
      if (tp.name_len == 0) now = dn;  // the root
      else if (tree_.inode(tree_.node(dn).inode).type == EntryType::Dir) now = tree_.child(dn, tp.base());
    }
    if (!t.existed) {
      if (now == FileTree::kNone) continue;  // made and removed within the layer
      out.push_back({k, PathChange::Added, tree_.node(now).inode, 0});
    } else if (now == FileTree::kNone) {
      out.push_back({k, PathChange::Removed, t.inode, 0});
    } else {
      DirMeta m = t.dir ? dir_meta_[t.dir - 1] : DirMeta{};
      std::string_view dx = m.xattrs ? std::string_view(saved_[m.xattrs - 1]) : std::string_view();
      InodeId id = tree_.node(now).inode;
      if (!state_changed(tree_, t.inode, t.nlink, m.mode, m.uid, m.gid, dx, id)) {
        // Re-listed as it was (a copy-up, a reinstall): the content moved from the old file to
        // the new one, so neither counts bytes on another path (a new name of it, say).
        if (t.inode != id) neutral.push_back({t.inode, id});
        continue;
      }
      out.push_back({k, PathChange::Modified, id, t.inode});
    }
  }
  // Bytes follow inodes: born in this layer and alive (once), died in this layer (once). Which
  // path carries an inode's bytes is the first in path order, so sort when some inode has
  // several changed paths (hardlinks), or when the changes are listed.
  std::vector<bool> counted(tree_.inode_count(), false);
  bool sort = sink_ != nullptr;
  auto seen_twice = [&](InodeId id) {
    if (tree_.inode(id).type != EntryType::File) return false;
    if (counted[id]) return true;
    counted[id] = true;
    return false;
  };
  for (const Change& c : out) {
    if (sort) break;
    if (c.change != PathChange::Removed && seen_twice(c.inode)) sort = true;
    if (c.change == PathChange::Modified && seen_twice(c.old_inode)) sort = true;
    if (c.change == PathChange::Removed && seen_twice(c.inode)) sort = true;
  }
  std::vector<std::string> paths;  // of the changes, when sorted
  if (sort) {
    std::vector<std::string> by_touch(touched_.size());
    for (const Change& c : out) path_of(c.touch, by_touch[c.touch]);
    std::sort(out.begin(), out.end(), [&](const Change& a, const Change& b) {
      return by_touch[a.touch] < by_touch[b.touch];
    });
    paths.reserve(out.size());
    for (const Change& c : out) paths.push_back(std::move(by_touch[c.touch]));
  }
  counted.assign(counted.size(), false);
  for (auto [o, n] : neutral) counted[o] = counted[n] = true;
  std::vector<LayerPathChange> listed;
  if (sink_) listed.reserve(out.size());
  LayerChangeStats& st = stats_[layer].changes;
  std::string scratch;
  for (size_t n = 0; n < out.size(); ++n) {
    const Change& c = out[n];
    if (!sort) path_of(c.touch, scratch);
    std::string_view path = sort ? std::string_view(paths[n]) : std::string_view(scratch);
    uint64_t added = 0, removed = 0;
    if (c.change != PathChange::Removed) {
      const Inode& n = tree_.inode(c.inode);
      if (n.type == EntryType::File && c.inode >= first_new && n.nlink > 0 && !counted[c.inode]) {
        counted[c.inode] = true;
        added = n.size;
      }
    }
    if (c.change != PathChange::Added) {
      InodeId o = c.change == PathChange::Removed ? c.inode : c.old_inode;
      const Inode& oi = tree_.inode(o);
      if (oi.type == EntryType::File && o < first_new && oi.nlink == 0 && !counted[o]) {
        counted[o] = true;
        removed = oi.size;
      }
    }
    switch (c.change) {
      case PathChange::Added:
        ++st.added;
        st.added_bytes += added;
        if (!removed_by_.empty())
          if (auto it = removed_by_.find(path); it != removed_by_.end()) removed_by_.erase(it);
        break;
      case PathChange::Removed:
        ++st.removed;
        st.removed_bytes += removed;
        if (auto it = removed_by_.find(path); it != removed_by_.end()) it->second = layer;
        else removed_by_.emplace(std::string(path), layer);
        break;
      case PathChange::Modified:
        ++st.modified;
        if (added >= removed) st.grown_bytes += added - removed;
        else st.shrunk_bytes += removed - added;
        if (!removed_by_.empty())
          if (auto it = removed_by_.find(path); it != removed_by_.end()) removed_by_.erase(it);
        break;
    }
    if (sink_) {
      LayerPathChange lc;
      lc.layer = layer;
      lc.change = c.change;
      lc.path = std::string(path);
      lc.inode = c.inode;
      lc.old_inode = c.old_inode;
      uint32_t link = touched_[c.touch].t.link;
      if (c.change != PathChange::Removed && link) lc.link = saved_[link - 1];
      lc.added_bytes = added;
      lc.removed_bytes = removed;
      listed.push_back(std::move(lc));
    }
  }
  touched_.clear();
  std::vector<Touched>().swap(touched_);
  std::vector<uint32_t>().swap(touched_index_);
  saved_.clear();
  dir_meta_.clear();
  dirs_.clear();
  dir_index_.clear();
  last_dir_ = 0xffffffffu;
  name_chunks_.clear();
  chunk_left_ = 0;
  chunk_pos_ = nullptr;
  if (sink_) sink_->layer_changes(tree_, std::move(listed));
}

void Merger::detach(NodeId n, const std::string& path, uint32_t by, bool deleted) {
  touch(path, n);
  if (tree_.first_child(n) != FileTree::kNone) {
    // In name order, as the waste records have always come.
    std::vector<NodeId> kids;
    for (NodeId c = tree_.first_child(n); c != FileTree::kNone; c = tree_.next_sibling(c)) kids.push_back(c);
    std::sort(kids.begin(), kids.end(),
              [&](NodeId a, NodeId b) { return tree_.name(a) < tree_.name(b); });
    for (NodeId c : kids) detach(c, join(path, tree_.name(c)), by, deleted);
  }
  InodeId id = tree_.node(n).inode;
  Inode& ino = tree_.mutable_inode(id);
  if (ino.nlink > 0 && --ino.nlink == 0) {
    if (ino.type == EntryType::File && ino.size > 0)
      waste_.push_back({path, ino.size, ino.layer, by, deleted, ino.digest});
    tree_.drop_content(id);  // no reader of a dead inode needs package database content
  }
}

void Merger::remove_node(NodeId n, const std::string& path, uint32_t by, bool deleted) {
  tree_.unlink(n);
  cache_node_ = FileTree::kNone;  // the cached parent may have been in the subtree
  detach(n, path, by, deleted);
  tree_.free_subtree(n);
}

void Merger::apply(uint32_t layer, const std::vector<LayerEntry>& entries, Diagnostics& diag) {
  VectorSource src{entries};
  apply_entries(layer, src, entries.size(), diag);
}

void Merger::apply(uint32_t layer, const PackedEntries& entries, Diagnostics& diag) {
  PackedSource src{entries, std::nullopt, {}};
  apply_entries(layer, src, entries.size(), diag);
}

template <class Source>
void Merger::apply_entries(uint32_t layer, Source& src, size_t count, Diagnostics& diag) {
  if (tree_.frozen()) throw std::logic_error("Merger: the tree is frozen");
  diag_ = &diag;
  layer_ = layer;
  entries_seen_ += count;
  cache_node_ = FileTree::kNone;
  if (stats_.size() <= layer) stats_.resize(layer + 1);
  LayerMergeStats& st = stats_[layer];
  const InodeId first_new = static_cast<InodeId>(tree_.inode_count());
  touched_.reserve(count);  // every entry touches a path (whiteouts and parents aside)
  std::string& p = scratch_;

  // Phase 1: whiteouts, which apply to what lower layers left, whatever their place in the stream.
  uint64_t absolute = 0, control = 0;
  std::string first_absolute, first_control;
  src.reset();
  while (const LayerEntry* ep = src.next()) {
    const LayerEntry& e = *ep;
    ++st.entries;
    normalize_path_into(e.path, p);
    if (!e.path.empty() && e.path[0] == '/' && !p.empty() && absolute++ == 0) first_absolute = p;
    if (has_control(p) && control++ == 0) first_control = p;
    std::string_view base = base_name(p);
    if (base.substr(0, kWhiteoutPrefix.size()) != kWhiteoutPrefix) continue;
    ++st.whiteouts;
    std::string dir;
    if (base == kOpaqueMarker) {
      NodeId d = resolve_parent(parent_path(p), layer, false, p, &dir);
      if (d == FileTree::kNone) continue;
      std::vector<NodeId> kids;
      for (NodeId c = tree_.first_child(d); c != FileTree::kNone; c = tree_.next_sibling(c)) kids.push_back(c);
      std::sort(kids.begin(), kids.end(),
                [&](NodeId a, NodeId b) { return tree_.name(a) < tree_.name(b); });
      for (NodeId c : kids) detach(c, join(dir, tree_.name(c)), layer, true);
      tree_.clear_children(d);
      cache_node_ = FileTree::kNone;
      continue;
    }
    if (base.substr(0, 2 * kWhiteoutPrefix.size()) == ".wh..wh.") continue;  // reserved (aufs)
    std::string_view victim = base.substr(kWhiteoutPrefix.size());
    NodeId d = resolve_parent(parent_path(p), layer, false, p, &dir);
    if (d == FileTree::kNone) continue;
    NodeId n = tree_.child(d, victim);
    if (n == FileTree::kNone) continue;
    remove_node(n, join(dir, victim), layer, true);
  }

  std::string lw = "layer " + std::to_string(layer) + ": ";
  if (absolute)
    diag.warn(lw + std::to_string(absolute) + " entries have an absolute path (first " +
              clipped(first_absolute) +
              "); taken relative to the image root, as runtimes do");
  if (control)
    diag.warn(lw + std::to_string(control) + " names contain a newline or control character (first " +
              clipped(first_control) +
              "); `ls` prints them raw, `ls --format json` escapes them");

  // Phase 2: the layer's own entries, in stream order (a later entry for a path wins).
  std::string dir, full, t, tdir;
  src.reset();
  while (const LayerEntry* ep = src.next()) {
    const LayerEntry& e = *ep;
    normalize_path_into(e.path, p);
    std::string_view base = base_name(p);
    if (base.substr(0, kWhiteoutPrefix.size()) == kWhiteoutPrefix) continue;  // phase 1's
    if (p.empty()) {
      if (e.type != EntryType::Dir) throw Error("/: the image root must be a directory");
      touch(p, tree_.root_node());
      tree_.node(tree_.root_node()).layer = layer;
      InodeId rid = tree_.node(tree_.root_node()).inode;
      Inode& r = tree_.mutable_inode(rid);
      r.mode = e.mode & 07777;
      r.uid = e.uid;
      r.gid = e.gid;
      r.mtime = e.mtime;
      r.implicit = false;
      tree_.set_xattrs(rid, e.xattrs);
      continue;
    }
    NodeId par = resolve_parent(parent_path(p), layer, true, p, &dir);
    std::string_view name = base_name(p);
    NodeId existing = tree_.child(par, name);
    full.assign(dir);
    if (!full.empty()) full += '/';
    full += name;
    uint32_t tc = touch(full, existing);

    if (e.type == EntryType::Hardlink) {
      ++st.hardlinks;
      try {
        normalize_path_into(e.link, t);
      } catch (const Error&) {
        throw Error(clipped(p) + ": hardlink target " + printable(e.link) +
                    " is outside the image root");
      }
      NodeId tparent = resolve_parent(parent_path(t), layer, false, p, &tdir);
      NodeId target = FileTree::kNone;
      if (tparent != FileTree::kNone) target = tree_.child(tparent, base_name(t));
      if (target == FileTree::kNone || t.empty())
        throw Error(display_path(p) + ": hardlink target " + display_path(t) + " does not exist");
      InodeId id = tree_.node(target).inode;
      if (tree_.inode(id).type == EntryType::Dir)
        throw Error(display_path(p) + ": hardlink target " + display_path(t) + " is a directory");
      if (existing != FileTree::kNone && tree_.node(existing).inode == id) continue;
      touched_[tc].t.link = save(join(tdir, base_name(t)));
      ++tree_.mutable_inode(id).nlink;  // before removing `existing`, which may hold the target
      std::string nm(name);  // `p` is reused by nothing below, but keep the name apart from it
      if (existing != FileTree::kNone) remove_node(existing, full, layer, false);
      tree_.add_child(par, nm, id, layer);
      continue;
    }

    touched_[tc].t.link = 0;
    if (e.type == EntryType::Dir) {
      ++st.dirs;
      if (existing != FileTree::kNone && tree_.inode(tree_.node(existing).inode).type == EntryType::Dir) {
        tree_.node(existing).layer = layer;
        InodeId did = tree_.node(existing).inode;
        Inode& d = tree_.mutable_inode(did);
        d.mode = e.mode & 07777;
        d.uid = e.uid;
        d.gid = e.gid;
        d.mtime = e.mtime;
        d.layer = layer;
        d.implicit = false;
        tree_.set_xattrs(did, e.xattrs);
        continue;
      }
    } else if (e.type == EntryType::File) {
      ++st.files;
      st.written_bytes += e.size;
    } else if (e.type == EntryType::Symlink) {
      ++st.symlinks;
    } else {
      ++st.others;
    }
    std::string nm(name);
    if (existing != FileTree::kNone) remove_node(existing, full, layer, false);
    Inode ino = inode_from(e, layer);
    ino.nlink = 1;
    InodeId id = tree_.new_inode(ino, e.type == EntryType::Symlink ? std::string_view(e.link) : std::string_view(),
                                 &e.xattrs, e.content);
    tree_.add_child(par, nm, id, layer);
  }
  finish_layer(layer, first_new);
}

}  // namespace layerdiff
