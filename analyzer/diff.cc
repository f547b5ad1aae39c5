#include "analyzer/diff.h"

#include <algorithm>
#include <unordered_map>

#include "analyzer/path.h"

namespace layerdiff {

const char* change_name(ChangeKind k) {
  switch (k) {
    case ChangeKind::Added: return "added";
    case ChangeKind::Removed: return "removed";
    case ChangeKind::Modified: return "modified";
  }
  return "?";
}

const char* side_name(LayerRef::Side s) { return s == LayerRef::Before ? "before" : "after"; }

bool FileChange::content_changed() const {
  bool bf = before && (before->type == 'f' || before->type == 'h');
  bool af = after && (after->type == 'f' || after->type == 'h');
  if (bf != af) return bf || af;
  if (!bf) return false;
  return before->size != after->size || before->digest != after->digest || delta() != 0;
}

namespace {

PathState state_of(const ListingRow& r, uint64_t bytes) {
  PathState s;
  s.type = r.type;
  s.size = r.size;
  s.bytes = bytes;
  s.mode = r.mode;
  s.uid = r.uid;
  s.gid = r.gid;
  s.mtime = r.inode->mtime;
  s.target = r.target;
  s.digest = r.inode->digest;
  s.layer = r.layer;
  return s;
}

std::vector<std::string> differences(const FileTree& ta, const ListingRow& a, const FileTree& tb,
                                     const ListingRow& b, const DiffOptions& o) {
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
    if (x.type == EntryType::Symlink && ta.target(a.id) != tb.target(b.id)) w.push_back("target");
    if ((x.type == EntryType::CharDev || x.type == EntryType::BlockDev) &&
        (x.dev_major != y.dev_major || x.dev_minor != y.dev_minor))
      w.push_back("device");
  }
  if (x.mode != y.mode) w.push_back("mode");
  if (x.uid != y.uid) w.push_back("uid");
  if (x.gid != y.gid) w.push_back("gid");
  if (ta.xattrs_bytes(a.id) != tb.xattrs_bytes(b.id)) w.push_back("xattrs");
  if (o.mtime && x.mtime != y.mtime) w.push_back("mtime");
  return w;
}

std::string_view canonical(std::string_view display) { return display.size() > 1 ? display.substr(1) : ""; }

/// Rows of one image grouped by file inode, in path order.
std::unordered_map<const Inode*, std::vector<size_t>> names_by_inode(const std::vector<ListingRow>& rows) {
  std::unordered_map<const Inode*, std::vector<size_t>> m;
  for (size_t i = 0; i < rows.size(); ++i)
    if (rows[i].inode->type == EntryType::File) m[rows[i].inode].push_back(i);
  return m;
}

}  // namespace

std::vector<std::string> chain_ids(const ImageInfo& info) {
  std::vector<std::string> out;
  std::string acc;
  for (const auto& l : info.layers) {
    if (!l.chain_id.empty()) {
      out.push_back(l.chain_id);
      continue;
    }
    acc += (acc.empty() ? "" : " ") + l.diff_id;
    out.push_back(l.diff_id.empty() ? std::string() : acc);
  }
  return out;
}

LayerMatch match_layers(const ImageInfo& before, const ImageInfo& after) {
  auto b = chain_ids(before), a = chain_ids(after);
  LayerMatch m;
  while (m.shared < b.size() && m.shared < a.size() && !b[m.shared].empty() &&
         b[m.shared] == a[m.shared])
    ++m.shared;
  return m;
}

TreePair pair_trees(const MergedImage& before, const MergedImage& after) {
  TreePair p;
  p.before = listing(before.tree);
  p.after = listing(after.tree);
  // Carriers: a name both images have, holding the same content, carries the file in both.
  constexpr uint32_t kNoRow = 0xffffffffu;
  std::vector<uint32_t> carrier_b(before.tree.inode_count(), kNoRow),
      carrier_a(after.tree.inode_count(), kNoRow);  // inode -> row index
  const auto& A = p.before;
  const auto& B = p.after;
  for (size_t i = 0, j = 0; i < A.size() && j < B.size();) {
    int c = A[i].path.compare(B[j].path);
    if (c < 0) { ++i; continue; }
    if (c > 0) { ++j; continue; }
    const Inode* x = A[i].inode;
    const Inode* y = B[j].inode;
    if (x->type == EntryType::File && y->type == EntryType::File && x->size == y->size &&
        x->digest == y->digest && carrier_b[A[i].id] == kNoRow && carrier_a[B[j].id] == kNoRow) {
      carrier_b[A[i].id] = static_cast<uint32_t>(i);
      carrier_a[B[j].id] = static_cast<uint32_t>(j);
    }
    ++i;
    ++j;
  }
  auto bytes = [](const std::vector<ListingRow>& rows, std::vector<uint32_t>& carrier) {
    std::vector<uint64_t> v(rows.size(), 0);
    for (size_t i = 0; i < rows.size(); ++i) {
      const Inode* n = rows[i].inode;
      if (n->type != EntryType::File) continue;
      uint32_t& c = carrier[rows[i].id];
      if (c == kNoRow) c = static_cast<uint32_t>(i);  // else: the first name in path order
      if (c == i) v[i] = n->size;
    }
    return v;
  };
  p.before_bytes = bytes(p.before, carrier_b);
  p.after_bytes = bytes(p.after, carrier_a);
  return p;
}

