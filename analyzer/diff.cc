#include "analyzer/diff.h"

#include "analyzer/listing.h"

namespace layerdiff {

const char* change_name(ChangeKind k) {
  switch (k) {
    case ChangeKind::Added: return "added";
    case ChangeKind::Removed: return "removed";
    case ChangeKind::Modified: return "modified";
  }
  return "?";
}

namespace {

PathState state_of(const ListingRow& r) {
  PathState s;
  s.type = r.type;
  s.size = r.size;
  s.bytes = r.type == 'f' ? r.size : 0;
  s.mode = r.mode;
  s.uid = r.uid;
  s.gid = r.gid;
  s.mtime = r.inode->mtime;
  s.target = r.target;
  s.digest = r.inode->digest;
  s.layer = r.inode->layer;
  return s;
}

std::vector<std::string> differences(const ListingRow& a, const ListingRow& b, const DiffOptions& o) {
  std::vector<std::string> w;
  const Inode& x = *a.inode;
  const Inode& y = *b.inode;
  if (x.type != y.type) {
    w.push_back("type");
  } else {
    if (x.type == EntryType::File) {
      if (x.size != y.size) w.push_back("size");
      if (x.size != y.size || x.digest != y.digest) w.push_back("content");
      // 'f' vs 'h' or another first name: the set of names sharing the content changed.
      if (a.type != b.type || a.target != b.target) w.push_back("hardlink");
    }
    if (x.type == EntryType::Symlink && x.target != y.target) w.push_back("target");
    if ((x.type == EntryType::CharDev || x.type == EntryType::BlockDev) &&
        (x.dev_major != y.dev_major || x.dev_minor != y.dev_minor))
      w.push_back("device");
  }
  if (x.mode != y.mode) w.push_back("mode");
  if (x.uid != y.uid) w.push_back("uid");
  if (x.gid != y.gid) w.push_back("gid");
  if (x.xattrs != y.xattrs) w.push_back("xattrs");
  if (o.mtime && x.mtime != y.mtime) w.push_back("mtime");
  return w;
}

}  // namespace

std::vector<FileChange> diff_trees(const MergedImage& before, const MergedImage& after,
                                   const DiffOptions& opt) {
  std::vector<ListingRow> a = listing(before.tree), b = listing(after.tree);
  std::vector<FileChange> out;
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    int c = i == a.size() ? 1 : j == b.size() ? -1 : a[i].path.compare(b[j].path);
    if (c < 0) {
      out.push_back({a[i].path, ChangeKind::Removed, {}, state_of(a[i]), std::nullopt});
      ++i;
    } else if (c > 0) {
      out.push_back({b[j].path, ChangeKind::Added, {}, std::nullopt, state_of(b[j])});
      ++j;
    } else {
      auto w = differences(a[i], b[j], opt);
      if (!w.empty())
        out.push_back({a[i].path, ChangeKind::Modified, std::move(w), state_of(a[i]), state_of(b[j])});
      ++i;
      ++j;
    }
  }
  return out;
}

LayerMatch match_layers(const ImageInfo& before, const ImageInfo& after) {
  LayerMatch m;
  while (m.shared < before.layers.size() && m.shared < after.layers.size() &&
         before.layers[m.shared].diff_id == after.layers[m.shared].diff_id &&
         !before.layers[m.shared].diff_id.empty())
    ++m.shared;
  return m;
}

}  // namespace layerdiff
