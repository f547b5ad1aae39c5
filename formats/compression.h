// compression.h: recognising and undoing the compression of a stream, by magic bytes only
// (1f 8b: gzip, 28 b5 2f fd: zstd; anything else is taken as uncompressed).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "formats/byte_source.h"
#include "formats/limits.h"

namespace layerdiff {

enum class Compression { None, Gzip, Zstd };

Compression sniff_compression(std::string_view head);
const char* compression_name(Compression c);

/// A source that yields the decompressed bytes of `in` (which must outlive it). For None, `in`
/// itself is wrapped unchanged. `what` names the stream in error messages.
std::unique_ptr<ByteSource> decompressor(Compression c, ByteSource& in, std::string what);

/// Passes the output of a decompressor through and throws LimitError when more than `max_out`
/// bytes came out (0: no limit), or, after limits::kRatioFloorBytes, more than `max_ratio` bytes
/// per byte `compressed` has counted so far. `what` names the stream in the message.
class InflationGuard : public ByteSource {
 public:
  InflationGuard(ByteSource& out, const HashingSource& compressed, uint64_t max_out,
                 uint64_t max_ratio, std::string what)
      : out_(out), in_(compressed), max_out_(max_out), max_ratio_(max_ratio), what_(std::move(what)) {}
  size_t read(void* buf, size_t n) override;
  /// Skips in the stream below (a seek for an uncompressed one), with the same limits as read.
  uint64_t skip(uint64_t n) override;
  uint64_t count() const { return count_; }

 private:
  void check() const;
  ByteSource& out_;
  const HashingSource& in_;
  uint64_t max_out_, max_ratio_;
  std::string what_;
  uint64_t count_ = 0;
};

/// True when `head` (at least 512 bytes) starts with a valid tar header block (by its checksum),
/// or is an all-zero block (an empty tar).
bool looks_like_tar(std::string_view head);

}  // namespace layerdiff
