#include "cmd/limit_options.h"

#include <string>

#include "analyzer/error.h"
#include "analyzer/threshold.h"

namespace layerdiff {

void add_limit_options(CLI::App* c, Limits& l) {
  const Limits d;
  auto size = [](uint64_t b) { return std::to_string(b >> 20) + "MiB"; };
  // One size syntax everywhere (MB = 10^6 bytes, MiB = 2^20), with its message on a bad value.
  auto parse = [](const char* flag, uint64_t& out) {
    return [flag, &out](const std::string& v) {
      try {
        out = parse_size(v);
      } catch (const Error& e) {
        throw CLI::ValidationError(std::string(flag) + ": " + e.what());
      }
    };
  };
  c->add_option("--max-entries", l.max_entries,
                "limit: tar entries held for one image, all layers (default " +
                    std::to_string(d.max_entries) + ")")
      ->check(CLI::PositiveNumber)
      ->group("Limits");
  c->add_option_function<std::string>(
         "--max-metadata", [p = parse("--max-metadata", l.max_metadata_bytes)](const std::string& v) { p(v); },
         "limit: bytes of names, link targets and xattrs held, a SIZE (default " +
             size(d.max_metadata_bytes) + ")")
      ->type_name("SIZE")
      ->group("Limits");
  c->add_option_function<std::string>(
         "--max-layer-size", [p = parse("--max-layer-size", l.max_layer_size)](const std::string& v) { p(v); },
         "limit: uncompressed bytes of one layer, a SIZE (default " + size(d.max_layer_size) + ")")
      ->type_name("SIZE")
      ->group("Limits");
  c->add_option("--max-ratio", l.max_ratio,
                "limit: uncompressed bytes per compressed byte, past the first 64 MiB (default " +
                    std::to_string(d.max_ratio) + ")")
      ->check(CLI::PositiveNumber)
      ->group("Limits");
}

}  // namespace layerdiff
