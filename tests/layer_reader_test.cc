// layer_reader_test.cc: layer blobs built in memory, in every compression and tar dialect.
#include "formats/layer_reader.h"

#include <gtest/gtest.h>

#include "analyzer/error.h"
#include "formats/byte_source.h"
#include "tests/test_util.h"

namespace layerdiff::test {
namespace {

struct Read {
  LayerBlobInfo info;
  std::vector<LayerEntry> entries;
};

Read read(const std::string& blob) {
  MemorySource m(blob);
  VectorSink s;
  Read r;
  r.info = read_layer(m, {}, "t.tar: layer x", s);
  r.entries = std::move(s.entries);
  return r;
}

std::vector<LayerEntry> sample() {
  LayerEntry dev;
  dev.path = "dev/loop0";
  dev.type = EntryType::BlockDev;
  dev.mode = 0660;
  dev.dev_major = 7;
  dev.dev_minor = 1;
  LayerEntry f = F("dir/file", "", 04755);
  f.uid = 1000;
  f.gid = 100;
  f.mtime = 1700000000;
  f.xattrs = {{"user.k", "v"}};
  return {D("dir"), f, L("dir/link", "file"), H("dir/hard", "dir/file"), dev,
          F(std::string(150, 'a') + "/" + std::string(120, 'b'), "")};
}

TEST(LayerReader, EveryCompressionGivesTheSameEntriesAndDiffId) {
  std::vector<std::string> contents{"", "hello world", "", "", "", "long"};
  std::string tar = make_tar(sample(), contents);
  Read plain = read(tar);
  Read gz = read(gzip(tar));
  Read zs = read(zstd(tar));
  EXPECT_EQ(plain.info.compression, Compression::None);
  EXPECT_EQ(gz.info.compression, Compression::Gzip);
  EXPECT_EQ(zs.info.compression, Compression::Zstd);
  std::string diff_id = "sha256:" + sha256_hex(tar);
  EXPECT_EQ(plain.info.diff_id, diff_id);
  EXPECT_EQ(gz.info.diff_id, diff_id);
  EXPECT_EQ(zs.info.diff_id, diff_id);
  EXPECT_EQ(gz.info.blob_digest, "sha256:" + sha256_hex(gzip(tar)));
  EXPECT_EQ(gz.info.tar_size, tar.size());
  EXPECT_EQ(gz.info.compressed_size, gzip(tar).size());
  ASSERT_EQ(plain.entries.size(), 6u);
  for (const Read* r : {&gz, &zs}) {
    ASSERT_EQ(r->entries.size(), plain.entries.size());
    for (size_t i = 0; i < plain.entries.size(); ++i) {
      EXPECT_EQ(r->entries[i].path, plain.entries[i].path);
      EXPECT_EQ(r->entries[i].digest, plain.entries[i].digest);
    }
  }
  const auto& e = plain.entries;
  EXPECT_EQ(e[1].type, EntryType::File);
  EXPECT_EQ(e[1].size, 11u);
  EXPECT_EQ(e[1].mode, 04755u);
  EXPECT_EQ(e[1].uid, 1000u);
  EXPECT_EQ(e[1].gid, 100u);
  EXPECT_EQ(e[1].mtime, 1700000000);
  EXPECT_EQ(e[1].xattrs, (Xattrs{{"user.k", "v"}}));
  EXPECT_EQ(e[2].type, EntryType::Symlink);
  EXPECT_EQ(e[2].link, "file");
  EXPECT_EQ(e[3].type, EntryType::Hardlink);
  EXPECT_EQ(e[3].link, "dir/file");
  EXPECT_EQ(e[4].type, EntryType::BlockDev);
  EXPECT_EQ(e[4].dev_major, 7u);
  EXPECT_EQ(e[4].dev_minor, 1u);
  EXPECT_EQ(e[5].path, std::string(150, 'a') + "/" + std::string(120, 'b'));
}

TEST(LayerReader, GnuLongNamesAreRead) {
  std::string name = std::string(120, 'x') + "/" + std::string(110, 'y');
  Read r = read(make_tar({F(name, ""), L("l", std::string(200, 'z'))}, {"abc", ""}, TarFormat::Gnu));
  ASSERT_EQ(r.entries.size(), 2u);
  EXPECT_EQ(r.entries[0].path, name);
  EXPECT_EQ(r.entries[1].link, std::string(200, 'z'));
}

TEST(LayerReader, ContentDigestDependsOnContentNotName) {
  Read r = read(make_tar({F("a", ""), F("b", ""), F("c", "")}, {"same", "same", "diff"}));
  EXPECT_EQ(r.entries[0].digest, r.entries[1].digest);
  EXPECT_NE(r.entries[0].digest, r.entries[2].digest);
}

TEST(LayerReader, EmptyBlobIsAnEmptyLayer) {
  Read r = read("");
  EXPECT_TRUE(r.entries.empty());
  Read z = read(std::string(1024, '\0'));
  EXPECT_TRUE(z.entries.empty());
}

TEST(LayerReader, CorruptInputIsAnError) {
  std::string tar = make_tar({F("a", "")}, {std::string(5000, 'q')});
  std::string gz = gzip(tar);
  EXPECT_THROW(read(gz.substr(0, gz.size() / 2)), Error);   // truncated gzip
  std::string bad = gz;
  bad[bad.size() - 6] ^= 0x55;                              // CRC/size trailer
  EXPECT_THROW(read(bad), Error);
  std::string zs = zstd(tar);
  EXPECT_THROW(read(zs.substr(0, zs.size() - 3)), Error);  // truncated zstd
  EXPECT_THROW(read(tar.substr(0, 700)), Error);            // truncated tar data
  try {
    read("this is not a tar archive, just text padded out" + std::string(600, '.'));
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "t.tar: layer x: not a tar archive");
  }
}

}  // namespace
}  // namespace layerdiff::test

