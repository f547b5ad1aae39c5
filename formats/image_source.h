// image_source.h: the named members an image is stored in, whether a tar archive (maybe gzip- or
// zstd-compressed, maybe on stdin) or an OCI layout directory. Layouts (image_reader.cc) ask for
// members by name; the source decides how to get them with as few passes as it can:
//  - a seekable uncompressed tar is scanned once for headers and small JSON members (seeking past
//    big data), then read a second time only for the layer blobs the chosen image needs;
//  - a compressed archive or a pipe is read exactly once: JSON members are kept, and every member
//    that looks like a layer (gzip/zstd/tar magic) is parsed as it streams by;
//  - a directory is read file by file.
#pragma once

#include <cstdint>
#include <exception>
#include <map>
#include <mutex>
#include <memory>
#include <string>
#include <vector>

#include "analyzer/layer_entry.h"
#include "formats/layer_reader.h"
#include "formats/progress.h"

namespace layerdiff {

struct LayerData {
  LayerBlobInfo blob;
  PackedEntries entries;  ///< in stream order
};

class ImageSource {
 public:
  virtual ~ImageSource() = default;
  /// "archive" or "directory" (for the layout name).
  virtual bool is_directory() const = 0;
  /// How the image is stored, for ImageInfo::layout when it is an OCI layout (an index.json).
  virtual std::string oci_layout_name() const {
    return is_directory() ? "oci-layout directory" : "oci-archive";
  }
  /// True when `name` (canonical member path) is a regular member, after following member symlinks.
  virtual bool has(const std::string& name) = 0;
  /// Size in bytes of a regular member (after following member symlinks), or -1 if absent.
  virtual int64_t member_size(const std::string& name) = 0;
  /// The whole of a small member (JSON). Throws Error naming the member if absent or too large.
  virtual std::string read_small(const std::string& name) = 0;
  /// Reads the named layer blobs; the result maps each name as given to its data. Throws Error
  /// naming the member for a missing or corrupt blob.
  virtual std::map<std::string, std::shared_ptr<const LayerData>> read_layers(
      const std::vector<std::string>& names) = 0;
  /// What the user passed, for messages.
  const std::string& label() const { return label_; }

 protected:
  ImageSource(std::string label, const LayerReadOptions& opt)
      : label_(std::move(label)), opt_(opt), progress_(opt.progress) {}
  /// Reads one layer blob of member `name`, within what the limits leave after the layers this
  /// source already holds. Throws Error naming the layer.
  std::shared_ptr<LayerData> read_one(ByteSource& in, const std::string& name);

  std::string label_;
  LayerReadOptions opt_;
  Progress* progress_;  ///< where to report the bytes and layers read (null: nowhere)
  std::mutex held_mu_;
  uint64_t entries_held_ = 0, metadata_held_ = 0;  ///< across the layers read so far
};

/// Opens a path ("-" = standard input). Recognises a directory, a tar, or a gzip/zstd-compressed tar
/// by content; anything else is an Error.
std::unique_ptr<ImageSource> open_image_source(const std::string& path, const LayerReadOptions& opt);

/// An archive read once from a stream that cannot seek (a daemon's `docker save` response):
/// every layer blob is parsed as it passes. `label` names it in messages.
std::unique_ptr<ImageSource> open_image_stream(std::unique_ptr<ByteSource> in, const std::string& label,
                                               const LayerReadOptions& opt);

/// An archive held in memory (fuzzers and tests), read like a seekable tar file. `data` must outlive
/// the source; `label` names it in messages.
std::unique_ptr<ImageSource> open_image_memory(std::string_view data, const std::string& label,
                                               const LayerReadOptions& opt);

}  // namespace layerdiff
