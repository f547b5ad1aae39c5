// diff_test.cc: path-level diff, byte attribution, rollup sums, stages — on in-memory images.
#include <gtest/gtest.h>

#include "analyzer/diff.h"
#include "analyzer/diff_report.h"
#include "analyzer/dockerfile.h"
#include "tests/test_util.h"

namespace layerdiff::test {
namespace {

/// Merges layers with history and diff_ids set: layer i gets diff_id ids[i]; `cb` is the history,
/// one created_by per layer in order, plus entries prefixed "E:" that made no layer (WORKDIR, ENV).
std::unique_ptr<MergedImage> image(const std::vector<std::vector<LayerEntry>>& layers,
                                   const std::vector<std::string>& ids,
                                   const std::vector<std::string>& cb = {}) {
  auto img = merge(layers);
  for (size_t i = 0; i < layers.size(); ++i) {
    img->info.layers[i].diff_id = ids[i];
    img->info.layers[i].digest = ids[i];
  }
  size_t li = 0;
  for (const auto& c : cb) {
    bool empty = c.rfind("E:", 0) == 0;
    img->info.history.push_back({empty ? c.substr(2) : c, "", "", empty});
    if (!empty && li < layers.size()) img->info.layers[li++].created_by = c;
  }
  return img;
}

void expect_rollup_sums(const RollupRow& r) {
  if (r.children.empty()) return;
  uint64_t b = 0, a = 0;
  for (const auto& c : r.children) {
    b += c.before;
    a += c.after;
    expect_rollup_sums(c);
  }
  EXPECT_EQ(b, r.before) << r.label;
  EXPECT_EQ(a, r.after) << r.label;
}

int64_t content(const MergedImage& m) { return static_cast<int64_t>(build_inspect(m, {}).content_size); }

/// One story: every sum the report shows equals the content delta, recomputed independently.
void expect_reconciles(const DiffReport& r, const MergedImage& b, const MergedImage& a) {
  int64_t want = content(a) - content(b);
  int64_t sum = 0;
  uint64_t added = 0, removed = 0, grown = 0, shrunk = 0;
  std::map<std::pair<int, uint32_t>, std::pair<uint64_t, uint64_t>> by_layer;
  for (const auto& c : r.changes) {
    sum += c.delta();
    if (c.kind == ChangeKind::Added) added += c.after->bytes;
    if (c.kind == ChangeKind::Removed) removed += c.before->bytes;
    if (c.kind == ChangeKind::Modified) {
      (c.delta() > 0 ? grown : shrunk) += c.delta() > 0 ? c.delta() : -c.delta();
    }
    if (!c.content_changed()) {
      EXPECT_EQ(c.delta(), 0) << c.path;
    }
    auto& l = by_layer[{c.responsible.side, c.responsible.index}];
    (c.delta() > 0 ? l.first : l.second) += c.delta() > 0 ? c.delta() : -c.delta();
  }
  EXPECT_EQ(sum, want);
  EXPECT_EQ(r.added_bytes, added);
  EXPECT_EQ(r.removed_bytes, removed);
  EXPECT_EQ(r.grown_bytes, grown);
  EXPECT_EQ(r.shrunk_bytes, shrunk);
  EXPECT_EQ(r.content_delta(), want);
  EXPECT_EQ(r.rollup.delta(), want);
  EXPECT_EQ(static_cast<int64_t>(r.rollup.before), content(b));
  EXPECT_EQ(static_cast<int64_t>(r.rollup.after), content(a));
  expect_rollup_sums(r.rollup);
  int64_t net = 0;
  for (const auto& l : r.layers) {
    net += l.delta();
    if (l.status == LayerDiffRow::Shared) {
      EXPECT_EQ(l.paths, 0u) << "a shared layer is charged";
    }
  }
  EXPECT_EQ(net, want);
  for (const auto& [k, v] : by_layer) {
    const auto& row = r.row_of({static_cast<LayerRef::Side>(k.first), k.second});
    EXPECT_EQ(row.added, v.first);
    EXPECT_EQ(row.removed, v.second);
  }
  int64_t stage_net = 0;
  for (const auto& s : r.stages.rows) stage_net += s.delta();
  EXPECT_EQ(stage_net, want);
  for (const auto& lo : r.stages.leftovers) {
    EXPECT_EQ(lo.content, lo.common_base + lo.inherited + lo.copied + lo.also_in_after + lo.left_behind);
    uint64_t by_layer_left = 0, by_dir = 0, by_pkg = 0;
    for (const auto& l : lo.layers) by_layer_left += l.left_behind;
    for (const auto& d : lo.directories) by_dir += d.bytes;
    for (const auto& p : lo.packages) by_pkg += p.bytes;
    EXPECT_EQ(by_layer_left, lo.left_behind);
    EXPECT_EQ(by_dir, lo.left_behind);
    if (!lo.packages.empty()) {
      EXPECT_EQ(by_pkg, lo.left_behind);
    }
  }
}

DiffReport report(const MergedImage& b, const MergedImage& a, const StageInputs& in = {},
                  DiffOptions o = {}) {
  DiffReportOptions ro;
  ro.top = 3;
  ro.depth = 3;
  return build_diff_report(b, a, in, o, ro);
}

const FileChange& change(const DiffReport& r, const std::string& path) {
  for (const auto& c : r.changes)
    if (c.path == path) return c;
  static FileChange none{"", ChangeKind::Added, {}, std::nullopt, std::nullopt, {}, {}, {}};
  ADD_FAILURE() << "no change at " << path;
  return none;
}

LayerRef Bef(uint32_t i) { return {LayerRef::Before, i}; }
LayerRef Aft(uint32_t i) { return {LayerRef::After, i}; }

TEST(Diff, IdenticalImagesHaveNoChanges) {
  auto a = image({{D("etc"), F("etc/x", "1"), L("l", "etc/x")}}, {"sha256:1"});
  auto b = image({{D("etc"), F("etc/x", "1"), L("l", "etc/x")}}, {"sha256:1"});
  auto r = report(*a, *b);
  EXPECT_TRUE(r.changes.empty());
  EXPECT_FALSE(images_differ(r));
  expect_reconciles(r, *a, *b);
}

TEST(Diff, AddedRemovedModifiedWithWhatChanged) {
  LayerEntry mode = F("mode", "m", 0600);
  LayerEntry owner = F("owner", "o");
  owner.uid = 1;
  owner.gid = 2;
  LayerEntry dev;
  dev.path = "dev";
  dev.type = EntryType::CharDev;
  dev.dev_major = 1;
  dev.dev_minor = 5;
  LayerEntry dev0 = dev;
  dev0.dev_minor = 3;
  LayerEntry x = F("xattr", "x");
  x.xattrs = {{"user.a", "1"}};
  auto b = image({{F("gone", "123"), F("same", "s"), F("content", "aaa"), F("size", "1"), F("mode", "m"),
                   F("owner", "o"), L("link", "a"), F("type", "t"), dev0, F("xattr", "x")}},
                 {"sha256:b"});
  auto a = image({{F("new", "4567"), F("same", "s"), F("content", "bbb"), F("size", "12"), mode, owner,
                   L("link", "b"), D("type"), dev, x}},
                 {"sha256:a"});
  auto r = report(*b, *a);
  std::map<std::string, std::pair<ChangeKind, std::vector<std::string>>> got;
  for (const auto& c : r.changes) got[c.path] = {c.kind, c.what};
  using V = std::vector<std::string>;
  EXPECT_EQ(got.size(), 10u);
  EXPECT_EQ(got["/gone"].first, ChangeKind::Removed);
  EXPECT_EQ(got["/new"].first, ChangeKind::Added);
  EXPECT_EQ(got["/content"].second, V{"content"});
  EXPECT_EQ(got["/size"].second, (V{"size", "content"}));
  EXPECT_EQ(got["/mode"].second, V{"mode"});
  EXPECT_EQ(got["/owner"].second, (V{"uid", "gid"}));
  EXPECT_EQ(got["/link"].second, V{"target"});
  EXPECT_EQ(got["/type"].second, (V{"type", "mode"}));
  EXPECT_EQ(got["/dev"].second, V{"device"});
  EXPECT_EQ(got["/xattr"].second, V{"xattrs"});
  EXPECT_EQ(got.count("/same"), 0u);
  EXPECT_TRUE(images_differ(r));
  expect_reconciles(r, *b, *a);
}

TEST(Diff, MtimeOnlyWithTheFlag) {
  LayerEntry f1 = F("f", "x");
  LayerEntry f2 = f1;
  f2.mtime = 99;
  auto b = image({{f1}}, {"sha256:1"});
  auto a = image({{f2}}, {"sha256:2"});
  EXPECT_TRUE(report(*b, *a).changes.empty());
  DiffOptions o;
  o.mtime = true;
  auto r = report(*b, *a, {}, o);
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].what, std::vector<std::string>{"mtime"});
}

