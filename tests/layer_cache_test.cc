// layer_cache_test.cc: the layer index cache: round trip, atomic files, and never trusting a
// corrupt, foreign or truncated file.
#include "formats/layer_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/test_util.h"

namespace layerdiff::test {
namespace {

namespace fs = std::filesystem;

LayerData sample(const std::string& digest) {
  LayerData l;
  l.blob.compression = Compression::Zstd;
  l.blob.compressed_size = 123;
  l.blob.tar_size = 4096;
  l.blob.entries = 3;
  l.blob.blob_digest = digest;
  l.blob.diff_id = "sha256:" + std::string(64, 'd');
  LayerEntry f = F("usr/bin/x", "content", 04755);
  f.uid = 1000;
  f.mtime = 1700000000;
  f.xattrs = {{"security.capability", std::string("\0\x01", 2)}};
  LayerEntry dev;
  dev.path = "dev/null";
  dev.type = EntryType::CharDev;
  dev.dev_major = 1;
  dev.dev_minor = 3;
  l.entries = {D("usr"), f, L("lnk", "usr/bin/x"), H("hl", "usr/bin/x"), dev, W("a/.wh.b")};
  return l;
}

void expect_same(const LayerData& a, const LayerData& b) {
  EXPECT_EQ(a.blob.compression, b.blob.compression);
  EXPECT_EQ(a.blob.compressed_size, b.blob.compressed_size);
  EXPECT_EQ(a.blob.tar_size, b.blob.tar_size);
  EXPECT_EQ(a.blob.blob_digest, b.blob.blob_digest);
  EXPECT_EQ(a.blob.diff_id, b.blob.diff_id);
  ASSERT_EQ(a.entries.size(), b.entries.size());
  for (size_t i = 0; i < a.entries.size(); ++i) {
    const auto &x = a.entries[i], &y = b.entries[i];
    EXPECT_EQ(x.path, y.path);
    EXPECT_EQ(x.type, y.type);
    EXPECT_EQ(x.size, y.size);
    EXPECT_EQ(x.mode, y.mode);
    EXPECT_EQ(x.uid, y.uid);
    EXPECT_EQ(x.mtime, y.mtime);
    EXPECT_EQ(x.dev_major, y.dev_major);
    EXPECT_EQ(x.dev_minor, y.dev_minor);
    EXPECT_EQ(x.link, y.link);
    EXPECT_EQ(x.xattrs, y.xattrs);
    EXPECT_EQ(x.digest, y.digest);
  }
}

struct TempDir {
  fs::path p = fs::temp_directory_path() / ("layerdiff-cache-test-" + std::to_string(getpid()));
  TempDir() { fs::remove_all(p); }
  ~TempDir() { fs::remove_all(p); }
};

const std::string kDigest = "sha256:" + std::string(64, 'a');

TEST(LayerCache, EncodeDecodeRoundTrip) {
  LayerData l = sample(kDigest);
  auto back = decode_layer(encode_layer(l));
  ASSERT_TRUE(back.has_value());
  expect_same(l, *back);
  std::string bytes = encode_layer(l);
  for (size_t cut = 0; cut < bytes.size(); cut += 7) EXPECT_FALSE(decode_layer(bytes.substr(0, cut)));
}

TEST(LayerCache, WrittenOnlyWhenVerifiedAndReadBackInANewRun) {
  TempDir t;
  {
    LayerStore s(t.p.string());
    s.put(kDigest, std::make_shared<LayerData>(sample(kDigest)), /*verified=*/false);
    EXPECT_FALSE(fs::exists(t.p));  // unverified layers stay in memory
    EXPECT_NE(s.find(kDigest), nullptr);
    s.put(kDigest, std::make_shared<LayerData>(sample(kDigest)), /*verified=*/true);
  }
  LayerStore fresh(t.p.string());
  auto got = fresh.find(kDigest);
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(fresh.disk_hits(), 1u);
  expect_same(sample(kDigest), *got);
  // No temporary files are left behind.
  for (auto& e : fs::directory_iterator(t.p)) EXPECT_EQ(e.path().extension(), ".idx");
}

TEST(LayerCache, CorruptTruncatedOrForeignFilesAreIgnored) {
  TempDir t;
  LayerStore(t.p.string()).put(kDigest, std::make_shared<LayerData>(sample(kDigest)), true);
  fs::path file = t.p / ("sha256-" + std::string(64, 'a') + ".idx");
  ASSERT_TRUE(fs::exists(file));
  std::string good;
  {
    std::ifstream in(file, std::ios::binary);
    good.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto write = [&](const std::string& bytes) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << bytes;
  };
  std::string flipped = good;
  flipped[flipped.size() - 3] ^= 0x40;
  write(flipped);
  EXPECT_EQ(LayerStore(t.p.string()).find(kDigest), nullptr);
  write(good.substr(0, good.size() / 2));
  EXPECT_EQ(LayerStore(t.p.string()).find(kDigest), nullptr);
  write("garbage");
  EXPECT_EQ(LayerStore(t.p.string()).find(kDigest), nullptr);
  // A valid file for another digest, renamed to this key, is not trusted.
  const std::string other = "sha256:" + std::string(64, 'b');
  LayerStore(t.p.string()).put(other, std::make_shared<LayerData>(sample(other)), true);
  fs::copy_file(t.p / ("sha256-" + std::string(64, 'b') + ".idx"), file,
                fs::copy_options::overwrite_existing);
  EXPECT_EQ(LayerStore(t.p.string()).find(kDigest), nullptr);
  // Rewritten correctly, it is used again.
  write(good);
  EXPECT_NE(LayerStore(t.p.string()).find(kDigest), nullptr);
}

TEST(LayerCache, SizeCapEvictsLeastRecentlyUsed) {
  TempDir t;
  std::vector<std::string> ds;
  for (char c : std::string("cdef")) ds.push_back("sha256:" + std::string(64, c));
  size_t one = 0;
  {
    LayerStore s(t.p.string());
    s.put(ds[0], std::make_shared<LayerData>(sample(ds[0])), true);
    for (auto& e : fs::directory_iterator(t.p)) one = fs::file_size(e.path());
  }
  ASSERT_GT(one, 0u);
  LayerStore s(t.p.string(), 2 * one + one / 2);  // room for two
  for (size_t i = 1; i < ds.size(); ++i) {
    s.put(ds[i], std::make_shared<LayerData>(sample(ds[i])), true);
  }
  size_t n = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(t.p)) ++n;
  EXPECT_EQ(n, 2u);
  EXPECT_TRUE(fs::exists(t.p / ("sha256-" + std::string(64, 'f') + ".idx")));
}

TEST(LayerCache, PathsAreOnlyMadeFromPlainDigests) {
  TempDir t;
  LayerStore s(t.p.string());
  const std::string evil = "sha256:../../etc/passwd";
  LayerData l = sample(evil);
  s.put(evil, std::make_shared<LayerData>(l), true);
  EXPECT_FALSE(fs::exists(t.p));
}

}  // namespace
}  // namespace layerdiff::test
