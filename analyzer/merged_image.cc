#include "analyzer/merged_image.h"

#include <algorithm>

namespace layerdiff {

void RemovedPaths::build(std::vector<std::pair<std::string_view, uint32_t>>& v) {
  std::sort(v.begin(), v.end());
  size_t bytes = 0;
  for (auto& [p, l] : v) bytes += p.size();
  own_paths_.reserve(bytes);
  own_end_.reserve(v.size());
  own_layers_.reserve(v.size());
  for (auto& [p, l] : v) {
    own_paths_ += p;
    own_end_.push_back(own_paths_.size());
    own_layers_.push_back(l);
  }
  paths_ = own_paths_;
  end_ = own_end_;
  layers_ = own_layers_;
}

RemovedPaths& RemovedPaths::operator=(RemovedPaths&& o) noexcept {
  own_paths_ = std::move(o.own_paths_);
  own_end_ = std::move(o.own_end_);
  own_layers_ = std::move(o.own_layers_);
  keep_ = std::move(o.keep_);
  if (keep_) {
    paths_ = o.paths_;
    end_ = o.end_;
    layers_ = o.layers_;
  } else {
    paths_ = own_paths_;
    end_ = own_end_;
    layers_ = own_layers_;
  }
  return *this;
}

RemovedPaths RemovedPaths::adopt(std::string_view paths, std::span<const uint64_t> end,
                                 std::span<const uint32_t> layers, std::shared_ptr<const void> keep) {
  RemovedPaths r;
  r.keep_ = std::move(keep);
  r.paths_ = paths;
  r.end_ = end;
  r.layers_ = layers;
  return r;
}

std::optional<uint32_t> RemovedPaths::find(std::string_view canonical) const {
  size_t lo = 0, hi = layers_.size();
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = path(mid).compare(canonical);
    if (c == 0) return layers_[mid];
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return std::nullopt;
}

namespace {

template <class Layer>
std::unique_ptr<MergedImage> merge_layers(ImageInfo info, const std::vector<const Layer*>& layers,
                                          Diagnostics& diag, LayerChangeSink* changes,
                                          const std::function<void(size_t)>& merged) {
  auto img = std::make_unique<MergedImage>();
  img->info = std::move(info);
  size_t entries = 1;
  for (const auto* l : layers) entries += l->size();
  img->tree.reserve_inodes(entries);  // at most one inode per entry (implicit parents aside)
  img->tree.reserve_nodes(entries);
  Merger m(img->tree, changes);
  for (size_t i = 0; i < layers.size(); ++i) {
    try {
      m.apply(static_cast<uint32_t>(i), *layers[i], diag);
    } catch (const Error&) {
      std::string d = i < img->info.layers.size() ? short_digest(img->info.layers[i].digest)
                                                  : std::to_string(i);
      rethrow_with_context(img->info.source + ": layer " + d);
    }
    if (merged) merged(i);
  }
  img->stats = m.stats();
  img->stats.resize(layers.size());
  img->waste = m.take_waste();
  img->removed_by = RemovedPaths(m.removed_by());
  return img;
}

}  // namespace

std::unique_ptr<MergedImage> merge_image(ImageInfo info,
                                         const std::vector<const std::vector<LayerEntry>*>& layers,
                                         Diagnostics& diag, LayerChangeSink* changes) {
  return merge_layers(std::move(info), layers, diag, changes, {});
}

std::unique_ptr<MergedImage> merge_image(ImageInfo info, const std::vector<const PackedEntries*>& layers,
                                         Diagnostics& diag, LayerChangeSink* changes,
                                         const std::function<void(size_t)>& merged) {
  return merge_layers(std::move(info), layers, diag, changes, merged);
}

}  // namespace layerdiff
