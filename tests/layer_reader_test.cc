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
