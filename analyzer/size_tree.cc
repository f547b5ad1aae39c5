#include "analyzer/size_tree.h"

#include <algorithm>
#include <numeric>
#include <tuple>

#include "analyzer/path.h"

namespace layerdiff {

char change_class(uint64_t before, uint64_t after, bool content_changed) {
  if (before == 0 && after > 0) return 'a';
  if (after == 0 && before > 0) return 'r';
  if (after > before) return 'g';
  if (after < before) return 's';
  return content_changed ? 'c' : 'u';
}

namespace {

/// Folds a layer into an aggregate: -2 nothing yet, -1 several.
int32_t join_layer(int32_t acc, int32_t layer) {
  if (layer == -2) return acc;
  if (acc == -2) return layer;
  return acc == layer ? acc : -1;
}

}  // namespace

SizeTreeBuilder::SizeTreeBuilder() {
  Tmp root;
  root.name = "/";
  root.dir = true;
  nodes_.push_back(std::move(root));
  dirs_.emplace("", 0);
}

uint32_t SizeTreeBuilder::dir_of(std::string_view canonical) {
  if (auto it = dirs_.find(std::string(canonical)); it != dirs_.end()) return it->second;
  uint32_t parent = dir_of(parent_path(canonical));
  auto id = static_cast<uint32_t>(nodes_.size());
  Tmp t;
  t.name = std::string(base_name(canonical));
  t.parent = parent;
  t.dir = true;
  nodes_.push_back(std::move(t));
  nodes_[parent].children.push_back(id);
  dirs_.emplace(std::string(canonical), id);
  return id;
}

void SizeTreeBuilder::add(const SizeLeaf& leaf) {
  std::string_view p = leaf.path;
  while (!p.empty() && p.front() == '/') p.remove_prefix(1);
  if (p.empty()) return;  // the root is no file
  uint32_t parent = dir_of(parent_path(p));
  auto id = static_cast<uint32_t>(nodes_.size());
  Tmp t;
  t.name = std::string(base_name(p));
  t.parent = parent;
  t.before = leaf.before;
  t.after = leaf.after;
  t.weight = std::max(leaf.before, leaf.after);
  t.files = 1;
  t.layer = leaf.layer >= 0 && t.weight > 0 ? leaf.layer : -2;
  t.changed = leaf.content_changed;
  nodes_.push_back(std::move(t));
  nodes_[parent].children.push_back(id);
}

SizeNode SizeTreeBuilder::build(size_t max_nodes) {
  // Sums, children first (a child's index is above its parent's).
  if (!built_)
    for (size_t i = nodes_.size(); i-- > 1;) {
      Tmp& c = nodes_[i];
      Tmp& p = nodes_[c.parent];
      p.before += c.before;
      p.after += c.after;
      p.weight += c.weight;
      p.files += c.files;
      p.layer = join_layer(p.layer, c.layer);
      p.changed |= c.changed;
    }
  built_ = true;
  // Keep the max_nodes heaviest paths: parents sort before their children (weight >= the
  // child's, and a lower index), so the kept set is closed under taking parents.
  std::vector<uint32_t> order;
  for (uint32_t i = 1; i < nodes_.size(); ++i)
    if (nodes_[i].weight > 0) order.push_back(i);
  size_t n = std::min(max_nodes, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n), order.end(),
                    [&](uint32_t a, uint32_t b) {
                      return std::tie(nodes_[b].weight, a) < std::tie(nodes_[a].weight, b);
                    });
  std::vector<bool> keep(nodes_.size(), false);
  keep[0] = true;
  for (size_t k = 0; k < n; ++k) keep[order[k]] = true;
  return emit(0, keep);
}

SizeNode SizeTreeBuilder::emit(uint32_t i, const std::vector<bool>& keep) const {
  const Tmp& t = nodes_[i];
  SizeNode out;
  out.name = t.name;
  out.dir = t.dir;
  out.before = t.before;
  out.after = t.after;
  out.weight = t.weight;
  out.files = t.files;
  out.layer = t.layer < 0 ? -1 : t.layer;
  out.change = change_class(t.before, t.after, t.changed);
  SizeNode other;
  other.name = "[other]";
  int32_t other_layer = -2;
  bool other_changed = false;
  for (uint32_t c : t.children) {
    if (keep[c]) {
      out.children.push_back(emit(c, keep));
      continue;
    }
    // Folded: the child and everything below it.
    const Tmp& x = nodes_[c];
    other.before += x.before;
    other.after += x.after;
    other.weight += x.weight;
    other.files += x.files;
    other_layer = join_layer(other_layer, x.layer);
    other_changed |= x.changed;
    std::vector<uint32_t> stack{c};
    while (!stack.empty()) {
      uint32_t k = stack.back();
      stack.pop_back();
      ++other.folded;
      for (uint32_t g : nodes_[k].children) stack.push_back(g);
    }
  }
  std::sort(out.children.begin(), out.children.end(), [](const SizeNode& a, const SizeNode& b) {
    return std::tie(b.weight, a.name) < std::tie(a.weight, b.name);
  });
  if (other.folded) {
    other.layer = other_layer < 0 ? -1 : other_layer;
    other.change = change_class(other.before, other.after, other_changed);
    out.children.push_back(std::move(other));
  }
  return out;
}

}  // namespace layerdiff
