// package_gate_test.cc: the package rules of `layerdiff check` (--forbid-package,
// --max-package-growth) at, under and over their limits, on in-memory images.
#include <gtest/gtest.h>

#include "analyzer/diff.h"
#include "analyzer/diff_report.h"
#include "analyzer/gate.h"
#include "analyzer/packages.h"
#include "analyzer/threshold.h"
#include "tests/test_util.h"

namespace layerdiff::test {
namespace {

LayerEntry DB(const std::string& path, const std::string& content) {
  LayerEntry e = F(path, content);
  e.content = std::make_shared<std::string>(content);
  return e;
}

std::string stanza(const std::string& pkg, const std::string& version, const std::string& ma = "") {
  return "Package: " + pkg + "\nStatus: install ok installed\n" +
         (ma.empty() ? "" : "Multi-Arch: " + ma + "\n") + "Architecture: amd64\nVersion: " + version +
         "\n\n";
}

/// An image with dpkg packages libc6:amd64 (100 bytes), gcc-12 (gcc bytes) and lib (lib bytes).
std::unique_ptr<MergedImage> image(size_t gcc, size_t lib, const std::string& lib_version) {
  return merge({{
      F("usr/lib/libc.so.6", std::string(100, 'c')), F("usr/bin/gcc-12", std::string(gcc, 'g')),
      F("usr/lib/lib.so", std::string(lib, 'l')),
      DB("var/lib/dpkg/status",
         stanza("libc6", "2.36", "same") + stanza("gcc-12", "12.2") + stanza("lib", lib_version)),
      DB("var/lib/dpkg/info/libc6:amd64.list", "/usr/lib/libc.so.6\n"),
      DB("var/lib/dpkg/info/gcc-12.list", "/usr/bin/gcc-12\n"),
      DB("var/lib/dpkg/info/lib.list", "/usr/lib/lib.so\n"),
  }});
}


GateReport check(const GateRules& rules, const MergedImage& after, const MergedImage* before) {
  InspectReport ir = build_inspect(after, {});
  PackageReport pa = build_package_report(after);
  GateInput in;
  in.after = &after;
  in.inspect = &ir;
  in.packages = &pa;
  std::optional<DiffReport> d;
  PackageDiff pd;
  if (before) {
    d = build_diff_report(*before, after, {}, {}, {});
    in.diff = &*d;
    pd = diff_packages(build_package_report(*before), pa);
    in.package_diff = &pd;
  }
  return evaluate_gate(rules, in, {});
}

TEST(PackageGate, ForbidPackageByNameArchAndPattern) {
  auto img = image(50, 10, "1.0");
  for (const char* name : {"gcc-12", "gcc-*", "libc6", "libc6:amd64"}) {
    GateRules rules;
    rules.forbid_packages = {name};
    GateReport g = check(rules, *img, nullptr);
    ASSERT_EQ(g.results.size(), 1u);
    const RuleResult& r = g.results[0];
    EXPECT_EQ(r.name, std::string("forbid-package ") + name);
    EXPECT_EQ(r.status, RuleResult::Fail) << name;
    EXPECT_EQ(r.value, 1);
    ASSERT_EQ(r.offenders.size(), 1u);
    EXPECT_TRUE(r.layers.empty());
  }
  GateRules rules;
  rules.forbid_packages = {"gcc"};  // a name, not a prefix
  GateReport g = check(rules, *img, nullptr);
  EXPECT_EQ(g.results[0].status, RuleResult::Pass);
  rules.forbid_packages = {"gcc-12"};
  g = check(rules, *img, nullptr);
  EXPECT_EQ(g.results[0].offenders[0].path, "dpkg gcc-12 12.2");
  EXPECT_EQ(g.results[0].offenders[0].bytes, 50);
}

TEST(PackageGate, MaxPackageGrowthBytesAtUnderAndOverTheLimit) {
  auto before = image(50, 100, "1.0");
  auto after = image(50, 130, "1.1");  // lib grows by 30
  for (auto [limit, status] : {std::pair{"29", RuleResult::Fail}, std::pair{"30", RuleResult::Pass},
                               std::pair{"31", RuleResult::Pass}}) {
    GateRules rules;
    rules.max_package_growth = parse_threshold(limit, true);
    GateReport g = check(rules, *after, before.get());
    const RuleResult& r = g.results[0];
    EXPECT_EQ(r.rule, "max-package-growth");
    EXPECT_EQ(r.value, 30);
    EXPECT_EQ(r.status, status) << limit;
    if (status == RuleResult::Fail) {
      ASSERT_EQ(r.offenders.size(), 1u);
      EXPECT_EQ(r.offenders[0].path, "dpkg lib 1.0 -> 1.1");
    }
  }
}

TEST(PackageGate, MaxPackageGrowthPercentOfItsBaseline) {
  auto before = image(50, 100, "1.0");
  auto after = image(50, 130, "1.0");  // +30%
  GateRules rules;
  rules.max_package_growth = parse_threshold("30%", true);
  EXPECT_EQ(check(rules, *after, before.get()).results[0].status, RuleResult::Pass);
  rules.max_package_growth = parse_threshold("29.9%", true);
  EXPECT_EQ(check(rules, *after, before.get()).results[0].status, RuleResult::Fail);
}

TEST(PackageGate, NewPackageFailsAPercentLimitAndRuleSkipsWithoutBaseline) {
  auto before = merge({{F("x", "1")}});
  auto after = image(50, 10, "1.0");
  GateRules rules;
  rules.max_package_growth = parse_threshold("1000%", true);
  GateReport g = check(rules, *after, before.get());
  EXPECT_EQ(g.results[0].status, RuleResult::Fail);
  EXPECT_EQ(g.results[0].value, 100);  // the largest new package, libc6:amd64
  g = check(rules, *after, nullptr);
  EXPECT_EQ(g.results[0].status, RuleResult::Skip);
  EXPECT_TRUE(rules.has_relative());
  EXPECT_FALSE(rules.empty());
}

}  // namespace
}  // namespace layerdiff::test
