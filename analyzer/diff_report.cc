#include "analyzer/diff_report.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <tuple>

#include "analyzer/listing.h"
#include "analyzer/path.h"

namespace layerdiff {
namespace {

struct RollNode {
  uint64_t before = 0, after = 0;
  std::map<std::string, RollNode, std::less<>> children;
};

void add_rows(RollNode& root, const MergedImage& img, bool is_after, int depth) {
  for (const auto& r : listing(img.tree)) {
    if (r.type != 'f' || r.size == 0) continue;
    RollNode* n = &root;
    (is_after ? n->after : n->before) += r.size;
    auto parts = split_path(std::string_view(r.path).substr(1));
    std::string prefix;
    for (int k = 0; k < depth && k < static_cast<int>(parts.size()); ++k) {
      prefix += "/";
      prefix += parts[k];
      n = &n->children[prefix];
      (is_after ? n->after : n->before) += r.size;
    }
  }
}

uint64_t mag(int64_t d) { return d < 0 ? static_cast<uint64_t>(-d) : static_cast<uint64_t>(d); }

RollupRow to_row(const std::string& label, const RollNode& n, int level, size_t top) {
  RollupRow row;
  row.label = label;
  row.before = n.before;
  row.after = n.after;
  row.level = level;
  std::vector<RollupRow> kids;
  for (const auto& [name, child] : n.children) kids.push_back(to_row(name, child, level + 1, top));
  std::sort(kids.begin(), kids.end(), [](const RollupRow& a, const RollupRow& b) {
    return std::make_tuple(mag(b.delta()), std::max(b.before, b.after), a.label) <
           std::make_tuple(mag(a.delta()), std::max(a.before, a.after), b.label);
  });
  if (kids.size() > top) {
    RollupRow other;
    other.label = "[other]";
    other.level = level + 1;
    for (size_t k = top; k < kids.size(); ++k) {
      other.before += kids[k].before;
      other.after += kids[k].after;
    }
    kids.resize(top);
    kids.push_back(std::move(other));
  }
  row.children = std::move(kids);
  return row;
}

ImageSummary summarize(const MergedImage& img) {
  ImageSummary s;
  s.source = img.info.source;
  s.reference = img.info.reference;
  s.platform = img.info.platform;
  s.layout = img.info.layout;
  s.layers = img.info.layers.size();
  for (const auto& l : img.info.layers) {
    s.compressed_size += l.compressed_size;
    s.tar_size += l.tar_size;
  }
  for (const auto& r : img.tree.rows()) {
    const Inode& i = img.tree.inode(r.inode);
    if (i.type != EntryType::File || !r.first_name) continue;  // hardlinked files once
    ++s.files;
    s.content_size += i.size;
  }
  return s;
}

template <class Key>
std::vector<const FileChange*> top_of(const std::vector<FileChange>& cs, size_t n, Key key) {
  std::vector<const FileChange*> v;
  for (const auto& c : cs)
    if (key(c) > 0) v.push_back(&c);
  std::sort(v.begin(), v.end(), [&](const FileChange* a, const FileChange* b) {
    return std::make_tuple(key(*b), a->path) < std::make_tuple(key(*a), b->path);
  });
  if (v.size() > n) v.resize(n);
  return v;
}

}  // namespace

DiffReport build_diff_report(const MergedImage& before, const MergedImage& after,
                             std::vector<FileChange> changes, const StageInputs& stages,
                             const DiffReportOptions& opt) {
  DiffReport r;
  r.before = summarize(before);
  r.after = summarize(after);
  r.changes = std::move(changes);
  for (const auto& c : r.changes) {
    switch (c.kind) {
      case ChangeKind::Added: ++r.added_paths; break;
      case ChangeKind::Removed: ++r.removed_paths; break;
      case ChangeKind::Modified: ++r.modified_paths; break;
    }
    if (c.after) r.added_bytes += c.after->bytes;
    if (c.before) r.removed_bytes += c.before->bytes;
  }

  RollNode root;
  add_rows(root, before, false, opt.depth);
  add_rows(root, after, true, opt.depth);
  r.rollup = to_row("TOTAL", root, 0, opt.top);

  LayerMatch m = match_layers(before.info, after.info);
  auto bl = label_layers(before, stages, m.shared, "before");
  auto al = label_layers(after, stages, m.shared, "after");
  size_t nb = before.info.layers.size(), na = after.info.layers.size();
  for (size_t i = 0; i < m.shared; ++i) {
    LayerDiffRow row{LayerDiffRow::Shared, static_cast<int>(i), static_cast<int>(i),
                     after.info.layers[i], 0, 0, al[i]};
    r.layers.push_back(std::move(row));
  }
  for (size_t i = m.shared; i < nb; ++i)
    r.layers.push_back({LayerDiffRow::BeforeOnly, static_cast<int>(i), -1, before.info.layers[i], 0, 0, bl[i]});
  for (size_t j = m.shared; j < na; ++j)
    r.layers.push_back({LayerDiffRow::AfterOnly, -1, static_cast<int>(j), after.info.layers[j], 0, 0, al[j]});
  auto brow = [&](uint32_t i) -> LayerDiffRow& { return r.layers[i < m.shared ? i : i]; };
  auto arow = [&](uint32_t j) -> LayerDiffRow& {
    return r.layers[j < m.shared ? j : nb + (j - m.shared)];
  };
  for (const auto& c : r.changes) {
    if (c.before && c.before->bytes && c.before->layer < nb) brow(c.before->layer).removed += c.before->bytes;
    if (c.after && c.after->bytes && c.after->layer < na) arow(c.after->layer).added += c.after->bytes;
  }

  r.top_added = top_of(r.changes, opt.top, [](const FileChange& c) {
    return c.kind == ChangeKind::Added ? c.after->bytes : 0;
  });
  r.top_removed = top_of(r.changes, opt.top, [](const FileChange& c) {
    return c.kind == ChangeKind::Removed ? c.before->bytes : 0;
  });
  r.top_grown = top_of(r.changes, opt.top, [](const FileChange& c) -> uint64_t {
    return c.kind == ChangeKind::Modified && c.delta() > 0 ? static_cast<uint64_t>(c.delta()) : 0;
  });
  r.top_shrunk = top_of(r.changes, opt.top, [](const FileChange& c) -> uint64_t {
    return c.kind == ChangeKind::Modified && c.delta() < 0 ? static_cast<uint64_t>(-c.delta()) : 0;
  });
  r.stages = build_stage_report(before, after, bl, al, stages, opt.top, opt.depth);
  return r;
}

}  // namespace layerdiff
