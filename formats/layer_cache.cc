#include "formats/layer_cache.h"

#include "formats/reader_version.h"  // generated: LAYERDIFF_READER_VERSION

#define XXH_STATIC_LINKING_ONLY
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <vector>

#include "formats/byte_source.h"
#include "formats/cache_codec.h"
#include "formats/limits.h"

namespace layerdiff {
namespace {

// No hand-bumped format number: the reader version (a hash of the reader's sources, made by the
// build) changes whenever the payload layout, LayerEntry or what a layer reads to can.
constexpr char kMagic[8] = {'L', 'D', 'L', 'A', 'Y', 'E', 'R', '3'};
constexpr size_t kVersionLen = 16;  // hex digits of the reader version
constexpr size_t kHeader = 8 + kVersionLen + 8 + 8;  // magic, version, payload size, XXH3-64 of payload

using codec::get_fixed;
using codec::put_fixed;
using codec::put_str;
using codec::put_u64;
using codec::Reader;

}  // namespace

std::string encode_layer(const LayerData& l) {
  std::string o;
  codec::put_blob_info(o, l.blob);
  put_u64(o, l.entries.size());
  // Each content with the digest of its entry, so that a run keeps one copy of a content that
  // several layers hold (formats/layer_reader.h, ContentPool).
  std::vector<ContentDigest> digests;
  {
    PackedEntries::Cursor cur(l.entries);
    LayerEntry e;
    while (cur.next(e))
      if (e.content) digests.push_back(e.digest);
  }
  put_u64(o, l.entries.contents().size());
  for (size_t i = 0; i < l.entries.contents().size(); ++i) {
    put_fixed(o, i < digests.size() ? digests[i].hi : 0);
    put_fixed(o, i < digests.size() ? digests[i].lo : 0);
    put_str(o, *l.entries.contents()[i]);
  }
  o += l.entries.bytes();  // the packed entries as they are (analyzer/layer_entry.h)
  return o;
}

std::optional<LayerData> decode_layer(std::string_view payload, ContentPool* pool) {
  Reader r{payload};
  LayerData l;
  if (!codec::get_blob_info(r, l.blob)) return std::nullopt;
  uint64_t n = r.u64();
  // Each entry takes at least 8 bytes: a count beyond that is corrupt, not a reason to allocate.
  if (!r.ok || n > payload.size() / 8) return std::nullopt;
  uint64_t nc = r.u64();
  if (!r.ok || nc > n) return std::nullopt;
  std::vector<std::shared_ptr<const std::string>> contents;
  contents.reserve(nc);
  for (uint64_t i = 0; i < nc && r.ok; ++i) {
    ContentDigest d;
    d.hi = r.fixed();
    d.lo = r.fixed();
    auto c = std::make_shared<const std::string>(r.str());
    contents.push_back(pool ? pool->intern(d, std::move(c)) : std::move(c));
  }
  if (!r.ok) return std::nullopt;
  auto entries = PackedEntries::from_bytes(std::string(payload.substr(r.pos)), n, std::move(contents));
  if (!entries) return std::nullopt;
  l.entries = std::move(*entries);
  return l;
}

LayerStore::LayerStore(std::string dir, uint64_t cap_bytes, std::string version)
    : dir_(std::move(dir)), cap_(cap_bytes), version_(std::move(version)) {
  // Only plain hex versions of the fixed length name files; anything else disables the disk cache.
  bool ok = version_.size() == kVersionLen;
  for (char ch : version_) ok = ok && ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'));
  if (!ok) dir_.clear();
  // Merged images depend on the merge too; a store playing another reader version plays it for
  // them as well.
  merge_version_ = version_ == reader_version() ? merge_version() : version_;
}

std::string LayerStore::reader_version() { return LAYERDIFF_READER_VERSION; }

std::string LayerStore::check_writable() const {
  if (dir_.empty()) return "";
  std::string parent = dir_.substr(0, dir_.rfind('/'));
  if (!parent.empty()) ::mkdir(parent.c_str(), 0755);
  if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST) return dir_ + ": " + std::strerror(errno);
  std::string probe = dir_ + "/.probe." + std::to_string(getpid());
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return dir_ + ": " + std::strerror(errno);
  ::close(fd);
  ::unlink(probe.c_str());
  return "";
}

