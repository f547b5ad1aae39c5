#include "cmd/progress.h"

#include <cstdio>

#include "cmd/text.h"

namespace layerdiff {

TerminalProgress::TerminalProgress(bool enabled)
    : enabled_(enabled), start_(std::chrono::steady_clock::now()) {
  if (enabled_) thread_ = std::thread([this] { loop(); });
}

TerminalProgress::~TerminalProgress() { finish(); }

void TerminalProgress::set_label(const std::string& label) {
  std::lock_guard<std::mutex> l(mu_);
  label_ = label;
}

void TerminalProgress::loop() {
  std::unique_lock<std::mutex> l(mu_);
  // Nothing for the first second: short work shows no line at all.
  if (cv_.wait_for(l, std::chrono::seconds(1), [&] { return stop_; })) return;
  while (!stop_) {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    uint64_t b = bytes_;
    std::string line = "layerdiff: reading " + label_ + ": " + count(layers_, "layer") + ", " +
                       human_bytes(b) + ", " +
                       human_bytes(static_cast<uint64_t>(secs > 0 ? b / secs : 0)) + "/s";
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    std::fflush(stderr);
    shown_ = true;
    cv_.wait_for(l, std::chrono::milliseconds(200), [&] { return stop_; });
  }
}

void TerminalProgress::print(const std::string& line) {
  std::lock_guard<std::mutex> l(mu_);
  if (shown_) std::fprintf(stderr, "\r\033[K");
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

void TerminalProgress::finish() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (shown_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
}

}  // namespace layerdiff
