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
  Limits limits;         ///< --max-entries, --max-layer-size, ... (formats/limits.h)
  LayerStore* store = nullptr;  ///< layers read once per run, and the on-disk layer cache
  Progress* progress = nullptr;  ///< where to report bytes and layers read
};

struct LoadedImage {
  ImageInfo info;
  std::vector<std::shared_ptr<const LayerData>> layers;  ///< parallel to info.layers
  std::vector<std::string> warnings;
};

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
