#include "formats/prefetch.h"

#include <cstring>

namespace layerdiff {
namespace {
constexpr size_t kChunk = 1 << 20;  // 1 MiB: large enough that handing over costs nothing
constexpr size_t kChunks = 4;       // bounded: at most 4 MiB in flight per layer
}  // namespace

PrefetchSource::PrefetchSource(ByteSource& upstream, std::function<void()> at_end,
                               uint64_t sync_bytes)
    : up_(upstream), at_end_(std::move(at_end)), sync_left_(sync_bytes) {}

void PrefetchSource::start() {
  started_ = true;
  for (size_t i = 0; i < kChunks; ++i) free_.push_back(Chunk{std::vector<char>(kChunk), 0});
  worker_ = std::thread([this] { work(); });
}

PrefetchSource::~PrefetchSource() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void PrefetchSource::work() {
  try {
    for (;;) {
      Chunk c;
      {
        std::unique_lock<std::mutex> l(mu_);
        cv_.wait(l, [&] { return stop_ || !free_.empty(); });
        if (stop_) return;
        c = std::move(free_.front());
        free_.pop_front();
      }
      c.size = 0;
      while (c.size < c.data.size()) {
        size_t got = up_.read(c.data.data() + c.size, c.data.size() - c.size);
        if (got == 0) break;
        c.size += got;
      }
      bool end = c.size < c.data.size();
      if (end && at_end_) at_end_();
      {
        std::lock_guard<std::mutex> l(mu_);
        if (c.size) ready_.push_back(std::move(c));
        if (end) eof_ = true;
      }
      cv_.notify_all();
      if (end) return;
    }
  } catch (...) {
    std::lock_guard<std::mutex> l(mu_);
    error_ = std::current_exception();
    eof_ = true;
    cv_.notify_all();
  }
}

size_t PrefetchSource::read(void* buf, size_t n) {
  if (!started_) {
    if (sync_eof_) return 0;
    if (sync_left_ > 0) {
      size_t got = up_.read(buf, std::min<uint64_t>(n, sync_left_));
      if (got == 0) {
        sync_eof_ = true;
        if (at_end_) at_end_();
        return 0;
      }
      sync_left_ -= got;
      return got;
    }
    start();
  }
  if (pos_ == cur_.size) {
    std::unique_lock<std::mutex> l(mu_);
    if (!cur_.data.empty()) free_.push_back(std::move(cur_));
    cur_ = Chunk{};
    pos_ = 0;
    cv_.notify_all();
    cv_.wait(l, [&] { return !ready_.empty() || eof_; });
    if (ready_.empty()) {
      if (error_) std::rethrow_exception(error_);
      return 0;
    }
    cur_ = std::move(ready_.front());
    ready_.pop_front();
  }
  size_t k = std::min(n, cur_.size - pos_);
  std::memcpy(buf, cur_.data.data() + pos_, k);
  pos_ += k;
  return k;
}

void PrefetchSource::join() {
  if (!started_) return;  // everything was read on this thread; errors were thrown by read()
  if (worker_.joinable()) worker_.join();
  if (error_) std::rethrow_exception(error_);
}

}  // namespace layerdiff