TEST(Diff, HardlinkedNamesCountOnce) {
  // Two files with the same content become one file with two names: one copy's bytes go.
  auto b = image({{F("a", "12345"), F("b", "12345")}}, {"sha256:1"});
  auto a = image({{F("a", "12345"), H("b", "a")}}, {"sha256:2"});
  auto r = report(*b, *a);
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].path, "/b");
  EXPECT_EQ(r.changes[0].delta(), -5);
  EXPECT_EQ(r.changes[0].what, std::vector<std::string>{"hardlink"});
  expect_reconciles(r, *b, *a);
}

TEST(Diff, AFileThatOnlyGainsAHardlinkedNameHasDeltaZero) {
  // "/0" sorts before "/a": in AFTER it is the file's first name, but /a still carries the bytes.
  auto b = image({{F("a", "123456")}}, {"sha256:1"});
  auto a = image({{F("a", "123456"), H("0", "a")}}, {"sha256:2"});
  auto r = report(*b, *a);
  EXPECT_EQ(change(r, "/0").kind, ChangeKind::Added);
  EXPECT_EQ(change(r, "/0").delta(), 0);
  EXPECT_EQ(change(r, "/a").what, std::vector<std::string>{"hardlink"});
  EXPECT_EQ(change(r, "/a").delta(), 0);
  EXPECT_TRUE(r.top_shrunk.empty());
  EXPECT_TRUE(r.top_added.empty());
  EXPECT_EQ(r.added_bytes + r.removed_bytes + r.grown_bytes + r.shrunk_bytes, 0u);
  expect_reconciles(r, *b, *a);
}

