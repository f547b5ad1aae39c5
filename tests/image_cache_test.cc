// image_cache_test.cc: the merged-image cache (formats/image_cache.h): a cached image is the image
// the merge made, every field of it; a file that is corrupt, truncated, of another version, for
// another key or with an index out of range is refused; and read_image uses it only when the
// layers it was made from are the image's, verified, with their blobs still there.
#include "formats/image_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <xxhash.h>

#include <cstddef>
#include <cstring>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "analyzer/inspect.h"
#include "analyzer/listing.h"
#include "formats/cache_codec.h"
#include "formats/image_reader.h"
#include "formats/layer_cache.h"
#include "tests/test_util.h"

namespace layerdiff::test {
namespace {

namespace fs = std::filesystem;
const std::string kFix = LAYERDIFF_FIXTURES;
const std::string kVersion = "0123456789abcdef";
const std::string kKey = std::string(64, 'c');

struct TempDir {
  fs::path p = fs::temp_directory_path() / ("layerdiff-image-cache-test-" + std::to_string(getpid()));
  TempDir() { fs::remove_all(p); }
  ~TempDir() { fs::remove_all(p); }
};


void spit(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
}

/// An image with every kind of thing a cache file holds: each entry type, a hardlink, xattrs,
/// package database content (kept and empty), waste, removed paths, a warning.
std::unique_ptr<MergedImage> sample(Diagnostics& diag) {
  LayerEntry dev;
  dev.path = "dev/null";
  dev.type = EntryType::CharDev;
  dev.mode = 0666;
  dev.dev_major = 1;
  dev.dev_minor = 3;
  LayerEntry x = F("bin/tool", "tool", 04755);
  x.xattrs = {{"security.capability", std::string("\0\x01", 2)}, {"user.k", "v"}};
  x.mtime = -5;
  LayerEntry status = F("var/lib/dpkg/status", "Package: a\nStatus: install ok installed\n");
  status.content = std::make_shared<const std::string>("Package: a\nStatus: install ok installed\n");
  LayerEntry empty_db = F("var/lib/dpkg/info/a.list", "");
  empty_db.content = std::make_shared<const std::string>();
  LayerEntry d = D("opt/d");
  d.xattrs = {{"user.dir", "1"}};
  std::vector<std::vector<LayerEntry>> layers = {
      {D("bin"), x, L("bin/sh", "tool"), H("bin/again", "bin/tool"), dev, status, empty_db, d,
       F("opt/d/gone", "123456"), F("a-b", "1"), F("a/b", "22"), F("old", "old content")},
      {W("opt/.wh.d"), F("old", "new"), F("/abs", "absolute"), D("a-c")}};
  ImageInfo info;
  info.source = "sample.tar";
  std::vector<const PackedEntries*> ptrs;
  std::vector<PackedEntries> packed;
  for (size_t i = 0; i < layers.size(); ++i) {
    LayerInfo li;
    li.index = static_cast<uint32_t>(i);
    li.digest = "sha256:" + std::string(64, static_cast<char>('0' + i));
    info.layers.push_back(li);
    packed.emplace_back(layers[i]);
  }
  for (auto& p : packed) ptrs.push_back(&p);
  return merge_image(info, ptrs, diag);
}

std::vector<LayerBlobInfo> blobs() {
  std::vector<LayerBlobInfo> b(2);
  b[0].compression = Compression::Gzip;
  b[0].compressed_size = 1234;
  b[0].tar_size = 10240;
  b[0].entries = 12;
  b[0].metadata_bytes = 345;
  b[0].blob_digest = "sha256:" + std::string(64, '0');
  b[0].diff_id = "sha256:" + std::string(64, 'd');
  b[1].compression = Compression::Zstd;
  b[1].compressed_size = 99;
  b[1].tar_size = 4096;
  b[1].entries = 4;
  b[1].metadata_bytes = 40;
  b[1].blob_digest = "sha256:" + std::string(64, '1');
  b[1].diff_id = "sha256:" + std::string(64, 'e');
  return b;
}

/// Everything a report can read of an image, as text.
std::string describe(const MergedImage& img) {
  std::ostringstream o;
  for (const auto& r : listing(img.tree)) {
    std::string line;
    append_listing_line(line, r);
    o << line << "  mtime=" << r.inode->mtime << " layer=" << r.layer << "/" << r.inode->layer
      << " nlink=" << r.inode->nlink << " implicit=" << r.inode->implicit << " digest=" << r.inode->digest.hex();
    for (const auto& [k, v] : img.tree.xattrs(r.id)) o << " x:" << k << "=" << v.size();
    if (auto c = img.tree.content(r.id)) o << " content=" << *c << "|";
    o << "\n";
  }
  const Node* root = img.tree.find("");
  o << "root layer=" << root->layer << " mode=" << img.tree.inode(root->inode).mode << "\n";
  for (size_t i = 0; i < img.removed_by.size(); ++i)
    o << "removed " << img.removed_by.path(i) << " by " << img.removed_by.layer(i) << "\n";
  for (const auto& w : img.waste)
    o << "waste " << w.path << " " << w.bytes << " " << w.layer << "->" << w.removed_by << " " << w.deleted << " "
      << w.digest.hex() << "\n";
  for (const auto& s : img.stats)
    o << "stats " << s.entries << " " << s.written_bytes << " " << s.files << " " << s.dirs << " " << s.symlinks
      << " " << s.hardlinks << " " << s.whiteouts << " " << s.others << " " << s.changes.added << " "
      << s.changes.modified << " " << s.changes.removed << " " << s.changes.added_bytes << " "
      << s.changes.removed_bytes << " " << s.changes.grown_bytes << " " << s.changes.shrunk_bytes << "\n";
  return o.str();
}

TEST(ImageCache, ACachedImageIsTheImageTheMergeMade) {
  TempDir t;
  fs::create_directories(t.p);
  Diagnostics diag;
  auto img = sample(diag);
  ASSERT_FALSE(diag.warnings.empty());  // the absolute path
  const std::string want = describe(*img);
  spit(t.p / "f", encode_merged_image(kKey, kVersion, *img, blobs(), diag.warnings));
  auto c = load_merged_image((t.p / "f").string(), kKey, kVersion);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->warnings, diag.warnings);
  ASSERT_EQ(c->blobs.size(), 2u);
  const auto& [compression, compressed_size, tar_size, entries, metadata_bytes, blob_digest, diff_id] = c->blobs[1];
  EXPECT_EQ(compression, Compression::Zstd);
  EXPECT_EQ(compressed_size, 99u);
  EXPECT_EQ(tar_size, 4096u);
  EXPECT_EQ(entries, 4u);
  EXPECT_EQ(metadata_bytes, 40u);
  EXPECT_EQ(blob_digest, blobs()[1].blob_digest);
  EXPECT_EQ(diff_id, blobs()[1].diff_id);
  auto back = merged_image_from_cache(img->info, c);
  EXPECT_EQ(describe(*back), want);
  EXPECT_EQ(back->removed_by.find("opt/d/gone"), 1u);
  EXPECT_EQ(back->tree.find("a/b")->inode, img->tree.find("a/b")->inode);
  EXPECT_EQ(back->tree.find("a-c/x"), nullptr);
  // The same report, field by field, from either.
  InspectReport a = build_inspect(*img, {}), b = build_inspect(*back, {});
  EXPECT_EQ(a.content_size, b.content_size);
  EXPECT_EQ(a.files, b.files);
  EXPECT_EQ(a.hardlinks, b.hardlinks);
  EXPECT_EQ(a.wasted_bytes, b.wasted_bytes);
  ASSERT_EQ(a.largest_files.size(), b.largest_files.size());
  for (size_t i = 0; i < a.largest_files.size(); ++i) EXPECT_EQ(a.largest_files[i].label, b.largest_files[i].label);
  // The cache outlives the image it was loaded into only as long as someone holds it.
  std::weak_ptr<const CachedImage> weak = c;
  c.reset();
  EXPECT_FALSE(weak.expired());  // `back` holds the mapping
  back.reset();
  EXPECT_TRUE(weak.expired());
}

TEST(ImageCache, CorruptTruncatedForeignOrOutOfRangeFilesAreRefused) {
  TempDir t;
  fs::create_directories(t.p);
  Diagnostics diag;
  auto img = sample(diag);
  const std::string good = encode_merged_image(kKey, kVersion, *img, blobs(), diag.warnings);
  const fs::path f = t.p / "f";
  auto load = [&](const std::string& bytes, const std::string& key = kKey, const std::string& v = kVersion) {
    spit(f, bytes);
    return load_merged_image(f.string(), key, v) != nullptr;
  };
  EXPECT_TRUE(load(good));
  EXPECT_FALSE(load(good, std::string(64, 'd')));         // another key
  EXPECT_FALSE(load(good, kKey, "fedcba9876543210"));      // another version
  for (size_t cut : {size_t{0}, size_t{20}, good.size() / 2, good.size() - 1}) EXPECT_FALSE(load(good.substr(0, cut)));
  for (size_t at = 40; at < good.size(); at += good.size() / 50 + 1) {
    std::string flipped = good;
    flipped[at] ^= 0x20;
    EXPECT_FALSE(load(flipped)) << "byte " << at;  // the checksum
  }
  EXPECT_FALSE(load("garbage"));
  // A file whose checksum is right but whose tables point outside themselves: refused too.
  auto with_checksum = [](std::string bytes) {
    std::string_view payload = std::string_view(bytes).substr(40);
    std::string sum;
    codec::put_fixed(sum, XXH3_64bits(payload.data(), payload.size()));
    bytes.replace(32, 8, sum);
    return bytes;
  };
  EXPECT_TRUE(load(with_checksum(good)));
  auto section = [&](int s) {  // offset of section s (see image_cache.cc) in the file
    return 40 + codec::get_fixed(good.data() + 40 + 16 * s);
  };
  std::string bad = good;
  uint32_t huge = 0xfffffff0u;
  std::memcpy(&bad[section(4)], &huge, 4);  // the first row's inode
  EXPECT_FALSE(load(with_checksum(bad)));
  bad = good;
  bad[section(6) + offsetof(Inode, type)] = 9;  // an inode type that does not exist
  EXPECT_FALSE(load(with_checksum(bad)));
  bad = good;
  bad[section(6) + offsetof(Inode, implicit)] = 7;  // a bool that is neither
  EXPECT_FALSE(load(with_checksum(bad)));
  bad = good;
  uint64_t past = good.size();
  std::memcpy(&bad[section(3)], &past, 8);  // the first path ends past the buffer
  EXPECT_FALSE(load(with_checksum(bad)));
  bad = good;
  std::memcpy(&bad[40 + 16 * 2], &past, 8);  // a section past the payload
  EXPECT_FALSE(load(with_checksum(bad)));
}

ReadOptions with_store(LayerStore& s, bool verify = true) {
  ReadOptions o;
  o.store = &s;
  o.verify = verify;
  return o;
}

std::string ls_of(LoadedImage&& li, LayerStore* s) {
  Diagnostics d;
  auto img = merge_loaded(std::move(li), d, s);
  return listing_text(listing(img->tree));
}

size_t merged_files(const fs::path& dir) {
  size_t n = 0;
  if (fs::exists(dir))
    for (auto& e : fs::directory_iterator(dir)) n += e.path().extension() == ".img";
  return n;
}

TEST(ImageCache, AWarmReadTakesTheCachedMergeAndReadsNoLayer) {
  TempDir t;
  const std::string cold = [&] {
    LayerStore s(t.p.string());
    LoadedImage li = read_image(kFix + "/oci-gzip.tar", with_store(s));
    EXPECT_EQ(li.merged, nullptr);
    EXPECT_EQ(li.layers.size(), 3u);
    EXPECT_FALSE(li.merged_key.empty());
    return ls_of(std::move(li), &s);
  }();
  EXPECT_EQ(merged_files(t.p), 1u);
  LayerStore s(t.p.string());
  LoadedImage li = read_image(kFix + "/oci-gzip.tar", with_store(s));
  ASSERT_NE(li.merged, nullptr);
  EXPECT_TRUE(li.layers.empty());
  EXPECT_EQ(s.hits(), 0u);  // not even the layer cache was asked
  EXPECT_EQ(li.info.layers.size(), 3u);
  EXPECT_EQ(li.info.layers[0].tar_size, li.blobs[0].tar_size);
  EXPECT_EQ(ls_of(std::move(li), &s), cold);
  // The same layers in another archive (zstd instead of gzip blobs) are another key.
  LoadedImage z = read_image(kFix + "/oci-zstd.tar", with_store(s));
  EXPECT_EQ(z.merged, nullptr);
  // Asked to read the layers (to list what each did), it does.
  ReadOptions o = with_store(s);
  o.merged_cache = false;
  LoadedImage layers = read_image(kFix + "/oci-gzip.tar", o);
  EXPECT_EQ(layers.merged, nullptr);
  EXPECT_EQ(layers.layers.size(), 3u);
}

TEST(ImageCache, OnlyAVerifiedMergeIsStored) {
  TempDir t;
  {
    LayerStore s(t.p.string());
    LoadedImage li = read_image(kFix + "/docker.tar", with_store(s, /*verify=*/false));
    EXPECT_TRUE(li.merged_key.empty());
    ls_of(std::move(li), &s);
  }
  EXPECT_EQ(merged_files(t.p), 0u);
  {
    LayerStore s(t.p.string());
    ls_of(read_image(kFix + "/docker.tar", with_store(s)), &s);
  }
  EXPECT_EQ(merged_files(t.p), 1u);
  // A run without verification may use what a verified run stored.
  LayerStore s(t.p.string());
  EXPECT_NE(read_image(kFix + "/docker.tar", with_store(s, false)).merged, nullptr);
}

TEST(ImageCache, ABlobOfAnotherSizeIsReadAgain) {
  TempDir t;
  const fs::path copy = t.p / "image";
  fs::create_directories(t.p);
  fs::copy(kFix + "/oci-uncompressed", copy, fs::copy_options::recursive);
  const fs::path cache = t.p / "cache";
  {
    LayerStore s(cache.string());
    ls_of(read_image(copy.string(), with_store(s)), &s);
  }
  // The biggest blob loses its last byte: the cached merge no longer stands for it, and reading
  // the blob finds the damage.
  fs::path biggest;
  for (auto& e : fs::directory_iterator(copy / "blobs" / "sha256"))
    if (biggest.empty() || fs::file_size(e.path()) > fs::file_size(biggest)) biggest = e.path();
  fs::resize_file(biggest, fs::file_size(biggest) - 1);
  LayerStore s(cache.string());
  try {
    LoadedImage li = read_image(copy.string(), with_store(s));
    EXPECT_EQ(li.merged, nullptr);
    FAIL() << "a truncated blob was read without an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(copy.string()), std::string::npos) << e.what();
  }
}

TEST(ImageCache, StoreNamesFilesOnlyByHexKeysAndCapsTheDirectory) {
  TempDir t;
  Diagnostics diag;
  auto img = sample(diag);
  LayerStore s(t.p.string());
  s.put_merged("../../etc/passwd", *img, blobs(), {});
  s.put_merged("ABCD", *img, blobs(), {});
  EXPECT_EQ(merged_files(t.p), 0u);
  s.put_merged(kKey, *img, blobs(), {});
  ASSERT_EQ(merged_files(t.p), 1u);
  EXPECT_NE(s.find_merged(kKey), nullptr);
  EXPECT_EQ(s.find_merged("../" + kKey), nullptr);
  uint64_t one = 0;
  for (auto& e : fs::directory_iterator(t.p)) one = fs::file_size(e.path());
  // Under a cap of two files, the least recently used goes.
  LayerStore capped(t.p.string(), one * 2 + one / 2);
  capped.put_merged(std::string(64, '1'), *img, blobs(), {});
  ::usleep(20000);
  ASSERT_NE(capped.find_merged(kKey), nullptr);  // refreshed: now the most recent
  ::usleep(20000);
  capped.put_merged(std::string(64, '2'), *img, blobs(), {});
  EXPECT_EQ(merged_files(t.p), 2u);
  EXPECT_NE(capped.find_merged(kKey), nullptr);
  EXPECT_EQ(capped.find_merged(std::string(64, '1')), nullptr);
}

}  // namespace
}  // namespace layerdiff::test
