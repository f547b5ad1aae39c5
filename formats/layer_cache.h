// layer_cache.h: layers read once. A LayerStore keeps, for one run, every layer read (so a diff
// reads the layers both images share once) and, when given a directory, a persistent index of
// each layer: its entries with content digests, keyed by the layer's verified blob digest.
//
// On disk ($XDG_CACHE_HOME/layerdiff, else ~/.cache/layerdiff): one file per layer, written to a
// temporary name and renamed (atomic: a reader sees a whole file or none, so two runs can share
// the directory), with a magic, the reader version, the key and an XXH3 checksum of the payload.
// The key is the blob digest and the reader version: a hash the build makes of every source that
// decides what a layer reads to (cmake/reader_version.cmake), so a binary whose reader differs in
// any byte never uses another's files. A file that is truncated, corrupt, of another version or
// for another key is ignored and rewritten, never trusted. Entries are written only for layers whose blob sha256 and diff_id
// were checked, so a tampered archive cannot poison the cache. The directory is capped
// (least recently used files go first; a hit refreshes a file's mtime). Merged images are kept
// in the same directory under the same rules (formats/image_cache.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "formats/image_cache.h"
#include "formats/image_source.h"

namespace layerdiff {

class LayerStore {
 public:
  /// `dir` empty: no persistent cache (memory only). `cap_bytes`: size cap of the directory.
  /// `version`: the reader version files are written with and must carry to be read (16 hex
  /// digits; anything else disables the disk cache); tests pass another to play an older build.
  explicit LayerStore(std::string dir = "", uint64_t cap_bytes = 2ull << 30,
                      std::string version = reader_version());

  /// The layer whose stored blob has `digest` ("sha256:…"), from this run or the cache.
  std::shared_ptr<const LayerData> find(const std::string& digest);
  /// Remembers a layer read in this run; with `verified`, also writes it to the cache.
  void put(const std::string& digest, std::shared_ptr<const LayerData> layer, bool verified);

  /// A JSON document (manifest, config) by its sha256 digest, from the cache directory; checked
  /// against the digest, so nullopt for anything else. For sources that fetch documents
  /// (registries): a warm run then fetches only what a tag points at now.
  std::optional<std::string> find_document(const std::string& digest);
  /// Keeps a document whose sha256 is `digest` (checked; anything else is not written).
  void put_document(const std::string& digest, std::string_view text);

  /// Whether the cache directory can be written: creates it (and its parent) and a file in it.
  /// "" when it can (or there is no directory), else why not ("DIR: Permission denied"); the
  /// caller then runs without it.
  std::string check_writable() const;

  /// Default directory: $XDG_CACHE_HOME/layerdiff or $HOME/.cache/layerdiff ("" if neither set).
  static std::string default_dir();
  /// This build's reader version: 16 hex digits of a hash of the reader's sources.
  static std::string reader_version();

  /// The merged image stored under `key` (formats/image_cache.h), or nullptr.
  std::shared_ptr<const CachedImage> find_merged(const std::string& key);
  /// Stores a merged image whose every layer was verified (best effort, like put()).
  void put_merged(const std::string& key, const MergedImage& img, const std::vector<LayerBlobInfo>& blobs,
                  const std::vector<std::string>& warnings);
  /// Whether layers read in this run are kept in memory for another image of the run (a diff
  /// reads the layers both images share once). Off: each layer is freed once merged.
  void keep_in_memory(bool keep) { keep_ = keep; }

  /// Forgets the layers kept in memory for this run (the disk cache stays): call once every
  /// image is loaded, so the report does not hold every layer's entries beside the merged trees.
  void drop_memory();

  /// Package database contents of this run, kept once each (formats/layer_reader.h).
  const std::shared_ptr<ContentPool>& contents() const { return contents_; }

  uint64_t hits() const { return hits_; }
  uint64_t disk_hits() const { return disk_hits_; }

 private:
  std::string path_for(const std::string& digest) const;
  std::shared_ptr<const LayerData> load(const std::string& digest);
  void save(const std::string& digest, const LayerData& layer);
  void evict();

  std::string dir_;
  uint64_t cap_;
  std::string version_;
  std::string merge_version_;  ///< of merged images (image_cache.h)
  std::shared_ptr<ContentPool> contents_ = std::make_shared<ContentPool>();
  bool keep_ = true;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const LayerData>> mem_;
  uint64_t hits_ = 0, disk_hits_ = 0;
};

/// Serialises a layer (exposed for tests): the payload of a cache file.
std::string encode_layer(const LayerData& layer);
/// Parses what encode_layer wrote; nullopt for anything malformed (never throws). Contents go
/// through `pool` when given.
std::optional<LayerData> decode_layer(std::string_view payload, ContentPool* pool = nullptr);

}  // namespace layerdiff