TEST(Diff, ModeOnlyChangesCountNoBytes) {
  std::vector<LayerEntry> base{D("usr"), F("usr/big", std::string(5000, 'b')), F("usr/x", "xx")};
  auto b = image({base}, {"sha256:base"}, {"ADD rootfs"});
  auto a = image({base, {F("usr/big", std::string(5000, 'b'), 0700), F("usr/x", "xxx")}},
                 {"sha256:base", "sha256:chmod"}, {"ADD rootfs", "/bin/sh -c chmod 700 /usr/big"});
  auto r = report(*b, *a);
  const auto& big = change(r, "/usr/big");
  EXPECT_EQ(big.what, std::vector<std::string>{"mode"});
  EXPECT_EQ(big.delta(), 0);
  EXPECT_FALSE(big.content_changed());
  EXPECT_EQ(big.responsible, Aft(1));
  EXPECT_EQ(r.metadata_only, 1u);
  EXPECT_EQ(r.grown_bytes, 1u);  // /usr/x only
  EXPECT_EQ(r.added_bytes, 0u);
  ASSERT_EQ(r.top_grown.size(), 1u);
  EXPECT_EQ(r.top_grown[0]->path, "/usr/x");
  EXPECT_EQ(r.layers[1].added, 1u);
  expect_reconciles(r, *b, *a);
}

