#include "formats/tar_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <algorithm>

#include "analyzer/error.h"

namespace layerdiff {

struct TarCallbacks {
  static la_ssize_t read(struct archive*, void* self, const void** out) {
    auto* r = static_cast<TarReader*>(self);
    try {
      size_t got = r->in_.read(r->buf_.data(), r->buf_.size());
      *out = r->buf_.data();
      return static_cast<la_ssize_t>(got);
    } catch (...) {
      r->pending_ = std::current_exception();
      return -1;
    }
  }
  static la_int64_t skip(struct archive*, void* self, la_int64_t n) {
    auto* r = static_cast<TarReader*>(self);
    try {
      return static_cast<la_int64_t>(r->in_.skip(static_cast<uint64_t>(n)));
    } catch (...) {
      // 0 (nothing skipped), never -1: libarchive adds the result to its count and asks again
      // for the rest, so -1 made it call skip forever (found by fuzz_image: a truncated gzip
      // archive, fixtures/malicious/gzip-truncated-in-skipped-member.tar.gz). A short skip is a
      // truncated input to libarchive; fail() then rethrows the error kept here.
      r->pending_ = std::current_exception();
      return 0;
    }
  }
};

TarReader::TarReader(ByteSource& in, std::string what)
    : in_(in), what_(std::move(what)), a_(archive_read_new()), buf_(1 << 17, '\0') {
  if (!a_) throw Error(what_ + ": out of memory");
  archive_read_support_format_tar(a_);
  archive_read_support_format_gnutar(a_);
  archive_read_set_read_callback(a_, &TarCallbacks::read);
  archive_read_set_skip_callback(a_, &TarCallbacks::skip);
  archive_read_set_callback_data(a_, this);
  if (archive_read_open1(a_) != ARCHIVE_OK) {
    // A constructor that throws gets no destructor call: free the reader here (found by fuzz_layer).
    try {
      fail("opening");
    } catch (...) {
      archive_read_free(a_);
      throw;
    }
  }
}

TarReader::~TarReader() { archive_read_free(a_); }

void TarReader::fail(const char* doing) {
  if (pending_) std::rethrow_exception(pending_);
  std::string msg = archive_error_string(a_) ? archive_error_string(a_) : "unknown error";
  std::string where = current_.empty() ? "" : current_ + ": ";
  throw Error(what_ + ": " + where + "corrupt tar (" + doing + "): " + msg);
}

bool TarReader::next(TarHeader& h) {
  struct archive_entry* e = nullptr;
  int rc = archive_read_next_header(a_, &e);
  if (rc == ARCHIVE_EOF) return false;
  if (rc == ARCHIVE_FATAL || rc == ARCHIVE_RETRY) fail("reading a header");
  // ARCHIVE_WARN (e.g. an unknown pax keyword) still gives a usable entry.
  const char* p = archive_entry_pathname(e);
  h = TarHeader{};
  h.path = p ? p : "";
  current_ = h.path;
  h.size = archive_entry_size_is_set(e) && archive_entry_size(e) > 0
               ? static_cast<uint64_t>(archive_entry_size(e))
               : 0;
  h.mode = static_cast<uint32_t>(archive_entry_perm(e)) & 07777;
  h.uid = static_cast<uint32_t>(archive_entry_uid(e));
  h.gid = static_cast<uint32_t>(archive_entry_gid(e));
  h.mtime = archive_entry_mtime(e);
  if (const char* hl = archive_entry_hardlink(e)) {
    h.type = EntryType::Hardlink;
    h.link = hl;
  } else {
    switch (archive_entry_filetype(e)) {
      case AE_IFDIR: h.type = EntryType::Dir; break;
      case AE_IFLNK:
        h.type = EntryType::Symlink;
        h.link = archive_entry_symlink(e) ? archive_entry_symlink(e) : "";
        break;
      case AE_IFCHR: h.type = EntryType::CharDev; break;
      case AE_IFBLK: h.type = EntryType::BlockDev; break;
      case AE_IFIFO: h.type = EntryType::Fifo; break;
      case AE_IFSOCK: h.type = EntryType::Socket; break;
      default: h.type = EntryType::File; break;
    }
  }
  if (h.type == EntryType::CharDev || h.type == EntryType::BlockDev) {
    h.dev_major = static_cast<uint32_t>(archive_entry_rdevmajor(e));
    h.dev_minor = static_cast<uint32_t>(archive_entry_rdevminor(e));
  }
  if (archive_entry_xattr_reset(e) > 0) {
    const char* name;
    const void* val;
    size_t len;
    while (archive_entry_xattr_next(e, &name, &val, &len) == ARCHIVE_OK)
      h.xattrs.emplace_back(name, std::string(static_cast<const char*>(val), len));
    // pax archives may carry the same attribute twice (SCHILY.xattr and LIBARCHIVE.xattr).
    std::stable_sort(h.xattrs.begin(), h.xattrs.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    h.xattrs.erase(std::unique(h.xattrs.begin(), h.xattrs.end(),
                               [](const auto& a, const auto& b) { return a.first == b.first; }),
                   h.xattrs.end());
  }
  return true;
}

uint64_t TarReader::data_offset() const {
  // The bytes libarchive's format reader consumed: after a header, where the data begins.
  la_int64_t p = archive_filter_bytes(a_, 0);
  return p < 0 ? 0 : static_cast<uint64_t>(p);
}

bool TarReader::data_block(const void** buf, size_t* len, int64_t* offset) {
  la_int64_t off = 0;
  int rc = archive_read_data_block(a_, buf, len, &off);
  *offset = off;
  if (rc == ARCHIVE_EOF) return false;
  if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) fail("reading file data");
  return true;
}

size_t TarReader::read_data(void* buf, size_t n) {
  la_ssize_t r = archive_read_data(a_, buf, n);
  if (r < 0) fail("reading file data");
  return static_cast<size_t>(r);
}

}  // namespace layerdiff
