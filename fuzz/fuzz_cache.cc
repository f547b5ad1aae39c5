// fuzz_cache.cc: libFuzzer target for the merged-image cache file (formats/image_cache.h): any
// bytes are either refused or give an image every report can read safely. The key and version
// the file claims are taken as the ones asked for, so that the fuzzer gets past them (the
// checksum too: it is recomputed), and what the decoder accepts is then listed, inspected,
// searched and given to the package report.
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "analyzer/inspect.h"
#include "analyzer/listing.h"
#include "analyzer/packages.h"
#include "formats/cache_codec.h"
#include "formats/image_cache.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace layerdiff;
  constexpr size_t kHeader = 40;
  if (size < kHeader + 16) return 0;
  // An aligned copy with a checksum that matches, so that mutations reach the tables.
  std::string bytes(reinterpret_cast<const char*>(data), size);
  std::string_view payload = std::string_view(bytes).substr(kHeader);
  std::string sum;
  codec::put_fixed(sum, XXH3_64bits(payload.data(), payload.size()));
  bytes.replace(32, 8, sum);
  std::string version = bytes.substr(8, 16);
  uint64_t off = codec::get_fixed(bytes.data() + kHeader), len = codec::get_fixed(bytes.data() + kHeader + 8);
  std::string key = off <= payload.size() && len <= payload.size() - off ? std::string(payload.substr(off, len)) : "";
  auto buf = std::make_shared<std::string>(std::move(bytes));  // std::string storage is 16-aligned
  auto c = decode_merged_image(*buf, key, version, buf);
  if (!c) return 0;
  ImageInfo info;
  info.source = "fuzz";
  info.layers.resize(c->blobs.size());
  auto img = merged_image_from_cache(info, c);
  auto rows = listing(img->tree);
  for (size_t i = 0; i < rows.size(); i += 7) {
    (void)img->tree.find(std::string_view(rows[i].path).substr(1));
    (void)img->tree.xattrs(rows[i].id);
    (void)img->tree.content(rows[i].id);
  }
  (void)img->removed_by.find("a");
  (void)build_inspect(*img, {});
  (void)build_package_report(*img);
  return 0;
}
