// layer_entry.h: one entry of a layer as formats/ hands it to the analyzer.
// It is our own vocabulary: no tar type flags or libarchive types pass beyond formats/.
// Paths arrive raw (as stored in the layer, e.g. "./usr/bin/", "/etc/x", ".wh.foo");
// the analyzer normalises them and interprets OCI whiteouts (see merge.h).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
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

/// A layer's entries packed into one byte buffer, in stream order: each path front-coded against
/// the path before it, numbers as varints, the mtime as a difference. About 40 bytes an entry
/// where a LayerEntry with its strings takes about 250 (and a malloc or two). Package database
/// content stays apart, shared (not copied) with the entries read back and the merged tree.
/// Filled as a sink, read back in order with a Cursor; the layer cache stores the same bytes.
class PackedEntries : public EntrySink {
 public:
  PackedEntries() = default;
  explicit PackedEntries(const std::vector<LayerEntry>& entries);
  void add(LayerEntry&& e) override { append(e); }
  void append(const LayerEntry& e);
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  /// The packed bytes (for the layer cache).
  const std::string& bytes() const { return buf_; }
  /// Frees the slack of the growing buffer once the layer is read.
  void shrink() { buf_.shrink_to_fit(); }
  /// The package database contents, in entry order.
  const std::vector<std::shared_ptr<const std::string>>& contents() const { return contents_; }
  /// Entries from bytes a PackedEntries wrote and its contents; nullopt unless they decode to
  /// exactly `count` entries using every content (never throws: a corrupt cache file is refused).
  static std::optional<PackedEntries> from_bytes(std::string bytes, uint64_t count,
                                                 std::vector<std::shared_ptr<const std::string>> contents);
  /// Every entry as a value (tests, small layers).
  std::vector<LayerEntry> unpack() const;

  /// Reads the entries in order, into one LayerEntry whose buffers are reused.
  class Cursor {
   public:
    explicit Cursor(const PackedEntries& p) : in_(p.buf_), contents_(&p.contents_) {}
    /// The next entry into `e`; false at the end (or at malformed bytes, which from_bytes refuses).
    bool next(LayerEntry& e);

   private:
    friend class PackedEntries;
    std::string_view in_;
    const std::vector<std::shared_ptr<const std::string>>* contents_;
    size_t next_content_ = 0;
    size_t pos_ = 0;
    int64_t mtime_ = 0;
    std::string path_;  ///< the path before, for the front coding
  };

 private:
  std::string buf_;
  std::vector<std::shared_ptr<const std::string>> contents_;
  uint64_t count_ = 0;
  std::string last_path_;
  int64_t last_mtime_ = 0;
};

}  // namespace layerdiff
