// byte_source.h: pull streams of bytes. Every reader in formats/ is a chain of these:
// file/stdin/archive member -> (hashing) -> decompression -> (hashing) -> tar parser.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace layerdiff {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  /// Reads up to n bytes into buf; returns 0 only at the end of the stream. Throws Error on failure.
  virtual size_t read(void* buf, size_t n) = 0;
  /// Skips up to n bytes; returns how many were skipped (fewer only at the end). Default: reads.
  virtual uint64_t skip(uint64_t n);
};

/// Reads a file descriptor (a file, a pipe, stdin). Seeks to skip when the fd is seekable.
class FdSource : public ByteSource {
 public:
  /// Takes ownership of fd when `own`. `name` is used in error messages.
  FdSource(int fd, bool own, std::string name);
  ~FdSource() override;
  size_t read(void* buf, size_t n) override;
  uint64_t skip(uint64_t n) override;
  bool seekable() const { return seekable_; }

 private:
  int fd_;
  bool own_;
  bool seekable_;
  std::string name_;
};

/// A byte range of a file read with pread: several can read one fd from several threads.
class RangeSource : public ByteSource {
 public:
  RangeSource(int fd, uint64_t offset, uint64_t size, std::string name)
      : fd_(fd), off_(offset), left_(size), name_(std::move(name)) {}
  size_t read(void* buf, size_t n) override;
  uint64_t skip(uint64_t n) override;

 private:
  int fd_;
  uint64_t off_, left_;
  std::string name_;
};

class MemorySource : public ByteSource {
 public:
  explicit MemorySource(std::string_view data) : data_(data) {}
  size_t read(void* buf, size_t n) override;
  uint64_t skip(uint64_t n) override;

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

/// Lets a reader look at the first bytes of a stream (to sniff magic numbers) and then read the
/// whole stream from the start.
class PeekSource : public ByteSource {
 public:
  explicit PeekSource(ByteSource& in) : in_(in) {}
  /// Returns up to n first bytes (fewer if the stream is shorter). Only before the first read().
  std::string_view peek(size_t n);
  size_t read(void* buf, size_t n) override;
  uint64_t skip(uint64_t n) override;  ///< seeks the underlying source past the peeked bytes

 private:
  ByteSource& in_;
  std::string head_;
  size_t pos_ = 0;
};

/// Counts the bytes that pass and, when asked, computes their sha256.
class HashingSource : public ByteSource {
 public:
  HashingSource(ByteSource& in, bool sha256);
  ~HashingSource() override;
  size_t read(void* buf, size_t n) override;
  /// Not hashing: skips in the source (a seek where it can), counting what was skipped.
  uint64_t skip(uint64_t n) override;
  /// Reads what is left, so that the count and digest cover the whole stream.
  void drain();
  uint64_t count() const { return count_; }
  /// "sha256:<hex>" of everything read, or "" when not hashing. Only after the end.
  std::string digest();

 private:
  ByteSource& in_;
  void* ctx_ = nullptr;  // EVP_MD_CTX
  uint64_t count_ = 0;
};

}  // namespace layerdiff

namespace layerdiff {
/// "sha256:<hex>" of a buffer.
std::string sha256_digest(std::string_view data);
}  // namespace layerdiff
