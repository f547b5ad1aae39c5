// merge_test.cc: each OCI overlay rule on layers built in memory.
#include <gtest/gtest.h>

#include <map>

#include "analyzer/error.h"
#include "analyzer/listing.h"
#include "tests/test_util.h"

namespace layerdiff::test {
namespace {

std::string lines(std::initializer_list<const char*> ls) {
  std::string s;
  for (auto* l : ls) s += std::string(l) + "\n";
  return s;
}

TEST(Merge, SingleLayerListsEveryTypeSortedBytewise) {
  LayerEntry c = D("dev");
  LayerEntry null;
  null.path = "dev/null";
  null.type = EntryType::CharDev;
  null.mode = 0666;
  null.dev_major = 1;
  null.dev_minor = 3;
  LayerEntry fifo;
  fifo.path = "run/fifo";
  fifo.type = EntryType::Fifo;
  fifo.mode = 0600;
  auto img = merge({{D("a"), F("a/b", "xyz"), F("a-c", "1", 04755), L("lnk", "a/b"), c, null, fifo}});
  EXPECT_EQ(ls(*img), lines({"/a\td\t0\t0755\t0\t0\t", "/a-c\tf\t1\t4755\t0\t0\t",
                             "/a/b\tf\t3\t0644\t0\t0\t", "/dev\td\t0\t0755\t0\t0\t",
                             "/dev/null\tc\t0\t0666\t0\t0\t1,3", "/lnk\tl\t0\t0777\t0\t0\ta/b",
                             "/run\td\t0\t0755\t0\t0\t", "/run/fifo\tp\t0\t0600\t0\t0\t"}));
}

TEST(Merge, PathFormsAreNormalised) {
  auto img = merge({{D("./etc/"), F("./etc//passwd", "x"), F("/abs", "y"), F("a/./b/../c", "z")}});
  EXPECT_EQ(ls(*img), lines({"/a\td\t0\t0755\t0\t0\t", "/a/c\tf\t1\t0644\t0\t0\t",
                             "/abs\tf\t1\t0644\t0\t0\t", "/etc\td\t0\t0755\t0\t0\t",
                             "/etc/passwd\tf\t1\t0644\t0\t0\t"}));
}

TEST(Merge, WhiteoutRemovesLowerFile) {
  auto img = merge({{F("a", "1"), F("b", "22")}, {W(".wh.a")}});
  EXPECT_EQ(ls(*img), lines({"/b\tf\t2\t0644\t0\t0\t"}));
  ASSERT_EQ(img->waste.size(), 1u);
  EXPECT_EQ(img->waste[0].path, "a");
  EXPECT_EQ(img->waste[0].layer, 0u);
  EXPECT_EQ(img->waste[0].removed_by, 1u);
  EXPECT_TRUE(img->waste[0].deleted);
}

TEST(Merge, WhiteoutRemovesDirectoryWithSubtree) {
  auto img = merge({{D("d"), D("d/e"), F("d/e/f", "123"), F("d/g", "4"), F("keep", "")},
                    {W(".wh.d")}});
  EXPECT_EQ(ls(*img), lines({"/keep\tf\t0\t0644\t0\t0\t"}));
  uint64_t wasted = 0;
  for (auto& w : img->waste) wasted += w.bytes;
  EXPECT_EQ(wasted, 4u);
}

TEST(Merge, WhiteoutAppliesOnlyToLowerLayersWhateverTheOrder) {
  // The same layer recreates the path after (or before) whiting it out: the new entry stays.
  auto before = merge({{F("x", "old")}, {W(".wh.x"), F("x", "new!")}});
  auto after = merge({{F("x", "old")}, {F("x", "new!"), W(".wh.x")}});
  EXPECT_EQ(ls(*before), lines({"/x\tf\t4\t0644\t0\t0\t"}));
  EXPECT_EQ(ls(*after), ls(*before));
}

TEST(Merge, WhiteoutOfMissingPathIsHarmless) {
  auto img = merge({{F("a", "1")}, {W("nodir/.wh.x"), W(".wh.y")}});
  EXPECT_EQ(ls(*img), lines({"/a\tf\t1\t0644\t0\t0\t"}));
}

TEST(Merge, OpaqueDirectoryHidesLowerButKeepsSameLayerInAnyOrder) {
  std::vector<LayerEntry> base{D("o"), F("o/a", "aa"), D("o/sub"), F("o/sub/b", "b"), F("p", "1")};
  auto marker_first = merge({base, {D("o"), W("o/.wh..wh..opq"), F("o/new", "n")}});
  auto marker_last = merge({base, {D("o"), F("o/new", "n"), W("o/.wh..wh..opq")}});
  std::string want = lines({"/o\td\t0\t0755\t0\t0\t", "/o/new\tf\t1\t0644\t0\t0\t",
                            "/p\tf\t1\t0644\t0\t0\t"});
  EXPECT_EQ(ls(*marker_first), want);
  EXPECT_EQ(ls(*marker_last), want);
}

TEST(Merge, OpaqueOnlyAffectsItsDirectory) {
  auto img = merge({{D("o"), F("o/a", "1"), D("q"), F("q/b", "2")}, {W("o/.wh..wh..opq")}});
  EXPECT_EQ(ls(*img), lines({"/o\td\t0\t0755\t0\t0\t", "/q\td\t0\t0755\t0\t0\t",
                             "/q/b\tf\t1\t0644\t0\t0\t"}));
}

TEST(Merge, FileReplacesDirectoryAndItsSubtree) {
  auto img = merge({{D("t"), F("t/x", "12345"), D("t/y")}, {F("t", "file")}});
  EXPECT_EQ(ls(*img), lines({"/t\tf\t4\t0644\t0\t0\t"}));
  ASSERT_EQ(img->waste.size(), 1u);
  EXPECT_FALSE(img->waste[0].deleted);
}

TEST(Merge, DirectoryReplacesFile) {
  auto img = merge({{F("t", "file")}, {D("t", 0700), F("t/c", "c")}});
  EXPECT_EQ(ls(*img), lines({"/t\td\t0\t0700\t0\t0\t", "/t/c\tf\t1\t0644\t0\t0\t"}));
}

TEST(Merge, DirectoryOverDirectoryKeepsChildrenAndTakesNewMetadata) {
  LayerEntry d = D("d", 01777);
  d.uid = 5;
  d.gid = 6;
  auto img = merge({{D("d"), F("d/a", "1")}, {d}});
  EXPECT_EQ(ls(*img), lines({"/d\td\t0\t1777\t5\t6\t", "/d/a\tf\t1\t0644\t0\t0\t"}));
}

TEST(Merge, SymlinkReplacesDirectory) {
  auto img = merge({{D("lib"), F("lib/x", "1")}, {L("lib", "usr/lib")}});
  EXPECT_EQ(ls(*img), lines({"/lib\tl\t0\t0777\t0\t0\tusr/lib"}));
}

TEST(Merge, ImplicitParentsAreRootOwned0755) {
  auto img = merge({{F("a/b/c", "x")}});
  EXPECT_EQ(ls(*img), lines({"/a\td\t0\t0755\t0\t0\t", "/a/b\td\t0\t0755\t0\t0\t",
                             "/a/b/c\tf\t1\t0644\t0\t0\t"}));
}

TEST(Merge, ParentSymlinkIsFollowedInsideTheRoot) {
  // Debian's merged /usr: /lib -> usr/lib. A layer writing lib/x lands in usr/lib/x.
  auto img = merge({{D("usr"), D("usr/lib"), L("lib", "usr/lib")}, {F("lib/x", "1")}});
  EXPECT_EQ(ls(*img), lines({"/lib\tl\t0\t0777\t0\t0\tusr/lib", "/usr\td\t0\t0755\t0\t0\t",
                             "/usr/lib\td\t0\t0755\t0\t0\t", "/usr/lib/x\tf\t1\t0644\t0\t0\t"}));
  // An absolute target that climbs above the root is clamped at the root.
  auto img2 = merge({{D("d"), L("esc", "../../d")}, {F("esc/y", "2")}});
  EXPECT_NE(ls(*img2).find("/d/y\tf\t1"), std::string::npos);
}

TEST(Merge, HardlinkWithinLayerCountsBytesOnce) {
  auto img = merge({{F("b", "hello"), H("a", "b")}});
  EXPECT_EQ(ls(*img), lines({"/a\tf\t5\t0644\t0\t0\t", "/b\th\t5\t0644\t0\t0\t/a"}));
  InspectReport r = build_inspect(*img, {});
  EXPECT_EQ(r.content_size, 5u);
  EXPECT_EQ(r.hardlinks, 1u);
  expect_sums(r);
}

TEST(Merge, HardlinkFirstNameInSortOrderIsTheFile) {
  auto img = merge({{F("z", "hello"), H("m", "z"), H("a", "z")}});
  EXPECT_EQ(ls(*img), lines({"/a\tf\t5\t0644\t0\t0\t", "/m\th\t5\t0644\t0\t0\t/a",
                             "/z\th\t5\t0644\t0\t0\t/a"}));
}

TEST(Merge, HardlinkToLowerLayerFile) {
  auto img = merge({{F("lower", "12345678")}, {H("link", "lower")}});
  EXPECT_EQ(ls(*img), lines({"/link\tf\t8\t0644\t0\t0\t", "/lower\th\t8\t0644\t0\t0\t/link"}));
  InspectReport r = build_inspect(*img, {});
  EXPECT_EQ(r.content_size, 8u);
  EXPECT_EQ(r.layers[0].visible_bytes, 8u);
  EXPECT_EQ(r.layers[1].stats.written_bytes, 0u);
  expect_sums(r);
}

TEST(Merge, OverwritingOneHardlinkNameKeepsTheOther) {
  auto img = merge({{F("a", "old"), H("b", "a")}, {F("a", "newer")}});
  EXPECT_EQ(ls(*img), lines({"/a\tf\t5\t0644\t0\t0\t", "/b\tf\t3\t0644\t0\t0\t"}));
  EXPECT_TRUE(img->waste.empty());  // the old inode still has a name
}

TEST(Merge, DeletingAllNamesOfAHardlinkedFileWastesItOnce) {
  auto img = merge({{F("a", "data"), H("b", "a")}, {W(".wh.a"), W(".wh.b")}});
  EXPECT_EQ(ls(*img), "");
  ASSERT_EQ(img->waste.size(), 1u);
  EXPECT_EQ(img->waste[0].bytes, 4u);
}

TEST(Merge, HardlinkErrorsNameThePath) {
  try {
    merge({{H("a", "missing")}});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "test.tar: layer aaaaaaaaaaaa: /a: hardlink target /missing does not exist");
  }
  EXPECT_THROW(merge({{D("d"), H("a", "d")}}), Error);
  EXPECT_THROW(merge({{F("x", "1"), H("a", "../x")}}), Error);
}

TEST(Merge, PathEscapingTheRootIsAnErrorNamingLayerAndPath) {
  try {
    merge({{F("ok", "1")}, {F("a/../../etc/passwd", "x")}});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "test.tar: layer bbbbbbbbbbbb: a/../../etc/passwd: path escapes the image root "
                 "through '..'");
  }
}