std::string LayerStore::default_dir() {
  const char* x = std::getenv("XDG_CACHE_HOME");
  if (x && *x == '/') return std::string(x) + "/layerdiff";
  const char* h = std::getenv("HOME");
  if (h && *h == '/') return std::string(h) + "/.cache/layerdiff";
  return "";
}

std::string LayerStore::path_for(const std::string& digest) const {
  // Only plain digests name files: "sha256:<hex>" -> "sha256-<hex>.<version>.idx". Files of
  // other versions are never opened; they age out of the directory under the size cap.
  std::string name;
  for (char ch : digest) {
    if (ch == ':') name += '-';
    else if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) name += ch;
    else return "";
  }
  return name.empty() ? "" : dir_ + "/" + name + "." + version_ + ".idx";
}

std::shared_ptr<const LayerData> LayerStore::find(const std::string& digest) {
  if (digest.empty()) return nullptr;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = mem_.find(digest);
    if (it != mem_.end()) {
      ++hits_;
      return it->second;
    }
  }
  auto d = load(digest);
  if (d) {
    std::lock_guard<std::mutex> l(mu_);
    ++hits_;
    ++disk_hits_;
    if (keep_) mem_[digest] = d;
  }
  return d;
}

void LayerStore::put(const std::string& digest, std::shared_ptr<const LayerData> layer,
                     bool verified) {
  if (digest.empty() || !layer) return;
  if (keep_) {
    std::lock_guard<std::mutex> l(mu_);
    mem_[digest] = layer;
  }
  if (verified && !dir_.empty()) save(digest, *layer);
}

void LayerStore::drop_memory() {
  std::lock_guard<std::mutex> l(mu_);
  mem_.clear();
}

namespace {
/// Reads a whole small file (at most `limit` bytes); nullopt if absent, special or larger.
std::optional<std::string> read_file(const std::string& p, uint64_t limit) {
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return std::nullopt;
  struct stat st{};
  std::optional<std::string> out;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) <= limit) {
    std::string buf(static_cast<size_t>(st.st_size), '\0');
    size_t got = 0;
    while (got < buf.size()) {
      ssize_t r = ::read(fd, buf.data() + got, buf.size() - got);
      if (r <= 0) break;
      got += static_cast<size_t>(r);
    }
    if (got == buf.size()) out = std::move(buf);
  }
  ::close(fd);
  return out;
}

/// Writes a file atomically (temporary name, rename) with `write(fd)`: best effort, false on any
/// failure.
bool write_atomic(const std::string& dir, const std::string& p, const std::function<bool(int)>& write) {
  std::string parent = dir.substr(0, dir.rfind('/'));
  if (!parent.empty()) ::mkdir(parent.c_str(), 0755);
  ::mkdir(dir.c_str(), 0700);
  std::random_device rd;
  std::string tmp = dir + "/.tmp." + std::to_string(getpid()) + "." + std::to_string(rd());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  bool written = write(fd);
  bool ok = ::close(fd) == 0 && written;
  if (!ok || ::rename(tmp.c_str(), p.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return false;
  }
  return true;
}

bool write_atomic(const std::string& dir, const std::string& p, std::string_view out) {
  return write_atomic(dir, p, [out](int fd) {
    size_t done = 0;
    while (done < out.size()) {
      ssize_t w = ::write(fd, out.data() + done, out.size() - done);
      if (w <= 0) return false;
      done += static_cast<size_t>(w);
    }
    return true;
  });
}
}  // namespace

std::optional<std::string> LayerStore::find_document(const std::string& digest) {
  if (dir_.empty() || digest.rfind("sha256:", 0) != 0) return std::nullopt;
  std::string p = path_for(digest);
  if (p.empty()) return std::nullopt;
  p.replace(p.size() - 4, 4, ".json");
  auto text = read_file(p, limits::kMaxJsonBytes);
  if (!text || sha256_digest(*text) != digest) return std::nullopt;
  ::utimensat(AT_FDCWD, p.c_str(), nullptr, 0);
  return text;
}

void LayerStore::put_document(const std::string& digest, std::string_view text) {
  if (dir_.empty() || digest.rfind("sha256:", 0) != 0 || sha256_digest(text) != digest) return;
  std::string p = path_for(digest);
  if (p.empty()) return;
  p.replace(p.size() - 4, 4, ".json");
  if (write_atomic(dir_, p, text)) evict();
}

