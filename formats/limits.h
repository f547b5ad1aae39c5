// limits.h: the one header of named sanity limits for untrusted archives. Each number is far above
// what a real image needs and low enough that a hostile archive cannot make layerdiff use unbounded
// memory, time or stack. Fixed limits are constants; limits a legitimate image could exceed are in
// `Limits` and raised from the command line (cmd/limit_options.h). Hitting any limit throws
// LimitError, whose message names the limit and, for a runtime limit, the flag that raises it.
// This header depends on nothing, so that analyzer/merge.cc can share it without linking formats.
#pragma once

#include <cstdint>
#include <string>

namespace layerdiff::limits {

/// A path (entry name, link target, member name) is at most PATH_MAX bytes: Linux cannot create a
/// longer one in one call, so a runtime fails on it too. Bounds the bytes held per name.
inline constexpr uint64_t kMaxPathBytes = 4096;

/// Components of an entry path, and directories deep a path may resolve to in the merge (symlinks
/// in parents can lengthen it). Real images stay below 40; the tree is walked recursively, and
/// 1024 levels keep that walk a few hundred KiB of stack.
inline constexpr int kMaxPathDepth = 1024;

/// Extended attributes of one entry, names and values together. Linux caps one value at 64 KiB
/// (XATTR_SIZE_MAX) and a whole list of names at 64 KiB; real images carry a capability or an
/// SELinux label (tens of bytes).
inline constexpr uint64_t kMaxXattrBytes = 64u << 10;

/// Directories the merge creates for parents that no entry lists, beyond one per entry. Real
/// layers list their parents, or leave out a few; a path-depth bomb (many deep, distinct paths)
/// would otherwise make the tree grow by up to kMaxPathDepth nodes per entry.
inline constexpr uint64_t kMaxImplicitDirsSlack = 1u << 16;

/// Layers in one image. The overlay filesystem stacks at most ~500 lower directories and Docker
/// refuses more than 125 layers; the merge costs the sum of all layers' entries.
inline constexpr uint64_t kMaxLayers = 1000;

/// JSON documents (manifest.json, index.json, manifests, configs) are held in memory whole. Real
/// ones are a few KiB; a config with a long history is rarely above 1 MiB.
inline constexpr uint64_t kMaxJsonBytes = 16ull << 20;

/// Nesting depth of a JSON document; OCI documents nest 4-5 levels. Boost.JSON parses
/// recursively, so this also bounds its stack.
inline constexpr int kMaxJsonDepth = 64;

/// Nesting of indexes inside indexes. Real images use 2 (index.json -> a multi-platform index).
inline constexpr int kMaxIndexDepth = 8;

/// Manifest descriptors visited in all indexes of an archive. A multi-platform index lists ~10;
/// without this, an index listing itself (or one big index) many times at every level would be
/// walked exponentially often.
inline constexpr uint64_t kMaxManifests = 10000;

/// Chains of symlinked members (legacy docker `<id>/layer.tar -> ../<id2>/layer.tar`). Real: 1.
inline constexpr int kMaxMemberLinkHops = 16;

/// zstd window: 2^27 = 128 MiB is zstd's own default maximum for decoding; frames made with
/// `--long=31` need more and are refused rather than allowed to allocate 2 GiB.
inline constexpr int kZstdWindowLogMax = 27;

/// The compression ratio is only judged once this many bytes came out of a decompressor: small
/// streams of zeros (an empty tar is 10 KiB of zeros) compress far better than any real layer.
inline constexpr uint64_t kRatioFloorBytes = 64ull << 20;

/// A named pipe given as IMAGE: seconds to wait for the first bytes. Opening it blocks forever
/// without a writer (so layerdiff opens it non-blocking and waits this long); a writer such as
/// `docker save` starts writing within a second.
inline constexpr int kPipeWaitSeconds = 10;

/// Members below this size in a seekable archive are parsed as they are met; bigger ones are read
/// in a second pass only if the chosen image needs them.
inline constexpr uint64_t kSpeculativeParseBytes = 1ull << 20;

/// Content of one package database file (analyzer/packages.h: dpkg status and file lists, apk
/// installed, RECORD, package.json) kept in memory. The largest real ones are dpkg status files
/// of big systems (~5 MiB); a bigger one is not kept, and its packages go unlisted (warning).
inline constexpr uint64_t kMaxPackageDbFileBytes = 32ull << 20;

/// All package database content kept for one archive read. A Debian image with 3000 packages
/// holds ~15 MiB of status and file lists; node_modules trees ~2 KiB per package.json.
inline constexpr uint64_t kMaxPackageDbTotalBytes = 256ull << 20;

}  // namespace layerdiff::limits

namespace layerdiff {

/// Limits a legitimate (if unusual) image could exceed; each has a flag that raises it.
struct Limits {
  /// --max-entries: tar entries held in memory for one image (all layers read, whiteouts included),
  /// which bounds the merged tree too. The largest real images hold ~1 million; each entry costs
  /// ~200 bytes plus its names, so the default bounds this part to about 1 GiB.
  uint64_t max_entries = 4'000'000;
  /// --max-metadata: bytes of names, link targets and xattrs held for those entries. Real images:
  /// ~60 bytes per entry, so 100 MiB for a million files.
  uint64_t max_metadata_bytes = 1ull << 30;
  /// --max-layer-size: uncompressed tar bytes of one layer. Content is streamed, never held, so
  /// this bounds time (~1 GiB/s), not memory; real layers reach tens of GiB (ML models).
  uint64_t max_layer_size = 256ull << 30;
  /// --max-ratio: uncompressed bytes per compressed byte, judged after kRatioFloorBytes. Real
  /// layers compress 2-10x and 100x only for files of zeros; gzip cannot exceed ~1030x, zstd
  /// reaches 30000x+ (decompression bombs).
  uint64_t max_ratio = 250;
};

/// "<limit reason> (a fixed limit)" / "<reason>; raise the limit with --flag" for LimitError texts.
inline std::string limit_hint(const std::string& flag) {
  return flag.empty() ? " (a fixed limit)" : "; raise the limit with " + flag;
}

}  // namespace layerdiff
