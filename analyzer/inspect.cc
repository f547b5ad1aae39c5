#include "analyzer/inspect.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "analyzer/path.h"

namespace layerdiff {
namespace {

struct DirNode {
  uint64_t bytes = 0, files = 0;
  std::map<std::string, DirNode, std::less<>> children;  ///< display path -> node
};

void cut(std::vector<SizeRow>& rows, size_t top);

std::vector<SizeRow> dir_rows(const DirNode& n, size_t top) {
  std::vector<SizeRow> rows;
  for (const auto& [path, child] : n.children) rows.push_back({path, child.bytes, child.files, dir_rows(child, top)});
  cut(rows, top);
  return rows;
}

void cut(std::vector<SizeRow>& rows, size_t top) {
  std::sort(rows.begin(), rows.end(), [](const SizeRow& a, const SizeRow& b) {
    return std::tie(b.bytes, a.label) < std::tie(a.bytes, b.label);
  });
  if (rows.size() <= top) return;
  SizeRow other{"[other]", 0, 0, {}};
  for (size_t i = top; i < rows.size(); ++i) {
    other.bytes += rows[i].bytes;
    other.count += rows[i].count;
  }
  rows.resize(top);
  rows.push_back(other);
}

}  // namespace

InspectReport build_inspect(const MergedImage& img, const InspectOptions& opt) {
  InspectReport r;
  r.image = img.info;
  const FileTree& t = img.tree;
  for (size_t i = 0; i < img.info.layers.size(); ++i) {
    LayerReport lr;
    lr.info = img.info.layers[i];
    if (i < img.stats.size()) lr.stats = img.stats[i];
    r.compressed_size += lr.info.compressed_size;
    r.tar_size += lr.info.tar_size;
    r.written_size += lr.stats.written_bytes;
    r.layers.push_back(std::move(lr));
  }

  DirNode root;
  std::vector<SizeRow> files;
  SizeTreeBuilder tree;
  std::map<std::pair<ContentDigest, uint64_t>, std::vector<std::string>> by_content;
  for (const PathRow& row : t.rows()) {
    const Inode& ino = t.inode(row.inode);
    switch (ino.type) {
      case EntryType::File: break;
      case EntryType::Dir: ++r.dirs; break;
      case EntryType::Symlink: ++r.symlinks; break;
      default: ++r.others; break;
    }
    if (ino.type != EntryType::File) continue;
    if (!row.first_name) {
      ++r.hardlinks;
      continue;
    }
    ++r.files;
    r.content_size += ino.size;
    if (ino.layer < r.layers.size()) r.layers[ino.layer].visible_bytes += ino.size;
    std::string shown = display_path(row.path);
    files.push_back({shown, ino.size, 1, {}});
    DirNode* d = &root;
    std::string prefix;
    int level = 0;
    for (auto part : split_path(row.path)) {
      if (level++ == opt.depth) break;
      prefix += "/";
      prefix += part;
      d = &d->children[prefix];
      d->bytes += ino.size;
      d->files += 1;
    }
    if (ino.size > 0) by_content[{ino.digest, ino.size}].push_back(shown);
    if (opt.treemap_nodes) tree.add({row.path, 0, ino.size, static_cast<int32_t>(ino.layer), false});
  }
  r.largest_dirs = dir_rows(root, opt.top);
  if (opt.treemap_nodes) r.treemap = tree.build(opt.treemap_nodes);
  r.largest_files = std::move(files);
  cut(r.largest_files, opt.top);

  std::vector<WasteRow> waste;
  for (const WasteRecord& w : img.waste) {
    r.wasted_bytes += w.bytes;
    if (w.layer < r.layers.size()) r.layers[w.layer].wasted_bytes += w.bytes;
    waste.push_back({display_path(w.path), w.bytes, 1, w.layer, w.removed_by, w.deleted});
  }
  std::sort(waste.begin(), waste.end(), [](const WasteRow& a, const WasteRow& b) {
    return std::tie(b.bytes, a.path, a.layer) < std::tie(a.bytes, b.path, b.layer);
  });
  if (waste.size() > opt.top) {
    WasteRow other{"[other]", 0, 0, 0, 0, false};
    for (size_t i = opt.top; i < waste.size(); ++i) {
      other.bytes += waste[i].bytes;
      other.count += 1;
    }
    waste.resize(opt.top);
    waste.push_back(other);
  }
  r.waste = std::move(waste);
  r.efficiency = r.written_size ? static_cast<double>(r.content_size) / r.written_size : 1.0;

  for (auto& [key, paths] : by_content) {
    if (paths.size() < 2) continue;
    DuplicateGroup g;
    g.size = key.second;
    g.paths = paths;
    std::sort(g.paths.begin(), g.paths.end());
    g.savings = g.size * (paths.size() - 1);
    r.duplicate_savings += g.savings;
    ++r.duplicate_groups;
    r.duplicates.push_back(std::move(g));
  }
  std::sort(r.duplicates.begin(), r.duplicates.end(),
            [](const DuplicateGroup& a, const DuplicateGroup& b) {
              return std::tie(b.savings, a.paths) < std::tie(a.savings, b.paths);
            });
  if (r.duplicates.size() > opt.top) {
    DuplicateGroup other;
    other.groups = 0;
    for (size_t i = opt.top; i < r.duplicates.size(); ++i) {
      other.savings += r.duplicates[i].savings;
      other.groups += 1;
    }
    r.duplicates.resize(opt.top);
    r.duplicates.push_back(std::move(other));
  }
  r.findings = find_findings(img);
  r.top = opt.top;
  return r;
}

}  // namespace layerdiff
