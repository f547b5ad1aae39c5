// tar_reader.h: RAII over a libarchive reader that parses tar (ustar, pax, GNU) from a ByteSource.
// Only the tar format is enabled and no filter: decompression is ours (compression.h), so that we
// can hash both the compressed and the uncompressed bytes. No libarchive type leaves formats/.
#pragma once

#include <cstdint>
#include <exception>
#include <string>

#include "analyzer/layer_entry.h"
#include "formats/byte_source.h"

struct archive;
struct archive_entry;

namespace layerdiff {

struct TarHeader {
  std::string path;      ///< raw pathname (long names resolved)
  EntryType type = EntryType::File;
  uint64_t size = 0;     ///< data bytes that follow in the archive
  uint32_t mode = 0, uid = 0, gid = 0;
  int64_t mtime = 0;
  uint32_t dev_major = 0, dev_minor = 0;
  std::string link;      ///< symlink target or hardlink target
  Xattrs xattrs;
};

class TarReader {
 public:
  /// `what` names the stream in error messages (e.g. "layer sha256:abcd…").
  TarReader(ByteSource& in, std::string what);
  ~TarReader();
  TarReader(const TarReader&) = delete;
  TarReader& operator=(const TarReader&) = delete;

  /// Reads the next header; false at the end of the archive. Throws Error on a corrupt archive.
  bool next(TarHeader& h);
  /// The next block of the current entry's data; false at its end.
  /// `offset` is where the block starts in the file (sparse files skip holes).
  bool data_block(const void** buf, size_t* len, int64_t* offset);
  /// Reads up to n bytes of the current entry's data (0 at its end).
  size_t read_data(void* buf, size_t n);

  /// Bytes of the underlying stream libarchive has asked for so far.
  ByteSource& source() { return in_; }
  /// Offset in the underlying stream where the current entry's data starts (right after next()).
  uint64_t data_offset() const;

 private:
  friend struct TarCallbacks;
  [[noreturn]] void fail(const char* doing);
  ByteSource& in_;
  std::string what_;
  struct archive* a_;
  std::string buf_;
  std::exception_ptr pending_;  ///< an exception from the source, carried across libarchive's C code
  std::string current_;         ///< path of the current entry, for messages
};

}  // namespace layerdiff
