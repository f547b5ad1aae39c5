// progress.h: the progress line on stderr: only on a terminal, only for work longer than about a
// second, never with --quiet. "layerdiff: reading app.tar: 3 layers, 812 MiB, 420 MiB/s".
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "formats/progress.h"

namespace layerdiff {

class TerminalProgress : public Progress {
 public:
  /// Starts the line's timer; shows nothing unless `enabled` (stderr a terminal, no --quiet).
  explicit TerminalProgress(bool enabled);
  ~TerminalProgress() override;
  /// What is being read now (the image path), for the line.
  void set_label(const std::string& label);
  void bytes(uint64_t n) override { bytes_ += n; }
  void layer_done() override { ++layers_; }
  /// Prints a line on stderr (a warning) without tearing the progress line.
  void print(const std::string& line);
  /// Clears the line and stops (before printing a report or an error).
  void finish();

 private:
  void loop();

  bool enabled_;
  std::atomic<uint64_t> bytes_{0}, layers_{0};
  std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string label_;
  bool stop_ = false, shown_ = false;
  std::thread thread_;
};

}  // namespace layerdiff
