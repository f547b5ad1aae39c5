// layer_reader.h: one layer blob (uncompressed, gzip or zstd tar) -> LayerEntry values pushed into
// an EntrySink, with the blob's digests and sizes. Every byte of the blob is read, so the sha256
// of the compressed blob and of the uncompressed tar (the diff_id) cover all of it; only a read
// that asks for neither digests nor contents skips file data.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <memory>
#include <string>

#include "analyzer/layer_entry.h"
#include "formats/byte_source.h"
#include "formats/compression.h"
#include "formats/limits.h"

namespace layerdiff {

class Progress;  // formats/progress.h

/// Package database contents read in a run, by content digest and size: a file that several
/// layers hold unchanged (every layer that re-lists the dpkg database) is kept once.
class ContentPool {
 public:
  /// The content already kept with this digest and size, else `c` (now kept too).
  std::shared_ptr<const std::string> intern(const ContentDigest& d, std::shared_ptr<const std::string> c);

 private:
  std::mutex mu_;
  std::map<std::pair<ContentDigest, uint64_t>, std::weak_ptr<const std::string>> kept_;
};

struct LayerReadOptions {
  bool sha256 = true;  ///< compute blob and diff_id sha256 (for verification)
  /// Hash file contents (LayerEntry::digest) and keep package databases. Off (only without
  /// sha256): the entries' metadata alone; an uncompressed layer's file data is then skipped
  /// (seeked past where the source can), not read. Such a layer must not be cached.
  bool content = true;
  Limits limits;
  /// Entries and metadata bytes earlier layers of the same image (archive) already hold in
  /// memory: a layer may only add what is left of Limits::max_entries / max_metadata_bytes.
  uint64_t entries_before = 0, metadata_before = 0;
  /// Where the image source reports bytes and layers read (formats/progress.h); may be null.
  Progress* progress = nullptr;
  /// Package database content kept so far by every layer read with (a copy of) these options:
  /// bounded by limits::kMaxPackageDbTotalBytes.
  std::shared_ptr<std::atomic<uint64_t>> package_db_bytes = std::make_shared<std::atomic<uint64_t>>(0);
  /// Where package database contents are shared (null: each kept apart).
  std::shared_ptr<ContentPool> contents;
};

struct LayerBlobInfo {
  Compression compression = Compression::None;
  uint64_t compressed_size = 0;  ///< bytes of the blob as stored
  uint64_t tar_size = 0;         ///< bytes of the uncompressed tar
  uint64_t entries = 0;
  uint64_t metadata_bytes = 0;   ///< bytes of names, link targets and xattrs of the entries
  std::string blob_digest;       ///< "sha256:…" of the stored blob ("" without sha256)
  std::string diff_id;           ///< "sha256:…" of the uncompressed tar ("" without sha256)
};

/// The limits read_layer enforces while reading, judged on a layer already read (one the layer
/// cache holds), so that a warm run refuses what a cold one would. Throws LimitError with the
/// same message.
void check_layer_limits(const LayerBlobInfo& info, const LayerReadOptions& opt, const std::string& what);

/// Reads a whole layer blob. `what` names it in errors ("<file>: layer sha256:abcd…").
/// Throws Error for a corrupt or truncated stream, naming the entry path where one is involved.
LayerBlobInfo read_layer(ByteSource& blob, const LayerReadOptions& opt, const std::string& what,
                         EntrySink& sink);

}  // namespace layerdiff
