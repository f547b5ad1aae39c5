// diff.h: two merged images compared path by path, each change charged to exactly one layer.
//
// Bytes. A regular file's content counts once per image, on one of its names (its carrier); the
// other names count 0. The carrier is the first name in bytewise order, except that a file whose
// content is unchanged at a name both images have is carried by that name in both, so a file that
// only gained or lost a hardlinked name has delta 0. Invariant: the sum over changes of
// (after.bytes - before.bytes) == after content - before content. A change whose content is the
// same on both sides (mode, owner, xattrs, hardlink set, mtime only) has delta 0.
//
// Responsibility. The bottom layers with the same ChainID in both images are shared and are
// responsible for nothing. Every other change has one responsible layer:
//  - added:    the AFTER layer that wrote it; if that layer is shared, the BEFORE layer that had
//              deleted it (the deletion was not carried over);
//  - removed:  the AFTER layer that deleted it when the BEFORE layer that wrote it is shared,
//              else that BEFORE layer (what it wrote was not carried over);
//  - modified: the AFTER layer that wrote the new version when it is AFTER's own, else the BEFORE
//              layer that wrote the old version.
// "Wrote" is the layer that last set the name (Node::layer): an entry, a hardlink entry or a
// directory's metadata.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/listing.h"
#include "analyzer/merged_image.h"

namespace layerdiff {

enum class ChangeKind { Added, Removed, Modified };
const char* change_name(ChangeKind k);

/// One side of a changed path.
struct PathState {
  char type = 'f';        ///< as in `ls`: f d l h c b p s
  uint64_t size = 0;      ///< content size (f, h)
  uint64_t bytes = 0;     ///< bytes counted for this path (the size on the file's carrier name)
  uint32_t mode = 0, uid = 0, gid = 0;
  int64_t mtime = 0;
  std::string target;     ///< symlink target, "major,minor", or first name for h
  ContentDigest digest;
  uint32_t layer = 0;     ///< the layer that last set this name
};

/// A layer of one of the two images.
struct LayerRef {
  enum Side : uint8_t { Before, After } side = After;
  uint32_t index = 0;
  bool operator==(const LayerRef&) const = default;
};
const char* side_name(LayerRef::Side s);  ///< "before", "after"

struct FileChange {
  std::string path;  ///< display path ("/etc/passwd")
  ChangeKind kind;
  std::vector<std::string> what;  ///< Modified: content, size, type, mode, uid, gid, target,
                                  ///< xattrs, device, mtime, hardlink
  std::optional<PathState> before, after;
  LayerRef responsible;                 ///< the one layer charged with this change
  std::optional<uint32_t> written_by;   ///< BEFORE layer that wrote the old version
  std::optional<uint32_t> removed_by;   ///< AFTER layer that deleted it (AFTER once had it)
  int64_t delta() const {
    return static_cast<int64_t>(after ? after->bytes : 0) -
           static_cast<int64_t>(before ? before->bytes : 0);
  }
  /// True when the regular-file content differs (or a file appears or goes).
  bool content_changed() const;
};

struct DiffOptions {
  bool mtime = false;  ///< compare mtimes (off: rebuilds change every mtime)
};

/// How the layers of two images correspond: the bottom layers with the same ChainID (the same
/// diff_ids all the way down) are shared; the rest are only in one image.
struct LayerMatch {
  size_t shared = 0;  ///< layers [0, shared) are identical in both
};
LayerMatch match_layers(const ImageInfo& before, const ImageInfo& after);

/// ChainID of each layer: LayerInfo::chain_id, or (images made in memory) the diff_ids joined.
std::vector<std::string> chain_ids(const ImageInfo& info);

/// Both images' listings with the bytes each path counts (see the carrier rule above).
struct TreePair {
  std::vector<ListingRow> before, after;
  std::vector<uint64_t> before_bytes, after_bytes;  ///< parallel to the listings
};
TreePair pair_trees(const MergedImage& before, const MergedImage& after);

/// All changed paths, sorted bytewise by path, each with its responsible layer. Unchanged paths
/// are left out.
std::vector<FileChange> diff_trees(const MergedImage& before, const MergedImage& after,
                                   const TreePair& pair, const DiffOptions& opt);
std::vector<FileChange> diff_trees(const MergedImage& before, const MergedImage& after,
                                   const DiffOptions& opt);

}  // namespace layerdiff