TEST(Merge, NonDirectoryParentIsAnError) {
  try {
    merge({{F("f", "1")}, {F("f/x", "2")}});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "test.tar: layer bbbbbbbbbbbb: /f/x: parent /f is not a directory");
  }
}

TEST(Merge, SymlinkLoopInParentIsAnError) {
  EXPECT_THROW(merge({{L("a", "b"), L("b", "a")}, {F("a/x", "1")}}), Error);
}

TEST(Merge, RootEntrySetsRootMetadataAndIsNotListed) {
  LayerEntry root = D("./", 0700);
  auto img = merge({{root, F("a", "1")}});
  EXPECT_EQ(ls(*img), lines({"/a\tf\t1\t0644\t0\t0\t"}));
  EXPECT_EQ(img->tree.inode(img->tree.root().inode).mode, 0700u);
}

TEST(Merge, ReservedWhiteoutNamesNeverAppear) {
  auto img = merge({{F("a", "1")}, {W(".wh..wh.plnk"), D(".wh..wh.aufs")}});
  EXPECT_EQ(ls(*img), lines({"/a\tf\t1\t0644\t0\t0\t"}));
}

TEST(Merge, ChmodOnlyLayerWastesTheLowerCopy) {
  LayerEntry again = F("bin/tool", "0123456789", 0755);
  again.uid = 1000;
  auto img = merge({{F("bin/tool", "0123456789")}, {again}});
  EXPECT_EQ(ls(*img), lines({"/bin\td\t0\t0755\t0\t0\t", "/bin/tool\tf\t10\t0755\t1000\t0\t"}));
  InspectReport r = build_inspect(*img, {});
  EXPECT_EQ(r.wasted_bytes, 10u);
  EXPECT_EQ(r.layers[0].wasted_bytes, 10u);
  EXPECT_EQ(r.layers[1].visible_bytes, 10u);
  EXPECT_DOUBLE_EQ(r.efficiency, 0.5);
  expect_sums(r);
}