TEST(Diff, EachChangeIsChargedToOneResponsibleLayer) {
  // BEFORE and AFTER share the base; BEFORE's own layer writes and deletes; AFTER's own layers
  // delete base files (a whiteout, an opaque directory, a file over a directory) and chmod.
  std::vector<LayerEntry> base{D("opt"), F("opt/keep", "k"), F("opt/gone", std::string(40, 'g')),
                               D("cache"), F("cache/a", std::string(30, 'a')), F("cache/b", std::string(20, 'b')),
                               D("tree"), F("tree/leaf", std::string(10, 'l')), F("etc", std::string(8, 'e')),
                               F("restored", std::string(6, 'r'))};
  auto b = image({base, {F("app/mine", std::string(100, 'm')), F("etc", std::string(9, 'E')), W(".wh.restored")}},
                 {"sha256:base", "sha256:b1"}, {"ADD rootfs", "/bin/sh -c build"});
  auto a = image({base, {W("opt/.wh.gone"), W("cache/.wh..wh..opq"), F("cache/new", std::string(5, 'n'))},
                  {F("tree", "now a file")}},
                 {"sha256:base", "sha256:a1", "sha256:a2"},
                 {"ADD rootfs", "/bin/sh -c rm /opt/gone && rm -rf /cache/*", "/bin/sh -c swap"});
  auto r = report(*b, *a);
  EXPECT_EQ(r.shared_layers, 1u);
  // A base file AFTER deleted: charged to the AFTER layer that deleted it.
  EXPECT_EQ(change(r, "/opt/gone").responsible, Aft(1));
  EXPECT_EQ(change(r, "/opt/gone").removed_by, 1u);
  EXPECT_EQ(change(r, "/opt/gone").written_by, 0u);
  EXPECT_EQ(change(r, "/cache/a").responsible, Aft(1));  // opaque directory
  EXPECT_EQ(change(r, "/cache/b").responsible, Aft(1));
  EXPECT_EQ(change(r, "/tree/leaf").responsible, Aft(2));  // replaced by a file
  EXPECT_EQ(change(r, "/tree").responsible, Aft(2));
  // What BEFORE's own layer wrote and AFTER lacks: that BEFORE layer.
  EXPECT_EQ(change(r, "/app/mine").responsible, Bef(1));
  EXPECT_FALSE(change(r, "/app/mine").removed_by.has_value());
  // A base file BEFORE's own layer changed, AFTER kept: BEFORE's layer (not carried over).
  EXPECT_EQ(change(r, "/etc").responsible, Bef(1));
  EXPECT_EQ(change(r, "/etc").delta(), -1);
  // A base file BEFORE's own layer deleted and AFTER has: added, charged to BEFORE's deletion.
  EXPECT_EQ(change(r, "/restored").kind, ChangeKind::Added);
  EXPECT_EQ(change(r, "/restored").responsible, Bef(1));
  // Written by AFTER's own layer.
  EXPECT_EQ(change(r, "/cache/new").responsible, Aft(1));
  EXPECT_EQ(r.layers[0].added + r.layers[0].removed, 0u);
  EXPECT_EQ(r.layers[2].removed, 40u + 30 + 20);
  EXPECT_EQ(r.layers[2].added, 5u);
  expect_reconciles(r, *b, *a);
}

TEST(Diff, RollupFoldsIntoOtherAndKeepsSums) {
  std::vector<LayerEntry> bl, al;
  for (int i = 0; i < 12; ++i) {
    bl.push_back(F("d" + std::to_string(i) + "/f", std::string(10 + i, 'x')));
    al.push_back(F("d" + std::to_string(i) + "/f", std::string(20 + 3 * i, 'y')));
  }
  auto b = image({bl}, {"sha256:1"});
  auto a = image({al}, {"sha256:2"});
  auto r = report(*b, *a);
  ASSERT_EQ(r.rollup.children.size(), 4u);  // top 3 + [other]
  EXPECT_EQ(r.rollup.children[0].label, "/d11");
  EXPECT_EQ(r.rollup.children.back().label, "[other]");
  expect_reconciles(r, *b, *a);
}

