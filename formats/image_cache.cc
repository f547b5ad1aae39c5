#include "formats/image_cache.h"

#include "formats/merge_version.h"  // generated: LAYERDIFF_MERGE_VERSION

#define XXH_STATIC_LINKING_ONLY
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>

#include "formats/byte_source.h"
#include "formats/cache_codec.h"
#include "formats/limits.h"

namespace layerdiff {
namespace {

using codec::put_fixed;
using codec::put_str;
using codec::put_u64;

constexpr char kMagic[8] = {'L', 'D', 'M', 'E', 'R', 'G', 'E', '1'};
constexpr size_t kVersionLen = 16;
constexpr size_t kHeader = 8 + kVersionLen + 8 + 8;  // magic, version, payload size, XXH3-64 of payload

// The payload starts with a directory of sections (offset and size in bytes, from the payload's
// start); each section starts at a multiple of 8, so that the records in it are aligned.
enum Section {
  kKey, kMeta, kPaths, kPathEnd, kNodes, kFirst, kInodes, kExtras, kBlob,
  kRemovedPaths, kRemovedEnd, kRemovedLayers, kRoot, kSections
};
constexpr size_t kDirectory = kSections * 16;

static_assert(sizeof(Node) == 8 && alignof(Node) <= 8);
static_assert(alignof(Inode) <= 8 && alignof(InodeExtra) <= 8);
static_assert(std::is_trivially_copyable_v<Inode> && std::is_trivially_copyable_v<InodeExtra> &&
              std::is_trivially_copyable_v<Node>);

/// A file mapped read-only; unmapped with the last reference.
struct Mapping {
  void* addr = nullptr;
  size_t size = 0;
  ~Mapping() {
    if (addr) ::munmap(addr, size);
  }
};

template <class T>
std::span<const T> array_at(std::string_view payload, uint64_t off, uint64_t size) {
  return {reinterpret_cast<const T*>(payload.data() + off), static_cast<size_t>(size / sizeof(T))};
}

}  // namespace

std::string merge_version() { return LAYERDIFF_MERGE_VERSION; }

std::string merged_image_key(const std::vector<std::string>& layer_keys,
                             const std::vector<std::string>& diff_ids) {
  std::string text;
  for (size_t i = 0; i < layer_keys.size(); ++i)
    text += layer_keys[i] + " " + (i < diff_ids.size() ? diff_ids[i] : std::string()) + "\n";
  std::string d = sha256_digest(text);  // "sha256:<hex>"
  return d.substr(d.find(':') + 1);
}

namespace {

/// A cache file as the pieces of memory it is made of, in order: nothing is copied to write it.
struct Pieces {
  Pieces() = default;
  Pieces(const Pieces&) = delete;
  Pieces& operator=(const Pieces&) = delete;
  std::string head;  // magic, version, payload size, checksum
  std::string dir;   // the directory of sections
  std::string meta;
  std::vector<InodeExtra> extras;
  std::vector<std::string_view> payload;  // every piece after `head`
  uint64_t size = 0;
  Node root;
  static constexpr char kZeros[8] = {};
  void add(std::string_view p) {
    if (!p.empty()) payload.push_back(p);
    size += p.size();
  }
  void pad() {
    if (size % 8) add(std::string_view(kZeros, 8 - size % 8));
  }
};

/// Fills `p` (whose own members some pieces point into: it must not move).
void pieces_of(Pieces& p, const std::string& key, const std::string& version, const MergedImage& img,
               const std::vector<LayerBlobInfo>& blobs, const std::vector<std::string>& warnings) {
  const FileTree& t = img.tree;
  const FrozenTreeView& v = t.view();
  // Package database content follows the blob (in memory the merge shares it with the layers).
  p.extras.assign(v.extras.begin(), v.extras.end());
  std::vector<std::string_view> contents;
  uint64_t blob_size = v.blob.size();
  for (InodeId id = 0; id < t.inode_count(); ++id) {
    const Inode& i = t.inode(id);
    if (!i.extra) continue;
    InodeExtra& x = p.extras[i.extra - 1];
    if (!x.has_content) continue;
    std::string_view c = t.content(id).value_or(std::string_view());
    x.content_off = blob_size;
    x.content_len = c.size();
    blob_size += c.size();
    contents.push_back(c);
  }
  std::string& meta = p.meta;
  put_u64(meta, blobs.size());
  for (const LayerBlobInfo& b : blobs) codec::put_blob_info(meta, b);
  put_u64(meta, img.stats.size());
  for (const LayerMergeStats& s : img.stats) {
    for (uint64_t x : {s.entries, s.written_bytes, s.files, s.dirs, s.symlinks, s.hardlinks, s.whiteouts,
                       s.others, s.changes.added, s.changes.modified, s.changes.removed,
                       s.changes.added_bytes, s.changes.removed_bytes, s.changes.grown_bytes,
                       s.changes.shrunk_bytes})
      put_u64(meta, x);
  }
  put_u64(meta, img.waste.size());
  for (const WasteRecord& w : img.waste) {
    put_str(meta, w.path);
    put_u64(meta, w.bytes);
    put_u64(meta, w.layer);
    put_u64(meta, w.removed_by);
    put_u64(meta, w.deleted ? 1 : 0);
    put_fixed(meta, w.digest.hi);
    put_fixed(meta, w.digest.lo);
  }
  put_u64(meta, warnings.size());
  for (const auto& w : warnings) put_str(meta, w);
  p.root = t.root();

  const RemovedPaths& r = img.removed_by;
  auto bytes = [](const auto& span) {
    return std::string_view(reinterpret_cast<const char*>(span.data()), span.size_bytes());
  };
  std::vector<std::string_view> blob_parts{v.blob};
  blob_parts.insert(blob_parts.end(), contents.begin(), contents.end());
  std::vector<std::vector<std::string_view>> sections(kSections);
  sections[kKey] = {key};
  sections[kMeta] = {p.meta};
  sections[kPaths] = {v.paths};
  sections[kPathEnd] = {bytes(v.path_end)};
  sections[kNodes] = {bytes(v.nodes)};
  sections[kFirst] = {bytes(v.first_name)};
  sections[kInodes] = {bytes(v.inodes)};
  sections[kExtras] = {bytes(std::span<const InodeExtra>(p.extras))};
  sections[kBlob] = blob_parts;
  sections[kRemovedPaths] = {r.paths()};
  sections[kRemovedEnd] = {bytes(r.ends())};
  sections[kRemovedLayers] = {bytes(r.layers())};
  sections[kRoot] = {std::string_view(reinterpret_cast<const char*>(&p.root), sizeof p.root)};
  p.dir.assign(kDirectory, '\0');
  p.add(p.dir);
  std::string d;
  for (const auto& parts : sections) {
    p.pad();
    uint64_t off = p.size;
    for (std::string_view part : parts) p.add(part);
    put_fixed(d, off);
    put_fixed(d, p.size - off);
  }
  p.dir = d;  // same size: the first piece now reads the filled directory
  p.payload.front() = p.dir;

  XXH3_state_t* st = XXH3_createState();
  XXH3_64bits_reset(st);
  for (std::string_view part : p.payload) XXH3_64bits_update(st, part.data(), part.size());
  uint64_t sum = XXH3_64bits_digest(st);
  XXH3_freeState(st);
  p.head.assign(kMagic, 8);
  p.head += version;
  put_fixed(p.head, p.size);
  put_fixed(p.head, sum);
}

}  // namespace

std::string encode_merged_image(const std::string& key, const std::string& version, const MergedImage& img,
                                const std::vector<LayerBlobInfo>& blobs,
                                const std::vector<std::string>& warnings) {
  Pieces p;
  pieces_of(p, key, version, img, blobs, warnings);
  std::string out = p.head;
  out.reserve(p.head.size() + p.size);
  for (std::string_view part : p.payload) out += part;
  return out;
}

bool write_merged_image(int fd, const std::string& key, const std::string& version, const MergedImage& img,
                        const std::vector<LayerBlobInfo>& blobs, const std::vector<std::string>& warnings) {
  Pieces p;
  pieces_of(p, key, version, img, blobs, warnings);
  auto write_all = [fd](std::string_view b) {
    while (!b.empty()) {
      ssize_t w = ::write(fd, b.data(), b.size());
      if (w <= 0) return false;
      b.remove_prefix(static_cast<size_t>(w));
    }
    return true;
  };
  if (!write_all(p.head)) return false;
  for (std::string_view part : p.payload)
    if (!write_all(part)) return false;
  return true;
}

std::shared_ptr<const CachedImage> load_merged_image(const std::string& path, const std::string& key,
                                                     const std::string& version) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return nullptr;
  struct stat st{};
  auto map = std::make_shared<Mapping>();
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= static_cast<off_t>(kHeader + kDirectory) &&
      st.st_size < (off_t{1} << 40)) {
    void* a = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (a != MAP_FAILED) {
      map->addr = a;
      map->size = static_cast<size_t>(st.st_size);
    }
  }
  ::close(fd);
  if (!map->addr) return nullptr;
  std::string_view file(static_cast<const char*>(map->addr), map->size);
  return decode_merged_image(file, key, version, std::move(map));
}

