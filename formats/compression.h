// compression.h: recognising and undoing the compression of a stream, by magic bytes only
// (1f 8b: gzip, 28 b5 2f fd: zstd; anything else is taken as uncompressed).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "formats/byte_source.h"

namespace layerdiff {

enum class Compression { None, Gzip, Zstd };

Compression sniff_compression(std::string_view head);
const char* compression_name(Compression c);

/// A source that yields the decompressed bytes of `in` (which must outlive it). For None, `in`
/// itself is wrapped unchanged. `what` names the stream in error messages.
std::unique_ptr<ByteSource> decompressor(Compression c, ByteSource& in, std::string what);

/// True when `head` (at least 512 bytes) starts with a valid tar header block (by its checksum),
/// or is an all-zero block (an empty tar).
bool looks_like_tar(std::string_view head);

}  // namespace layerdiff
