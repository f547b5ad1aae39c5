// config_reader_test.cc: config JSON -> ImageConfig (formats/config_reader.h): every field,
// the normalisations, lenient handling of odd types (a warning naming the field), and the
// config of a committed fixture as read through read_image.
#include "formats/config_reader.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "formats/image_reader.h"

namespace layerdiff {
namespace {

ImageConfig parse(const std::string& text, std::vector<std::string>& warnings) {
  return parse_image_config(boost::json::parse(text).as_object(), "img.tar: config", warnings);
}

TEST(ConfigReader, EveryField) {
  std::vector<std::string> w;
  ImageConfig c = parse(R"({
    "created": "2024-05-01T10:00:00Z", "architecture": "arm64", "variant": "v8", "os": "linux",
    "config": {
      "User": "node:node", "WorkingDir": "/app", "StopSignal": "SIGINT",
      "Entrypoint": ["docker-entrypoint.sh"], "Cmd": ["node", "server.js"],
      "Env": ["PATH=/usr/bin", "NODE_ENV=production"],
      "ExposedPorts": {"9229/tcp": {}, "3000/tcp": {}},
      "Volumes": {"/data": {}},
      "Labels": {"b": "2", "a": "1"},
      "Healthcheck": {"Test": ["CMD", "curl", "-f", "localhost"], "Interval": 30000000000,
                      "Timeout": 5000000000, "StartPeriod": 1000000000, "Retries": 3}
    },
    "rootfs": {"type": "layers", "diff_ids": []},
    "history": [{"created_by": "a"}, {"created_by": "b", "empty_layer": true}]
  })", w);
  EXPECT_TRUE(w.empty());
  EXPECT_EQ(c.user, "node:node");
  EXPECT_EQ(c.working_dir, "/app");
  EXPECT_EQ(c.stop_signal, "SIGINT");
  EXPECT_EQ(c.entrypoint, std::vector<std::string>{"docker-entrypoint.sh"});
  EXPECT_EQ(c.cmd, (std::vector<std::string>{"node", "server.js"}));
  EXPECT_EQ(c.env, (std::vector<std::string>{"PATH=/usr/bin", "NODE_ENV=production"}));
  EXPECT_EQ(c.exposed_ports, (std::vector<std::string>{"3000/tcp", "9229/tcp"}));
  EXPECT_EQ(c.volumes, std::vector<std::string>{"/data"});
  EXPECT_EQ(c.labels, (std::vector<std::pair<std::string, std::string>>{{"a", "1"}, {"b", "2"}}));
  ASSERT_TRUE(c.has_healthcheck);
  EXPECT_EQ(c.healthcheck.test, (std::vector<std::string>{"CMD", "curl", "-f", "localhost"}));
  EXPECT_EQ(c.healthcheck.interval, 30000000000);
  EXPECT_EQ(c.healthcheck.timeout, 5000000000);
  EXPECT_EQ(c.healthcheck.start_period, 1000000000);
  EXPECT_EQ(c.healthcheck.retries, 3);
  EXPECT_EQ(c.os, "linux");
  EXPECT_EQ(c.architecture, "arm64");
  EXPECT_EQ(c.variant, "v8");
  EXPECT_EQ(c.created, "2024-05-01T10:00:00Z");
  EXPECT_EQ(c.history, 2u);
}

TEST(ConfigReader, NullEmptyAndOddTypes) {
  std::vector<std::string> w;
  ImageConfig c = parse(R"({"config": {"Cmd": null, "Entrypoint": [], "Env": "PATH=/bin",
    "Labels": {"a": 1}, "User": 0, "Healthcheck": {"Test": []}, "ExposedPorts": null}})", w);
  EXPECT_TRUE(c.cmd.empty());
  EXPECT_TRUE(c.entrypoint.empty());
  EXPECT_TRUE(c.env.empty());
  EXPECT_TRUE(c.labels.empty());
  EXPECT_EQ(c.user, "");
  EXPECT_FALSE(c.has_healthcheck);  // Test [] means "inherit": there is none
  EXPECT_EQ(w, (std::vector<std::string>{
                   "img.tar: config: config field User is not a string; ignored",
                   "img.tar: config: config field Env is not an array of strings; ignored",
                   "img.tar: config: config field Labels is not an object of strings; ignored"}));
  w.clear();
  c = parse(R"({"config": "nope"})", w);
  EXPECT_EQ(w, std::vector<std::string>{"img.tar: config: config field config is not an object; ignored"});
  w.clear();
  c = parse(R"({})", w);  // no config at all: every field unset
  EXPECT_TRUE(w.empty());
  EXPECT_TRUE(c.cmd.empty() && c.env.empty() && c.user.empty());
}

TEST(ConfigReader, FixtureThroughReadImage) {
  LoadedImage li = read_image(std::string(LAYERDIFF_FIXTURES) + "/docker.tar", {});
  const ImageConfig& c = li.info.config;
  EXPECT_EQ(c.cmd, std::vector<std::string>{"/bin/sh"});
  EXPECT_EQ(c.env, std::vector<std::string>{"FOO=bar"});
  EXPECT_EQ(c.working_dir, "/");
  EXPECT_EQ(c.os, "linux");
  EXPECT_EQ(c.architecture, "amd64");
  EXPECT_EQ(c.history, li.info.history.size());
  EXPECT_EQ(c.history, 5u);
}

}  // namespace
}  // namespace layerdiff
