// config_gate_test.cc: the config and audit rules of `layerdiff check` (--forbid-root-user,
// --forbid-config-change, --forbid-finding) passing and failing on in-memory images, with what
// a failed rule names; and --exit-code's view of a config-only difference.
#include <gtest/gtest.h>

#include "analyzer/diff.h"
#include "analyzer/diff_report.h"
#include "analyzer/gate.h"
#include "tests/test_util.h"

namespace layerdiff::test {
namespace {

GateReport check(const GateRules& rules, const MergedImage& after, const MergedImage* before) {
  InspectReport ir = build_inspect(after, {});
  GateInput in;
  in.after = &after;
  in.inspect = &ir;
  std::optional<DiffReport> d;
  if (before) {
    DiffReportOptions o;
    o.config.created = true;
    d = build_diff_report(*before, after, {}, {}, o);
    in.diff = &*d;
  }
  return evaluate_gate(rules, in, {});
}

std::unique_ptr<MergedImage> app(const std::string& user, const std::vector<std::string>& cmd) {
  auto img = merge({{F("app/server.js", "js"), F("usr/bin/su", std::string(40, 's'), 04755)},
                    {F("usr/bin/passwd", std::string(30, 'p'), 04755), F("root/.ssh/id_rsa", "KEY")},
                    {W("root/.ssh/.wh.id_rsa")}});
  img->info.config.user = user;
  img->info.config.cmd = cmd;
  img->info.config.env = {"PATH=/usr/bin"};
  return img;
}

TEST(ConfigGate, ForbidRootUser) {
  GateRules rules;
  rules.forbid_root_user = true;
  for (const char* u : {"", "root", "0", "root:root", "0:1000"}) {
    auto img = app(u, {"node"});
    GateReport g = check(rules, *img, nullptr);
    ASSERT_EQ(g.results.size(), 1u);
    EXPECT_EQ(g.results[0].status, RuleResult::Fail) << u;
    EXPECT_EQ(g.results[0].rule, "forbid-root-user");
    EXPECT_EQ(g.results[0].text, std::string(u).empty() ? "root (User unset)" : u);
  }
  for (const char* u : {"node", "1000:1000", "1000:0"}) {
    auto img = app(u, {"node"});
    EXPECT_EQ(check(rules, *img, nullptr).results[0].status, RuleResult::Pass) << u;
  }
}

TEST(ConfigGate, ForbidConfigChange) {
  GateRules rules;
  rules.forbid_config_changes = {"Cmd", "Env", "created"};
  auto before = app("node", {"node", "dist/server.js"});
  auto same = app("node", {"node", "dist/server.js"});
  auto changed = app("node", {"node", "server.js"});
  changed->info.config.env.push_back("DEBUG=1");
  changed->info.config.user = "root";  // not forbidden here

  GateReport none = check(rules, *changed, nullptr);  // relative: skipped without a baseline
  ASSERT_EQ(none.results.size(), 3u);
  for (const auto& r : none.results) EXPECT_EQ(r.status, RuleResult::Skip) << r.name;

  GateReport ok = check(rules, *same, before.get());
  for (const auto& r : ok.results) EXPECT_EQ(r.status, RuleResult::Pass) << r.name;

  GateReport g = check(rules, *changed, before.get());
  ASSERT_EQ(g.results.size(), 3u);
  const RuleResult& cmd = g.results[0];
  EXPECT_EQ(cmd.name, "forbid-config-change Cmd");
  EXPECT_EQ(cmd.status, RuleResult::Fail);
  EXPECT_EQ(cmd.value, 1);
  ASSERT_EQ(cmd.offenders.size(), 1u);
  EXPECT_EQ(cmd.offenders[0].path, "Cmd");
  EXPECT_EQ(cmd.offenders[0].size_text, "changed");
  EXPECT_EQ(cmd.offenders[0].note, R"(["node", "dist/server.js"] -> ["node", "server.js"])");
  const RuleResult& env = g.results[1];
  EXPECT_EQ(env.status, RuleResult::Fail);
  ASSERT_EQ(env.offenders.size(), 1u);
  EXPECT_EQ(env.offenders[0].path, "Env DEBUG");
  EXPECT_EQ(env.offenders[0].size_text, "added");
  EXPECT_EQ(env.offenders[0].note, "(unset) -> 1");
  EXPECT_EQ(g.results[2].status, RuleResult::Pass);  // created: the same in both

  changed->info.config.created = "2025-01-01T00:00:00Z";  // check compares created
  EXPECT_EQ(check(rules, *changed, before.get()).results[2].status, RuleResult::Fail);
}

TEST(ConfigGate, ForbidFinding) {
  GateRules rules;
  rules.forbid_findings = {FindingKind::HiddenSecret, FindingKind::Setuid, FindingKind::Device};
  auto img = app("node", {"node"});
  GateReport g = check(rules, *img, nullptr);
  ASSERT_EQ(g.results.size(), 3u);
  const RuleResult& secret = g.results[0];
  EXPECT_EQ(secret.name, "forbid-finding hidden-secret");
  EXPECT_EQ(secret.status, RuleResult::Fail);
  EXPECT_EQ(secret.value, 1);
  ASSERT_EQ(secret.offenders.size(), 1u);
  EXPECT_EQ(secret.offenders[0].path, "/root/.ssh/id_rsa");
  EXPECT_EQ(secret.offenders[0].bytes, 3);
  EXPECT_EQ(secret.offenders[0].layer, 1);
  EXPECT_EQ(secret.offenders[0].removed_by, 2);
  EXPECT_TRUE(secret.offenders[0].deleted);
  EXPECT_EQ(secret.offenders[0].note, "name matches id_rsa*");
  ASSERT_EQ(secret.layers.size(), 1u);
  EXPECT_EQ(secret.layers[0].layer, 1);  // the layer holding the bytes

  const RuleResult& suid = g.results[1];
  EXPECT_EQ(suid.status, RuleResult::Fail);
  EXPECT_EQ(suid.value, 2);
  ASSERT_EQ(suid.offenders.size(), 2u);
  EXPECT_EQ(suid.offenders[0].path, "/usr/bin/su");  // largest first
  EXPECT_EQ(suid.offenders[0].layer, 0);
  EXPECT_EQ(suid.offenders[0].note, "mode 4755");
  EXPECT_EQ(suid.offenders[1].path, "/usr/bin/passwd");
  EXPECT_EQ(suid.offenders[1].layer, 1);

  EXPECT_EQ(g.results[2].status, RuleResult::Pass);  // no device outside /dev
  EXPECT_EQ(g.results[2].value, 0);
}

TEST(ConfigGate, RulesCountAsRules) {
  GateRules r;
  EXPECT_TRUE(r.empty());
  r.forbid_root_user = true;
  EXPECT_FALSE(r.empty());
  GateRules c;
  c.forbid_config_changes = {"Cmd"};
  EXPECT_FALSE(c.empty());
  EXPECT_TRUE(c.has_relative());
  GateRules f;
  f.forbid_findings = {FindingKind::Hidden};
  EXPECT_FALSE(f.empty());
  EXPECT_FALSE(f.has_relative());
}

TEST(ConfigDiffReport, ExitCodeSeesConfigOnlyDifferences) {
  auto before = app("node", {"node", "dist/server.js"});
  auto after = app("node", {"node", "server.js"});
  DiffReport d = build_diff_report(*before, *after, {}, {}, {});
  EXPECT_TRUE(d.changes.empty());  // the same files
  ASSERT_EQ(d.config_changes.size(), 1u);
  EXPECT_EQ(d.config_changes[0].field, "Cmd");
  EXPECT_TRUE(images_differ(d));
  DiffReport same = build_diff_report(*before, *before, {}, {}, {});
  EXPECT_FALSE(images_differ(same));
  // created differs only with --mtime's option.
  after = app("node", {"node", "dist/server.js"});
  after->info.config.created = "2025-01-01T00:00:00Z";
  EXPECT_FALSE(images_differ(build_diff_report(*before, *after, {}, {}, {})));
  DiffReportOptions o;
  o.config.created = true;
  EXPECT_TRUE(images_differ(build_diff_report(*before, *after, {}, {}, o)));
}

TEST(ConfigDiffReport, NewFindingsAreWhatAfterAdds) {
  auto before = merge({{F("usr/bin/su", "s", 04755)}});
  auto after = merge({{F("usr/bin/su", "s", 04755), F("var/lib/apt/lists/x_Packages", "lists")},
                      {F("etc/.env", "TOKEN=1")},
                      {W("etc/.wh..env")}});
  DiffReport d = build_diff_report(*before, *after, {}, {}, {});
  std::vector<std::string> got;
  for (const auto& f : d.new_findings.findings) got.push_back(std::string(finding_kind_name(f.kind)) + " " + f.path);
  EXPECT_EQ(got, (std::vector<std::string>{"hidden-secret /etc/.env", "removable /var/lib/apt/lists"}));
}

}  // namespace
}  // namespace layerdiff::test