TEST(Merge, XattrsModesOwnersAndTimesAreKept) {
  LayerEntry f = F("f", "1", 06755);
  f.uid = 7;
  f.gid = 8;
  f.mtime = 1700000000;
  f.xattrs = {{"security.capability", std::string("\x01\x00", 2)}, {"user.a", "b"}};
  auto img = merge({{f}});
  const Node* n = img->tree.find("f");
  ASSERT_NE(n, nullptr);
  const Inode& i = img->tree.inode(n->inode);
  EXPECT_EQ(i.mode, 06755u);
  EXPECT_EQ(i.uid, 7u);
  EXPECT_EQ(i.gid, 8u);
  EXPECT_EQ(i.mtime, 1700000000);
  EXPECT_EQ(img->tree.xattrs(n->inode), f.xattrs);
}

// ---------------------------------------------------------------------------------------------
// What each layer did: the merge's per-layer changes against an independent oracle that merges
// the layers below and the layers up to N, lists both and compares them path by path.

struct Collected : LayerChangeSink {
  std::map<uint32_t, std::vector<std::string>> lines;  // layer -> "A /path"
  void layer_changes(const FileTree&, std::vector<LayerPathChange>&& cs) override {
    for (const auto& c : cs) lines[c.layer].push_back(std::string(1, change_letter(c.change)) + " /" + c.path);
  }
};

