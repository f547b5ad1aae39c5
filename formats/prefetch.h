// prefetch.h: runs the upstream part of a read chain on its own thread, so that on this 2-core
// machine reading, sha256 of the stored blob and decompression overlap with tar parsing, the
// diff_id sha256 and content hashing on the calling thread.
// Contract: the upstream chain is touched only by the worker thread from construction until
// join() (or destruction); the consumer only calls read(). An exception thrown upstream is
// rethrown by read() at the point in the stream where it happened.
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "formats/byte_source.h"

namespace layerdiff {

class PrefetchSource : public ByteSource {
 public:
  /// Reads `upstream` on the calling thread for its first `sync_bytes`, then starts the worker:
  /// small layers (and fuzzers) pay for no thread. `at_end` runs after upstream's end (e.g. to
  /// drain trailing bytes into a digest), on whichever thread reads upstream then; its
  /// exceptions are rethrown like upstream's.
  PrefetchSource(ByteSource& upstream, std::function<void()> at_end = {},
                 uint64_t sync_bytes = 4 << 20);
  ~PrefetchSource() override;
  PrefetchSource(const PrefetchSource&) = delete;
  PrefetchSource& operator=(const PrefetchSource&) = delete;

  size_t read(void* buf, size_t n) override;
  /// Waits for the worker to finish (after the consumer read to the end).
  void join();

 private:
  struct Chunk {
    std::vector<char> data;
    size_t size = 0;
  };
  void work();
  void start();

  ByteSource& up_;
  std::function<void()> at_end_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Chunk> ready_, free_;
  bool eof_ = false, stop_ = false;
  std::exception_ptr error_;
  uint64_t sync_left_;     ///< bytes still to read on the calling thread before the worker starts
  bool started_ = false, sync_eof_ = false;
  Chunk cur_;
  size_t pos_ = 0;
  std::thread worker_;
};

}  // namespace layerdiff
