// layer_entry.h: one entry of a layer as formats/ hands it to the analyzer.
// It is our own vocabulary: no tar type flags or libarchive types pass beyond formats/.
// Paths arrive raw (as stored in the layer, e.g. "./usr/bin/", "/etc/x", ".wh.foo");
// the analyzer normalises them and interprets OCI whiteouts (see merge.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace layerdiff {

enum class EntryType : uint8_t {
  File,       // regular file with `size` content bytes
  Dir,
  Symlink,    // `link` is the target, kept verbatim
  Hardlink,   // `link` is the raw path of another entry (this layer or a lower one)
  CharDev,
  BlockDev,
  Fifo,
  Socket,
};

/// One-letter code used by `layerdiff ls` (`h` is only produced for extra names of one inode).
char type_letter(EntryType t);

/// A 128-bit content digest (XXH3-128) used for equality of file contents, not for security.
struct ContentDigest {
  uint64_t hi = 0, lo = 0;
  bool operator==(const ContentDigest&) const = default;
  auto operator<=>(const ContentDigest&) const = default;
  std::string hex() const;
};

using Xattrs = std::vector<std::pair<std::string, std::string>>;

struct LayerEntry {
  std::string path;          ///< raw path as stored in the layer
  EntryType type = EntryType::File;
  uint64_t size = 0;         ///< content bytes (File only; 0 otherwise)
  uint32_t mode = 0;         ///< permission bits incl. setuid/setgid/sticky (& 07777)
  uint32_t uid = 0, gid = 0;
  int64_t mtime = 0;         ///< seconds since the epoch
  uint32_t dev_major = 0, dev_minor = 0;  ///< CharDev/BlockDev only
  std::string link;          ///< symlink target or raw hardlink target path
  Xattrs xattrs;             ///< sorted by name
  ContentDigest digest;      ///< of the content (File only)
  /// The content itself, only for package database files (is_package_db_path in
  /// analyzer/packages.h) within the limits::kMaxPackageDb* caps; else null.
  std::shared_ptr<const std::string> content;
};

/// Receives the entries of one layer in stream order. Formats push; the analyzer (or a test) collects.
class EntrySink {
 public:
  virtual ~EntrySink() = default;
  virtual void add(LayerEntry&& e) = 0;
};

/// The simplest sink: keeps every entry in order.
class VectorSink : public EntrySink {
 public:
  std::vector<LayerEntry> entries;
  void add(LayerEntry&& e) override { entries.push_back(std::move(e)); }
};

}  // namespace layerdiff
