// image_cache.h: merged images kept on disk, so that a warm run does no per-path work to load one.
//
// A cache file holds what a merge produced (the frozen tree, removed paths, per-layer stats, waste,
// the merge's warnings) and the verified facts about each layer blob (LayerBlobInfo), keyed by the
// image's layers: for each, the blob digest the manifest names (the diff_id where it names none)
// and the diff_id, so the key changes with any layer and with their order (the ChainIDs follow
// from the diff_ids). The tree's tables are written as they lie in memory (fixed-layout records,
// 8-byte aligned sections) and read back with one mmap: loading does not allocate per path.
//
// Same safety as the layer cache (layer_cache.h): one file per key, written to a temporary name
// and renamed; a header with a magic, the merge version and an XXH3 checksum of the payload; the
// key stored in the file and compared; written only after every layer was verified (blob sha256
// and diff_id); under the directory's size cap (least recently used first). The merge version is
// a hash the build makes of every source that decides what a layer reads to and how layers merge
// (cmake/reader_version.cmake): a binary whose reader or merge differs in any byte never uses
// another's files. Anything truncated, corrupt, of another version, for another key or with an
// index out of range is refused (the image is then read and merged anew), never trusted.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/merged_image.h"
#include "formats/layer_reader.h"

namespace layerdiff {

/// A merged image as a cache file holds it; its arrays point into the mapped file.
struct CachedImage {
  std::vector<LayerBlobInfo> blobs;  ///< per layer, as verified when the image was merged
  std::vector<LayerMergeStats> stats;
  std::vector<WasteRecord> waste;
  std::vector<std::string> warnings;  ///< what the merge warned about
  FrozenTreeView tree;
  std::string_view removed_paths;
  std::span<const uint64_t> removed_end;
  std::span<const uint32_t> removed_layers;
  std::shared_ptr<const void> mapping;  ///< the mapped file (whatever keeps the bytes)
};

/// The cache key of an image's layers: "<key> <diff_id>" per layer, hashed (64 hex digits).
std::string merged_image_key(const std::vector<std::string>& layer_keys,
                             const std::vector<std::string>& diff_ids);

/// A cache file's bytes for a merged image (freezes its tree).
std::string encode_merged_image(const std::string& key, const std::string& version, const MergedImage& img,
                                const std::vector<LayerBlobInfo>& blobs,
                                const std::vector<std::string>& warnings);
/// Writes the same to `fd` from the image's own memory (nothing is copied); false on a write error.
bool write_merged_image(int fd, const std::string& key, const std::string& version, const MergedImage& img,
                        const std::vector<LayerBlobInfo>& blobs, const std::vector<std::string>& warnings);
/// Reads a cache file with one mmap; nullptr for anything that is not a whole, valid file of this
/// version for this key.
std::shared_ptr<const CachedImage> load_merged_image(const std::string& path, const std::string& key,
                                                     const std::string& version);
/// The same for a file's bytes wherever they are (8-byte aligned); `keep` keeps them alive.
std::shared_ptr<const CachedImage> decode_merged_image(std::string_view file, const std::string& key,
                                                       const std::string& version, std::shared_ptr<const void> keep);
/// The image a cache file holds, as the merge made it.
std::unique_ptr<MergedImage> merged_image_from_cache(ImageInfo info, std::shared_ptr<const CachedImage> c);

/// This build's merge version: 16 hex digits of a hash of the reader's and the merge's sources.
std::string merge_version();

}  // namespace layerdiff