std::shared_ptr<const LayerData> LayerStore::load(const std::string& digest) {
  if (dir_.empty()) return nullptr;
  std::string p = path_for(digest);
  if (p.empty()) return nullptr;
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return nullptr;
  struct stat st{};
  std::string buf;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= static_cast<off_t>(kHeader) &&
      st.st_size < (off_t{1} << 34)) {
    buf.resize(static_cast<size_t>(st.st_size));
    size_t got = 0;
    while (got < buf.size()) {
      ssize_t r = ::read(fd, buf.data() + got, buf.size() - got);
      if (r <= 0) break;
      got += static_cast<size_t>(r);
    }
    buf.resize(got);
  }
  ::close(fd);
  if (buf.size() < kHeader || std::memcmp(buf.data(), kMagic, 8) != 0) return nullptr;
  std::string_view version(buf.data() + 8, kVersionLen);
  uint64_t size = get_fixed(buf.data() + 8 + kVersionLen), sum = get_fixed(buf.data() + 16 + kVersionLen);
  if (version != version_ || size != buf.size() - kHeader) return nullptr;
  std::string_view payload(buf.data() + kHeader, size);
  if (XXH3_64bits(payload.data(), payload.size()) != sum) return nullptr;
  auto d = decode_layer(payload, contents_.get());
  if (!d || d->blob.blob_digest != digest) return nullptr;  // a file for another key
  ::utimensat(AT_FDCWD, p.c_str(), nullptr, 0);            // recently used
  return std::make_shared<const LayerData>(std::move(*d));
}

void LayerStore::save(const std::string& digest, const LayerData& layer) {
  std::string p = path_for(digest);
  if (p.empty() || layer.blob.blob_digest != digest) return;
  // Best effort: a cache that cannot be written (read-only home, full disk) changes nothing.
  std::string payload = encode_layer(layer);
  std::string out(kMagic, 8);
  out += version_;
  put_fixed(out, payload.size());
  put_fixed(out, XXH3_64bits(payload.data(), payload.size()));
  out += payload;
  if (!write_atomic(dir_, p, out)) return;
  evict();
}

std::shared_ptr<const CachedImage> LayerStore::find_merged(const std::string& key) {
  if (dir_.empty() || key.empty()) return nullptr;
  for (char ch : key)
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return nullptr;
  std::string p = dir_ + "/merged-" + key + "." + merge_version_ + ".img";
  auto c = load_merged_image(p, key, merge_version_);
  if (c) ::utimensat(AT_FDCWD, p.c_str(), nullptr, 0);  // recently used
  return c;
}

void LayerStore::put_merged(const std::string& key, const MergedImage& img,
                            const std::vector<LayerBlobInfo>& blobs, const std::vector<std::string>& warnings) {
  if (dir_.empty() || key.empty()) return;
  for (char ch : key)
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return;
  std::string p = dir_ + "/merged-" + key + "." + merge_version_ + ".img";
  auto write = [&](int fd) { return write_merged_image(fd, key, merge_version_, img, blobs, warnings); };
  if (write_atomic(dir_, p, std::function<bool(int)>(write))) evict();
}

void LayerStore::evict() {
  DIR* d = ::opendir(dir_.c_str());
  if (!d) return;
  struct File {
    std::string path;
    int64_t mtime;
    uint64_t size;
  };
  std::vector<File> files;
  uint64_t total = 0;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    auto ends = [&](const char* suf) {
      size_t k = std::strlen(suf);
      return n.size() > k && n.compare(n.size() - k, k, suf) == 0;
    };
    if (!ends(".idx") && !ends(".json") && !ends(".img")) continue;
    std::string p = dir_ + "/" + n;
    struct stat st{};
    if (::lstat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    files.push_back({p, static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
                     static_cast<uint64_t>(st.st_size)});
    total += static_cast<uint64_t>(st.st_size);
  }
  ::closedir(d);
  if (total <= cap_) return;
  std::sort(files.begin(), files.end(), [](const File& a, const File& b) { return a.mtime < b.mtime; });
  for (const auto& f : files) {
    if (total <= cap_) break;
    if (::unlink(f.path.c_str()) == 0) total -= f.size;
  }
}

}  // namespace layerdiff