TEST(Dockerfile, ParsesStagesContinuationsHeredocsAndComments) {
  Dockerfile df = parse_dockerfile(
      "# syntax=docker/dockerfile:1\n"
      "ARG BASE=debian:12\n"
      "FROM --platform=$BUILDPLATFORM golang:1.22 AS Builder\n"
      "WORKDIR /src\n"
      "RUN apt-get update && \\\n"
      "    # a comment inside\n"
      "    apt-get install -y gcc\n"
      "RUN <<EOF\n"
      "echo hi\n"
      "EOF\n"
      "FROM debian:12-slim\n"
      "COPY --from=builder /src/app /usr/local/bin/app\n"
      "CMD [\"app\"]\n",
      "Dockerfile");
  ASSERT_EQ(df.stages.size(), 2u);
  EXPECT_EQ(df.stages[0].name, "Builder");
  EXPECT_EQ(df.stages[0].from, "golang:1.22");
  ASSERT_EQ(df.stages[0].instructions.size(), 3u);
  EXPECT_EQ(df.stages[0].instructions[1].text(), "RUN apt-get update && apt-get install -y gcc");
  EXPECT_EQ(df.stages[0].instructions[2].keyword, "RUN");
  EXPECT_EQ(df.stages[1].name, "stage-1");
  EXPECT_EQ(df.find("builder"), &df.stages[0]);
  EXPECT_EQ(df.find("1"), &df.stages[1]);
  EXPECT_THROW(parse_dockerfile("RUN x\n", "D"), Error);
}

TEST(Dockerfile, NormalisesClassicAndBuildkitHistory) {
  auto n = [](const char* s) { return normalize_created_by(s).text(); };
  EXPECT_EQ(n("/bin/sh -c #(nop)  CMD [\"app\"]"), "CMD [\"app\"]");
  EXPECT_EQ(n("/bin/sh -c #(nop) COPY file:0123abcd in /usr/local/bin/app "), "COPY /usr/local/bin/app");
  EXPECT_EQ(n("/bin/sh -c apt-get update"), "RUN apt-get update");
  EXPECT_EQ(n("|2 A=1 B=2 /bin/sh -c make"), "RUN make");
  EXPECT_EQ(n("RUN /bin/sh -c apt-get update # buildkit"), "RUN apt-get update");
  EXPECT_EQ(n("RUN |1 V=3 /bin/sh -c make # buildkit"), "RUN make");
  EXPECT_EQ(n("COPY --from=builder /src/app /usr/local/bin/app # buildkit"),
            "COPY --from=builder /src/app /usr/local/bin/app");
  EXPECT_EQ(n("WORKDIR /app"), "WORKDIR /app");
  EXPECT_EQ(display_created_by("/bin/sh -c #(nop) ADD file:x in / "), "ADD file:x in /");
}

std::vector<HistoryEntry> hist(std::initializer_list<const char*> cb) {
  std::vector<HistoryEntry> h;
  for (const char* c : cb) h.push_back({c, "", "", false});
  return h;
}

