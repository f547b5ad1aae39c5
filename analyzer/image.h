// image.h: what layerdiff knows of an image besides its files: where it came from, its platform,
// its layers with their digests and sizes, its build history mapped onto the layers, and its
// run configuration.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analyzer/image_config.h"

namespace layerdiff {

struct HistoryEntry {
  std::string created_by, created, comment;
  bool empty_layer = false;
};

struct LayerInfo {
  uint32_t index = 0;          ///< 0 = bottom layer
  std::string digest;          ///< blob digest "sha256:…" as stored (compressed if it is)
  std::string diff_id;         ///< sha256 of the uncompressed tar, from the config
  /// The OCI ChainID of the stack of layers [0, index]: diff_id for the bottom layer, else
  /// sha256(chain_id(index-1) + " " + diff_id). Equal ChainIDs mean identical layer stacks.
  std::string chain_id;
  std::string media_type;      ///< from the manifest; "" when the layout has none (legacy docker)
  std::string compression;     ///< "none", "gzip", "zstd": what the blob's magic bytes said
  uint64_t compressed_size = 0;  ///< blob bytes as stored
  uint64_t tar_size = 0;         ///< uncompressed tar bytes
  uint64_t entries = 0;          ///< tar entries, whiteouts included
  std::string created_by, created, comment;  ///< from the history entry of this layer
};

struct ImageInfo {
  std::string source;         ///< the archive or directory as given (or "-")
  std::string reference;      ///< tag / ref name, or the config digest when there is none
  std::string platform;       ///< os/arch[/variant]
  std::string layout;         ///< e.g. "docker-save (legacy)", "oci-archive", "oci-layout directory"
  std::string config_digest;  ///< "sha256:…"
  std::string manifest_digest;  ///< "" for legacy docker archives
  std::string created;
  std::vector<LayerInfo> layers;
  std::vector<HistoryEntry> history;  ///< all entries, empty_layer ones included
  ImageConfig config;  ///< what the image is configured to run (image_config.h)
};

/// How reports name an image: its reference ("docker.io/library/debian:12"), or, when that is
/// only a tag or a digest, the file with it: "app.oci.tar (latest)".
std::string image_name(const ImageInfo& info);

/// "sha256:0123456789abcdef…" -> "0123456789ab" (the 12-hex short form used in messages).
std::string short_digest(const std::string& digest);

}  // namespace layerdiff
