// inspect_test.cc: the size analysis and its invariants (every column sums to its total).
#include <gtest/gtest.h>

#include <functional>

#include "tests/test_util.h"

namespace layerdiff::test {
namespace {

TEST(Inspect, TotalsReconcileAndListsFoldIntoOther) {
  std::vector<LayerEntry> l0, l1;
  for (int i = 0; i < 30; ++i)
    l0.push_back(F("d" + std::to_string(i % 7) + "/f" + std::to_string(i), std::string(i + 1, 'x')));
  l1.push_back(W("d0/.wh.f0"));
  l1.push_back(F("d1/f1", "replaced"));
  auto img = merge({l0, l1});
  InspectOptions o;
  o.top = 3;
  InspectReport r = build_inspect(*img, o);
  ASSERT_EQ(r.largest_files.size(), 4u);
  EXPECT_EQ(r.largest_files.back().label, "[other]");
  EXPECT_EQ(r.largest_files[0].label, "/d1/f29");
  EXPECT_EQ(r.largest_dirs.back().label, "[other]");
  EXPECT_EQ(r.files, 29u);
  EXPECT_EQ(r.wasted_bytes, 1u + 2u);
  expect_sums(r);
}

TEST(Inspect, DirectoriesAreCumulativeAndNestedToTheDepth) {
  auto img = merge({{F("usr/lib/x/y.so", "12345"), F("usr/bin/ls", "123"), F("etc/a", "1"),
                     F("etc/apt/s", "1234"), F("top", "1")}});
  InspectOptions o;
  o.depth = 2;
  InspectReport r = build_inspect(*img, o);
  ASSERT_EQ(r.largest_dirs.size(), 3u);
  EXPECT_EQ(r.largest_dirs[0].label, "/usr");  // everything below it, as du counts
  EXPECT_EQ(r.largest_dirs[0].bytes, 8u);
  EXPECT_EQ(r.largest_dirs[0].count, 2u);
  ASSERT_EQ(r.largest_dirs[0].children.size(), 2u);
  EXPECT_EQ(r.largest_dirs[0].children[0].label, "/usr/lib");
  EXPECT_EQ(r.largest_dirs[0].children[0].bytes, 5u);
  EXPECT_TRUE(r.largest_dirs[0].children[0].children.empty());  // the depth cut
  EXPECT_EQ(r.largest_dirs[1].label, "/etc");
  EXPECT_EQ(r.largest_dirs[1].bytes, 5u);  // /etc holds /etc/apt: never smaller than a child
  EXPECT_EQ(r.largest_dirs[2].label, "/top");
  o.depth = 1;
  o.top = 1;
  r = build_inspect(*img, o);
  ASSERT_EQ(r.largest_dirs.size(), 2u);
  EXPECT_EQ(r.largest_dirs[0].label, "/usr");
  EXPECT_TRUE(r.largest_dirs[0].children.empty());
  EXPECT_EQ(r.largest_dirs[1].label, "[other]");
  EXPECT_EQ(r.largest_dirs[1].bytes, 6u);
  expect_sums(r);
}

// Files within the depth are rows of their directory beside its subdirectories; past -n they
// fold into [other] with the subdirectories that did not make it (ties go by path).
TEST(Inspect, FilesAndDirectoriesOfOneDirectoryFoldTogether) {
  auto img = merge({{F("d/f1", "1"), F("d/f5", "12345"), F("d/f3", "123"), F("d/f3b", "123"),
                     F("d/sub/x", "1234"), F("d/sub/y", "12"), F("d/other/z", "1"), F("d/f0", "")}});
  InspectOptions o;
  o.depth = 2;
  o.top = 3;
  InspectReport r = build_inspect(*img, o);
  ASSERT_EQ(r.largest_dirs.size(), 1u);
  const auto& d = r.largest_dirs[0].children;
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d[0].label, "/d/sub");  // 6 bytes, a directory
  EXPECT_EQ(d[0].count, 2u);
  EXPECT_EQ(d[1].label, "/d/f5");
  EXPECT_EQ(d[2].label, "/d/f3");  // 3 bytes like /d/f3b: the path decides
  EXPECT_EQ(d[3].label, "[other]");
  EXPECT_EQ(d[3].bytes, 3u + 1 + 1 + 0);  // f3b, f1, other/, f0
  EXPECT_EQ(d[3].count, 4u);
  o.top = 10;
  r = build_inspect(*img, o);
  EXPECT_EQ(r.largest_dirs[0].children.size(), 7u);  // every row, no [other]
  expect_sums(r);
}

// The rollup reuses the directories of the previous file in path order; a file between two
// directories that share its prefix ("a/b.c" sorts between "a/a/…" and "a/b/…") must not make
// the next file land in the wrong one. Checked against sums made path by path, at every depth.
TEST(Inspect, DirectoryRollupMatchesSumsByPathAtEveryDepth) {
  std::vector<std::pair<std::string, size_t>> files = {
      {"a/a/f", 1},      {"a/b.c", 10},    {"a/b/z", 100},   {"a/b/y/w", 1000}, {"a/bb/q", 10000},
      {"a/0-c/d", 3},    {"b", 7},         {"c/a/b/c/d", 5}, {"c/a/b/e", 9},    {"c/a/x", 11},
      {"c/ab/b/c", 13},  {"c/a.b/c", 17},  {"a/b/y.z", 19}};
  std::vector<LayerEntry> layer;
  for (const auto& [path, size] : files) layer.push_back(F(path, std::string(size, 'x')));
  auto img = merge({layer});
  for (int depth = 1; depth <= 5; ++depth) {
    InspectOptions o;
    o.depth = depth;
    o.top = 1000;  // every row shown
    InspectReport r = build_inspect(*img, o);
    size_t rows = 0;
    std::function<void(const std::vector<SizeRow>&)> check = [&](const std::vector<SizeRow>& v) {
      for (const SizeRow& row : v) {
        ASSERT_NE(row.label, "[other]");
        uint64_t want = 0, count = 0;
        for (const auto& [path, size] : files) {
          std::string shown = "/" + path;
          if (shown == row.label || shown.rfind(row.label + "/", 0) == 0) {
            want += size;
            ++count;
          }
        }
        EXPECT_EQ(row.bytes, want) << row.label << " at depth " << depth;
        EXPECT_EQ(row.count, count) << row.label << " at depth " << depth;
        ++rows;
        check(row.children);
      }
    };
    check(r.largest_dirs);
    EXPECT_GT(rows, 0u);
    expect_sums(r);
  }
}

TEST(Inspect, DuplicatesAreGroupedByContentAndSizeWithSavings) {
  auto img = merge({{F("a", "same-content"), F("b/c", "same-content"), F("d", "same-content"),
                     F("e", "other"), F("empty1", ""), F("empty2", "")}});
  InspectReport r = build_inspect(*img, {});
  ASSERT_EQ(r.duplicate_groups, 1u);
  EXPECT_EQ(r.duplicates[0].paths, (std::vector<std::string>{"/a", "/b/c", "/d"}));
  EXPECT_EQ(r.duplicate_savings, 24u);
}

TEST(Inspect, DuplicatesFoldTheRestIntoOther) {
  std::vector<LayerEntry> l;
  for (int i = 0; i < 5; ++i)
    for (int k = 0; k < 2; ++k) l.push_back(F("g" + std::to_string(i) + "/" + std::to_string(k), std::string(i + 1, 'a' + i)));
  auto img = merge({l});
  InspectOptions o;
  o.top = 2;
  InspectReport r = build_inspect(*img, o);
  EXPECT_EQ(r.duplicate_groups, 5u);
  ASSERT_EQ(r.duplicates.size(), 3u);
  EXPECT_EQ(r.duplicates[0].savings, 5u);
  EXPECT_TRUE(r.duplicates[2].paths.empty());
  EXPECT_EQ(r.duplicates[2].groups, 3u);
  EXPECT_EQ(r.duplicates[2].savings, 1u + 2 + 3);
  expect_sums(r);
}

TEST(Inspect, HardlinksAreNotDuplicates) {
  auto img = merge({{F("a", "content"), H("b", "a")}});
  InspectReport r = build_inspect(*img, {});
  EXPECT_EQ(r.duplicate_groups, 0u);
  EXPECT_EQ(r.content_size, 7u);
}

TEST(Inspect, WasteCountsEachWastedCopyOnceNotTheSurvivor) {
  // Written three times, visible once: two wasted copies (dive would count three).
  auto img = merge({{F("f", "aaaa")}, {F("f", "bbbb")}, {F("f", "cccc")}});
  InspectReport r = build_inspect(*img, {});
  EXPECT_EQ(r.wasted_bytes, 8u);
  EXPECT_EQ(r.content_size, 4u);
  EXPECT_NEAR(r.efficiency, 4.0 / 12.0, 1e-12);
  ASSERT_EQ(r.waste.size(), 2u);
  EXPECT_EQ(r.waste[0].removed_by, r.waste[0].layer + 1);
  expect_sums(r);
}

TEST(Inspect, EmptyImageHasFullEfficiency) {
  auto img = merge({{}});
  InspectReport r = build_inspect(*img, {});
  EXPECT_EQ(r.content_size, 0u);
  EXPECT_DOUBLE_EQ(r.efficiency, 1.0);
  expect_sums(r);
}

}  // namespace
}  // namespace layerdiff::test