TEST(Dockerfile, AlignsHistoryOnExactMatchesOnly) {
  Dockerfile df = parse_dockerfile(
      "FROM debian:12 AS base\nRUN apt-get update\n"
      "FROM base AS final\nWORKDIR /app\nENV A=1\nCOPY --from=builder /out ./out\nRUN make install\n",
      "D");
  auto h = hist({"/bin/sh -c #(nop) ADD file:abc in / ", "RUN /bin/sh -c apt-get update # buildkit",
                 "WORKDIR /app", "ENV A=1", "COPY --from=builder /out ./out # buildkit",
                 "RUN /bin/sh -c make install # buildkit"});
  auto l = align_history(h, df, 1);
  EXPECT_FALSE(l[0].matched());
  EXPECT_EQ(l[1].stage, 0);
  EXPECT_EQ(l[1].instruction, 0);
  EXPECT_EQ(l[2].stage, 1);
  EXPECT_EQ(l[4].instruction, 2);
  EXPECT_EQ(l[5].instruction, 3);
  // A command that only starts like the instruction, another --from, another destination, a
  // different ENV value: no match (no partial claims).
  auto n = align_history(hist({"/bin/sh -c apt-get update && apt-get install -y x",
                               "COPY --from=other /out ./out # buildkit",
                               "/bin/sh -c #(nop) COPY dir:12 in /elsewhere ", "ENV A=2"}),
                         df, 1);
  for (const auto& x : n) EXPECT_FALSE(x.matched());
  // The classic/buildah COPY form records only the destination, relative to WORKDIR.
  auto c = align_history(hist({"/bin/sh -c #(nop) WORKDIR /app", "/bin/sh -c #(nop) COPY dir:12 in ./out "}), df, 1);
  EXPECT_EQ(c[1].instruction, 2);
  EXPECT_EQ(copy_source(df.stages[1].instructions[2]), "builder");
  EXPECT_EQ(stage_lineage(df, 1), (std::vector<int>{0, 1}));
}

TEST(Dockerfile, NormalisesRunFlagsExecFormAndBuildArgs) {
  Dockerfile df = parse_dockerfile(
      "FROM x\nRUN --mount=type=cache,target=/root/.npm npm ci\nRUN [\"/bin/sh\", \"-c\", \"make all\"]\n"
      "ARG V\nRUN make V=$V\n",
      "D");
  auto l = align_history(hist({"RUN /bin/sh -c npm ci # buildkit", "/bin/sh -c make all",
                               "|1 V=3 /bin/sh -c make V=$V"}),
                         df, 0);
  EXPECT_EQ(l[0].instruction, 0);
  EXPECT_EQ(l[1].instruction, 1);
  EXPECT_EQ(l[2].instruction, 3);
}

/// The Node shape: builder, prod-deps FROM builder, runtime copying from both.
struct NodeBuild {
  Dockerfile df = parse_dockerfile(
      "FROM base:1 AS builder\n"
      "RUN apt-get install nodejs npm\n"
      "WORKDIR /app\n"
      "COPY package.json ./\n"
      "RUN npm ci\n"
      "COPY . .\n"
      "RUN npm run build\n"
      "FROM builder AS prod-deps\n"
      "RUN npm prune --omit=dev\n"
      "FROM base:1 AS runtime\n"
      "RUN apt-get install nodejs\n"
      "WORKDIR /app\n"
      "COPY --from=prod-deps /app/node_modules ./node_modules\n"
      "COPY --from=builder /app/dist ./dist\n",
      "Dockerfile");
  std::vector<LayerEntry> base{F("bin/sh", std::string(100, 's')), F("etc/passwd", "root")};
  std::vector<LayerEntry> apt_npm{F("usr/bin/node", std::string(3000, 'N')), F("usr/lib/npm/cli.js", std::string(900, 'p')),
                                  F("var/cache/apt/pkgcache.bin", std::string(400, 'c'))};
  std::vector<LayerEntry> pkg{F("app/package.json", "{}")};
  std::vector<LayerEntry> ci{F("app/node_modules/express/index.js", std::string(200, 'e')),
                             F("app/node_modules/typescript/tsc.js", std::string(700, 't'))};
  std::vector<LayerEntry> src{F("app/src/server.ts", std::string(50, 'S')), F("app/package.json", "{}")};
  std::vector<LayerEntry> build{F("app/dist/server.js", std::string(60, 'J'))};
  std::vector<LayerEntry> prune{W("app/node_modules/.wh.typescript")};
  std::vector<std::string> hb{"ADD rootfs", "/bin/sh -c apt-get install nodejs npm", "E:/bin/sh -c #(nop) WORKDIR /app",
                              "/bin/sh -c #(nop) COPY file:1 in ./ ",
                              "/bin/sh -c npm ci", "/bin/sh -c #(nop) COPY dir:2 in . ", "/bin/sh -c npm run build"};
  std::unique_ptr<MergedImage> builder = image({base, apt_npm, pkg, ci, src, build},
      {"sha256:base", "sha256:apt", "sha256:pkg", "sha256:ci", "sha256:src", "sha256:build"}, hb);
  std::unique_ptr<MergedImage> prod = [&] {
    auto h = hb;
    h.push_back("/bin/sh -c npm prune --omit=dev");
    return image({base, apt_npm, pkg, ci, src, build, prune},
                 {"sha256:base", "sha256:apt", "sha256:pkg", "sha256:ci", "sha256:src", "sha256:build", "sha256:prune"}, h);
  }();
  // The single-stage build of the same steps: the builder's layers exactly.
  std::unique_ptr<MergedImage> single = image({base, apt_npm, pkg, ci, src, build},
      {"sha256:base", "sha256:apt", "sha256:pkg", "sha256:ci", "sha256:src", "sha256:build"}, hb);
  std::unique_ptr<MergedImage> runtime = image(
      {base, {F("usr/bin/node", std::string(3000, 'N')), F("var/cache/apt/pkgcache.bin", std::string(300, 'C'))},
       {F("app/node_modules/express/index.js", std::string(200, 'e'))}, {F("app/dist/server.js", std::string(60, 'J'))}},
      {"sha256:base", "sha256:rt-apt", "sha256:rt-mods", "sha256:rt-dist"},
      {"ADD rootfs", "/bin/sh -c apt-get install nodejs", "E:/bin/sh -c #(nop) WORKDIR /app",
       "/bin/sh -c #(nop) COPY dir:3 in ./node_modules ",
       "/bin/sh -c #(nop) COPY dir:4 in ./dist "});
};

