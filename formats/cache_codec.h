// cache_codec.h: the little encoding cache files share: varints, length-prefixed strings and
// little-endian 64-bit words, read back by a Reader that never reads past its input (a corrupt
// file sets `ok` to false instead).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "formats/layer_reader.h"

namespace layerdiff::codec {

inline void put_u64(std::string& o, uint64_t v) {
  while (v >= 0x80) {
    o += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  o += static_cast<char>(v);
}
inline void put_str(std::string& o, std::string_view s) {
  put_u64(o, s.size());
  o += s;
}
inline void put_fixed(std::string& o, uint64_t v) {
  for (int i = 0; i < 8; ++i) o += static_cast<char>((v >> (8 * i)) & 0xff);
}
inline uint64_t get_fixed(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

struct Reader {
  std::string_view in;
  size_t pos = 0;
  bool ok = true;
  uint64_t u64() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= in.size()) {
        ok = false;
        return 0;
      }
      unsigned char c = static_cast<unsigned char>(in[pos++]);
      v |= static_cast<uint64_t>(c & 0x7f) << shift;
      if (!(c & 0x80)) return v;
    }
    ok = false;
    return 0;
  }
  std::string str() {
    uint64_t n = u64();
    if (!ok || n > in.size() - pos) {
      ok = false;
      return {};
    }
    std::string s(in.substr(pos, n));
    pos += n;
    return s;
  }
  uint64_t fixed() {
    if (in.size() - pos < 8) {
      ok = false;
      return 0;
    }
    uint64_t v = get_fixed(in.data() + pos);
    pos += 8;
    return v;
  }
};

/// A verified layer's blob facts, as both caches store them.
inline void put_blob_info(std::string& o, const LayerBlobInfo& b) {
  put_u64(o, static_cast<uint64_t>(b.compression));
  put_u64(o, b.compressed_size);
  put_u64(o, b.tar_size);
  put_u64(o, b.entries);
  put_u64(o, b.metadata_bytes);
  put_str(o, b.blob_digest);
  put_str(o, b.diff_id);
}

/// Reads what put_blob_info wrote; false (and r.ok false) when it is not that.
inline bool get_blob_info(Reader& r, LayerBlobInfo& b) {
  uint64_t c = r.u64();
  if (c > 2) r.ok = false;
  if (!r.ok) return false;
  b.compression = static_cast<Compression>(c);
  b.compressed_size = r.u64();
  b.tar_size = r.u64();
  b.entries = r.u64();
  b.metadata_bytes = r.u64();
  b.blob_digest = r.str();
  b.diff_id = r.str();
  return r.ok;
}

}  // namespace layerdiff::codec
