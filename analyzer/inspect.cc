#include "analyzer/inspect.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "analyzer/path.h"

namespace layerdiff {
namespace {

/// A file within the rollup's depth is a row of its directory: kept as (size, row index) and
/// named only when it is among the rows shown (a flat image has a million of them).
struct Leaf {
  uint64_t size;
  uint32_t row;
};

struct DirNode {
  uint64_t bytes = 0, files = 0;
  std::map<std::string, DirNode, std::less<>> children;  ///< display path -> node
  std::vector<Leaf> leaves;                               ///< files directly in it
};

/// Stable LSD radix sort of `v` by its `size` field, 11 bits a pass, as many passes as the
/// largest size needs (3 for sizes below 8 GiB): a comparison sort of 200k copies was 18% of a
/// warm inspect.
template <class T>
void radix_sort_by_size(std::vector<T>& v) {
  uint64_t largest = 0;
  for (const T& x : v) largest = std::max(largest, x.size);
  std::vector<T> out(v.size());
  for (unsigned shift = 0; shift < 64 && (largest >> shift) != 0; shift += 11) {
    std::vector<size_t> start(2049, 0);
    for (const T& x : v) ++start[((x.size >> shift) & 2047) + 1];
    for (size_t b = 0; b < 2048; ++b) start[b + 1] += start[b];
    for (const T& x : v) out[start[(x.size >> shift) & 2047]++] = x;
    v.swap(out);
  }
}

/// Sorts rows by size then label and folds all but the first `top` into "[other]", which also
/// holds `rest_bytes` in `rest_count` files that are not among `rows`.
void cut(std::vector<SizeRow>& rows, size_t top, uint64_t rest_bytes = 0, uint64_t rest_count = 0) {
  std::sort(rows.begin(), rows.end(), [](const SizeRow& a, const SizeRow& b) {
    return std::tie(b.bytes, a.label) < std::tie(a.bytes, b.label);
  });
  if (rows.size() <= top && rest_count == 0) return;
  SizeRow other{"[other]", rest_bytes, rest_count, {}};
  for (size_t i = top; i < rows.size(); ++i) {
    other.bytes += rows[i].bytes;
    other.count += rows[i].count;
  }
  if (rows.size() > top) rows.resize(top);
  rows.push_back(other);
}

std::vector<SizeRow> dir_rows(DirNode& n, size_t top, const RowsView& all) {
  std::vector<SizeRow> rows;
  for (auto& [path, child] : n.children) rows.push_back({path, child.bytes, child.files, dir_rows(child, top, all)});
  // Only the `top` largest files can be shown (by size, then path: row order is path order).
  size_t shown = std::min(n.leaves.size(), top);
  std::partial_sort(n.leaves.begin(), n.leaves.begin() + static_cast<std::ptrdiff_t>(shown), n.leaves.end(),
                    [](const Leaf& a, const Leaf& b) { return a.size != b.size ? a.size > b.size : a.row < b.row; });
  uint64_t rest_bytes = 0;
  for (size_t i = 0; i < n.leaves.size(); ++i) {
    if (i < shown) rows.push_back({display_path(all[n.leaves[i].row].path), n.leaves[i].size, 1, {}});
    else rest_bytes += n.leaves[i].size;
  }
  cut(rows, top, rest_bytes, n.leaves.size() - shown);
  return rows;
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
  SizeTreeBuilder tree;
  // Files and copies by row index: a path becomes a string only for the rows reported.
  struct FileRef {
    uint64_t size;
    uint32_t row;
  };
  struct Copy {
    ContentDigest digest;
    uint64_t size;
    uint32_t row;
  };
  std::vector<FileRef> files;
  std::vector<Copy> copies;
  std::string prefix;
  const RowsView rows = t.rows();
  {
    size_t n = 0, copies_n = 0;  // sized once: a growing vector holds up to twice its content
    for (const PathRow row : rows) {
      const Inode& ino = t.inode(row.inode);
      if (ino.type != EntryType::File || !row.first_name) continue;
      ++n;
      copies_n += ino.size > 0;
    }
    files.reserve(n);
    copies.reserve(copies_n);
  }
  // The directories the last file rolled up went through, by level: (end of its path at that
  // level, node). The next file in path order reuses those it shares instead of a map lookup.
  std::vector<std::pair<size_t, DirNode*>> chain;
  std::string_view last;
  for (uint32_t k = 0; k < rows.size(); ++k) {
    const PathRow row = rows[k];
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
    files.push_back({ino.size, k});
    DirNode* d = &root;
    prefix.clear();
    int level = 0;
    for (size_t i = 0; i < row.path.size() && level < opt.depth;) {
      size_t j = row.path.find('/', i);
      if (j == std::string_view::npos) j = row.path.size();
      if (j == row.path.size()) {  // the file itself, within the depth: a row of its directory
        d->leaves.push_back({ino.size, k});
        break;
      }
      if (j > i) {
        ++level;
        prefix += '/';
        prefix.append(row.path, i, j - i);
        const size_t l = static_cast<size_t>(level - 1);
        if (l < chain.size() && chain[l].first == j && row.path.compare(0, j, last, 0, j) == 0) {
          d = chain[l].second;  // the previous row's directory at this level (rows are sorted)
        } else {
          auto it = d->children.find(prefix);
          if (it == d->children.end()) it = d->children.emplace(prefix, DirNode{}).first;
          d = &it->second;
          chain.resize(l);
          chain.emplace_back(j, d);
        }
        d->bytes += ino.size;
        d->files += 1;
      }
      i = j + 1;
    }
    chain.resize(static_cast<size_t>(level));  // only the levels this row went through
    last = row.path;
    if (ino.size > 0) copies.push_back({ino.digest, ino.size, k});
    if (opt.treemap_nodes) tree.add({row.path, 0, ino.size, static_cast<int32_t>(ino.layer), false});
  }
  r.largest_dirs = dir_rows(root, opt.top, rows);
  if (opt.treemap_nodes) r.treemap = tree.build(opt.treemap_nodes);
  // Largest files: by size, then path (row order is path order), as cut() orders rows.
  auto bigger = [](const FileRef& a, const FileRef& b) {
    return a.size != b.size ? a.size > b.size : a.row < b.row;
  };
  size_t shown = std::min(files.size(), opt.top);
  std::partial_sort(files.begin(), files.begin() + static_cast<std::ptrdiff_t>(shown), files.end(), bigger);
  for (size_t i = 0; i < shown; ++i)
    r.largest_files.push_back({display_path(rows[files[i].row].path), files[i].size, 1, {}});
  if (files.size() > opt.top) {
    SizeRow other{"[other]", 0, 0, {}};
    for (size_t i = opt.top; i < files.size(); ++i) {
      other.bytes += files[i].size;
      other.count += 1;
    }
    r.largest_files.push_back(other);
  }

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

  // Duplicates: copies with the same content next to each other, each group in path order.
  // Ordered by (size, digest, row): a stable radix sort by size (copies come in row order), then
  // each run of one size by digest; most sizes are unique, so most runs are one copy.
  radix_sort_by_size(copies);
  for (size_t i = 0, j; i < copies.size(); i = j) {
    for (j = i + 1; j < copies.size() && copies[j].size == copies[i].size;) ++j;
    if (j - i > 1)
      std::sort(copies.begin() + static_cast<std::ptrdiff_t>(i), copies.begin() + static_cast<std::ptrdiff_t>(j),
                [](const Copy& a, const Copy& b) { return std::tie(a.digest, a.row) < std::tie(b.digest, b.row); });
  }
  for (size_t i = 0, j; i < copies.size(); i = j) {
    for (j = i + 1; j < copies.size() && copies[j].digest == copies[i].digest && copies[j].size == copies[i].size;)
      ++j;
    if (j - i < 2) continue;
    DuplicateGroup g;
    g.size = copies[i].size;
    for (size_t k = i; k < j; ++k) g.paths.push_back(display_path(rows[copies[k].row].path));
    g.savings = g.size * (j - i - 1);
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