TEST(Stages, LayersOfAStageImageAreThatStageExactly) {
  NodeBuild n;
  StageInputs in;
  in.dockerfile = &n.df;
  in.stages = {{"builder", n.builder.get()}, {"prod-deps", n.prod.get()}};
  auto r = report(*n.single, *n.runtime, in);
  ASSERT_EQ(r.layers.size(), 1u + 5 + 3);
  EXPECT_EQ(r.layers[0].label.stage, "base: base:1");
  for (size_t i = 1; i <= 5; ++i) {
    EXPECT_EQ(r.layers[i].status, LayerDiffRow::BeforeOnly);
    EXPECT_EQ(r.layers[i].label.stage, "builder") << i;
    EXPECT_EQ(r.layers[i].label.source, "stage-image") << i;
  }
  EXPECT_EQ(r.layers[1].label.instruction, "RUN apt-get install nodejs npm");
  EXPECT_EQ(r.layers[4].label.instruction, "COPY . .");  // not the runtime's COPY --from
  EXPECT_EQ(r.layers[6].label.stage, "runtime");
  EXPECT_EQ(r.layers[6].label.instruction, "RUN apt-get install nodejs");
  EXPECT_EQ(r.layers[7].label.copied_from, "prod-deps");
  EXPECT_EQ(r.layers[7].label.instruction, "COPY --from=prod-deps /app/node_modules ./node_modules");
  EXPECT_EQ(r.layers[8].label.copied_from, "builder");
  // The stage table: builder's layers were not carried over, the runtime's own are charged to it.
  std::map<std::string, StageRow> rows;
  for (const auto& s : r.stages.rows) rows[s.stage] = s;
  EXPECT_EQ(rows["builder"].layers, 5u);
  EXPECT_EQ(rows["builder"].removed, 900u + 700 + 50 + 2);  // npm, typescript, sources
  EXPECT_EQ(rows["runtime"].removed, 100u);                 // its smaller pkgcache.bin
  EXPECT_EQ(rows.count("before"), 0u);
  // Leftovers: prod-deps' inherited builder layers are reported once, by builder.
  ASSERT_EQ(r.stages.leftovers.size(), 2u);
  const auto& b = r.stages.leftovers[0];
  EXPECT_EQ(b.common_base, 104u);
  // Copied: dist from builder, express through prod-deps (built on builder's layers).
  EXPECT_EQ(b.copied, 200u + 60);
  EXPECT_EQ(b.also_in_after, 3000u + 400);  // node installed again; pkgcache.bin rebuilt
  EXPECT_EQ(b.left_behind, 900u + 700 + 50 + 2);
  EXPECT_EQ(b.layers[1].left_behind, 900u);
  EXPECT_EQ(b.layers[3].left_behind, 700u);
  const auto& p = r.stages.leftovers[1];
  EXPECT_EQ(p.inherited, p.content - p.common_base);
  EXPECT_EQ(p.left_behind, 0u);
  EXPECT_TRUE(p.layers[2].inherited);
  EXPECT_EQ(p.layers[2].label.stage, "builder");
  EXPECT_EQ(p.layers[6].label.stage, "prod-deps");
  expect_reconciles(r, *n.single, *n.runtime);
}

