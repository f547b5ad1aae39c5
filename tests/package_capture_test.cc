// package_capture_test.cc: formats/ keeps the content of package database files (and only theirs),
// within the limits of formats/limits.h, and the layer cache carries it.
#include <gtest/gtest.h>

#include "formats/byte_source.h"
#include "formats/layer_cache.h"
#include "formats/layer_reader.h"
#include "tests/test_util.h"

namespace layerdiff::test {
namespace {

std::vector<LayerEntry> read(const std::string& blob, LayerReadOptions opt = {}) {
  MemorySource m(blob);
  VectorSink s;
  read_layer(m, opt, "t.tar: layer x", s);
  return std::move(s.entries);
}

TEST(PackageCapture, KeepsPackageDatabasesOnly) {
  std::string status = "Package: a\nStatus: install ok installed\nVersion: 1\n\n";
  std::string list = "/usr/bin/a\n";
  std::vector<LayerEntry> in{F("./var/lib/dpkg/status", status), F("var/lib/dpkg/info/a.list", list),
                             F("usr/bin/a", "binary"), F("var/lib/dpkg/info/a.md5sums", "x")};
  auto out = read(gzip(make_tar(in, {status, list, "binary", "x"})));
  ASSERT_EQ(out.size(), 4u);
  ASSERT_TRUE(out[0].content);
  EXPECT_EQ(*out[0].content, status);
  EXPECT_EQ(out[0].digest, read(make_tar({in[0]}, {status}))[0].digest);  // digest unchanged
  ASSERT_TRUE(out[1].content);
  EXPECT_EQ(*out[1].content, list);
  EXPECT_FALSE(out[2].content);
  EXPECT_FALSE(out[3].content);
}

TEST(PackageCapture, TotalCapIsSharedByTheLayersOfOneRead) {
  std::string status(1000, 'x');
  std::string tar = make_tar({F("var/lib/dpkg/status", status)}, {status});
  LayerReadOptions opt;
  opt.package_db_bytes->store(limits::kMaxPackageDbTotalBytes - 1500);
  LayerReadOptions copy = opt;  // another layer of the same read
  EXPECT_TRUE(read(tar, opt)[0].content);
  EXPECT_FALSE(read(tar, copy)[0].content);  // 500 bytes left
  EXPECT_EQ(opt.package_db_bytes->load(), limits::kMaxPackageDbTotalBytes - 500);
}

TEST(PackageCapture, LayerCacheKeepsTheContent) {
  LayerData l;
  std::vector<LayerEntry> es = {F("var/lib/dpkg/status", "s"), F("usr/bin/a", "a")};
  es[0].content = std::make_shared<const std::string>("s");
  l.entries = PackedEntries(es);
  auto d = decode_layer(encode_layer(l));
  ASSERT_TRUE(d);
  std::vector<LayerEntry> got = d->entries.unpack();
  ASSERT_EQ(got.size(), 2u);
  ASSERT_TRUE(got[0].content);
  EXPECT_EQ(*got[0].content, "s");
  EXPECT_FALSE(got[1].content);
}

}  // namespace
}  // namespace layerdiff::test
