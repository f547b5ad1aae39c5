#include "tests/test_util.h"

#include <functional>

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include "analyzer/listing.h"

namespace layerdiff::test {

// A tiny FNV-based stand-in would do for equality, but the analyzer only compares digests, so the
// tests use a deterministic digest derived from the content (not XXH3: the analyzer never hashes).
ContentDigest digest_of(const std::string& c) {
  uint64_t h1 = 1469598103934665603ull, h2 = 1099511628211ull;
  for (unsigned char ch : c) {
    h1 = (h1 ^ ch) * 1099511628211ull;
    h2 = (h2 + ch) * 6364136223846793005ull + 1;
  }
  return {h1, h2 ^ c.size()};
}

LayerEntry F(const std::string& path, const std::string& content, uint32_t mode) {
  LayerEntry e;
  e.path = path;
  e.type = EntryType::File;
  e.size = content.size();
  e.mode = mode;
  e.digest = digest_of(content);
  return e;
}
LayerEntry D(const std::string& path, uint32_t mode) {
  LayerEntry e;
  e.path = path;
  e.type = EntryType::Dir;
  e.mode = mode;
  return e;
}
LayerEntry L(const std::string& path, const std::string& target) {
  LayerEntry e;
  e.path = path;
  e.type = EntryType::Symlink;
  e.mode = 0777;
  e.link = target;
  return e;
}
LayerEntry H(const std::string& path, const std::string& target) {
  LayerEntry e;
  e.path = path;
  e.type = EntryType::Hardlink;
  e.mode = 0644;
  e.link = target;
  return e;
}
LayerEntry W(const std::string& path) { return F(path, "", 0644); }

std::unique_ptr<MergedImage> merge(const std::vector<std::vector<LayerEntry>>& layers,
                                   LayerChangeSink* changes) {
  ImageInfo info;
  info.source = "test.tar";
  std::vector<const std::vector<LayerEntry>*> ptrs;
  for (size_t i = 0; i < layers.size(); ++i) {
    LayerInfo li;
    li.index = static_cast<uint32_t>(i);
    li.digest = "sha256:" + std::string(12, static_cast<char>('a' + i)) + std::string(52, '0');
    info.layers.push_back(li);
    ptrs.push_back(&layers[i]);
  }
  Diagnostics d;
  return merge_image(info, ptrs, d, changes);
}

std::string ls(const MergedImage& img) { return listing_text(listing(img.tree)); }

std::string make_tar(const std::vector<LayerEntry>& entries, const std::vector<std::string>& contents,
                     TarFormat fmt) {
  struct archive* a = archive_write_new();
  switch (fmt) {
    case TarFormat::Pax: archive_write_set_format_pax_restricted(a); break;
    case TarFormat::Gnu: archive_write_set_format_gnutar(a); break;
    case TarFormat::Ustar: archive_write_set_format_ustar(a); break;
  }
  archive_write_set_bytes_in_last_block(a, 1);
  std::string out;
  out.resize(64 << 20);
  size_t used = 0;
  archive_write_open_memory(a, out.data(), out.size(), &used);
  for (size_t i = 0; i < entries.size(); ++i) {
    const LayerEntry& e = entries[i];
    struct archive_entry* ae = archive_entry_new();
    archive_entry_set_pathname(ae, e.path.c_str());
    archive_entry_set_perm(ae, e.mode);
    archive_entry_set_uid(ae, e.uid);
    archive_entry_set_gid(ae, e.gid);
    archive_entry_set_mtime(ae, e.mtime, 0);
    std::string content = i < contents.size() ? contents[i] : std::string();
    switch (e.type) {
      case EntryType::File:
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_size(ae, static_cast<la_int64_t>(content.size()));
        break;
      case EntryType::Dir: archive_entry_set_filetype(ae, AE_IFDIR); break;
      case EntryType::Symlink:
        archive_entry_set_filetype(ae, AE_IFLNK);
        archive_entry_set_symlink(ae, e.link.c_str());
        break;
      case EntryType::Hardlink:
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_hardlink(ae, e.link.c_str());
        archive_entry_set_size(ae, 0);
        break;
      case EntryType::CharDev:
      case EntryType::BlockDev:
        archive_entry_set_filetype(ae, e.type == EntryType::CharDev ? AE_IFCHR : AE_IFBLK);
        archive_entry_set_rdevmajor(ae, e.dev_major);
        archive_entry_set_rdevminor(ae, e.dev_minor);
        break;
      case EntryType::Fifo: archive_entry_set_filetype(ae, AE_IFIFO); break;
      case EntryType::Socket: archive_entry_set_filetype(ae, AE_IFSOCK); break;
    }
    for (auto& [k, v] : e.xattrs) archive_entry_xattr_add_entry(ae, k.c_str(), v.data(), v.size());
    EXPECT_EQ(archive_write_header(a, ae), ARCHIVE_OK) << archive_error_string(a);
    if (e.type == EntryType::File && !content.empty())
      archive_write_data(a, content.data(), content.size());
    archive_entry_free(ae);
  }
  archive_write_close(a);
  archive_write_free(a);
  out.resize(used);
  return out;
}

std::string gzip(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string zstd(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

void expect_sums(const InspectReport& r) {
  uint64_t dirs = 0, files = 0, waste = 0, written = 0, visible = 0, lwaste = 0;
  std::function<void(const std::vector<SizeRow>&, uint64_t, const std::string&)> nested =
      [&](const std::vector<SizeRow>& rows, uint64_t want, const std::string& of) {
        uint64_t sum = 0;
        for (auto& s : rows) {
          sum += s.bytes;
          if (!s.children.empty()) nested(s.children, s.bytes, s.label);
        }
        EXPECT_EQ(sum, want) << "the rows below " << of;
      };
  nested(r.largest_dirs, r.content_size, "TOTAL");
  for (auto& s : r.largest_dirs) dirs += s.bytes;
  uint64_t dup = 0;
  for (auto& g : r.duplicates) dup += g.savings;
  EXPECT_EQ(dup, r.duplicate_savings);
  for (auto& s : r.largest_files) files += s.bytes;
  for (auto& w : r.waste) waste += w.bytes;
  for (auto& l : r.layers) {
    written += l.stats.written_bytes;
    visible += l.visible_bytes;
    lwaste += l.wasted_bytes;
    EXPECT_EQ(l.stats.written_bytes, l.visible_bytes + l.wasted_bytes) << "layer " << l.info.index;
  }
  EXPECT_EQ(dirs, r.content_size);
  EXPECT_EQ(files, r.content_size);
  EXPECT_EQ(waste, r.wasted_bytes);
  EXPECT_EQ(written, r.written_size);
  EXPECT_EQ(visible, r.content_size);
  EXPECT_EQ(lwaste, r.wasted_bytes);
  EXPECT_EQ(r.written_size, r.content_size + r.wasted_bytes);
}

}  // namespace layerdiff::test

#include <openssl/evp.h>
namespace layerdiff::test {
std::string sha256_hex(const std::string& data) {
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char* d = "0123456789abcdef";
  std::string s;
  for (unsigned i = 0; i < len; ++i) {
    s += d[md[i] >> 4];
    s += d[md[i] & 15];
  }
  return s;
}
}  // namespace layerdiff::test

namespace layerdiff::test {
namespace {

// The skip policy of tests/CMakeLists.txt for GoogleTest: with LAYERDIFF_REQUIRE_ALL=1 (set by
// ./dev.sh test, and so by CI) a test that skips itself (GTEST_SKIP) fails: every test must run.
class SkipIsFailure : public testing::EmptyTestEventListener {
  void OnTestEnd(const testing::TestInfo& info) override {
    if (info.result()->Skipped())
      ADD_FAILURE() << info.test_suite_name() << "." << info.name()
                    << " skipped itself, and LAYERDIFF_REQUIRE_ALL=1 requires every test to run";
  }
};

[[maybe_unused]] const bool kSkipPolicy = [] {
  const char* v = std::getenv("LAYERDIFF_REQUIRE_ALL");
  if (v && std::string(v) == "1") testing::UnitTest::GetInstance()->listeners().Append(new SkipIsFailure);
  return true;
}();

}  // namespace
}  // namespace layerdiff::test
