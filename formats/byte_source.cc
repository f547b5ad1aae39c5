#include "formats/byte_source.h"

#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "analyzer/error.h"

namespace layerdiff {

uint64_t ByteSource::skip(uint64_t n) {
  char buf[65536];
  uint64_t done = 0;
  while (done < n) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(sizeof buf, n - done));
    size_t got = read(buf, want);
    if (got == 0) break;
    done += got;
  }
  return done;
}

FdSource::FdSource(int fd, bool own, std::string name) : fd_(fd), own_(own), name_(std::move(name)) {
  struct stat st{};
  seekable_ = fstat(fd_, &st) == 0 && S_ISREG(st.st_mode) && lseek(fd_, 0, SEEK_CUR) >= 0;
}

FdSource::~FdSource() {
  if (own_) ::close(fd_);
}

size_t FdSource::read(void* buf, size_t n) {
  for (;;) {
    ssize_t r = ::read(fd_, buf, n);
    if (r >= 0) return static_cast<size_t>(r);
    if (errno == EINTR) continue;
    throw Error(name_ + ": read failed: " + std::strerror(errno));
  }
}

uint64_t FdSource::skip(uint64_t n) {
  if (!seekable_) return ByteSource::skip(n);
  off_t cur = lseek(fd_, 0, SEEK_CUR);
  off_t end = lseek(fd_, 0, SEEK_END);
  if (cur < 0 || end < 0) throw Error(name_ + ": seek failed: " + std::strerror(errno));
  uint64_t can = std::min<uint64_t>(n, static_cast<uint64_t>(end - cur));
  if (lseek(fd_, cur + static_cast<off_t>(can), SEEK_SET) < 0)
    throw Error(name_ + ": seek failed: " + std::strerror(errno));
  return can;
}

size_t RangeSource::read(void* buf, size_t n) {
  size_t want = static_cast<size_t>(std::min<uint64_t>(n, left_));
  if (want == 0) return 0;
  for (;;) {
    ssize_t r = ::pread(fd_, buf, want, static_cast<off_t>(off_));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw Error(name_ + ": read failed: " + std::strerror(errno));
    if (r == 0) throw Error(name_ + ": truncated (the file ended inside this member)");
    off_ += static_cast<uint64_t>(r);
    left_ -= static_cast<uint64_t>(r);
    return static_cast<size_t>(r);
  }
}

uint64_t RangeSource::skip(uint64_t n) {
  uint64_t k = std::min(n, left_);
  off_ += k;
  left_ -= k;
  return k;
}

size_t MemorySource::read(void* buf, size_t n) {
  size_t k = std::min(n, data_.size() - pos_);
  std::memcpy(buf, data_.data() + pos_, k);
  pos_ += k;
  return k;
}

uint64_t MemorySource::skip(uint64_t n) {
  uint64_t k = std::min<uint64_t>(n, data_.size() - pos_);
  pos_ += static_cast<size_t>(k);
  return k;
}

std::string_view PeekSource::peek(size_t n) {
  while (head_.size() < n) {
    size_t old = head_.size();
    head_.resize(n);
    size_t got = in_.read(head_.data() + old, n - old);
    head_.resize(old + got);
    if (got == 0) break;
  }
  return std::string_view(head_).substr(0, std::min(n, head_.size()));
}

size_t PeekSource::read(void* buf, size_t n) {
  if (pos_ < head_.size()) {
    size_t k = std::min(n, head_.size() - pos_);
    std::memcpy(buf, head_.data() + pos_, k);
    pos_ += k;
    return k;
  }
  return in_.read(buf, n);
}

uint64_t PeekSource::skip(uint64_t n) {
  uint64_t done = 0;
  if (pos_ < head_.size()) {
    done = std::min<uint64_t>(n, head_.size() - pos_);
    pos_ += static_cast<size_t>(done);
  }
  return done < n ? done + in_.skip(n - done) : done;
}

HashingSource::HashingSource(ByteSource& in, bool sha256) : in_(in) {
  if (sha256) {
    auto* c = EVP_MD_CTX_new();
    if (!c || EVP_DigestInit_ex(c, EVP_sha256(), nullptr) != 1) throw Error("sha256 unavailable");
    ctx_ = c;
  }
}

HashingSource::~HashingSource() {
  if (ctx_) EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_));
}

size_t HashingSource::read(void* buf, size_t n) {
  size_t got = in_.read(buf, n);
  count_ += got;
  if (ctx_ && got) EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), buf, got);
  return got;
}

uint64_t HashingSource::skip(uint64_t n) {
  if (ctx_) return ByteSource::skip(n);  // every byte must be hashed
  uint64_t got = in_.skip(n);
  count_ += got;
  return got;
}

void HashingSource::drain() {
  if (!ctx_) {
    while (skip(uint64_t{1} << 30) > 0) {
    }
    return;
  }
  static thread_local char buf[1 << 16];
  while (read(buf, sizeof buf) > 0) {
  }
}

std::string HashingSource::digest() {
  if (!ctx_) return "";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), md, &len);
  static const char* hexd = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned i = 0; i < len; ++i) {
    out += hexd[md[i] >> 4];
    out += hexd[md[i] & 15];
  }
  return out;
}

}  // namespace layerdiff

namespace layerdiff {
std::string sha256_digest(std::string_view data) {
  MemorySource m(data);
  HashingSource h(m, true);
  h.drain();
  return h.digest();
}
}  // namespace layerdiff
