// config_diff_test.cc: image configs compared field by field (config_diff.h): exactly the
// fields that differ, Env and Labels per key, runtime-equal forms equal, `created` on demand,
// the text every format shows, and the root-user rule's reading of User.
#include <gtest/gtest.h>

#include "analyzer/config_diff.h"
#include "analyzer/image_config.h"

namespace layerdiff {
namespace {

ImageConfig node_app() {
  ImageConfig c;
  c.entrypoint = {"docker-entrypoint.sh"};
  c.cmd = {"node", "dist/server.js"};
  c.user = "node";
  c.working_dir = "/app";
  c.env = {"PATH=/usr/local/bin:/usr/bin", "NODE_VERSION=20.11.0", "YARN_VERSION=1.22.19"};
  c.exposed_ports = {"3000/tcp"};
  c.labels = {{"org.opencontainers.image.version", "1.0"}, {"team", "web"}};
  c.os = "linux";
  c.architecture = "amd64";
  c.created = "2024-01-01T00:00:00Z";
  c.history = 9;
  return c;
}

/// "field key kind before -> after" for each change.
std::vector<std::string> lines(const std::vector<ConfigChange>& v) {
  std::vector<std::string> out;
  for (const auto& c : v)
    out.push_back(c.field + (c.key.empty() ? "" : " " + c.key) + " " + config_change_name(c.kind) +
                  " " + config_value_text(c.field, c.before) + " -> " +
                  config_value_text(c.field, c.after));
  return out;
}

using Lines = std::vector<std::string>;

TEST(ConfigDiff, IdenticalConfigsHaveNoChange) {
  EXPECT_TRUE(diff_configs(node_app(), node_app(), {.created = true}).empty());
}

TEST(ConfigDiff, ExactlyTheFieldsThatDiffer) {
  ImageConfig b = node_app(), a = node_app();
  a.cmd = {"node", "server.js"};
  a.user = "";
  a.env = {"NODE_VERSION=20.12.0", "PATH=/usr/local/bin:/usr/bin", "NODE_ENV=production"};
  a.labels = {{"org.opencontainers.image.version", "1.1"}, {"git", "abc"}};
  a.exposed_ports = {"3000/tcp", "9229/tcp"};
  a.has_healthcheck = true;
  a.healthcheck = {{"CMD-SHELL", "curl -f http://localhost:3000/ || exit 1"}, 30000000000, 3000000000, 0, 0, 3};
  a.history = 11;
  a.created = "2024-02-01T00:00:00Z";
  EXPECT_EQ(lines(diff_configs(b, a, {})),
            (Lines{
                R"(Cmd changed ["node", "dist/server.js"] -> ["node", "server.js"])",
                "User removed node -> (unset)",
                "Env NODE_ENV added (unset) -> production",
                "Env NODE_VERSION changed 20.11.0 -> 20.12.0",
                "Env YARN_VERSION removed 1.22.19 -> (unset)",
                "ExposedPorts changed 3000/tcp -> 3000/tcp, 9229/tcp",
                "Labels git added (unset) -> abc",
                "Labels org.opencontainers.image.version changed 1.0 -> 1.1",
                "Labels team removed web -> (unset)",
                "Healthcheck added (unset) -> CMD-SHELL curl -f http://localhost:3000/ || exit 1 "
                "(interval 30s, timeout 3s, retries 3)",
                "history changed 9 -> 11",
            }));
  // created only when asked (a rebuild changes it, as it changes every mtime).
  auto with_created = lines(diff_configs(b, a, {.created = true}));
  EXPECT_EQ(with_created.size(), 12u);
  EXPECT_EQ(with_created[10], "created changed 2024-01-01T00:00:00Z -> 2024-02-01T00:00:00Z");
}

TEST(ConfigDiff, RuntimeEqualFormsAreEqual) {
  ImageConfig b = node_app(), a = node_app();
  std::reverse(a.env.begin(), a.env.end());                // order of distinct variables
  b.env.push_back("TZ=UTC");                               // a later NAME wins
  a.env.insert(a.env.begin(), "TZ=Europe/Paris");
  a.env.push_back("TZ=UTC");
  EXPECT_TRUE(diff_configs(b, a, {}).empty());
  a.env.push_back("EMPTY=");  // "X=" is a value: added
  EXPECT_EQ(lines(diff_configs(b, a, {})), (Lines{"Env EMPTY added (unset) -> "}));
}

TEST(ConfigDiff, EntrypointSetAndUnset) {
  ImageConfig b = node_app(), a = node_app();
  a.entrypoint.clear();
  EXPECT_EQ(lines(diff_configs(b, a, {})), (Lines{R"(Entrypoint removed ["docker-entrypoint.sh"] -> (unset))"}));
  EXPECT_EQ(lines(diff_configs(a, b, {})), (Lines{R"(Entrypoint added (unset) -> ["docker-entrypoint.sh"])"}));
}

TEST(ConfigValueText, Forms) {
  ConfigValue v;
  EXPECT_EQ(config_value_text("Cmd", v), "(unset)");
  v.type = ConfigValue::List;
  v.set = true;
  v.list = {"sh", "-c", "echo \"hi\"\\"};
  EXPECT_EQ(config_value_text("Cmd", v), R"(["sh", "-c", "echo \"hi\"\\"])");
  EXPECT_EQ(config_value_text("Volumes", v), "sh, -c, echo \"hi\"\\");
  EXPECT_EQ(duration_text(30000000000), "30s");
  EXPECT_EQ(duration_text(90000000000), "1m30s");
  EXPECT_EQ(duration_text(3600000000000), "1h0m");
  EXPECT_EQ(duration_text(500000000), "500ms");
  EXPECT_EQ(duration_text(0), "0s");
}

TEST(ImageConfig, RootUser) {
  for (const char* u : {"", "root", "0", "root:root", "0:0", "root:1000", "0:staff"})
    EXPECT_TRUE(runs_as_root(u)) << u;
  for (const char* u : {"node", "1000", "1000:0", "app:root", "rootless", "00"})
    EXPECT_FALSE(runs_as_root(u)) << u;
}

TEST(ImageConfig, FieldNames) {
  EXPECT_EQ(config_field("entrypoint"), "Entrypoint");
  EXPECT_EQ(config_field("EXPOSEDPORTS"), "ExposedPorts");
  EXPECT_EQ(config_field("created"), "created");
  EXPECT_EQ(config_field("Entry"), "");
  EXPECT_EQ(config_field_names().size(), 15u);
  EXPECT_EQ((env_map({"A=1", "B", "A=2", "C=x=y"})),
            (std::vector<std::pair<std::string, std::string>>{{"A", "2"}, {"B", ""}, {"C", "x=y"}}));
}

}  // namespace
}  // namespace layerdiff
