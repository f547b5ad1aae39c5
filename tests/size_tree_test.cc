// size_tree_test.cc: the treemap's tree of sizes: sums at every node, the node budget, folding
// into [other], layers and change classes; and the trees inspect and diff reports carry.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "analyzer/diff_report.h"
#include "analyzer/size_tree.h"
#include "tests/test_util.h"

namespace layerdiff::test {
namespace {

/// Every directory's numbers are its children's sums; returns the paths kept by name below n.
size_t expect_sums(const SizeNode& n, const std::string& path = "") {
  if (n.children.empty()) return 0;
  uint64_t b = 0, a = 0, w = 0, f = 0;
  size_t named = 0;
  for (const auto& c : n.children) {
    b += c.before;
    a += c.after;
    w += c.weight;
    f += c.files;
    EXPECT_GE(c.weight, std::max(c.before, c.after)) << path << "/" << c.name;
    if (c.name != "[other]") named += 1 + expect_sums(c, path + "/" + c.name);
    else
      EXPECT_TRUE(c.children.empty());
  }
  EXPECT_EQ(b, n.before) << path;
  EXPECT_EQ(a, n.after) << path;
  EXPECT_EQ(w, n.weight) << path;
  EXPECT_EQ(f, n.files) << path;
  for (size_t i = 1; i < n.children.size(); ++i) {
    if (n.children[i].name != "[other]") {
      EXPECT_GE(n.children[i - 1].weight, n.children[i].weight) << path;
    }
  }
  return named;
}

const SizeNode* child(const SizeNode& n, const std::string& name) {
  for (const auto& c : n.children)
    if (c.name == name) return &c;
  return nullptr;
}

TEST(SizeTree, SumsLayersAndFolding) {
  SizeTreeBuilder t;
  t.add({"usr/lib/a.so", 0, 1000, 1, false});
  t.add({"usr/lib/b.so", 0, 500, 1, false});
  t.add({"usr/lib/c.so", 0, 3, 2, false});
  t.add({"usr/bin/ls", 0, 200, 0, false});
  t.add({"/etc/passwd", 0, 50, 0, false});  // display paths work too
  t.add({"etc/empty", 0, 0, 3, false});     // a file of 0 bytes: counted, never kept, no layer
  SizeNode root = t.build(3);
  EXPECT_EQ(root.name, "/");
  EXPECT_EQ(root.after, 1753u);
  EXPECT_EQ(root.files, 6u);
  EXPECT_EQ(root.layer, -1);  // layers 0, 1 and 2
  EXPECT_EQ(expect_sums(root), 3u);  // the budget: usr, usr/lib, usr/lib/a.so
  const SizeNode* usr = child(root, "usr");
  ASSERT_TRUE(usr);
  ASSERT_EQ(root.children.size(), 2u);
  EXPECT_EQ(root.children[1].name, "[other]");
  EXPECT_EQ(root.children[1].after, 50u);
  EXPECT_EQ(root.children[1].files, 2u);
  EXPECT_EQ(root.children[1].folded, 3u);  // etc, etc/passwd, etc/empty
  EXPECT_EQ(root.children[1].layer, 0);    // the empty file has no bytes, so no say
  const SizeNode* lib = child(*usr, "lib");
  ASSERT_TRUE(lib);
  EXPECT_EQ(lib->layer, -1);
  ASSERT_EQ(lib->children.size(), 2u);
  EXPECT_EQ(lib->children[0].name, "a.so");
  EXPECT_FALSE(lib->children[0].dir);
  EXPECT_EQ(lib->children[0].layer, 1);
  EXPECT_EQ(lib->children[1].after, 503u);
  EXPECT_EQ(lib->children[1].layer, -1);  // b.so (1) and c.so (2)
  // usr/bin folded whole, below a kept directory.
  EXPECT_EQ(usr->children.back().name, "[other]");
  EXPECT_EQ(usr->children.back().folded, 2u);

  // A budget covering everything keeps every path with bytes.
  SizeTreeBuilder all;
  all.add({"usr/lib/a.so", 0, 1000, 1, false});
  all.add({"usr/bin/ls", 0, 200, 0, false});
  all.add({"etc/empty", 0, 0, 3, false});
  SizeNode r = all.build(1000);
  EXPECT_EQ(expect_sums(r), 5u);  // usr, usr/lib, a.so, usr/bin, ls
  ASSERT_EQ(r.children.back().name, "[other]");  // etc holds no byte: folded, yet counted
  EXPECT_EQ(r.children.back().files, 1u);
  EXPECT_EQ(r.children.back().folded, 2u);
  EXPECT_EQ(r.children.back().weight, 0u);
}

TEST(SizeTree, DiffWeightsAndClasses) {
  EXPECT_EQ(change_class(0, 5, true), 'a');
  EXPECT_EQ(change_class(5, 0, true), 'r');
  EXPECT_EQ(change_class(5, 7, true), 'g');
  EXPECT_EQ(change_class(7, 5, true), 's');
  EXPECT_EQ(change_class(7, 7, true), 'c');
  EXPECT_EQ(change_class(7, 7, false), 'u');
  SizeTreeBuilder t;
  t.add({"a/new", 0, 10, 4, true});
  t.add({"a/gone", 30, 0, 2, true});
  t.add({"a/same", 5, 5, -1, false});
  SizeNode root = t.build(100);
  expect_sums(root);
  EXPECT_EQ(root.before, 35u);
  EXPECT_EQ(root.after, 15u);
  EXPECT_EQ(root.weight, 45u);  // BEFORE ∪ AFTER: each file at its larger size
  EXPECT_EQ(root.change, 's');
  const SizeNode* a = child(root, "a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->layer, -1);  // two rows charged; the unchanged file counts for none
  EXPECT_EQ(child(*a, "new")->change, 'a');
  EXPECT_EQ(child(*a, "gone")->change, 'r');
  EXPECT_EQ(child(*a, "same")->change, 'u');
  EXPECT_EQ(child(*a, "same")->layer, -1);
}

TEST(SizeTree, KeepsTheHeaviestAndTheirParents) {
  // 200 files of distinct sizes in 20 directories: the kept set is exactly the heaviest paths.
  SizeTreeBuilder t;
  std::vector<std::pair<uint64_t, std::string>> all;
  std::map<std::string, uint64_t> dirs;
  for (int i = 0; i < 200; ++i) {
    std::string d = "d" + std::to_string(i % 20);
    std::string p = d + "/f" + std::to_string(i);
    uint64_t size = 1000 + static_cast<uint64_t>(i) * 7;
    t.add({p, 0, size, i % 3, false});
    all.push_back({size, p});
    dirs[d] += size;
  }
  for (auto& [d, s] : dirs) all.push_back({s, d});
  std::sort(all.begin(), all.end(), std::greater<>());
  for (size_t budget : {1u, 5u, 37u, 219u, 220u, 1000u}) {
    SizeTreeBuilder copy = t;
    SizeNode root = copy.build(budget);
    EXPECT_EQ(root.after, [&] { uint64_t s = 0; for (auto& [d, v] : dirs) s += v; return s; }());
    std::set<std::string> kept;
    std::function<void(const SizeNode&, const std::string&)> walk = [&](const SizeNode& n, const std::string& p) {
      for (const auto& c : n.children)
        if (c.name != "[other]") {
          kept.insert(p + c.name);
          walk(c, p + c.name + "/");
        }
    };
    walk(root, "");
    EXPECT_EQ(expect_sums(root), kept.size());
    std::set<std::string> want;
    for (size_t k = 0; k < std::min(budget, all.size()); ++k) want.insert(all[k].second);
    EXPECT_EQ(kept, want) << budget;
  }
}

TEST(SizeTree, InspectReportTree) {
  auto img = merge({{D("usr"), F("usr/a", std::string(100, 'a')), F("usr/b", std::string(40, 'b')),
                     F("top", "xyz"), F("empty", "")},
                    {F("usr/c", std::string(70, 'c')), H("usr/c2", "usr/c"), W("usr/.wh.b")}});
  InspectOptions o;
  o.treemap_nodes = 100;
  InspectReport r = build_inspect(*img, o);
  expect_sums(r.treemap);
  EXPECT_EQ(r.treemap.after, r.content_size);
  EXPECT_EQ(r.treemap.files, r.files);
  const SizeNode* usr = child(r.treemap, "usr");
  ASSERT_TRUE(usr);
  EXPECT_EQ(usr->after, 170u);
  EXPECT_EQ(usr->layer, -1);
  EXPECT_EQ(child(*usr, "c")->layer, 1);
  EXPECT_EQ(child(*usr, "c2"), nullptr);  // the second name of a file carries no bytes
  EXPECT_EQ(child(r.treemap, "top")->layer, 0);
  InspectReport none = build_inspect(*img, {});
  EXPECT_TRUE(none.treemap.children.empty());
}

TEST(SizeTree, DiffReportTree) {
  auto b = merge({{D("a"), F("a/keep", std::string(10, 'k')), F("a/grow", "12"), F("a/gone", std::string(30, 'g'))}});
  auto a = merge({{D("a"), F("a/keep", std::string(10, 'k')), F("a/grow", "12345"), F("a/new", "nn"),
                   F("b/x", std::string(9, 'x'))}});
  b->info.layers[0].diff_id = "sha256:b0";
  a->info.layers[0].diff_id = "sha256:a0";
  DiffReportOptions o;
  o.treemap_nodes = 100;
  o.depth = 1;
  DiffReport r = build_diff_report(*b, *a, {}, {}, o);
  expect_sums(r.treemap);
  EXPECT_EQ(r.treemap.before, r.before.content_size);
  EXPECT_EQ(r.treemap.after, r.after.content_size);
  // The directories match the rollup's rows.
  for (const auto& row : r.rollup.children) {
    const SizeNode* n = child(r.treemap, row.label.substr(1));
    ASSERT_TRUE(n) << row.label;
    EXPECT_EQ(n->before, row.before);
    EXPECT_EQ(n->after, row.after);
  }
  const SizeNode* dir = child(r.treemap, "a");
  EXPECT_EQ(child(*dir, "keep")->change, 'u');
  EXPECT_EQ(child(*dir, "keep")->layer, -1);
  EXPECT_EQ(child(*dir, "grow")->change, 'g');
  EXPECT_EQ(child(*dir, "gone")->change, 'r');
  EXPECT_EQ(child(*dir, "new")->change, 'a');
  // Every change here is charged to a row of the layers table.
  const SizeNode* gone = child(*dir, "gone");
  ASSERT_GE(gone->layer, 0);
  EXPECT_EQ(r.layers.at(static_cast<size_t>(gone->layer)).status, LayerDiffRow::BeforeOnly);
  EXPECT_EQ(r.layers.at(static_cast<size_t>(child(*dir, "new")->layer)).status, LayerDiffRow::AfterOnly);
  EXPECT_EQ(child(r.treemap, "b")->change, 'a');
}

}  // namespace
}  // namespace layerdiff::test
