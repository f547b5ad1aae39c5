// gate_test.cc: `layerdiff check` rules on in-memory images — size and percentage parsing at its
// edges, the glob matcher, and every rule at, just under and just over its limit, with the paths
// and layers a failed rule blames.
#include <gtest/gtest.h>

#include <functional>

#include "analyzer/diff.h"
#include "analyzer/diff_report.h"
#include "analyzer/error.h"
#include "analyzer/gate.h"
#include "analyzer/glob.h"
#include "analyzer/threshold.h"
#include "tests/test_util.h"

namespace layerdiff::test {
namespace {

std::string bytes(size_t n, char c = 'x') { return std::string(n, c); }

// ---------------------------------------------------------------- sizes, percentages, fractions

TEST(ParseSize, UnitsAndEdges) {
  EXPECT_EQ(parse_size("0"), 0u);
  EXPECT_EQ(parse_size("1"), 1u);
  EXPECT_EQ(parse_size("512B"), 512u);
  EXPECT_EQ(parse_size("1kB"), 1000u);
  EXPECT_EQ(parse_size("1KB"), 1000u);
  EXPECT_EQ(parse_size("120MB"), 120000000u);
  EXPECT_EQ(parse_size("2GB"), 2000000000u);
  EXPECT_EQ(parse_size("1TB"), 1000000000000u);
  EXPECT_EQ(parse_size("1KiB"), 1024u);
  EXPECT_EQ(parse_size("10MiB"), 10u << 20);
  EXPECT_EQ(parse_size("1GiB"), 1u << 30);
  EXPECT_EQ(parse_size("1TiB"), 1ull << 40);
  EXPECT_EQ(parse_size("1.5KiB"), 1536u);
  EXPECT_EQ(parse_size("0.001kB"), 1u);
  EXPECT_EQ(parse_size(" 10 MiB "), 10u << 20);
  EXPECT_EQ(parse_size("9223372036854775807"), 9223372036854775807ull);  // INT64_MAX
  EXPECT_EQ(parse_size("8388607TiB"), 8388607ull << 40);
}

TEST(ParseSize, Rejects) {
  for (const char* s : {"", " ", "-1", "+1", "abc", "MiB", "10M", "10K", "10G", "10mb", "10 MiB x",
                        "1.5B", "1.5", "0.0001kB", "1..2", "1.2.3", "9223372036854775808",
                        "8388608TiB", "99999999999999999999999", "1.0000001kB", "5%"})
    EXPECT_THROW(parse_size(s), Error) << s;
  try {
    parse_size("10M");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "bad size '10M': unknown unit 'M'; use B, kB, MB, GB, TB (1000) or "
                           "KiB, MiB, GiB, TiB (1024)");
  }
}

TEST(ParseThreshold, BytesAndPercent) {
  Threshold t = parse_threshold("10MiB", true);
  EXPECT_EQ(t.kind, Threshold::Bytes);
  EXPECT_EQ(t.bytes, 10u << 20);
  EXPECT_EQ(t.text, "10MiB");
  t = parse_threshold("5%", true);
  EXPECT_EQ(t.kind, Threshold::Fraction);
  EXPECT_EQ(t.num, 5u);
  EXPECT_EQ(t.den, 100u);
  t = parse_threshold("2.5%", true);
  EXPECT_EQ(t.num, 25u);
  EXPECT_EQ(t.den, 1000u);
  t = parse_threshold("0%", true);
  EXPECT_EQ(t.num, 0u);
  t = parse_threshold("150%", true);  // growth may exceed 100%
  EXPECT_EQ(t.num, 150u);
  EXPECT_THROW(parse_threshold("5%", false), Error);
  for (const char* s : {"%", "-5%", "5 %%", "x%", "1.0000001%"})
    EXPECT_THROW(parse_threshold(s, true), Error) << s;
}

TEST(ParseFraction, PercentOrDecimal) {
  Threshold t = parse_fraction("90%");
  EXPECT_EQ(t.num * 10, t.den * 9);
  t = parse_fraction("0.9");
  EXPECT_EQ(t.num, 9u);
  EXPECT_EQ(t.den, 10u);
  EXPECT_EQ(parse_fraction("1").num, 1u);
  EXPECT_EQ(parse_fraction("100%").num, 100u);
  EXPECT_EQ(parse_fraction("0").num, 0u);
  for (const char* s : {"", "1.1", "101%", "90", "-0.5", "0.9x", "100.1%"})
    EXPECT_THROW(parse_fraction(s), Error) << s;
}

// ---------------------------------------------------------------- globs

TEST(GlobTest, Matches) {
  struct Case {
    const char* pattern;
    const char* path;
    bool match;
  } cases[] = {
      {"/usr/bin/gcc*", "/usr/bin/gcc", true},
      {"/usr/bin/gcc*", "/usr/bin/gcc-12", true},
      {"/usr/bin/gcc*", "/usr/bin/x86_64-linux-gnu-gcc", false},
      {"/usr/bin/gcc*", "/usr/bin/gcc/x", false},  // * stays within a component
      {"usr/bin/gcc*", "/usr/bin/gcc", true},      // anchored at the root, '/' optional
      {"/usr/bin/gcc*", "/opt/usr/bin/gcc", false},
      {"**/.cache/**", "/root/.cache/pip/x.whl", true},
      {"**/.cache/**", "/.cache", true},          // ** matches zero components
      {"**/.cache/**", "/root/.cache", true},
      {"**/.cache/**", "/root/.cached/x", false},
      {"/usr/lib/**", "/usr/lib", true},
      {"/usr/lib/**", "/usr/lib/x/y/z.so", true},
      {"/usr/lib/**", "/usr/lib64/x", false},
      {"/usr/lib/**", "/usr", false},
      {"**/node_modules/.bin/tsc", "/app/node_modules/.bin/tsc", true},
      {"**/node_modules/.bin/tsc", "/node_modules/.bin/tsc", true},
      {"**/node_modules/.bin/tsc", "/app/node_modules/.bin/tsc2", false},
      {"/a/**/b", "/a/b", true},
      {"/a/**/b", "/a/x/y/b", true},
      {"/a/**/b", "/a/x/y/c", false},
      {"/a/**/**/b", "/a/b", true},
      {"/a?c", "/abc", true},
      {"/a?c", "/ac", false},
      {"/a?c", "/a/c", false},
      {"/a?c", "/a\xc3\xa9" "c", true},  // ? is one UTF-8 character
      {"/*.txt", "/.hidden.txt", true},  // * matches a leading dot
      {"/a*b*c", "/aXXbYYbZc", true},
      {"/a*b*c", "/aXXbYYbZ", false},
      {"/a**b", "/aXb", true},           // ** inside a component is *
      {"/a**b", "/aX/b", false},
      {"/*", "/", false},                // the root never matches
      {"/etc/passwd", "etc/passwd", true},  // canonical paths too
      {"/etc/", "/etc", true},
  };
  for (const auto& c : cases)
    EXPECT_EQ(Glob(c.pattern).matches(c.path), c.match) << c.pattern << " vs " << c.path;
}

TEST(GlobTest, RejectsBadPatterns) {
  for (const char* p : {"", "/", "//", "/a//b", "/a/../b", "./a", "/a/."}) EXPECT_THROW(Glob{p}, Error) << p;
}

// ---------------------------------------------------------------- rules

/// The images of a check: AFTER, optionally BEFORE, their reports and the gate's input.
struct Fixture {
  std::unique_ptr<MergedImage> before, after;
  InspectReport inspect;
  std::optional<DiffReport> diff;
  GateInput input;

