// diff_test.cc: path-level diff, byte attribution, rollup sums, stages — on in-memory images.
#include <gtest/gtest.h>

#include "analyzer/diff.h"
#include "analyzer/diff_report.h"
#include "analyzer/dockerfile.h"
#include "tests/test_util.h"

namespace layerdiff::test {
namespace {

/// Merges layers with history and diff_ids set: layer i gets diff_id ids[i] and created_by cb[i].
std::unique_ptr<MergedImage> image(const std::vector<std::vector<LayerEntry>>& layers,
                                   const std::vector<std::string>& ids,
                                   const std::vector<std::string>& cb = {}) {
  auto img = merge(layers);
  for (size_t i = 0; i < layers.size(); ++i) {
    img->info.layers[i].diff_id = ids[i];
    img->info.layers[i].digest = ids[i];
    if (i < cb.size()) {
      img->info.layers[i].created_by = cb[i];
      img->info.history.push_back({cb[i], "", "", false});
    }
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

void expect_reconciles(const DiffReport& r, const MergedImage& b, const MergedImage& a) {
  int64_t want = content(a) - content(b);
  int64_t sum = 0;
  for (const auto& c : r.changes) sum += c.delta();
  EXPECT_EQ(sum, want);
  EXPECT_EQ(r.rollup.delta(), want);
  EXPECT_EQ(static_cast<int64_t>(r.rollup.before), content(b));
  EXPECT_EQ(static_cast<int64_t>(r.rollup.after), content(a));
  expect_rollup_sums(r.rollup);
  int64_t net = 0;
  for (const auto& l : r.layers) net += static_cast<int64_t>(l.added) - static_cast<int64_t>(l.removed);
  EXPECT_EQ(net, want);
  int64_t stage_net = 0;
  for (const auto& s : r.stages.rows) stage_net += static_cast<int64_t>(s.after) - static_cast<int64_t>(s.before);
  EXPECT_EQ(stage_net, want);
}

DiffReport report(const MergedImage& b, const MergedImage& a, const StageInputs& in = {},
                  DiffOptions o = {}) {
  DiffReportOptions ro;
  ro.top = 3;
  ro.depth = 3;
  return build_diff_report(b, a, diff_trees(b, a, o), in, ro);
}

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
  auto b = image({{F("a", "12345"), H("b", "a")}}, {"sha256:1"});
  auto a = image({{F("a", "12345"), F("b", "12345")}}, {"sha256:2"});
  auto r = report(*b, *a);
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].path, "/b");
  EXPECT_EQ(r.changes[0].delta(), 5);
  EXPECT_EQ(r.changes[0].what, std::vector<std::string>{"hardlink"});
  expect_reconciles(r, *b, *a);
}

TEST(Diff, BytesAreAttributedToTheLayersThatWroteThem) {
  std::vector<LayerEntry> base{D("usr"), F("usr/lib.so", std::string(1000, 'l')), F("etc/conf", "c")};
  auto b = image({base, {F("app/old", std::string(300, 'o'))}}, {"sha256:base", "sha256:old"},
                 {"/bin/sh -c #(nop) ADD file:x in /", "/bin/sh -c make old"});
  auto a = image({base, {F("app/new", std::string(500, 'n'))}, {W("usr/.wh.lib.so")}},
                 {"sha256:base", "sha256:new", "sha256:del"},
                 {"/bin/sh -c #(nop) ADD file:x in /", "RUN /bin/sh -c make new # buildkit",
                  "RUN /bin/sh -c rm /usr/lib.so # buildkit"});
  auto r = report(*b, *a);
  ASSERT_EQ(r.layers.size(), 4u);
  EXPECT_EQ(r.layers[0].status, LayerDiffRow::Shared);
  EXPECT_EQ(r.layers[0].removed, 1000u);  // lib.so, written by the shared base, gone from AFTER
  EXPECT_EQ(r.layers[1].status, LayerDiffRow::BeforeOnly);
  EXPECT_EQ(r.layers[1].removed, 300u);
  EXPECT_EQ(r.layers[2].status, LayerDiffRow::AfterOnly);
  EXPECT_EQ(r.layers[2].added, 500u);
  EXPECT_EQ(r.layers[2].label.instruction, "RUN make new");
  EXPECT_EQ(r.layers[0].label.stage, "common base");
  EXPECT_EQ(r.layers[2].label.stage, "after");
  expect_reconciles(r, *b, *a);
  ASSERT_FALSE(r.top_removed.empty());
  EXPECT_EQ(r.top_removed[0]->path, "/usr/lib.so");
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

TEST(Dockerfile, LabelsHistoryWithStagesAndBase) {
  Dockerfile df = parse_dockerfile(
      "FROM debian:12 AS base\nRUN apt-get update\n"
      "FROM base AS final\nWORKDIR /app\nCOPY --from=builder /out /app\nRUN make install\n",
      "D");
  std::vector<HistoryEntry> h{
      {"/bin/sh -c #(nop) ADD file:abc in / ", "", "", false},
      {"/bin/sh -c #(nop)  CMD [\"bash\"]", "", "", true},
      {"RUN /bin/sh -c apt-get update # buildkit", "", "", false},
      {"WORKDIR /app", "", "", false},
      {"COPY /out /app # buildkit", "", "", false},
      {"RUN /bin/sh -c make install # buildkit", "", "", false},
  };
  auto l = label_history(h, df);
  EXPECT_EQ(l[0].stage, "base: debian:12");
  EXPECT_EQ(l[2].stage, "base");
  EXPECT_EQ(l[2].instruction_text, "RUN apt-get update");
  EXPECT_EQ(l[3].stage, "final");
  EXPECT_EQ(l[4].stage, "final");
  EXPECT_EQ(l[4].instruction, 1);
  EXPECT_EQ(l[5].instruction_text, "RUN make install");
}

TEST(Stages, WhatTheBuilderStageLeftBehindAndCopyFromAttribution) {
  std::vector<LayerEntry> base{F("bin/sh", std::string(100, 's'))};
  auto builder = image({base, {F("usr/bin/gcc", std::string(5000, 'g')), F("usr/lib/libgcc.a", std::string(2000, 'a'))},
                        {F("src/app", std::string(700, 'A')), F("src/app.o", std::string(900, 'o'))}},
                       {"sha256:base", "sha256:gcc", "sha256:build"},
                       {"ADD rootfs", "RUN /bin/sh -c apt-get install gcc # buildkit",
                        "RUN /bin/sh -c make # buildkit"});
  auto single = image({base, {F("usr/bin/gcc", std::string(5000, 'g')), F("usr/lib/libgcc.a", std::string(2000, 'a'))},
                       {F("src/app", std::string(700, 'A')), F("src/app.o", std::string(900, 'o'))}},
                      {"sha256:base", "sha256:gcc", "sha256:build"},
                      {"ADD rootfs", "RUN /bin/sh -c apt-get install gcc # buildkit",
                       "RUN /bin/sh -c make # buildkit"});
  auto multi = image({base, {F("usr/local/bin/app", std::string(700, 'A'))}},
                     {"sha256:base", "sha256:copy"},
                     {"ADD rootfs", "COPY /src/app /usr/local/bin/app # buildkit"});
  StageInputs in;
  in.stages.push_back({"builder", builder.get()});
  auto r = report(*single, *multi, in);
  ASSERT_EQ(r.stages.leftovers.size(), 1u);
  const auto& lo = r.stages.leftovers[0];
  EXPECT_EQ(lo.content, 100u + 5000 + 2000 + 700 + 900);
  EXPECT_EQ(lo.absent, 5000u + 2000 + 900);
  EXPECT_EQ(lo.carried, 800u);
  EXPECT_EQ(lo.layers[1].absent, 7000u);
  EXPECT_EQ(lo.layers[1].instruction, "RUN apt-get install gcc");
  EXPECT_EQ(lo.layers[2].absent, 900u);
  uint64_t dirs = 0;
  for (auto& d : lo.absent_dirs) dirs += d.bytes;
  EXPECT_EQ(dirs, lo.absent);
  // The COPY layer of the multi-stage image came from the builder.
  EXPECT_EQ(r.layers.back().label.stage, "copied from builder");
  expect_reconciles(r, *single, *multi);
}

}  // namespace
}  // namespace layerdiff::test

