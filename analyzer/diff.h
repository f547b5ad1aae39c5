// diff.h: two merged images compared path by path, with every byte of the content delta
// attributed to a path, a directory, a layer and (see stages.h) a build stage.
// A path's bytes are its content size when it is the first name of a regular file (hardlinked
// names count once), else 0. Invariant: the sum over changes of (after_bytes - before_bytes)
// equals after.content_size - before.content_size, so every rollup reconciles exactly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/merged_image.h"

namespace layerdiff {

enum class ChangeKind { Added, Removed, Modified };
const char* change_name(ChangeKind k);

/// One side of a changed path.
struct PathState {
  char type = 'f';        ///< as in `ls`: f d l h c b p s
  uint64_t size = 0;      ///< content size (f, h)
  uint64_t bytes = 0;     ///< bytes counted for this path (size for the first name of a file)
  uint32_t mode = 0, uid = 0, gid = 0;
  int64_t mtime = 0;
  std::string target;     ///< symlink target, "major,minor", or first name for h
  ContentDigest digest;
  uint32_t layer = 0;     ///< index of the layer that wrote it
};

struct FileChange {
  std::string path;  ///< display path ("/etc/passwd")
  ChangeKind kind;
  std::vector<std::string> what;  ///< Modified: content, size, type, mode, uid, gid, target,
                                  ///< xattrs, device, mtime, hardlink
  std::optional<PathState> before, after;
  int64_t delta() const {
    return static_cast<int64_t>(after ? after->bytes : 0) -
           static_cast<int64_t>(before ? before->bytes : 0);
  }
};

struct DiffOptions {
  bool mtime = false;  ///< compare mtimes (off: rebuilds change every mtime)
};

/// All changed paths, sorted bytewise by path. Unchanged paths are left out.
std::vector<FileChange> diff_trees(const MergedImage& before, const MergedImage& after,
                                   const DiffOptions& opt);

/// How the layers of two images correspond: the bottom layers with the same diff_id chain are
/// shared; the rest are only in one image.
struct LayerMatch {
  size_t shared = 0;  ///< layers [0, shared) are identical in both (same chain of diff_ids)
};
LayerMatch match_layers(const ImageInfo& before, const ImageInfo& after);

}  // namespace layerdiff