  Fixture(const std::vector<std::vector<LayerEntry>>& after_layers,
          const std::vector<std::vector<LayerEntry>>* before_layers = nullptr,
          std::vector<StageLabel> labels = {}) {
    after = merge(after_layers);
    inspect = build_inspect(*after, {});
    input.after = after.get();
    input.inspect = &inspect;
    input.labels = std::move(labels);
    if (before_layers) {
      before = merge(*before_layers);
      // Same digest for the same index: bottom layers are shared when their content is.
      for (auto* img : {before.get(), after.get()})
        for (auto& l : img->info.layers) l.diff_id = l.digest;
      diff = build_diff_report(*before, *after, {}, {}, {});
      input.diff = &*diff;
    }
  }

  GateReport check(const GateRules& r, size_t top = 10) const {
    GateOptions o;
    o.top = top;
    return evaluate_gate(r, input, o);
  }
  RuleResult one(const GateRules& r) const {
    GateReport g = check(r);
    EXPECT_EQ(g.results.size(), 1u);
    return g.results.at(0);
  }
};

using Set = std::function<void(GateRules&, const std::string&)>;

/// The rule set by `set` to a limit passes at `value` and just under it (limit value + 1), and
/// fails just over it (limit value - 1).
void expect_edges(const Fixture& f, const Set& set, uint64_t value) {
  auto status = [&](uint64_t limit) {
    GateRules r;
    set(r, std::to_string(limit));
    return f.one(r).status;
  };
  EXPECT_EQ(status(value), RuleResult::Pass) << "at the limit " << value;
  EXPECT_EQ(status(value + 1), RuleResult::Pass) << "just under the limit";
  if (value > 0) {
    EXPECT_EQ(status(value - 1), RuleResult::Fail) << "just over the limit";
  }
}

TEST(Gate, EmptyRules) {
  GateRules r;
  EXPECT_TRUE(r.empty());
  r.forbid.emplace_back("/x");
  EXPECT_FALSE(r.empty());
}

TEST(Gate, MaxSizeCountsContentHardlinksOnce) {
  Fixture f({{F("a", bytes(600)), H("a2", "a"), F("b", bytes(400))}, {F("c", bytes(24))}});
  EXPECT_EQ(f.inspect.content_size, 1024u);
  expect_edges(f, [](GateRules& r, const std::string& v) { r.max_size = parse_threshold(v, false); }, 1024);
  GateRules r;
  r.max_size = parse_threshold("1000B", false);
  RuleResult res = f.one(r);
  EXPECT_EQ(res.status, RuleResult::Fail);
  EXPECT_EQ(res.value, 1024);
  ASSERT_EQ(res.offenders.size(), 3u);  // largest files first
  EXPECT_EQ(res.offenders[0].path, "/a");
  EXPECT_EQ(res.offenders[0].bytes, 600);
  EXPECT_EQ(res.offenders[2].path, "/c");
  EXPECT_EQ(res.offenders[2].layer, 1);
  ASSERT_EQ(res.layers.size(), 2u);  // layers by visible content
  EXPECT_EQ(res.layers[0].layer, 0);
  EXPECT_EQ(res.layers[0].bytes, 1000u);
  EXPECT_EQ(res.layers[1].bytes, 24u);
}

TEST(Gate, MaxSizeCompressed) {
  Fixture f({{F("a", "x")}, {F("b", "y")}});
  f.after->info.layers[0].compressed_size = 700;
  f.after->info.layers[1].compressed_size = 300;
  f.inspect = build_inspect(*f.after, {});
  expect_edges(f, [](GateRules& r, const std::string& v) { r.max_size_compressed = parse_threshold(v, false); },
               1000);
  GateRules r;
  r.max_size_compressed = parse_threshold("999", false);
  RuleResult res = f.one(r);
  ASSERT_EQ(res.layers.size(), 2u);
  EXPECT_EQ(res.layers[0].layer, 0);
  EXPECT_EQ(res.layers[0].bytes, 700u);
}

TEST(Gate, MaxLayers) {
  Fixture f({{F("a", "1")}, {F("b", "22")}, {F("c", "333")}});
  expect_edges(f, [](GateRules& r, const std::string& v) { r.max_layers = std::stoull(v); }, 3);
  GateRules r;
  r.max_layers = 2;
  RuleResult res = f.one(r);
  EXPECT_EQ(res.value, 3);
  ASSERT_EQ(res.layers.size(), 3u);  // every layer, in order, with what it wrote
  EXPECT_EQ(res.layers[2].layer, 2);
  EXPECT_EQ(res.layers[2].bytes, 3u);
}

/// 1000 bytes written, 250 of them wasted: /big (200 B, layer 0) deleted by layer 1, /ow (50 B,
/// layer 0) overwritten by layer 2.
Fixture wasteful(std::vector<StageLabel> labels = {}) {
  return Fixture({{F("big", bytes(200)), F("ow", bytes(50)), F("keep", bytes(650))},
                  {W(".wh.big")},
                  {F("ow", bytes(100, 'y'))}},
                 nullptr, std::move(labels));
}

TEST(Gate, MaxWastedBytes) {
  Fixture f = wasteful({{"", "ADD base"}, {"", "RUN rm /big"}, {"", "COPY ow /"}});
  EXPECT_EQ(f.inspect.written_size, 1000u);
  EXPECT_EQ(f.inspect.wasted_bytes, 250u);
  expect_edges(f, [](GateRules& r, const std::string& v) { r.max_wasted = parse_threshold(v, true); }, 250);
  GateRules r;
  r.max_wasted = parse_threshold("249", true);
  RuleResult res = f.one(r);
  ASSERT_EQ(res.offenders.size(), 2u);
  EXPECT_EQ(res.offenders[0].path, "/big");
  EXPECT_EQ(res.offenders[0].layer, 0);
  EXPECT_EQ(res.offenders[0].label.instruction, "ADD base");
  EXPECT_EQ(res.offenders[0].removed_by, 1);
  EXPECT_EQ(res.offenders[0].removed_label.instruction, "RUN rm /big");
  EXPECT_TRUE(res.offenders[0].deleted);
  EXPECT_EQ(res.offenders[1].path, "/ow");
  EXPECT_FALSE(res.offenders[1].deleted);
  EXPECT_EQ(res.offenders[1].removed_by, 2);
  ASSERT_EQ(res.layers.size(), 1u);  // both copies were written by layer 0
  EXPECT_EQ(res.layers[0].bytes, 250u);
  EXPECT_EQ(res.layers[0].paths, 2u);
}

TEST(Gate, MaxWastedPercent) {
  Fixture f = wasteful();
  auto status = [&](const char* v) {
    GateRules r;
    r.max_wasted = parse_threshold(v, true);
    return f.one(r);
  };
  EXPECT_EQ(status("25%").status, RuleResult::Pass);        // at: 250/1000
  EXPECT_EQ(status("25.000001%").status, RuleResult::Pass);  // just under
  EXPECT_EQ(status("24.999999%").status, RuleResult::Fail);  // just over
  EXPECT_DOUBLE_EQ(*status("25%").ratio, 0.25);
}

TEST(Gate, MinEfficiency) {
  Fixture f = wasteful();  // 750 / 1000
  auto status = [&](const char* v) {
    GateRules r;
    r.min_efficiency = parse_fraction(v);
    return f.one(r).status;
  };
  EXPECT_EQ(status("75%"), RuleResult::Pass);  // at
  EXPECT_EQ(status("0.75"), RuleResult::Pass);
  EXPECT_EQ(status("74.999999%"), RuleResult::Pass);  // the value is just above this limit
  EXPECT_EQ(status("75.000001%"), RuleResult::Fail);  // just below this one
  EXPECT_EQ(status("0.751"), RuleResult::Fail);
  GateRules r;
  r.min_efficiency = parse_fraction("80%");
  RuleResult res = f.one(r);
  EXPECT_TRUE(res.at_least);
  EXPECT_EQ(res.unit, RuleResult::Ratio);
  EXPECT_DOUBLE_EQ(*res.ratio, 0.75);
  EXPECT_EQ(res.offenders.size(), 2u);  // the wasted copies
  // An image that wrote no bytes is fully efficient.
  Fixture empty({{D("d")}});
  r.min_efficiency = parse_fraction("100%");
  EXPECT_EQ(empty.one(r).status, RuleResult::Pass);
}

// BEFORE: /keep 1000 B, /grow 100 B, /gone 50 B (1150 B). AFTER adds layer 1: /grow 160 B (+60),
// /new 40 B, /new2 30 B, deletes /gone (-50): content 1230 B, growth +80 B.
const std::vector<std::vector<LayerEntry>> kBefore = {
    {F("keep", bytes(1000)), F("grow", bytes(100)), F("gone", bytes(50))}};
const std::vector<std::vector<LayerEntry>> kAfter = {
    {F("keep", bytes(1000)), F("grow", bytes(100)), F("gone", bytes(50))},
    {F("grow", bytes(160, 'g')), F("new", bytes(40)), F("new2", bytes(30)), W(".wh.gone")}};

TEST(Gate, RelativeRulesSkipWithoutBaseline) {
  Fixture f(kAfter);
  GateRules r;
  r.max_growth = parse_threshold("1B", true);
  r.max_file_growth = parse_threshold("1B", false);
  r.max_new_file = parse_threshold("1B", false);
  GateReport g = f.check(r);
  ASSERT_EQ(g.results.size(), 3u);
  for (const auto& res : g.results) {
    EXPECT_EQ(res.status, RuleResult::Skip) << res.name;
    EXPECT_EQ(res.skip_reason, "no baseline (--baseline)");
  }
  EXPECT_TRUE(g.passed());
  EXPECT_EQ(g.count(RuleResult::Skip), 3u);
}

TEST(Gate, MaxGrowthBytes) {
  Fixture f(kAfter, &kBefore, {{"common base", "ADD keep"}, {"app", "COPY . /"}});
  expect_edges(f, [](GateRules& r, const std::string& v) { r.max_growth = parse_threshold(v, true); }, 80);
  GateRules r;
  r.max_growth = parse_threshold("79", true);
  RuleResult res = f.one(r);
  EXPECT_EQ(res.value, 80);
  EXPECT_EQ(res.unit, RuleResult::Delta);
  ASSERT_EQ(res.offenders.size(), 3u);  // paths that grew, largest growth first
  EXPECT_EQ(res.offenders[0].path, "/grow");
  EXPECT_EQ(res.offenders[0].bytes, 60);
  EXPECT_EQ(res.offenders[0].layer, 1);
  EXPECT_EQ(res.offenders[0].label.stage, "app");
  EXPECT_EQ(res.offenders[0].label.instruction, "COPY . /");
  EXPECT_EQ(res.offenders[1].path, "/new");
  EXPECT_EQ(res.offenders[2].path, "/new2");
  ASSERT_EQ(res.layers.size(), 1u);
  EXPECT_EQ(res.layers[0].layer, 1);
  EXPECT_EQ(res.layers[0].bytes, 130u);
  EXPECT_EQ(res.layers[0].paths, 3u);
}

// Only paths that grew are blamed: a file modified to the same size, a new empty file and a
// mode change (all +0 B) are no offenders, nor do they count in a layer's blame.
TEST(Gate, MaxGrowthBlamesNoZeroSizeChange) {
  std::vector<std::vector<LayerEntry>> before = {{F("keep", bytes(1000)), F("same", bytes(100, 'a')),
                                                  F("mode", bytes(10))}};
  std::vector<std::vector<LayerEntry>> after = before;
  after.push_back({F("same", bytes(100, 'b')), F("empty", ""), F("mode", bytes(10), 0600),
                   F("big", bytes(50))});
  Fixture f(after, &before);
  GateRules r;
  r.max_growth = parse_threshold("0", true);
  RuleResult res = f.one(r);
  EXPECT_EQ(res.status, RuleResult::Fail);
  EXPECT_EQ(res.value, 50);
  ASSERT_EQ(res.offenders.size(), 1u);
  EXPECT_EQ(res.offenders[0].path, "/big");
  EXPECT_EQ(res.offenders[0].bytes, 50);
  ASSERT_EQ(res.layers.size(), 1u);
  EXPECT_EQ(res.layers[0].bytes, 50u);
  EXPECT_EQ(res.layers[0].paths, 1u);
  // The same for the largest-change rules: a 0 B new file is not the largest new file.
  GateRules n;
  n.max_new_file = parse_threshold("0", false);
  RuleResult nres = f.one(n);
  EXPECT_EQ(nres.value, 50);
  ASSERT_EQ(nres.offenders.size(), 1u);
  EXPECT_EQ(nres.offenders[0].path, "/big");
}

TEST(Gate, MaxGrowthPercent) {
  Fixture f(kAfter, &kBefore);  // +80 of 1150 = 6.9565...%
  auto status = [&](const char* v) {
    GateRules r;
    r.max_growth = parse_threshold(v, true);
    return f.one(r).status;
  };
  EXPECT_EQ(status("6.956522%"), RuleResult::Pass);  // just under (80/1150 = 6.9565217…%)
  EXPECT_EQ(status("6.956521%"), RuleResult::Fail);  // just over
  // Exactly at a percentage: +100 of 1000.
  std::vector<std::vector<LayerEntry>> base = {{F("a", bytes(1000))}};
  Fixture g({{F("a", bytes(1000))}, {F("b", bytes(100))}}, &base);
  GateRules r;
  r.max_growth = parse_threshold("10%", true);
  EXPECT_EQ(g.one(r).status, RuleResult::Pass);
  r.max_growth = parse_threshold("9.999999%", true);
  EXPECT_EQ(g.one(r).status, RuleResult::Fail);
  // A shrinking image passes 0%; growth from an empty baseline fails any percentage.
  Fixture shrink(kBefore, &kAfter);
  r.max_growth = parse_threshold("0%", true);
  EXPECT_EQ(shrink.one(r).status, RuleResult::Pass);
  EXPECT_LT(shrink.one(r).value, 0);
  std::vector<std::vector<LayerEntry>> nothing = {{D("d")}};
  Fixture from_empty(kAfter, &nothing);
  r.max_growth = parse_threshold("1000000%", true);
  EXPECT_EQ(from_empty.one(r).status, RuleResult::Fail);
}

TEST(Gate, MaxFileGrowth) {
  Fixture f(kAfter, &kBefore);
  expect_edges(f, [](GateRules& r, const std::string& v) { r.max_file_growth = parse_threshold(v, false); }, 60);
  GateRules r;
  r.max_file_growth = parse_threshold("59", false);
  RuleResult res = f.one(r);
  ASSERT_EQ(res.offenders.size(), 1u);  // only modified paths over the limit; new files are not
  EXPECT_EQ(res.offenders[0].path, "/grow");
  EXPECT_EQ(res.offenders[0].bytes, 60);
}

TEST(Gate, MaxNewFile) {
  Fixture f(kAfter, &kBefore);
  expect_edges(f, [](GateRules& r, const std::string& v) { r.max_new_file = parse_threshold(v, false); }, 40);
  GateRules r;
  r.max_new_file = parse_threshold("30", false);  // /new (40) is over, /new2 (30) is at the limit
  RuleResult res = f.one(r);
  EXPECT_EQ(res.value, 40);
  ASSERT_EQ(res.offenders.size(), 1u);
  EXPECT_EQ(res.offenders[0].path, "/new");
  EXPECT_EQ(res.offenders[0].layer, 1);
}

TEST(Gate, Budget) {
  Fixture f({{F("usr/lib/a.so", bytes(300)), F("usr/lib/x/b.so", bytes(200)), F("usr/lib64/c", bytes(1000)),
              H("usr/lib/a-link.so", "usr/lib/a.so")}});
  expect_edges(f, [](GateRules& r, const std::string& v) {
    r.budgets.push_back({Glob("/usr/lib/**"), parse_threshold(v, false)});
  }, 500);
  GateRules r;
  r.budgets.push_back({Glob("/usr/lib/**"), parse_threshold("499", false)});
  r.budgets.push_back({Glob("/usr/lib64/**"), parse_threshold("1KiB", false)});
  GateReport g = f.check(r);
  ASSERT_EQ(g.results.size(), 2u);
  EXPECT_EQ(g.results[0].name, "budget /usr/lib/**");
  EXPECT_EQ(g.results[0].status, RuleResult::Fail);
  EXPECT_EQ(g.results[0].value, 500);  // the hardlink counts once
  ASSERT_EQ(g.results[0].offenders.size(), 2u);
  EXPECT_EQ(g.results[0].offenders[0].path, "/usr/lib/a-link.so");  // the first name in sort order
  EXPECT_EQ(g.results[1].status, RuleResult::Pass);
  EXPECT_TRUE(g.results[1].offenders.empty());
}

TEST(Gate, Forbid) {
  Fixture f({{F("usr/bin/gcc-12", bytes(10)), L("usr/bin/gcc", "gcc-12"), F("usr/bin/cc", "x")},
             {D("root/.cache"), F("root/.cache/pip/w.whl", bytes(5))}});
  GateRules r;
  r.forbid.emplace_back("/usr/bin/gcc*");
  r.forbid.emplace_back("**/.cache/**");
  r.forbid.emplace_back("/usr/bin/clang*");
  GateReport g = f.check(r);
  ASSERT_EQ(g.results.size(), 3u);
  const RuleResult& gcc = g.results[0];
  EXPECT_EQ(gcc.name, "forbid /usr/bin/gcc*");
  EXPECT_EQ(gcc.status, RuleResult::Fail);  // just over: 2 paths where 0 are allowed
  EXPECT_EQ(gcc.value, 2);
  ASSERT_EQ(gcc.offenders.size(), 2u);  // in path order
  EXPECT_EQ(gcc.offenders[0].path, "/usr/bin/gcc");
  EXPECT_EQ(gcc.offenders[0].type, 'l');
  EXPECT_EQ(gcc.offenders[1].path, "/usr/bin/gcc-12");
  EXPECT_EQ(gcc.offenders[1].bytes, 10);
  const RuleResult& cache = g.results[1];
  EXPECT_EQ(cache.value, 3);  // the directory, its implicit child directory and the file
  ASSERT_EQ(cache.layers.size(), 1u);
  EXPECT_EQ(cache.layers[0].layer, 1);
  EXPECT_EQ(g.results[2].status, RuleResult::Pass);  // at the limit: no path
  EXPECT_EQ(g.results[2].value, 0);
  EXPECT_FALSE(g.passed());
  EXPECT_EQ(g.count(RuleResult::Fail), 2u);
}

TEST(Gate, OffendersAreCutToTop) {
  std::vector<LayerEntry> l;
  for (int i = 0; i < 15; ++i) l.push_back(F("f" + std::to_string(i), bytes(10 + i)));
  Fixture f({l});
  GateRules r;
  r.max_size = parse_threshold("1", false);
  GateReport g = f.check(r, 4);
  ASSERT_EQ(g.results[0].offenders.size(), 4u);
  EXPECT_EQ(g.results[0].more_offenders, 11u);
  EXPECT_EQ(g.results[0].offenders[0].path, "/f14");
}

TEST(Gate, ResultsFollowRuleOrder) {
  Fixture f(kAfter, &kBefore);
  GateRules r;
  r.forbid.emplace_back("/nothing");
  r.budgets.push_back({Glob("/**"), parse_threshold("1MiB", false)});
  r.max_new_file = parse_threshold("1MiB", false);
  r.max_file_growth = parse_threshold("1MiB", false);
  r.max_growth = parse_threshold("1MiB", true);
  r.min_efficiency = parse_fraction("0");
  r.max_wasted = parse_threshold("1MiB", true);
  r.max_layers = 100;
  r.max_size_compressed = parse_threshold("1MiB", false);
  r.max_size = parse_threshold("1MiB", false);
  GateReport g = f.check(r);
  std::vector<std::string> names;
  for (const auto& res : g.results) names.push_back(res.name);
  EXPECT_EQ(names, (std::vector<std::string>{"max-size", "max-size-compressed", "max-layers",
                                             "max-wasted", "min-efficiency", "max-growth",
                                             "max-file-growth", "max-new-file", "budget /**",
                                             "forbid /nothing"}));
  EXPECT_TRUE(g.passed());
  EXPECT_EQ(g.baseline, "test.tar");
}

TEST(Gate, AfterLayerLabelsFromTheDiff) {
  Fixture f(kAfter, &kBefore);
  auto labels = after_layer_labels(*f.diff);
  ASSERT_EQ(labels.size(), 2u);
  EXPECT_EQ(labels[0].stage, "common base");
  EXPECT_EQ(labels[1].stage, "after");
}

}  // namespace
}  // namespace layerdiff::test
