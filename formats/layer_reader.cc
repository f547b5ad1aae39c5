#include "formats/layer_reader.h"

#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include <cstring>

#include "analyzer/error.h"
#include "formats/tar_reader.h"

namespace layerdiff {
namespace {

ContentDigest hash_content(TarReader& tr, uint64_t size) {
  XXH3_state_t st;
  XXH3_128bits_reset(&st);
  static const char zeros[4096] = {};
  int64_t expect = 0;
  const void* buf;
  size_t len;
  int64_t off;
  while (tr.data_block(&buf, &len, &off)) {
    while (expect < off) {  // a hole in a sparse file reads as zeros
      size_t k = static_cast<size_t>(std::min<int64_t>(sizeof zeros, off - expect));
      XXH3_128bits_update(&st, zeros, k);
      expect += static_cast<int64_t>(k);
    }
    XXH3_128bits_update(&st, buf, len);
    expect = off + static_cast<int64_t>(len);
  }
  while (static_cast<uint64_t>(expect) < size) {
    size_t k = static_cast<size_t>(std::min<uint64_t>(sizeof zeros, size - expect));
    XXH3_128bits_update(&st, zeros, k);
    expect += static_cast<int64_t>(k);
  }
  XXH128_hash_t h = XXH3_128bits_digest(&st);
  return {h.high64, h.low64};
}

}  // namespace

LayerBlobInfo read_layer(ByteSource& blob, const LayerReadOptions& opt, const std::string& what,
                         EntrySink& sink) {
  LayerBlobInfo info;
  HashingSource stored(blob, opt.sha256);
  PeekSource peek(stored);
  info.compression = sniff_compression(peek.peek(4));
  auto dec = decompressor(info.compression, peek, what);
  HashingSource tar(*dec, opt.sha256 && info.compression != Compression::None);
  PeekSource tpeek(tar);
  std::string_view head = tpeek.peek(512);
  if (!head.empty()) {
    if (!looks_like_tar(head)) {
      throw Error(what + ": not a tar archive" +
                  (info.compression == Compression::None
                       ? std::string()
                       : std::string(" after ") + compression_name(info.compression) +
                             " decompression"));
    }
    TarReader tr(tpeek, what);
    TarHeader h;
    while (tr.next(h)) {
      LayerEntry e;
      e.path = std::move(h.path);
      e.type = h.type;
      e.mode = h.mode;
      e.uid = h.uid;
      e.gid = h.gid;
      e.mtime = h.mtime;
      e.dev_major = h.dev_major;
      e.dev_minor = h.dev_minor;
      e.link = std::move(h.link);
      e.xattrs = std::move(h.xattrs);
      if (e.type == EntryType::File) {
        e.size = h.size;
        e.digest = hash_content(tr, h.size);
      }
      ++info.entries;
      sink.add(std::move(e));
    }
  }
  tar.drain();
  stored.drain();
  info.compressed_size = stored.count();
  info.tar_size = tar.count();
  info.blob_digest = stored.digest();
  info.diff_id = info.compression == Compression::None ? info.blob_digest : tar.digest();
  return info;
}

}  // namespace layerdiff
