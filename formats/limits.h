// limits.h: named sanity limits for untrusted archives. Each number is far above what a real image
// needs and low enough that a hostile archive cannot make layerdiff use unbounded memory or time.
#pragma once

#include <cstdint>

namespace layerdiff::limits {

/// JSON documents (manifest.json, index.json, manifests, configs) are held in memory whole. Real ones
/// are a few KiB; a config with a long history is rarely above 1 MiB.
inline constexpr uint64_t kMaxJsonBytes = 16ull << 20;

/// Nesting of indexes inside indexes (an index that contains itself stops here). Real images use 2.
inline constexpr int kMaxIndexDepth = 8;

/// Chains of symlinked members (legacy docker `<id>/layer.tar -> ../<id2>/layer.tar`). Real: 1.
inline constexpr int kMaxMemberLinkHops = 16;

/// zstd window: 2^27 = 128 MiB is zstd's own default maximum for decoding; frames made with
/// `--long=31` need more and are refused rather than allowed to allocate 2 GiB.
inline constexpr int kZstdWindowLogMax = 27;

/// Members below this size in a seekable archive are parsed as they are met; bigger ones are read
/// in a second pass only if the chosen image needs them.
inline constexpr uint64_t kSpeculativeParseBytes = 1ull << 20;

}  // namespace layerdiff::limits

namespace layerdiff::limits {
/// Nesting depth of JSON documents; OCI documents nest 4-5 levels.
inline constexpr int kMaxJsonDepth = 64;
}  // namespace layerdiff::limits
