// image_ref_test.cc: IMAGE arguments -> transports, Docker Hub's short names, malformed
// references; base64; the auth-file lookup (files written to a temporary HOME).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "analyzer/error.h"
#include "sources/credentials.h"
#include "sources/image_ref.h"

namespace layerdiff {
namespace {

ImageRef reg(const std::string& s) {
  ImageRef r;
  std::string why;
  EXPECT_TRUE(parse_registry_ref(s, r, &why)) << s << ": " << why;
  return r;
}

TEST(ImageRef, DockerHubShortNames) {
  ImageRef r = reg("debian:12");
  EXPECT_EQ(r.registry, "docker.io");
  EXPECT_EQ(r.repository, "library/debian");
  EXPECT_EQ(r.tag, "12");
  EXPECT_EQ(r.name(), "docker.io/library/debian:12");
  EXPECT_EQ(r.api_host(), "registry-1.docker.io");
  EXPECT_EQ(reg("debian").tag, "latest");
  EXPECT_EQ(reg("bitnami/redis:7").repository, "bitnami/redis");
  EXPECT_EQ(reg("index.docker.io/library/alpine").name(), "docker.io/library/alpine:latest");
  EXPECT_EQ(reg("docker.io/alpine").repository, "library/alpine");
}

TEST(ImageRef, HostsPortsDigests) {
  ImageRef r = reg("localhost:5000/team/app:v1.2-rc_3");
  EXPECT_EQ(r.registry, "localhost:5000");
  EXPECT_EQ(r.repository, "team/app");
  EXPECT_EQ(r.tag, "v1.2-rc_3");
  std::string d = "sha256:" + std::string(64, 'a');
  r = reg("ghcr.io/o/p@" + d);
  EXPECT_EQ(r.tag, "");
  EXPECT_EQ(r.digest, d);
  EXPECT_EQ(r.name(), "ghcr.io/o/p@" + d);
  r = reg("[::1]:5000/a:1");
  EXPECT_EQ(r.registry, "[::1]:5000");
  EXPECT_EQ(reg("quay.io/o/p:1@" + d).tag, "1");
  EXPECT_EQ(reg("localhost/app").registry, "localhost");
}

TEST(ImageRef, Malformed) {
  ImageRef r;
  for (std::string bad : {"UPPER/case", "a//b", "app:", "app:-x", "-app", "app@sha256:abc",
                          "host:port/app", "app__", "a..b"})
    EXPECT_FALSE(parse_registry_ref(bad, r)) << bad;
  EXPECT_THROW(parse_image_ref("docker://"), Error);
  EXPECT_THROW(parse_image_ref("docker://Bad"), Error);
  EXPECT_THROW(parse_image_ref("docker-daemon:"), Error);
}

TEST(ImageRef, Transports) {
  EXPECT_EQ(parse_image_ref("docker://debian:12").kind, ImageRef::Registry);
  EXPECT_FALSE(parse_image_ref("docker://debian:12").bare);
  ImageRef d = parse_image_ref("docker-daemon:app:1");
  EXPECT_EQ(d.kind, ImageRef::Daemon);
  EXPECT_EQ(d.daemon_name, "app:1");
  EXPECT_EQ(parse_image_ref("-").kind, ImageRef::Path);
  // A missing file name stays a path (its error says "cannot open"), a reference does not.
  for (std::string file : {"missing.tar", "./app", "/no/such", "img.tar.gz", "x.tar.zst", "~/a"})
    EXPECT_EQ(parse_image_ref(file).kind, ImageRef::Path) << file;
  ImageRef b = parse_image_ref("no-such-file-but-a-ref:1");
  EXPECT_EQ(b.kind, ImageRef::Registry);
  EXPECT_TRUE(b.bare);
  // An existing path wins over a reference of the same spelling.
  auto dir = std::filesystem::temp_directory_path() / "layerdiff-ref-test";
  std::filesystem::create_directories(dir);
  std::filesystem::current_path(dir);
  std::ofstream("app") << "x";
  EXPECT_EQ(parse_image_ref("app").kind, ImageRef::Path);
  ImageRef p = parse_image_ref("oci-archive:app:edge");
  EXPECT_EQ(p.kind, ImageRef::Path);
  EXPECT_EQ(p.path, "app");
  EXPECT_EQ(p.image, "edge");
  EXPECT_EQ(parse_image_ref("docker-archive:app").image, "");
  std::filesystem::current_path("/");
  std::filesystem::remove_all(dir);
}

TEST(ImageRef, Loopback) {
  for (std::string h : {"localhost", "localhost:5000", "127.0.0.1:5000", "127.1.2.3", "[::1]:5000"})
    EXPECT_TRUE(is_loopback_host(h)) << h;
  for (std::string h : {"docker.io", "127.0.0.1.example.com", "10.0.0.1:5000", "[::2]:1", "localhostx"})
    EXPECT_FALSE(is_loopback_host(h)) << h;
}

TEST(Base64, RoundTrip) {
  for (std::string s : std::vector<std::string>{"", "a", "ab", "abc", "user:pa:ss", std::string("\0\xff\x10", 3)})
    EXPECT_EQ(base64_decode(base64_encode(s)).value(), s);
  EXPECT_EQ(base64_encode("alice:s3cret"), "YWxpY2U6czNjcmV0");
  EXPECT_FALSE(base64_decode("a!b").has_value());
}

class Creds : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("layerdiff-creds-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / ".docker");
    setenv("HOME", dir_.c_str(), 1);
    unsetenv("XDG_RUNTIME_DIR");
    unsetenv("REGISTRY_AUTH_FILE");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& rel, const std::string& text) { std::ofstream(dir_ / rel) << text; }
  std::filesystem::path dir_;
  std::vector<std::string> warnings_;
};

TEST_F(Creds, CredsFlagFirst) {
  CredentialOptions o;
  o.creds = "bob:pa:ss";
  auto c = find_credentials("docker.io", "library/x", o, warnings_);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->username, "bob");
  EXPECT_EQ(c->password, "pa:ss");
  EXPECT_EQ(c->from, "--creds");
}

