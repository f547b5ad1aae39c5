// fuzz_image.cc: libFuzzer target for a whole image archive read from memory: outer compression,
// layout detection (docker save legacy / Docker 25+ / OCI), member links, JSON documents, image and
// platform selection, layers, and the merge. Digests are not verified (the fuzzer cannot forge
// sha256), so that it reaches everything behind them. Only Error may come out.
#include <cstdint>
#include <string_view>

#include "analyzer/error.h"
#include "analyzer/merged_image.h"
#include "formats/image_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace layerdiff;
  ReadOptions opt;
  opt.verify = false;
  opt.limits.max_entries = 100000;
  opt.limits.max_layer_size = 8u << 20;
  try {
    LoadedImage li =
        read_image_memory(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz", opt);
    Diagnostics diag;
    auto img = merge_loaded(std::move(li), diag, nullptr);
    (void)img->tree.rows();
  } catch (const Error&) {
  }
  return 0;
}
