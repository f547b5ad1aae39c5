// image_reader_test.cc: every layout on the committed fixtures made by real tools (see
// fixtures/README.md), image and platform selection, history mapping and verification errors.
#include "formats/image_reader.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "analyzer/error.h"
#include "analyzer/listing.h"
#include "tests/test_util.h"

namespace layerdiff::test {
namespace {

namespace fs = std::filesystem;
const std::string kFix = LAYERDIFF_FIXTURES;

std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ls_of(const std::string& path, ReadOptions o = {}) {
  LoadedImage li = read_image(path, o);
  std::vector<const PackedEntries*> ptrs;
  for (auto& l : li.layers) ptrs.push_back(&l->entries);
  Diagnostics d;
  auto img = merge_image(li.info, ptrs, d);
  return listing_text(listing(img->tree));
}

std::string error_of(const std::string& path, ReadOptions o = {}) {
  try {
    read_image(path, o);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

class EveryEncoding : public ::testing::TestWithParam<const char*> {};

TEST_P(EveryEncoding, MergedTreeEqualsTheRuntimeView) {
  EXPECT_EQ(ls_of(kFix + "/" + GetParam()), slurp(kFix + "/expected/edge.ls"));
}

INSTANTIATE_TEST_SUITE_P(Fixtures, EveryEncoding,
                         ::testing::Values("docker.tar", "docker.tar.gz", "docker25.tar",
                                           "oci-gzip.tar", "oci-gzip.tar.zst", "oci-zstd.tar",
                                           "oci-uncompressed", "multiarch.tar"));

TEST(ImageReader, LayoutsAreRecognisedByContent) {
  EXPECT_EQ(read_image(kFix + "/docker.tar", {}).info.layout, "docker-save (legacy)");
  EXPECT_EQ(read_image(kFix + "/docker25.tar", {}).info.layout,
            "docker-save (Docker 25+: OCI layout + manifest.json)");
  EXPECT_EQ(read_image(kFix + "/oci-gzip.tar", {}).info.layout, "oci-archive");
  EXPECT_EQ(read_image(kFix + "/oci-uncompressed", {}).info.layout, "oci-layout directory");
  // A renamed archive is still read: nothing depends on the file name.
  fs::path tmp = fs::temp_directory_path() / ("layerdiff-renamed-" + std::to_string(getpid()));
  fs::copy_file(kFix + "/oci-zstd.tar", tmp, fs::copy_options::overwrite_existing);
  EXPECT_EQ(read_image(tmp.string(), {}).info.layout, "oci-archive");
  fs::remove(tmp);
}

TEST(ImageReader, HistoryIsMappedOntoLayersSkippingEmptyLayers) {
  LoadedImage li = read_image(kFix + "/oci-gzip.tar", {});
  ASSERT_EQ(li.info.layers.size(), 3u);
  size_t empty = 0;
  for (auto& h : li.info.history) empty += h.empty_layer;
  EXPECT_GE(empty, 1u);
  std::vector<std::string> non_empty;
  for (auto& h : li.info.history)
    if (!h.empty_layer) non_empty.push_back(h.created_by);
  ASSERT_EQ(non_empty.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(li.info.layers[i].created_by, non_empty[i]);
  EXPECT_EQ(li.info.layers[0].compression, "gzip");
  EXPECT_EQ(li.info.layers[0].media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
  EXPECT_EQ(li.info.platform, "linux/amd64");
}

TEST(ImageReader, LayerDigestsAndSizesAreMeasured) {
  LoadedImage gz = read_image(kFix + "/oci-gzip.tar", {});
  LoadedImage zs = read_image(kFix + "/oci-zstd.tar", {});
  LoadedImage dk = read_image(kFix + "/docker.tar", {});
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(gz.info.layers[i].diff_id, zs.info.layers[i].diff_id);
    EXPECT_EQ(gz.info.layers[i].tar_size, dk.info.layers[i].tar_size);
    EXPECT_EQ(dk.info.layers[i].tar_size, dk.info.layers[i].compressed_size);
    EXPECT_LT(gz.info.layers[i].compressed_size, gz.info.layers[i].tar_size);
  }
}

TEST(ImageReader, SeveralImagesNeedImage) {
  EXPECT_EQ(error_of(kFix + "/docker-multi.tar"),
            kFix + "/docker-multi.tar: holds 2 images; choose one with --image: "
                   "docker.io/example/edge:1, docker.io/example/dup:1");
  ReadOptions o;
  o.image = "example/dup:1";
  EXPECT_EQ(ls_of(kFix + "/docker-multi.tar", o), slurp(kFix + "/expected/dup.ls"));
  o.image = "edge";
  EXPECT_EQ(ls_of(kFix + "/oci", o), slurp(kFix + "/expected/edge.ls"));
  o.image = "nope";
  EXPECT_EQ(error_of(kFix + "/oci", o),
            kFix + "/oci: no image nope here; images: after, arm64, dup, edge");
}

TEST(ImageReader, RepeatedLayerStoredAsSymlink) {
  LoadedImage li = read_image(kFix + "/docker-symlink.tar", {});
  ASSERT_EQ(li.info.layers.size(), 3u);
  EXPECT_EQ(li.info.layers[0].diff_id, li.info.layers[2].diff_id);
  EXPECT_EQ(ls_of(kFix + "/docker-symlink.tar"), slurp(kFix + "/expected/dup.ls"));
}

TEST(ImageReader, PlatformSelectionAndAttestationsSkipped) {
  LoadedImage def = read_image(kFix + "/multiarch.tar", {});
  EXPECT_EQ(def.info.platform, "linux/amd64");
  ReadOptions o;
  o.platform = "linux/arm64/v8";
  EXPECT_EQ(ls_of(kFix + "/multiarch.tar", o), slurp(kFix + "/expected/arm64.ls"));
  o.platform = "linux/arm64";
  EXPECT_EQ(ls_of(kFix + "/multiarch.tar", o), slurp(kFix + "/expected/arm64.ls"));
  o.platform = "linux/s390x";
  EXPECT_EQ(error_of(kFix + "/multiarch.tar", o),
            kFix + "/multiarch.tar: no image for platform linux/s390x; platforms: linux/amd64, "
                   "linux/arm64/v8");
  o.platform = "bogus";
  EXPECT_NE(error_of(kFix + "/multiarch.tar", o).find("expected os/arch[/variant]"), std::string::npos);
}

TEST(ImageReader, StdinIsReadInOnePass) {
  int fd = ::open((kFix + "/oci-gzip.tar.zst").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  int saved = dup(0);
  dup2(fd, 0);
  std::string got = ls_of("-");
  dup2(saved, 0);
  close(saved);
  close(fd);
  EXPECT_EQ(got, slurp(kFix + "/expected/edge.ls"));
}

}  // namespace
}  // namespace layerdiff::test
