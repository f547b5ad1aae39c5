// merged_image.h: an image's metadata plus the tree its layers merge into, with what the merge
// measured per layer (entries, written bytes) and the waste it saw.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analyzer/error.h"
#include "analyzer/file_tree.h"
#include "analyzer/image.h"
#include "analyzer/layer_entry.h"
#include "analyzer/merge.h"

namespace layerdiff {

/// Every path absent from the tree that a layer removed (a whiteout, an opaque directory, a
/// replaced subtree), canonical -> the last layer that removed it. Sorted by path in one buffer,
/// like the frozen tree (a cache file maps it as it is).
class RemovedPaths {
 public:
  RemovedPaths() = default;
  template <class Map>
  explicit RemovedPaths(const Map& m) {
    std::vector<std::pair<std::string_view, uint32_t>> v(m.begin(), m.end());
    build(v);
  }
  /// Over arrays that live elsewhere; `keep` keeps them alive.
  static RemovedPaths adopt(std::string_view paths, std::span<const uint64_t> end,
                            std::span<const uint32_t> layers, std::shared_ptr<const void> keep);

  /// The last layer that removed `canonical`, if one did and it is absent now.
  std::optional<uint32_t> find(std::string_view canonical) const;
  size_t size() const { return layers_.size(); }
  std::string_view path(size_t i) const {
    size_t b = i ? end_[i - 1] : 0;
    return paths_.substr(b, end_[i] - b);
  }
  uint32_t layer(size_t i) const { return layers_[i]; }
  std::string_view paths() const { return paths_; }
  std::span<const uint64_t> ends() const { return end_; }
  std::span<const uint32_t> layers() const { return layers_; }

 private:
  void build(std::vector<std::pair<std::string_view, uint32_t>>& v);
  std::string own_paths_;
  std::vector<uint64_t> own_end_;
  std::vector<uint32_t> own_layers_;
  std::shared_ptr<const void> keep_;
  std::string_view paths_;
  std::span<const uint64_t> end_;
  std::span<const uint32_t> layers_;

 public:
  RemovedPaths(RemovedPaths&& o) noexcept { *this = std::move(o); }
  RemovedPaths& operator=(RemovedPaths&& o) noexcept;
};

struct MergedImage {
  ImageInfo info;
  FileTree tree;
  std::vector<LayerMergeStats> stats;  ///< parallel to info.layers
  std::vector<WasteRecord> waste;
  RemovedPaths removed_by;
};

/// Merges `layers` (parallel to info.layers, bottom first). Errors are rethrown as
/// "<source>: layer <digest12>: <path>: <reason>". `merged(i)`, when given, is called once layer
/// i is applied (its entries are not read again: the caller may free them).
std::unique_ptr<MergedImage> merge_image(ImageInfo info,
                                         const std::vector<const std::vector<LayerEntry>*>& layers,
                                         Diagnostics& diag, LayerChangeSink* changes = nullptr);
std::unique_ptr<MergedImage> merge_image(ImageInfo info, const std::vector<const PackedEntries*>& layers,
                                         Diagnostics& diag, LayerChangeSink* changes = nullptr,
                                         const std::function<void(size_t)>& merged = {});

}  // namespace layerdiff