namespace layerdiff::test {
namespace {

TEST(Stages, SingleStageBeforeIsLabelledWithTheMultiStageDockerfile) {
  Dockerfile df = parse_dockerfile(
      "FROM base:1 AS builder\n"
      "RUN make-toolchain\n"
      "COPY src /src\n"
      "RUN build-app\n"
      "FROM base:1\n"
      "COPY --from=builder /app/bin/app /app/bin/app\n",
      "Containerfile");
  std::vector<LayerEntry> base{F("bin/busybox", std::string(100, 'b'))};
  auto single = image({base, {F("usr/lib/cc1", std::string(800, 'c'))}, {F("src/a.c", "int")},
                       {F("app/bin/app", std::string(50, 'A'))}, {F("etc/extra", "x")}},
                      {"sha256:base", "sha256:tc", "sha256:src", "sha256:app", "sha256:extra"},
                      {"ADD rootfs", "/bin/sh -c make-toolchain", "/bin/sh -c #(nop) COPY dir:123 in /src ",
                       "/bin/sh -c build-app", "/bin/sh -c cleanup"});
  auto multi = image({base, {F("app/bin/app", std::string(50, 'A'))}}, {"sha256:base", "sha256:copy"},
                     {"ADD rootfs", "/bin/sh -c #(nop) COPY file:999 in /app/bin/app "});
  StageInputs in;
  in.dockerfile = &df;
  auto r = report(*single, *multi, in);
  ASSERT_EQ(r.layers.size(), 6u);
  EXPECT_EQ(r.layers[0].label.stage, "base: base:1");
  EXPECT_EQ(r.layers[1].label.stage, "builder");
  EXPECT_EQ(r.layers[1].label.instruction, "RUN make-toolchain");
  EXPECT_EQ(r.layers[2].label.stage, "builder");
  EXPECT_EQ(r.layers[2].label.instruction, "COPY src /src");
  EXPECT_EQ(r.layers[3].label.instruction, "RUN build-app");
  EXPECT_EQ(r.layers[4].label.stage, "before");  // in no Dockerfile stage
  EXPECT_EQ(r.layers[4].label.instruction, "RUN cleanup");
  EXPECT_EQ(r.layers[5].label.stage, "stage-1");
  EXPECT_EQ(r.layers[5].label.instruction, "COPY --from=builder /app/bin/app /app/bin/app");
  // The stage table says the toolchain went with the builder stage, not the base.
  for (const auto& s : r.stages.rows) {
    if (s.stage == "base: base:1") EXPECT_EQ(s.before, s.after);
    if (s.stage == "builder") EXPECT_EQ(s.before, 800u + 3 + 50);
  }
  expect_reconciles(r, *single, *multi);
}

TEST(Dockerfile, MatchScores) {
  auto h = [](const char* s) { return normalize_created_by(s); };
  Instruction run{"RUN", "make", 1};
  Instruction copy{"COPY", "--from=b /x /y", 2};
  EXPECT_EQ(match_score(h("/bin/sh -c make"), run), 3);
  EXPECT_EQ(match_score(h("/bin/sh -c make install"), run), 0);
  EXPECT_EQ(match_score(h("/bin/sh -c #(nop) COPY file:1 in /y "), copy), 2);
  EXPECT_EQ(match_score(h("/bin/sh -c #(nop) COPY dir:1 in /src "), copy), 0);
  EXPECT_EQ(match_score(h("COPY --from=c /x /y # buildkit"), copy), 0);
  EXPECT_EQ(match_score(h("COPY --from=b /x /y # buildkit"), copy), 3);
}

}  // namespace
}  // namespace layerdiff::test
