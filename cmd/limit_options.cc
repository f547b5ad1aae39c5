#include "cmd/limit_options.h"

#include <string>

namespace layerdiff {

void add_limit_options(CLI::App* c, Limits& l) {
  const Limits d;
  auto size = [](uint64_t b) { return std::to_string(b >> 20) + " MiB"; };
  c->add_option("--max-entries", l.max_entries,
                "limit: tar entries held for one image, all layers (default " +
                    std::to_string(d.max_entries) + ")")
      ->check(CLI::PositiveNumber)
      ->group("Limits");
  c->add_option("--max-metadata", l.max_metadata_bytes,
                "limit: bytes of names, link targets and xattrs held (default " +
                    size(d.max_metadata_bytes) + ")")
      ->transform(CLI::AsSizeValue(false))
      ->group("Limits");
  c->add_option("--max-layer-size", l.max_layer_size,
                "limit: uncompressed bytes of one layer (default " + size(d.max_layer_size) + ")")
      ->transform(CLI::AsSizeValue(false))
      ->group("Limits");
  c->add_option("--max-ratio", l.max_ratio,
                "limit: uncompressed bytes per compressed byte, past the first 64 MiB (default " +
                    std::to_string(d.max_ratio) + ")")
      ->check(CLI::PositiveNumber)
      ->group("Limits");
}

}  // namespace layerdiff
