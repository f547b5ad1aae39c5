#include "analyzer/merge.h"

#include <algorithm>

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
  if (e.type == EntryType::Symlink) i.target = e.link;
  i.xattrs = e.xattrs;
  i.digest = e.digest;
  i.content = e.content;
  i.layer = layer;
  return i;
}

}  // namespace

// Walks `canonical_parent` from the root, following symlinks inside the root (".." clamps at the
// root, as a runtime's scoped resolution does). With create, missing directories are made
// (0755 root:root); without it, a missing or non-directory component gives nullptr.
Node* Merger::resolve_parent(std::string_view canonical_parent, uint32_t layer, bool create,
                             const std::string& for_path, std::string* resolved) {
  std::vector<std::string> todo;
  for (auto c : split_path(canonical_parent)) todo.emplace_back(c);
  std::reverse(todo.begin(), todo.end());
  std::vector<Node*> stack{&tree_.root()};
  // The canonical path of `stack`, kept as it grows and shrinks (lens: its length below each
  // level), so that naming a new directory costs its length, not its depth.
  std::string path;
  std::vector<size_t> lens;
  auto push = [&](Node* n, const std::string& c) {
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
    Node* cur = stack.back();
    auto it = cur->children.find(c);
    if (it == cur->children.end()) {
      if (!create) return nullptr;
      if (++implicit_dirs_ > entries_seen_ + limits::kMaxImplicitDirsSlack)
        throw LimitError(clipped(for_path) + ": more than " + std::to_string(implicit_dirs_ - 1) +
                         " parent directories that no entry lists (" +
                         std::to_string(entries_seen_) + " entries + " +
                         std::to_string(limits::kMaxImplicitDirsSlack) + ", a fixed limit)");
      touch(path.empty() ? c : path + "/" + c, nullptr);
      Inode d;
      d.type = EntryType::Dir;
      d.mode = 0755;
      d.layer = layer;
      d.nlink = 1;
      d.implicit = true;
      auto n = std::make_unique<Node>();
      n->inode = tree_.new_inode(d);
      n->layer = layer;
      Node* raw = n.get();
      cur->children.emplace(c, std::move(n));
      push(raw, c);
      continue;
    }
    Node* child = it->second.get();
    const Inode& ino = tree_.inode(child->inode);
    if (ino.type == EntryType::Dir) {
      push(child, c);
    } else if (ino.type == EntryType::Symlink) {
      if (++hops > kMaxSymlinkHops)
        throw Error(display_path(for_path) + ": too many levels of symbolic links in its parent");
      std::string_view t = ino.target;
      if (!t.empty() && t[0] == '/') {
        stack.resize(1);
        path.clear();
        lens.clear();
      }
      auto parts = split_path(t);
      for (auto p = parts.rbegin(); p != parts.rend(); ++p) todo.emplace_back(*p);
    } else {
      if (!create) return nullptr;
      throw Error(display_path(for_path) + ": parent " + display_path(path.empty() ? c : path + "/" + c) +
                  " is not a directory");
    }
  }
  if (resolved) {
    *resolved = std::move(path);
  }
  return stack.back();
}

char change_letter(PathChange c) {
  switch (c) {
    case PathChange::Added: return 'A';
    case PathChange::Modified: return 'M';
    case PathChange::Removed: return 'D';
  }
  return '?';
}

Merger::Touch& Merger::touch(const std::string& path, const Node* node) {
  auto [it, fresh] = touched_.try_emplace(path);
  Touch& t = it->second;
  if (fresh && node) {
    const Inode& i = tree_.inode(node->inode);
    t.existed = true;
    t.inode = node->inode;
    t.nlink = i.nlink;
    if (i.type == EntryType::Dir) {
      t.mode = i.mode;
      t.uid = i.uid;
      t.gid = i.gid;
      t.mtime = i.mtime;
      t.xattrs = i.xattrs;
    }
  }
  return t;
}

namespace {

/// Whether a path whose state before a layer was `t` differs now (mtime aside: rebuilds change
/// every mtime, and the diff leaves them out too unless asked).
bool state_changed(const FileTree& tree, InodeId old_id, uint32_t old_nlink, const Inode& now_dir_old,
                   InodeId now_id) {
  const Inode& n = tree.inode(now_id);
  if (old_id == now_id) {
    if (n.type != EntryType::Dir) return false;  // only directories change in place
    return n.mode != now_dir_old.mode || n.uid != now_dir_old.uid || n.gid != now_dir_old.gid ||
           n.xattrs != now_dir_old.xattrs;
  }
  const Inode& o = tree.inode(old_id);
  (void)old_nlink;
  // A new copy while the old file lives on under other names: it no longer shares their content.
  if (o.nlink > 0) return true;
  return o.type != n.type || o.size != n.size || o.digest != n.digest || o.mode != n.mode ||
         o.uid != n.uid || o.gid != n.gid || o.target != n.target ||
         o.dev_major != n.dev_major || o.dev_minor != n.dev_minor || o.xattrs != n.xattrs;
}

}  // namespace

