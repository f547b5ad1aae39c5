#include "analyzer/diff_report.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <tuple>

#include "analyzer/path.h"

namespace layerdiff {
namespace {

struct RollNode {
  uint64_t before = 0, after = 0;
  std::map<std::string, RollNode, std::less<>> children;
};

/// Adds every path's bytes (the carrier rule of diff.h) to the rollup, to `depth` levels.
void add_rows(RollNode& root, const std::vector<ListingRow>& rows, const std::vector<uint64_t>& bytes,
              bool is_after, int depth) {
  std::string prefix;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (bytes[i] == 0) continue;
    RollNode* n = &root;
    (is_after ? n->after : n->before) += bytes[i];
    std::string_view path = std::string_view(rows[i].path).substr(1);
    prefix.clear();
    int k = 0;
    for (size_t a = 0; a < path.size() && k < depth;) {  // the components, as split_path gives them
      size_t b = path.find('/', a);
      if (b == std::string_view::npos) b = path.size();
      if (b > a) {
        ++k;
        prefix += '/';
        prefix.append(path, a, b - a);
        auto it = n->children.find(prefix);
        if (it == n->children.end()) it = n->children.emplace(prefix, RollNode{}).first;
        n = &it->second;
        (is_after ? n->after : n->before) += bytes[i];
      }
      a = b + 1;
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

/// BEFORE ∪ AFTER: every path carrying bytes in either image, with the layer row charged with its
/// change (changes and listings are both sorted by path).
SizeNode diff_tree(const DiffReport& r, const TreePair& pair, size_t max_nodes) {
  SizeTreeBuilder tree;
  const auto& a = pair.before;
  const auto& b = pair.after;
  size_t i = 0, j = 0, k = 0;
  while (i < a.size() || j < b.size()) {
    int c = i == a.size() ? 1 : j == b.size() ? -1 : a[i].path.compare(b[j].path);
    std::string_view path = c <= 0 ? a[i].path : b[j].path;
    uint64_t before = c <= 0 ? pair.before_bytes[i] : 0;
    uint64_t after = c >= 0 ? pair.after_bytes[j] : 0;
    if (c <= 0) ++i;
    if (c >= 0) ++j;
    while (k < r.changes.size() && r.changes[k].path < path) ++k;
    const FileChange* fc = k < r.changes.size() && r.changes[k].path == path ? &r.changes[k] : nullptr;
    if (before == 0 && after == 0) continue;
    int32_t layer = fc ? static_cast<int32_t>(&r.row_of(fc->responsible) - r.layers.data()) : -1;
    tree.add({path, before, after, layer, fc && fc->content_changed()});
  }
  return tree.build(max_nodes);
}

}  // namespace

ImageSummary summarize(const MergedImage& img) {
  ImageSummary s;
  s.source = img.info.source;
  s.reference = img.info.reference;
  s.platform = img.info.platform;
  s.layout = img.info.layout;
  s.layers = img.info.layers.size();
  s.name = image_name(img.info);
  for (const auto& l : img.info.layers) {
    s.compressed_size += l.compressed_size;
    s.tar_size += l.tar_size;
    if (l.compression == "none") s.compressed_known = false;
  }
  for (const auto& r : img.tree.rows()) {
    const Inode& i = img.tree.inode(r.inode);
    if (i.type != EntryType::File || !r.first_name) continue;  // hardlinked files once
    ++s.files;
    s.content_size += i.size;
  }
  return s;
}

const LayerDiffRow& DiffReport::row_of(const LayerRef& r) const {
  size_t nb = before.layers;
  size_t i = r.index < shared_layers ? r.index
             : r.side == LayerRef::Before ? r.index
                                          : nb + (r.index - shared_layers);
  return layers.at(i);
}

DiffReport build_diff_report(const MergedImage& before, const MergedImage& after,
                             const StageInputs& stages, const DiffOptions& dopt,
                             const DiffReportOptions& opt) {
  DiffReport r;
  r.before = summarize(before);
  r.after = summarize(after);
  TreePair pair = pair_trees(before, after);
  r.changes = diff_trees(before, after, pair, dopt);
  for (const auto& c : r.changes) {
    switch (c.kind) {
      case ChangeKind::Added:
        ++r.added_paths;
        r.added_bytes += c.after->bytes;
        break;
      case ChangeKind::Removed:
        ++r.removed_paths;
        r.removed_bytes += c.before->bytes;
        break;
      case ChangeKind::Modified:
        ++r.modified_paths;
        if (c.delta() > 0) r.grown_bytes += static_cast<uint64_t>(c.delta());
        else r.shrunk_bytes += static_cast<uint64_t>(-c.delta());
        if (!c.content_changed()) ++r.metadata_only;
        break;
    }
  }

  RollNode root;
  add_rows(root, pair.before, pair.before_bytes, false, opt.depth);
  add_rows(root, pair.after, pair.after_bytes, true, opt.depth);
  r.rollup = to_row("TOTAL", root, 0, opt.top);

  r.labels = label_layers(&before, after, stages);
  size_t shared = match_layers(before.info, after.info).shared;
  r.shared_layers = shared;
  size_t nb = before.info.layers.size(), na = after.info.layers.size();
  for (size_t i = 0; i < shared; ++i)
    r.layers.push_back({LayerDiffRow::Shared, static_cast<int>(i), static_cast<int>(i),
                        after.info.layers[i], r.labels.after[i]});
  for (size_t i = shared; i < nb; ++i)
    r.layers.push_back({LayerDiffRow::BeforeOnly, static_cast<int>(i), -1, before.info.layers[i],
                        r.labels.before[i]});
  for (size_t j = shared; j < na; ++j)
    r.layers.push_back({LayerDiffRow::AfterOnly, -1, static_cast<int>(j), after.info.layers[j],
                        r.labels.after[j]});
  for (const auto& c : r.changes) {
    auto& row = const_cast<LayerDiffRow&>(r.row_of(c.responsible));
    ++row.paths;
    int64_t d = c.delta();
    if (d > 0) row.added += static_cast<uint64_t>(d);
    else row.removed += static_cast<uint64_t>(-d);
  }

  // Stages: the sums of their layers, in order of first appearance.
  r.stages.from_dockerfile = stages.dockerfile != nullptr;
  std::map<std::string, size_t> at;
  for (const auto& l : r.layers) {
    auto [it, fresh] = at.try_emplace(l.label.stage, r.stages.rows.size());
    if (fresh) r.stages.rows.push_back({l.label.stage});
    StageRow& s = r.stages.rows[it->second];
    s.added += l.added;
    s.removed += l.removed;
    ++s.layers;
  }
  r.stages.leftovers = stage_leftovers(after, r.labels, stages, opt.top, opt.depth);

  if (opt.treemap_nodes) r.treemap = diff_tree(r, pair, opt.treemap_nodes);

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
  r.config_changes = diff_configs(before.info.config, after.info.config, opt.config);
  r.new_findings = new_findings(find_findings(before), find_findings(after));
  r.top = opt.top;
  return r;
}

}  // namespace layerdiff
