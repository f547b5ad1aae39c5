// fuzz_layer.cc: libFuzzer target for one layer blob (compression sniffing, gzip/zstd, tar parsing,
// entry limits) and the merge of its entries: input bytes -> read_layer -> Merger. Only Error may
// come out; anything else (a crash, a sanitizer report, another exception) is a finding.
#include <cstdint>
#include <string_view>

#include "analyzer/error.h"
#include "analyzer/file_tree.h"
#include "analyzer/merge.h"
#include "formats/byte_source.h"
#include "formats/layer_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace layerdiff;
  MemorySource in(std::string_view(reinterpret_cast<const char*>(data), size));
  LayerReadOptions opt;
  opt.sha256 = size % 2 == 0;  // both paths, cheaply
  opt.limits.max_entries = 100000;
  opt.limits.max_layer_size = 8u << 20;
  try {
    VectorSink sink;
    read_layer(in, opt, "fuzz: layer x", sink);
    FileTree tree;
    Merger m(tree);
    Diagnostics diag;
    m.apply(0, sink.entries, diag);
    m.apply(1, sink.entries, diag);  // the same layer again: replacements, whiteouts, hardlinks
    (void)tree.rows();
  } catch (const Error&) {
  }
  return 0;
}