void Merger::finish_layer(uint32_t layer, InodeId first_new) {
  std::vector<LayerPathChange> out;
  std::vector<std::pair<InodeId, InodeId>> neutral;  // old, new inode of paths re-listed unchanged
  out.reserve(touched_.size());
  for (auto& [path, t] : touched_) {
    const Node* now = tree_.find(path);
    LayerPathChange c;
    c.layer = layer;
    if (!t.existed) {
      if (!now) continue;  // made and removed within the layer
      c.change = PathChange::Added;
      c.inode = now->inode;
    } else if (!now) {
      c.change = PathChange::Removed;
      c.inode = t.inode;
    } else {
      Inode before_dir;
      before_dir.mode = t.mode;
      before_dir.uid = t.uid;
      before_dir.gid = t.gid;
      before_dir.xattrs = std::move(t.xattrs);
      if (!state_changed(tree_, t.inode, t.nlink, before_dir, now->inode)) {
        // Re-listed as it was (a copy-up, a reinstall): the content moved from the old file to
        // the new one, so neither counts bytes on another path (a new name of it, say).
        if (t.inode != now->inode) neutral.push_back({t.inode, now->inode});
        continue;
      }
      c.change = PathChange::Modified;
      c.inode = now->inode;
      c.old_inode = t.inode;
    }
    c.path = path;
    if (c.change != PathChange::Removed) c.link = std::move(t.link);
    out.push_back(std::move(c));
  }
  touched_.clear();
  std::sort(out.begin(), out.end(),
            [](const LayerPathChange& a, const LayerPathChange& b) { return a.path < b.path; });
  // Bytes follow inodes: born in this layer and alive (once), died in this layer (once).
  std::unordered_map<InodeId, bool> counted;
  for (auto [o, n] : neutral) {
    counted.emplace(o, true);
    counted.emplace(n, true);
  }
  LayerChangeStats& st = stats_[layer].changes;
  for (auto& c : out) {
    if (c.change != PathChange::Removed) {
      const Inode& n = tree_.inode(c.inode);
      if (n.type == EntryType::File && c.inode >= first_new && n.nlink > 0 &&
          counted.emplace(c.inode, true).second)
        c.added_bytes = n.size;
    }
    if (c.change != PathChange::Added) {
      InodeId o = c.change == PathChange::Removed ? c.inode : c.old_inode;
      const Inode& oi = tree_.inode(o);
      if (oi.type == EntryType::File && o < first_new && oi.nlink == 0 &&
          counted.emplace(o, true).second)
        c.removed_bytes = oi.size;
    }
    switch (c.change) {
      case PathChange::Added:
        ++st.added;
        st.added_bytes += c.added_bytes;
        removed_by_.erase(c.path);
        break;
      case PathChange::Removed:
        ++st.removed;
        st.removed_bytes += c.removed_bytes;
        removed_by_[c.path] = layer;
        break;
      case PathChange::Modified:
        ++st.modified;
        if (c.added_bytes >= c.removed_bytes) st.grown_bytes += c.added_bytes - c.removed_bytes;
        else st.shrunk_bytes += c.removed_bytes - c.added_bytes;
        removed_by_.erase(c.path);
        break;
    }
  }
  if (sink_) sink_->layer_changes(tree_, std::move(out));
}

void Merger::detach(Node& n, const std::string& path, uint32_t by, bool deleted) {
  touch(path, &n);
  for (auto& [name, child] : n.children) detach(*child, join(path, name), by, deleted);
  n.children.clear();
  Inode& ino = tree_.inode(n.inode);
  if (ino.nlink > 0 && --ino.nlink == 0 && ino.type == EntryType::File && ino.size > 0)
    waste_.push_back({path, ino.size, ino.layer, by, deleted, ino.digest});
}

void Merger::remove_node(std::unique_ptr<Node> n, const std::string& path, uint32_t by,
                         bool deleted) {
  detach(*n, path, by, deleted);
}