std::shared_ptr<const CachedImage> decode_merged_image(std::string_view file, const std::string& key,
                                                       const std::string& version, std::shared_ptr<const void> keep) {
  if (file.size() < kHeader + kDirectory) return nullptr;
  // Every table is read where it lies: the file's bytes must be 8-byte aligned (a mapping is).
  if (reinterpret_cast<uintptr_t>(file.data()) % 8) return nullptr;
  if (std::memcmp(file.data(), kMagic, 8) != 0 || file.substr(8, kVersionLen) != version) return nullptr;
  uint64_t psize = codec::get_fixed(file.data() + 8 + kVersionLen);
  uint64_t sum = codec::get_fixed(file.data() + 16 + kVersionLen);
  if (psize != file.size() - kHeader) return nullptr;
  std::string_view payload = file.substr(kHeader);
  if (XXH3_64bits(payload.data(), payload.size()) != sum) return nullptr;

  // Every section inside the payload and aligned; every index inside its table.
  uint64_t off[kSections], size[kSections];
  for (int s = 0; s < kSections; ++s) {
    off[s] = codec::get_fixed(payload.data() + 16 * s);
    size[s] = codec::get_fixed(payload.data() + 16 * s + 8);
    if (off[s] % 8 || off[s] < kDirectory || off[s] > payload.size() || size[s] > payload.size() - off[s])
      return nullptr;
  }
  auto bytes = [&](Section s) { return payload.substr(off[s], size[s]); };
  if (bytes(kKey) != key) return nullptr;
  if (size[kPathEnd] % 8 || size[kNodes] % sizeof(Node) || size[kInodes] % sizeof(Inode) ||
      size[kExtras] % sizeof(InodeExtra) || size[kRemovedEnd] % 8 || size[kRemovedLayers] % 4 ||
      size[kRoot] != sizeof(Node))
    return nullptr;
  auto c = std::make_shared<CachedImage>();
  FrozenTreeView& v = c->tree;
  v.paths = bytes(kPaths);
  v.path_end = array_at<uint64_t>(payload, off[kPathEnd], size[kPathEnd]);
  v.nodes = array_at<Node>(payload, off[kNodes], size[kNodes]);
  v.first_name = array_at<uint8_t>(payload, off[kFirst], size[kFirst]);
  v.inodes = array_at<Inode>(payload, off[kInodes], size[kInodes]);
  v.extras = array_at<InodeExtra>(payload, off[kExtras], size[kExtras]);
  v.blob = bytes(kBlob);
  std::memcpy(&v.root, payload.data() + off[kRoot], sizeof(Node));
  c->removed_paths = bytes(kRemovedPaths);
  c->removed_end = array_at<uint64_t>(payload, off[kRemovedEnd], size[kRemovedEnd]);
  c->removed_layers = array_at<uint32_t>(payload, off[kRemovedLayers], size[kRemovedLayers]);
  const size_t n = v.path_end.size();
  if (v.nodes.size() != n || v.first_name.size() != n || v.inodes.empty() ||
      c->removed_layers.size() != c->removed_end.size())
    return nullptr;
  uint64_t prev = 0;
  for (size_t i = 0; i < n; ++i) {  // non-empty display paths ("/...") in order, in the buffer
    uint64_t e = v.path_end[i];
    if (e <= prev + 1 || e > v.paths.size() || v.paths[prev] != '/') return nullptr;
    if (v.nodes[i].inode >= v.inodes.size()) return nullptr;
    prev = e;
  }
  if (v.root.inode >= v.inodes.size()) return nullptr;
  const char* raw = payload.data() + off[kInodes];
  for (size_t i = 0; i < v.inodes.size(); ++i) {
    uint8_t type, implicit;  // read as bytes: a bool or enum outside its range is never loaded
    std::memcpy(&type, raw + i * sizeof(Inode) + offsetof(Inode, type), 1);
    std::memcpy(&implicit, raw + i * sizeof(Inode) + offsetof(Inode, implicit), 1);
    if (type > static_cast<uint8_t>(EntryType::Socket) || type == static_cast<uint8_t>(EntryType::Hardlink) ||
        implicit > 1 || v.inodes[i].extra > v.extras.size())
      return nullptr;
  }
  auto within = [&](uint64_t o, uint64_t l) { return o <= v.blob.size() && l <= v.blob.size() - o; };
  for (const InodeExtra& x : v.extras)
    if (!within(x.target_off, x.target_len) || !within(x.xattrs_off, x.xattrs_len) || x.has_content > 1 ||
        (x.has_content && !within(x.content_off, x.content_len)))
      return nullptr;
  prev = 0;
  for (uint64_t e : c->removed_end) {
    if (e < prev || e > c->removed_paths.size()) return nullptr;
    prev = e;
  }

  codec::Reader r{bytes(kMeta)};
  uint64_t nb = r.u64();
  if (!r.ok || nb > limits::kMaxLayers) return nullptr;
  for (uint64_t i = 0; i < nb && r.ok; ++i) {
    LayerBlobInfo b;
    if (!codec::get_blob_info(r, b)) return nullptr;
    c->blobs.push_back(std::move(b));
  }
  uint64_t ns = r.u64();
  if (!r.ok || ns != nb) return nullptr;
  for (uint64_t i = 0; i < ns && r.ok; ++i) {
    LayerMergeStats s;
    for (uint64_t* x : {&s.entries, &s.written_bytes, &s.files, &s.dirs, &s.symlinks, &s.hardlinks, &s.whiteouts,
                        &s.others, &s.changes.added, &s.changes.modified, &s.changes.removed,
                        &s.changes.added_bytes, &s.changes.removed_bytes, &s.changes.grown_bytes,
                        &s.changes.shrunk_bytes})
      *x = r.u64();
    c->stats.push_back(s);
  }
  uint64_t nw = r.u64();
  if (!r.ok || nw > size[kMeta]) return nullptr;
  for (uint64_t i = 0; i < nw && r.ok; ++i) {
    WasteRecord w;
    w.path = r.str();
    w.bytes = r.u64();
    uint64_t layer = r.u64(), by = r.u64(), deleted = r.u64();
    if (layer > 0xffffffffu || by > 0xffffffffu || deleted > 1) return nullptr;
    w.layer = static_cast<uint32_t>(layer);
    w.removed_by = static_cast<uint32_t>(by);
    w.deleted = deleted != 0;
    w.digest.hi = r.fixed();
    w.digest.lo = r.fixed();
    c->waste.push_back(std::move(w));
  }
  uint64_t nwarn = r.u64();
  if (!r.ok || nwarn > size[kMeta]) return nullptr;
  for (uint64_t i = 0; i < nwarn && r.ok; ++i) c->warnings.push_back(r.str());
  if (!r.ok || r.pos != size[kMeta]) return nullptr;
  c->mapping = std::move(keep);
  return c;
}

std::unique_ptr<MergedImage> merged_image_from_cache(ImageInfo info, std::shared_ptr<const CachedImage> c) {
  auto img = std::make_unique<MergedImage>();
  img->info = std::move(info);
  img->stats = c->stats;
  img->waste = c->waste;
  img->removed_by = RemovedPaths::adopt(c->removed_paths, c->removed_end, c->removed_layers, c);
  img->tree = FileTree::adopt(c->tree, c);
  return img;
}

}  // namespace layerdiff