std::unique_ptr<MergedImage> merge_with(const std::vector<std::vector<LayerEntry>>& layers, LayerChangeSink* sink) {
  return merge(layers, sink);
}

std::map<std::string, std::string> states(const MergedImage& img) {
  std::map<std::string, std::string> m;
  for (const auto& r : listing(img.tree)) {
    const Inode& i = *r.inode;
    std::string t(1, r.type == 'h' ? 'f' : r.type);
    m[std::string(r.path)] = t + " " + std::to_string(i.size) + " " + i.digest.hex() + " " +
                std::to_string(i.mode) + " " + std::to_string(i.uid) + ":" + std::to_string(i.gid) + " " +
                std::string(img.tree.target(r.id)) + " " +
                std::to_string(i.dev_major) + "," + std::to_string(i.dev_minor);
  }
  return m;
}

std::vector<std::string> oracle(const std::vector<std::vector<LayerEntry>>& layers, size_t n) {
  std::vector<std::vector<LayerEntry>> below(layers.begin(), layers.begin() + n);
  std::vector<std::vector<LayerEntry>> upto(layers.begin(), layers.begin() + n + 1);
  auto a = states(*merge(below)), b = states(*merge(upto));
  std::vector<std::string> out;
  for (const auto& [p, s] : b)
    if (!a.count(p)) out.push_back("A " + p);
    else if (a[p] != s) out.push_back("M " + p);
  for (const auto& [p, s] : a)
    if (!b.count(p)) out.push_back("D " + p);
  std::sort(out.begin(), out.end(), [](const std::string& x, const std::string& y) { return x.substr(2) < y.substr(2); });
  return out;
}

void expect_layer_changes_match(const std::vector<std::vector<LayerEntry>>& layers) {
  Collected c;
  auto img = merge_with(layers, &c);
  int64_t content = 0;
  for (size_t n = 0; n < layers.size(); ++n) {
    EXPECT_EQ(c.lines[n], oracle(layers, n)) << "layer " << n;
    const auto& ch = img->stats[n].changes;
    content += static_cast<int64_t>(ch.added_bytes + ch.grown_bytes) - static_cast<int64_t>(ch.removed_bytes + ch.shrunk_bytes);
    auto upto = merge(std::vector<std::vector<LayerEntry>>(layers.begin(), layers.begin() + n + 1));
    EXPECT_EQ(content, static_cast<int64_t>(build_inspect(*upto, {}).content_size)) << "after layer " << n;
  }
}