TEST(Stages, WithoutStageImagesTheDockerfileLabelsBySameLineage) {
  NodeBuild n;
  StageInputs in;
  in.dockerfile = &n.df;
  auto r = report(*n.single, *n.runtime, in);
  // BEFORE matches the builder's lineage best; its instructions are exact.
  EXPECT_EQ(r.layers[1].label.stage, "builder");
  EXPECT_EQ(r.layers[1].label.source, "dockerfile");
  EXPECT_EQ(r.layers[4].label.instruction, "COPY . .");
  EXPECT_EQ(r.layers[7].label.stage, "runtime");
  EXPECT_EQ(r.layers[7].label.copied_from, "prod-deps");
  expect_reconciles(r, *n.single, *n.runtime);
}

TEST(Stages, WithoutADockerfileStageImagesStillLabelExactlyAndCopiesByContent) {
  NodeBuild n;
  StageInputs in;
  in.stages = {{"builder", n.builder.get()}};
  auto r = report(*n.single, *n.runtime, in);
  EXPECT_EQ(r.layers[0].label.stage, "common base");
  EXPECT_EQ(r.layers[2].label.stage, "builder");
  EXPECT_EQ(r.layers[2].label.instruction, "COPY file:1 in ./");
  EXPECT_EQ(r.layers[6].label.stage, "after");  // its own RUN: nothing claims it
  EXPECT_EQ(r.layers[6].label.source, "history");
  EXPECT_EQ(r.layers[8].label.copied_from, "builder");
  EXPECT_EQ(r.layers[8].label.source, "content");
  expect_reconciles(r, *n.single, *n.runtime);
}

TEST(Stages, StageNamesOfTwoDockerfilesNeverMerge) {
  Dockerfile old_df = parse_dockerfile("FROM base:1\nRUN make old\n", "old/Containerfile");
  Dockerfile new_df = parse_dockerfile("FROM base:2\nRUN make new\n", "Containerfile");
  auto b = image({{F("a", "1")}, {F("old", std::string(50, 'o'))}}, {"sha256:b0", "sha256:b1"},
                 {"ADD one", "/bin/sh -c make old"});
  auto a = image({{F("a", "2")}, {F("new", std::string(20, 'n'))}}, {"sha256:a0", "sha256:a1"},
                 {"ADD two", "/bin/sh -c make new"});
  StageInputs in;
  in.dockerfile = &new_df;
  in.before_dockerfile = &old_df;
  auto r = report(*b, *a, in);
  std::vector<std::string> names;
  for (const auto& s : r.stages.rows) names.push_back(s.stage);
  EXPECT_EQ(names, (std::vector<std::string>{"base: base:1", "stage-0 (old/Containerfile)", "base: base:2", "stage-0"}));
  for (const auto& s : r.stages.rows) EXPECT_EQ(s.layers, 1u) << s.stage;
  expect_reconciles(r, *b, *a);
}

}  // namespace
}  // namespace layerdiff::test