TEST_F(Creds, DockerConfigKeysAndLongestPrefix) {
  write(".docker/config.json",
        R"({"auths":{"https://index.docker.io/v1/":{"auth":"aHViOmh1Yg=="},
                     "quay.io":{"username":"q","password":"1"},
                     "quay.io/team":{"username":"t","password":"2"}}})");
  CredentialOptions o;
  EXPECT_EQ(find_credentials("docker.io", "library/x", o, warnings_)->username, "hub");
  EXPECT_EQ(find_credentials("quay.io", "team/app", o, warnings_)->username, "t");
  EXPECT_EQ(find_credentials("quay.io", "teamx/app", o, warnings_)->username, "q");
  EXPECT_FALSE(find_credentials("ghcr.io", "o/p", o, warnings_));
}

TEST_F(Creds, ExplicitFileOnlyAndErrors) {
  write(".docker/config.json", R"({"auths":{"r.io":{"username":"home","password":"x"}}})");
  write("a.json", R"({"auths":{"other.io":{"username":"a","password":"x"}}})");
  CredentialOptions o;
  o.authfile = (dir_ / "a.json").string();
  EXPECT_FALSE(find_credentials("r.io", "x", o, warnings_));  // the named file only
  write("bad.json", R"({"auths":{"r.io":{"auth":"bm9jb2xvbg=="}}})");  // "nocolon"
  o.authfile = (dir_ / "bad.json").string();
  EXPECT_THROW(find_credentials("r.io", "x", o, warnings_), Error);
  o.authfile = (dir_ / "none.json").string();
  EXPECT_THROW(find_credentials("r.io", "x", o, warnings_), Error);
  // A broken default file is a warning, and the registry is read anonymously.
  write(".docker/config.json", "{not json");
  o.authfile.clear();
  EXPECT_FALSE(find_credentials("r.io", "x", o, warnings_));
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_NE(warnings_[0].find("config.json: not a JSON object"), std::string::npos) << warnings_[0];
}

TEST_F(Creds, IdentityToken) {
  write(".docker/config.json", R"({"auths":{"r.io":{"identitytoken":"rt"}}})");
  auto c = find_credentials("r.io", "x", {}, warnings_);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->identity_token, "rt");
}

}  // namespace
}  // namespace layerdiff
