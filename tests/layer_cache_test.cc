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

// Every field of every entry set, each to a value no other field has (a decoder that drops or
// swaps a field cannot round-trip it).
LayerData sample(const std::string& digest) {
  LayerData l;
  l.blob.compression = Compression::Zstd;
  l.blob.compressed_size = 123;
  l.blob.tar_size = 4096;
  l.blob.entries = 6;
  l.blob.metadata_bytes = 77;
  l.blob.blob_digest = digest;
  l.blob.diff_id = "sha256:" + std::string(64, 'd');
  LayerEntry f = F("usr/bin/x", "content", 04755);
  f.uid = 1000;
  f.gid = 2000;
  f.mtime = 1700000000;
  f.xattrs = {{"security.capability", std::string("\0\x01", 2)}, {"user.k", "v"}};
  LayerEntry db = F("var/lib/dpkg/status", std::string("Package: a\0\n", 12), 0640);
  db.content = std::make_shared<const std::string>(std::string("Package: a\0\n", 12));
  db.mtime = -1;  // before 1970
  LayerEntry dev;
  dev.path = "dev/null";
  dev.type = EntryType::CharDev;
  dev.mode = 0666;
  dev.dev_major = 1;
  dev.dev_minor = 3;
  l.entries = PackedEntries({D("usr"), f, db, L("lnk", "usr/bin/x"), H("hl", "usr/bin/x"), dev, W("a/.wh.b")});
  return l;
}

// Compares every field: the structured bindings stop compiling when a field is added to
// LayerEntry or LayerBlobInfo, until it is compared here (and serialised in encode_layer).
void expect_same(const LayerData& a, const LayerData& b) {
  const auto& [compression, compressed_size, tar_size, entries, metadata_bytes, blob_digest, diff_id] = a.blob;
  EXPECT_EQ(compression, b.blob.compression);
  EXPECT_EQ(compressed_size, b.blob.compressed_size);
  EXPECT_EQ(tar_size, b.blob.tar_size);
  EXPECT_EQ(entries, b.blob.entries);
  EXPECT_EQ(metadata_bytes, b.blob.metadata_bytes);
  EXPECT_EQ(blob_digest, b.blob.blob_digest);
  EXPECT_EQ(diff_id, b.blob.diff_id);
  ASSERT_EQ(a.entries.size(), b.entries.size());
  const std::vector<LayerEntry> ea = a.entries.unpack(), eb = b.entries.unpack();
  ASSERT_EQ(ea.size(), a.entries.size());
  ASSERT_EQ(eb.size(), b.entries.size());
  for (size_t i = 0; i < ea.size(); ++i) {
    const LayerEntry& y = eb[i];
    const auto& [path, type, size, mode, uid, gid, mtime, dev_major, dev_minor, link, xattrs, digest,
                 content] = ea[i];
    SCOPED_TRACE(path);
    EXPECT_EQ(path, y.path);
    EXPECT_EQ(type, y.type);
    EXPECT_EQ(size, y.size);
    EXPECT_EQ(mode, y.mode);
    EXPECT_EQ(uid, y.uid);
    EXPECT_EQ(gid, y.gid);
    EXPECT_EQ(mtime, y.mtime);
    EXPECT_EQ(dev_major, y.dev_major);
    EXPECT_EQ(dev_minor, y.dev_minor);
    EXPECT_EQ(link, y.link);
    EXPECT_EQ(xattrs, y.xattrs);
    EXPECT_EQ(digest, y.digest);
    ASSERT_EQ(content == nullptr, y.content == nullptr);
    if (content) {
      EXPECT_EQ(*content, *y.content);
    }
  }
}

struct TempDir {
  fs::path p = fs::temp_directory_path() / ("layerdiff-cache-test-" + std::to_string(getpid()));
  TempDir() { fs::remove_all(p); }
  ~TempDir() { fs::remove_all(p); }
};

const std::string kDigest = "sha256:" + std::string(64, 'a');

/// The cache file of digest "sha256:" + 64 x `c`, for this build's reader version or `version`.
fs::path file_of(const fs::path& dir, char c, const std::string& version = LayerStore::reader_version()) {
  return dir / ("sha256-" + std::string(64, c) + "." + version + ".idx");
}

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
  fs::path file = file_of(t.p, 'a');
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
  fs::copy_file(file_of(t.p, 'b'), file,
                fs::copy_options::overwrite_existing);
  EXPECT_EQ(LayerStore(t.p.string()).find(kDigest), nullptr);
  // Rewritten correctly, it is used again.
  write(good);
  EXPECT_NE(LayerStore(t.p.string()).find(kDigest), nullptr);
}

// A cache filled by a build whose reader differs (its version differs) is never read: the files
// of another version are not even opened, and a file carrying another version in its header is
// not trusted under this version's name.
TEST(LayerCache, AnotherReaderVersionNeverReadsTheFiles) {
  TempDir t;
  const std::string older = "0123456789abcdef", newer = "fedcba9876543210";
  ASSERT_NE(LayerStore::reader_version(), older);
  LayerData l = sample(kDigest);
  std::vector<LayerEntry> older_entries = l.entries.unpack();
  older_entries[1].gid = 4242;  // what an older reader might have read
  l.entries = PackedEntries(older_entries);
  LayerStore(t.p.string(), 1 << 20, older).put(kDigest, std::make_shared<LayerData>(l), true);
  ASSERT_TRUE(fs::exists(file_of(t.p, 'a', older)));
  EXPECT_EQ(LayerStore(t.p.string(), 1 << 20, newer).find(kDigest), nullptr);
  EXPECT_EQ(LayerStore(t.p.string()).find(kDigest), nullptr);  // this build's version
  auto same = LayerStore(t.p.string(), 1 << 20, older).find(kDigest);
  ASSERT_NE(same, nullptr);  // its own version still reads it
  EXPECT_EQ(same->entries.unpack()[1].gid, 4242u);
  fs::copy_file(file_of(t.p, 'a', older), file_of(t.p, 'a', newer));
  EXPECT_EQ(LayerStore(t.p.string(), 1 << 20, newer).find(kDigest), nullptr);
  // The new version's reader writes its own file beside the old one, and reads it back.
  LayerStore(t.p.string(), 1 << 20, newer).put(kDigest, std::make_shared<LayerData>(sample(kDigest)), true);
  auto fresh = LayerStore(t.p.string(), 1 << 20, newer).find(kDigest);
  ASSERT_NE(fresh, nullptr);
  expect_same(sample(kDigest), *fresh);
}

TEST(LayerCache, ReaderVersionIsSixteenHexDigits) {
  std::string v = LayerStore::reader_version();
  ASSERT_EQ(v.size(), 16u);
  EXPECT_EQ(v.find_first_not_of("0123456789abcdef"), std::string::npos) << v;
  // A malformed version never names a file: no disk cache.
  for (std::string bad : {"", "0123", "../../../../etc/", "0123456789ABCDEF"}) {
    TempDir t;
    LayerStore(t.p.string(), 1 << 20, bad).put(kDigest, std::make_shared<LayerData>(sample(kDigest)), true);
    EXPECT_FALSE(fs::exists(t.p)) << bad;
  }
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
  EXPECT_TRUE(fs::exists(file_of(t.p, 'f')));
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
