// image_reader.h: the one public entry point of formats/: a path -> image metadata and, per layer,
// its entries. Recognises the layout by content: a docker `manifest.json` (legacy `docker save`, or
// Docker 25+ which adds it to an OCI layout), else an OCI `index.json` (OCI archive or directory).
// Image selection: --image REF among several images, --platform among several platforms
// (default linux/amd64 when present, else the only one); attestation manifests are skipped.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "analyzer/image.h"
#include "formats/image_source.h"
#include "formats/layer_cache.h"
#include "formats/limits.h"

namespace layerdiff {

struct ReadOptions {
  std::string image;     ///< --image REF: which image of a multi-image archive ("" = the only one)
  std::string platform;  ///< --platform os/arch[/variant] ("" = default)
  bool verify = true;    ///< check blob sha256 against digests and diff_ids
  /// Hash file contents and keep package databases (LayerReadOptions::content); off only
  /// without verify, for output that shows neither (plain `ls`).
  bool content = true;
  Limits limits;         ///< --max-entries, --max-layer-size, ... (formats/limits.h)
  LayerStore* store = nullptr;  ///< layers read once per run, and the on-disk layer cache
  /// Take the merged image from the store's cache when it holds this image's layers (off: read
  /// the layers, e.g. to list what each layer did).
  bool merged_cache = true;
  Progress* progress = nullptr;  ///< where to report bytes and layers read
};

struct LoadedImage {
  ImageInfo info;
  std::vector<std::shared_ptr<const LayerData>> layers;  ///< parallel to info.layers; empty with `merged`
  std::vector<LayerBlobInfo> blobs;                      ///< parallel to info.layers
  std::vector<std::string> warnings;
  std::shared_ptr<const CachedImage> merged;  ///< the merged image from the cache, if it held it
  std::string merged_key;  ///< the cache key of the merge; "" when it must not be stored (unverified)
};

/// The merged image: the one the cache held, else the merge of the layers (each freed as soon as
/// it is applied, unless the store keeps it for another image), stored in the cache when every
/// layer was verified. The merge's warnings go to `diag` (a cached image's too).
std::unique_ptr<MergedImage> merge_loaded(LoadedImage&& li, Diagnostics& diag, LayerStore* store,
                                          LayerChangeSink* changes = nullptr);

/// Throws Error "<path>: …" naming the member or layer involved.
LoadedImage read_image(const std::string& path, const ReadOptions& opt);

/// The same for a source opened elsewhere (sources/: a registry, a daemon's stream).
LoadedImage read_image(std::unique_ptr<ImageSource> src, const ReadOptions& opt);

/// Options for the layers of a source opened elsewhere (what read_image passes its sources).
LayerReadOptions layer_options(const ReadOptions& opt);

/// The same for an archive held in memory (fuzzers, tests); `label` stands for the path.
LoadedImage read_image_memory(std::string_view data, const std::string& label,
                              const ReadOptions& opt);

}  // namespace layerdiff