namespace layerdiff::test {
namespace {

/// A source that counts the bytes it hands out by read() (skipped bytes are not read).
class CountingSource : public ByteSource {
 public:
  explicit CountingSource(std::string_view data) : m_(data) {}
  size_t read(void* buf, size_t n) override {
    size_t got = m_.read(buf, n);
    read_ += got;
    return got;
  }
  uint64_t skip(uint64_t n) override { return m_.skip(n); }
  uint64_t bytes_read() const { return read_; }

 private:
  MemorySource m_;
  uint64_t read_ = 0;
};

// Without digests or contents (plain `ls --no-verify`), an uncompressed layer is read for its
// headers: the same entries but for their digests, the same sizes, and the file data skipped.
TEST(LayerReader, HeadersOnlySkipsFileDataOfAnUncompressedLayer) {
  std::vector<LayerEntry> es = {D("d"), F("d/big", std::string(4 << 20, 'x')), F("d/small", "abc"),
                                L("d/lnk", "big"), H("d/hl", "d/big")};
  std::vector<std::string> contents = {"", std::string(4 << 20, 'x'), "abc", "", ""};
  const std::string tar = make_tar(es, contents);
  Read full = read(tar);
  LayerReadOptions o;
  o.sha256 = false;
  o.content = false;
  CountingSource in(tar);
  VectorSink s;
  LayerBlobInfo info = read_layer(in, o, "t.tar: layer x", s);
  EXPECT_LT(in.bytes_read(), tar.size() / 4) << "the 4 MiB file was read, not skipped";
  EXPECT_EQ(info.tar_size, tar.size());
  EXPECT_EQ(info.compressed_size, tar.size());
  EXPECT_EQ(info.entries, full.info.entries);
  ASSERT_EQ(s.entries.size(), full.entries.size());
  for (size_t i = 0; i < s.entries.size(); ++i) {
    EXPECT_EQ(s.entries[i].path, full.entries[i].path);
    EXPECT_EQ(s.entries[i].type, full.entries[i].type);
    EXPECT_EQ(s.entries[i].size, full.entries[i].size);
    EXPECT_EQ(s.entries[i].link, full.entries[i].link);
    EXPECT_EQ(s.entries[i].digest, ContentDigest{});
  }
  // A layer cut inside the big file's data is still an error.
  CountingSource cut(std::string_view(tar).substr(0, tar.size() / 2));
  VectorSink s2;
  EXPECT_THROW(read_layer(cut, o, "t.tar: layer x", s2), Error);
  // With verification every byte is read.
  LayerReadOptions v;
  v.content = false;  // ignored: sha256 needs the data
  CountingSource all(tar);
  VectorSink s3;
  read_layer(all, v, "t.tar: layer x", s3);
  EXPECT_EQ(all.bytes_read(), tar.size());
  EXPECT_EQ(s3.entries[1].digest, full.entries[1].digest);
}

}  // namespace
}  // namespace layerdiff::test