TEST(LayerChanges, WhiteoutsOpaqueDirsTypeChangesAndImplicitParents) {
  expect_layer_changes_match({
      {D("etc"), F("etc/a", "aaaa"), F("etc/b", "bb"), D("opt"), D("opt/x"), F("opt/x/1", "1111"),
       F("opt/x/2", "22"), D("tree"), F("tree/leaf", "l"), L("link", "etc"), F("file", "ffff")},
      {W("etc/.wh.a"), F("etc/b", "bbbbbb"), W("opt/x/.wh..wh..opq"), F("opt/x/3", "3"),
       F("tree", "now a file"), D("file"), F("file/in", "i"), F("new/deep/f", "nd")},
      {W(".wh.opt"), F("link/c", "via symlink"), F("etc/b", "bbbbbb", 0600), F("tree", "now a file")},
  });
}

TEST(LayerChanges, ReListedUnchangedDirectoryIsNoChangeButMetadataIs) {
  LayerEntry run = D("run");
  run.mtime = 5;
  LayerEntry run2 = run;
  run2.mtime = 99;  // buildah re-lists parents with a new mtime: not a change (as the diff)
  LayerEntry run3 = D("run", 0700);
  Collected c;
  merge_with({{run, F("run/x", "x")}, {run2, F("run/y", "y")}, {run3}}, &c);
  EXPECT_EQ(c.lines[1], (std::vector<std::string>{"A /run/y"}));
  EXPECT_EQ(c.lines[2], (std::vector<std::string>{"M /run"}));
}

TEST(LayerChanges, BytesFollowInodesAcrossHardlinks) {
  std::vector<std::vector<LayerEntry>> layers{
      {F("a", std::string(100, 'a')), H("b", "a"), F("c", "cc")},
      {W(".wh.a")},                  // one name of two goes: no bytes leave
      {W(".wh.b"), H("d", "c")},     // the last name goes: 100 bytes leave; d joins c: none come
  };
  Collected c;
  auto img = merge_with(layers, &c);
  EXPECT_EQ(img->stats[0].changes.added_bytes, 102u);
  EXPECT_EQ(img->stats[1].changes.removed, 1u);
  EXPECT_EQ(img->stats[1].changes.removed_bytes, 0u);
  EXPECT_EQ(img->stats[2].changes.removed_bytes, 100u);
  EXPECT_EQ(img->stats[2].changes.added, 1u);
  EXPECT_EQ(img->stats[2].changes.added_bytes, 0u);
  EXPECT_EQ(c.lines[2], (std::vector<std::string>{"D /b", "A /d"}));
  expect_layer_changes_match(layers);
}

TEST(LayerChanges, ACopyUpForANewHardlinkIsNoChangeAndNoBytes) {
  // overlayfs copies a lower file up to link it: the layer re-lists it unchanged, plus the name.
  std::string big(1000, 'n');
  std::vector<std::vector<LayerEntry>> layers{{F("node", big), F("x", "x")},
                                             {F("node", big), H("nodejs", "node")}};
  Collected c;
  auto img = merge_with(layers, &c);
  EXPECT_EQ(c.lines[1], (std::vector<std::string>{"A /nodejs"}));
  const auto& ch = img->stats[1].changes;
  EXPECT_EQ(ch.added_bytes + ch.grown_bytes + ch.removed_bytes + ch.shrunk_bytes, 0u);
  expect_layer_changes_match(layers);
}

TEST(LayerChanges, ANameThatBecomesItsOwnCopyIsModifiedAndCountsItsBytes) {
  // /a and /b are one file; the layer writes /a again with the same bytes: now two files.
  std::vector<std::vector<LayerEntry>> layers{{F("a", "12345"), H("b", "a")}, {F("a", "12345")}};
  Collected c;
  auto img = merge_with(layers, &c);
  EXPECT_EQ(c.lines[1], (std::vector<std::string>{"M /a"}));
  EXPECT_EQ(img->stats[1].changes.grown_bytes, 5u);
}

TEST(LayerChanges, RemovedPathsRememberTheLastLayerThatRemovedThem) {
  auto img = merge({{F("x", "1"), D("d"), F("d/y", "2"), F("z", "3")},
                    {W(".wh.x"), W(".wh.d")},
                    {F("x", "again")},
                    {W(".wh.x")}});
  EXPECT_EQ(img->removed_by.find("x"), 3u);
  EXPECT_EQ(img->removed_by.find("d"), 1u);
  EXPECT_EQ(img->removed_by.find("d/y"), 1u);
  EXPECT_EQ(img->removed_by.find("z"), std::nullopt);
  EXPECT_EQ(img->removed_by.size(), 3u);
}

}  // namespace
}  // namespace layerdiff::test
