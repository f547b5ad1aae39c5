#include "analyzer/merged_image.h"

namespace layerdiff {

std::unique_ptr<MergedImage> merge_image(ImageInfo info,
                                         const std::vector<const std::vector<LayerEntry>*>& layers,
                                         Diagnostics& diag, LayerChangeSink* changes) {
  auto img = std::make_unique<MergedImage>();
  img->info = std::move(info);
  size_t entries = 1;
  for (const auto* l : layers) entries += l->size();
  img->tree.reserve_inodes(entries);  // at most one inode per entry (implicit parents aside)
  Merger m(img->tree, changes);
  for (size_t i = 0; i < layers.size(); ++i) {
    try {
      m.apply(static_cast<uint32_t>(i), *layers[i], diag);
    } catch (const Error&) {
      std::string d = i < img->info.layers.size() ? short_digest(img->info.layers[i].digest)
                                                  : std::to_string(i);
      rethrow_with_context(img->info.source + ": layer " + d);
    }
  }
  img->stats = m.stats();
  img->stats.resize(layers.size());
  img->waste = m.waste();
  img->removed_by = m.removed_by();
  return img;
}

}  // namespace layerdiff