void Merger::apply(uint32_t layer, const std::vector<LayerEntry>& entries, Diagnostics& diag) {
  diag_ = &diag;
  layer_ = layer;
  entries_seen_ += entries.size();
  if (stats_.size() <= layer) stats_.resize(layer + 1);
  LayerMergeStats& st = stats_[layer];
  const InodeId first_new = static_cast<InodeId>(tree_.inode_count());
  touched_.reserve(entries.size());

  struct Item {
    std::string path;
    const LayerEntry* e;
  };
  std::vector<Item> items;
  items.reserve(entries.size());

  // Phase 1: whiteouts, which apply to what lower layers left, whatever their place in the stream.
  uint64_t absolute = 0, control = 0;
  std::string first_absolute, first_control;
  for (const LayerEntry& e : entries) {
    ++st.entries;
    std::string p = normalize_path(e.path);
    if (!e.path.empty() && e.path[0] == '/' && !p.empty() && absolute++ == 0) first_absolute = p;
    if (has_control(p) && control++ == 0) first_control = p;
    std::string_view base = base_name(p);
    if (base.substr(0, kWhiteoutPrefix.size()) != kWhiteoutPrefix) {
      items.push_back({std::move(p), &e});
      continue;
    }
    ++st.whiteouts;
    std::string dir;
    if (base == kOpaqueMarker) {
      Node* d = resolve_parent(parent_path(p), layer, false, p, &dir);
      if (!d) continue;
      for (auto& [name, child] : d->children) detach(*child, join(dir, name), layer, true);
      d->children.clear();
      continue;
    }
    if (base.substr(0, 2 * kWhiteoutPrefix.size()) == ".wh..wh.") continue;  // reserved (aufs)
    std::string_view victim = base.substr(kWhiteoutPrefix.size());
    Node* d = resolve_parent(parent_path(p), layer, false, p, &dir);
    if (!d) continue;
    auto it = d->children.find(victim);
    if (it == d->children.end()) continue;
    auto n = std::move(it->second);
    d->children.erase(it);
    remove_node(std::move(n), join(dir, victim), layer, true);
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
  for (const Item& item : items) {
    const LayerEntry& e = *item.e;
    const std::string& p = item.path;
    if (p.empty()) {
      if (e.type != EntryType::Dir) throw Error("/: the image root must be a directory");
      touch(p, &tree_.root());
      tree_.root().layer = layer;
      Inode& r = tree_.inode(tree_.root().inode);
      r.mode = e.mode & 07777;
      r.uid = e.uid;
      r.gid = e.gid;
      r.mtime = e.mtime;
      r.xattrs = e.xattrs;
      r.implicit = false;
      continue;
    }
    std::string dir;
    Node* par = resolve_parent(parent_path(p), layer, true, p, &dir);
    std::string name(base_name(p));
    auto it = par->children.find(name);
    Node* existing = it == par->children.end() ? nullptr : it->second.get();
    const std::string full = join(dir, name);
    Touch& tc = touch(full, existing);

    if (e.type == EntryType::Hardlink) {
      ++st.hardlinks;
      std::string t;
      try {
        t = normalize_path(e.link);
      } catch (const Error&) {
        throw Error(clipped(p) + ": hardlink target " + printable(e.link) +
                    " is outside the image root");
      }
      std::string tdir;
      Node* tparent = resolve_parent(parent_path(t), layer, false, p, &tdir);
      const Node* target = nullptr;
      if (tparent) {
        auto ti = tparent->children.find(base_name(t));
        if (ti != tparent->children.end()) target = ti->second.get();
      }
      if (!target || t.empty())
        throw Error(display_path(p) + ": hardlink target " + display_path(t) + " does not exist");
      InodeId id = target->inode;
      if (tree_.inode(id).type == EntryType::Dir)
        throw Error(display_path(p) + ": hardlink target " + display_path(t) + " is a directory");
      if (existing && existing->inode == id) continue;
      tc.link = join(tdir, base_name(t));
      ++tree_.inode(id).nlink;  // before removing `existing`, which may hold the target
      if (existing) {
        auto old = std::move(it->second);
        par->children.erase(it);
        remove_node(std::move(old), full, layer, false);
      }
      auto n = std::make_unique<Node>();
      n->inode = id;
      n->layer = layer;
      par->children[name] = std::move(n);
      continue;
    }

    tc.link.clear();
    if (e.type == EntryType::Dir) {
      ++st.dirs;
      if (existing && tree_.inode(existing->inode).type == EntryType::Dir) {
        existing->layer = layer;
        Inode& d = tree_.inode(existing->inode);
        d.mode = e.mode & 07777;
        d.uid = e.uid;
        d.gid = e.gid;
        d.mtime = e.mtime;
        d.xattrs = e.xattrs;
        d.layer = layer;
        d.implicit = false;
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
    if (existing) {
      auto old = std::move(it->second);
      par->children.erase(it);
      remove_node(std::move(old), full, layer, false);
    }
    Inode ino = inode_from(e, layer);
    ino.nlink = 1;
    auto n = std::make_unique<Node>();
    n->inode = tree_.new_inode(std::move(ino));
    n->layer = layer;
    par->children[name] = std::move(n);
  }
  finish_layer(layer, first_new);
}

}  // namespace layerdiff