std::vector<FileChange> diff_trees(const MergedImage& before, const MergedImage& after,
                                   const DiffOptions& opt) {
  return diff_trees(before, after, pair_trees(before, after), opt);
}

std::vector<FileChange> diff_trees(const MergedImage& before, const MergedImage& after,
                                   const TreePair& p, const DiffOptions& opt) {
  const auto& a = p.before;
  const auto& b = p.after;
  const size_t shared = match_layers(before.info, after.info).shared;
  auto own = [&](uint32_t layer) { return layer >= shared; };
  auto lookup = [](const MergedImage& img, std::string_view display) -> std::optional<uint32_t> {
    return img.removed_by.find(canonical(display));
  };
  std::unordered_map<const Inode*, std::vector<size_t>> names_b, names_a;  // built when needed
  bool grouped = false;

  std::vector<FileChange> out;
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    int c = i == a.size() ? 1 : j == b.size() ? -1 : a[i].path.compare(b[j].path);
    if (c < 0) {
      FileChange fc{std::string(a[i].path), ChangeKind::Removed, {}, state_of(a[i], p.before_bytes[i]), std::nullopt, {}, {}, {}};
      uint32_t wb = a[i].layer;
      fc.written_by = wb;
      fc.removed_by = lookup(after, a[i].path);
      fc.responsible = !own(wb) && fc.removed_by ? LayerRef{LayerRef::After, *fc.removed_by}
                                                 : LayerRef{LayerRef::Before, wb};
      out.push_back(std::move(fc));
      ++i;
    } else if (c > 0) {
      FileChange fc{std::string(b[j].path), ChangeKind::Added, {}, std::nullopt, state_of(b[j], p.after_bytes[j]), {}, {}, {}};
      uint32_t wa = b[j].layer;
      std::optional<uint32_t> deleted = own(wa) ? std::nullopt : lookup(before, b[j].path);
      fc.responsible = deleted ? LayerRef{LayerRef::Before, *deleted} : LayerRef{LayerRef::After, wa};
      out.push_back(std::move(fc));
      ++j;
    } else {
      auto w = differences(before.tree, a[i], after.tree, b[j], opt);
      if (!w.empty()) {
        FileChange fc{std::string(a[i].path), ChangeKind::Modified, std::move(w),
                      state_of(a[i], p.before_bytes[i]), state_of(b[j], p.after_bytes[j]), {}, {}, {}};
        uint32_t wa = b[j].layer, wb = a[i].layer;
        fc.written_by = wb;
        if (own(wa)) {
          fc.responsible = {LayerRef::After, wa};
        } else if (own(wb)) {
          fc.responsible = {LayerRef::Before, wb};
        } else {
          // Both names were set by shared layers: only the file's other names changed (a
          // hardlink added or removed). Charge the own layer that changed those names.
          if (!grouped) {
            names_b = names_by_inode(a);
            names_a = names_by_inode(b);
            grouped = true;
          }
          std::optional<LayerRef> who;
          if (auto it = names_a.find(b[j].inode); it != names_a.end())
            for (size_t k : it->second)
              if (own(b[k].layer) && (!who || b[k].layer > who->index)) who = LayerRef{LayerRef::After, b[k].layer};
          if (auto it = names_b.find(a[i].inode); !who && it != names_b.end())
            for (size_t k : it->second) {
              if (auto r = lookup(after, a[k].path); r && own(*r)) who = LayerRef{LayerRef::After, *r};
              else if (own(a[k].layer)) who = LayerRef{LayerRef::Before, a[k].layer};
              if (who) break;
            }
          fc.responsible = who ? *who : LayerRef{LayerRef::After, wa};
        }
        out.push_back(std::move(fc));
      }
      ++i;
      ++j;
    }
  }
  return out;
}

}  // namespace layerdiff
