#include "formats/layer_reader.h"

#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include <cstring>
#include <optional>

#include "analyzer/error.h"
#include "analyzer/packages.h"
#include "formats/prefetch.h"
#include "formats/tar_reader.h"

namespace layerdiff {
namespace {

/// The XXH3-128 of the entry's data; with `keep`, the data is appended to it too.
ContentDigest hash_content(TarReader& tr, uint64_t size, std::string* keep = nullptr) {
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
      if (keep) keep->append(k, '\0');
      expect += static_cast<int64_t>(k);
    }
    XXH3_128bits_update(&st, buf, len);
    if (keep) keep->append(static_cast<const char*>(buf), len);
    expect = off + static_cast<int64_t>(len);
  }
  while (static_cast<uint64_t>(expect) < size) {
    size_t k = static_cast<size_t>(std::min<uint64_t>(sizeof zeros, size - expect));
    XXH3_128bits_update(&st, zeros, k);
    if (keep) keep->append(k, '\0');
    expect += static_cast<int64_t>(k);
  }
  XXH128_hash_t h = XXH3_128bits_digest(&st);
  return {h.high64, h.low64};
}

/// The first bytes of a hostile name, for messages (the whole may be megabytes).
std::string clip(const std::string& s) {
  return s.size() <= 64 ? s : s.substr(0, 64) + "...";
}

/// Applies the per-entry limits; returns the bytes of names, target and xattrs the entry holds.
uint64_t check_entry(const LayerEntry& e, const std::string& what) {
  if (e.path.size() > limits::kMaxPathBytes)
    throw LimitError(what + ": " + clip(e.path) + ": path longer than " +
                     std::to_string(limits::kMaxPathBytes) + " bytes" + limit_hint(""));
  if (e.link.size() > limits::kMaxPathBytes)
    throw LimitError(what + ": " + clip(e.path) + ": link target longer than " +
                     std::to_string(limits::kMaxPathBytes) + " bytes" + limit_hint(""));
  int depth = 0;
  for (size_t i = 0; i < e.path.size(); ++i)
    depth += e.path[i] != '/' && (i == 0 || e.path[i - 1] == '/');
  if (depth > limits::kMaxPathDepth)
    throw LimitError(what + ": " + clip(e.path) + ": path deeper than " +
                     std::to_string(limits::kMaxPathDepth) + " components" + limit_hint(""));
  uint64_t x = 0;
  for (auto& [k, v] : e.xattrs) x += k.size() + v.size();
  if (x > limits::kMaxXattrBytes)
    throw LimitError(what + ": " + clip(e.path) + ": extended attributes larger than " +
                     std::to_string(limits::kMaxXattrBytes) + " bytes" + limit_hint(""));
  return e.path.size() + e.link.size() + x;
}

/// Whether a package database file of `size` bytes fits the caps (limits.h); if so, counts it.
/// One that does not is left out, and analyzer/packages.cc warns when it misses it.
bool keep_package_db(std::atomic<uint64_t>& used, uint64_t size) {
  if (size > limits::kMaxPackageDbFileBytes) return false;
  uint64_t before = used.fetch_add(size);
  if (before + size <= limits::kMaxPackageDbTotalBytes) return true;
  used.fetch_sub(size);
  return false;
}

}  // namespace

std::shared_ptr<const std::string> ContentPool::intern(const ContentDigest& d,
                                                      std::shared_ptr<const std::string> c) {
  std::lock_guard<std::mutex> l(mu_);
  auto& slot = kept_[{d, c->size()}];
  if (auto kept = slot.lock()) return kept;
  slot = c;
  return c;
}

void check_layer_limits(const LayerBlobInfo& info, const LayerReadOptions& opt, const std::string& what) {
  const Limits& lim = opt.limits;
  if (lim.max_layer_size && info.tar_size > lim.max_layer_size)
    throw LimitError(what + ": more than " + std::to_string(lim.max_layer_size) +
                     " bytes uncompressed" + limit_hint("--max-layer-size"));
  if (info.compression != Compression::None && lim.max_ratio && info.tar_size > limits::kRatioFloorBytes &&
      info.tar_size / lim.max_ratio > info.compressed_size)
    throw LimitError(what + ": expands more than " + std::to_string(lim.max_ratio) +
                     " times past the first " + std::to_string(limits::kRatioFloorBytes >> 20) +
                     " MiB, a decompression bomb?" + limit_hint("--max-ratio"));
  if (opt.entries_before + info.entries > lim.max_entries)
    throw LimitError(what + ": more than " + std::to_string(lim.max_entries) +
                     " entries in the image's layers" + limit_hint("--max-entries"));
  if (opt.metadata_before + info.metadata_bytes > lim.max_metadata_bytes)
    throw LimitError(what + ": more than " + std::to_string(lim.max_metadata_bytes) +
                     " bytes of names, link targets and xattrs in the image's layers" +
                     limit_hint("--max-metadata"));
}

LayerBlobInfo read_layer(ByteSource& blob, const LayerReadOptions& opt, const std::string& what,
                         EntrySink& sink) {
  LayerBlobInfo info;
  HashingSource stored(blob, opt.sha256);
  PeekSource peek(stored);
  info.compression = sniff_compression(peek.peek(4));
  auto dec = decompressor(info.compression, peek, what);
  const Limits& lim = opt.limits;
  InflationGuard guard(*dec, stored, lim.max_layer_size,
                       info.compression == Compression::None ? 0 : lim.max_ratio, what);
  // Reading, the stored sha256 and decompression run on a worker; parsing and the diff_id
  // sha256 here. `stored` is drained into its digest on the worker once the tar ends. Without
  // digests or contents an uncompressed layer is read for its headers alone, here: the tar
  // reader skips file data, and every source below it seeks.
  const bool content = opt.content || opt.sha256;  // verifying reads every byte anyway
  const bool headers_only = !content && info.compression == Compression::None;
  std::optional<PrefetchSource> pre;
  if (!headers_only) pre.emplace(guard, [&] { stored.drain(); });
  HashingSource tar(pre ? static_cast<ByteSource&>(*pre) : guard,
                    opt.sha256 && info.compression != Compression::None);
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
        if (!content) {
          // neither digest nor content: the next header skips the data
        } else if (is_package_db_path(e.path) && keep_package_db(*opt.package_db_bytes, h.size)) {
          auto content = std::make_shared<std::string>();
          content->reserve(h.size);
          e.digest = hash_content(tr, h.size, content.get());
          e.content = opt.contents ? opt.contents->intern(e.digest, std::move(content)) : std::move(content);
        } else {
          e.digest = hash_content(tr, h.size);
        }
      }
      if (opt.entries_before + info.entries >= lim.max_entries)
        throw LimitError(what + ": more than " + std::to_string(lim.max_entries) +
                         " entries in the image's layers" + limit_hint("--max-entries"));
      info.metadata_bytes += check_entry(e, what);
      if (opt.metadata_before + info.metadata_bytes > lim.max_metadata_bytes)
        throw LimitError(what + ": more than " + std::to_string(lim.max_metadata_bytes) +
                         " bytes of names, link targets and xattrs in the image's layers" +
                         limit_hint("--max-metadata"));
      ++info.entries;
      sink.add(std::move(e));
    }
  }
  tar.drain();
  if (pre) pre->join();
  else stored.drain();
  info.compressed_size = stored.count();
  info.tar_size = tar.count();
  info.blob_digest = stored.digest();
  info.diff_id = info.compression == Compression::None ? info.blob_digest : tar.digest();
  return info;
}

}  // namespace layerdiff
