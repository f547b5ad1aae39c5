// progress.h: how readers report progress (cmd/ decides whether and how to show it).
#pragma once

#include <cstdint>

#include "formats/byte_source.h"

namespace layerdiff {

/// Receives progress from the readers; may be called from several threads.
class Progress {
 public:
  virtual ~Progress() = default;
  /// `n` more stored (compressed) layer bytes were read.
  virtual void bytes(uint64_t n) = 0;
  /// One more layer was read whole.
  virtual void layer_done() = 0;
};

/// Passes a stream through and reports the bytes that pass to a Progress (may be null).
class ProgressSource : public ByteSource {
 public:
  ProgressSource(ByteSource& in, Progress* p) : in_(in), p_(p) {}
  size_t read(void* buf, size_t n) override {
    size_t got = in_.read(buf, n);
    if (p_ && got) p_->bytes(got);
    return got;
  }
  uint64_t skip(uint64_t n) override {
    uint64_t got = in_.skip(n);
    if (p_ && got) p_->bytes(got);
    return got;
  }

 private:
  ByteSource& in_;
  Progress* p_;
};

}  // namespace layerdiff
