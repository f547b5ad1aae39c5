#include "formats/image_source.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "analyzer/error.h"
#include "analyzer/path.h"
#include "formats/compression.h"
#include "formats/limits.h"
#include "formats/tar_reader.h"

namespace layerdiff {
namespace {

/// "blobs/sha256/<hex>" -> "layer <hex12>"; "<id>/layer.tar" -> "layer <id12>".
std::string layer_label(const std::string& name) {
  auto parts = split_path(name);
  if (parts.size() == 3 && parts[0] == "blobs") return "layer " + std::string(parts[2].substr(0, 12));
  if (parts.size() == 2 && parts[1] == "layer.tar")
    return "layer " + std::string(parts[0].substr(0, 12));
  if (parts.size() == 1 && name.size() == 68 && name.substr(64) == ".tar")
    return "layer " + name.substr(0, 12);  // Docker 25+ without blobs/: <hex>.tar
  return "layer " + name;
}

bool looks_like_json(std::string_view head) {
  for (char c : head) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    return c == '{' || c == '[';
  }
  return false;
}

std::string read_all(ByteSource& in, uint64_t limit, const std::string& what) {
  std::string out;
  char buf[65536];
  for (;;) {
    size_t got = in.read(buf, sizeof buf);
    if (got == 0) break;
    if (out.size() + got > limit)
      throw LimitError(what + ": larger than the JSON size limit (" + std::to_string(limit) +
                       " bytes)");
    out.append(buf, got);
  }
  return out;
}

class TarMemberSource : public ByteSource {
 public:
  explicit TarMemberSource(TarReader& tr) : tr_(tr) {}
  size_t read(void* buf, size_t n) override { return tr_.read_data(buf, n); }

 private:
  TarReader& tr_;
};

class TarArchiveSource : public ImageSource {
 public:
  TarArchiveSource(std::string label, int fd, bool own, const LayerReadOptions& opt)
      : ImageSource(std::move(label), opt) {
    FdSource file(fd, own, label_);
    scan(file, file.seekable());
  }
  /// A stream read once (streaming: no second pass).
  TarArchiveSource(std::string label, std::unique_ptr<ByteSource> in, const LayerReadOptions& opt)
      : ImageSource(std::move(label), opt) {
    scan(*in, false);
  }
  /// An archive in memory (fuzzers, tests): read like a seekable file.
  TarArchiveSource(std::string label, std::string_view data, const LayerReadOptions& opt)
      : ImageSource(std::move(label), opt), memory_(data), in_memory_(true) {
    MemorySource m(data);
    scan(m, true);
  }
  bool is_directory() const override { return false; }

  bool has(const std::string& name) override {
    const Member* m = find(name);
    return m && m->kind == Member::File;
  }

  int64_t member_size(const std::string& name) override {
    const Member* m = find(name);
    return m && m->kind == Member::File ? static_cast<int64_t>(m->size) : -1;
  }

  std::string read_small(const std::string& name) override {
    const Member& m = get(name);
    if (!m.has_data)
      throw Error(label_ + ": " + name + ": not a JSON document, or larger than " +
                  std::to_string(limits::kMaxJsonBytes) + " bytes");
    return m.data;
  }

  std::map<std::string, std::shared_ptr<const LayerData>> read_layers(
      const std::vector<std::string>& names) override {
    std::map<std::string, std::shared_ptr<const LayerData>> out;
    std::set<std::string> second;
    for (const auto& n : names) {
      Member& m = get(n);
      if (m.layer_error) std::rethrow_exception(m.layer_error);
      if (m.layer) {
        out[n] = m.layer;
      } else if (streaming_) {
        throw Error(label_ + ": " + layer_label(n) + ": " + n +
                    ": not a layer blob (no gzip, zstd or tar header)");
      } else {
        second.insert(resolve(n));
      }
    }
    if (!second.empty()) {
      second_pass(second);
      for (const auto& n : names) {
        Member& m = get(n);
        if (m.layer_error) std::rethrow_exception(m.layer_error);
        if (!m.layer) throw Error(label_ + ": " + n + ": layer blob was not found on re-reading");
        out[n] = m.layer;
      }
    }
    return out;
  }

 private:
  struct Member {
    enum Kind { File, Dir, Link, Other } kind = Other;
    uint64_t size = 0;
    std::string link;  // canonical member path this one refers to (symlink or hardlink)
    bool has_data = false;
    std::string data;
    std::shared_ptr<const LayerData> layer;
    std::exception_ptr layer_error;
    uint64_t offset = 0;      ///< where the data starts in the (uncompressed) archive
    bool has_offset = false;
  };

  std::string resolve(const std::string& name) const {
    std::string cur = name;
    for (int hops = 0; hops <= limits::kMaxMemberLinkHops; ++hops) {
      auto it = members_.find(cur);
      if (it == members_.end() || it->second.kind != Member::Link) return cur;
      cur = it->second.link;
    }
    throw LimitError(label_ + ": " + name + ": member links loop or chain more than " +
                     std::to_string(limits::kMaxMemberLinkHops) + " times");
  }
  const Member* find(const std::string& name) const {
    auto it = members_.find(resolve(name));
    return it == members_.end() ? nullptr : &it->second;
  }
  Member& get(const std::string& name) {
    std::string r = resolve(name);
    auto it = members_.find(r);
    if (it == members_.end()) throw Error(label_ + ": " + name + ": missing from the archive");
    if (it->second.kind == Member::Dir)
      throw Error(label_ + ": " + name + ": is a directory in the archive, not a file");
    if (it->second.kind != Member::File)
      throw Error(label_ + ": " + name + ": is not a regular file in the archive");
    return it->second;
  }

  void parse_layer(Member& m, const std::string& name, ByteSource& in) {
    try {
      m.layer = read_one(in, name);
    } catch (const LimitError&) {
      throw;  // a limit protects the whole run, not just this member
    } catch (const Error&) {
      m.layer_error = std::current_exception();
    }
  }

  void scan(ByteSource& file, bool seekable) {
    PeekSource peek(file);
    std::string_view head = peek.peek(512);
    if (head.empty()) throw Error(label_ + ": empty file, not an image archive");
    Compression c = sniff_compression(head);
    HashingSource counted(peek, false);  // compressed bytes, for the ratio limit
    std::unique_ptr<ByteSource> dec, guard;
    if (c != Compression::None) {
      dec = decompressor(c, counted, label_);
      guard = std::make_unique<InflationGuard>(*dec, counted, 0, opt_.limits.max_ratio,
                                               label_ + ": " + compression_name(c) + " stream");
    }
    // Uncompressed: straight to the file, so that skipping a member seeks instead of reading.
    PeekSource dpeek(guard ? *guard : static_cast<ByteSource&>(peek));
    std::string_view dhead = dpeek.peek(512);
    if (dhead.empty())
      throw Error(label_ + ": empty after " + compression_name(c) +
                  " decompression, not an image archive");
    if (!looks_like_tar(dhead))
      throw Error(label_ + ": not an image archive (expected a tar" +
                  (c == Compression::None ? std::string()
                                          : std::string(" after ") + compression_name(c) +
                                                " decompression") +
                  ", or an OCI layout directory)");
    streaming_ = c != Compression::None || !seekable;
    TarReader tr(dpeek, label_);
    TarHeader h;
    while (tr.next(h)) {
      std::string name;
      try {
        name = normalize_path(h.path);
      } catch (const Error& e) {
        throw Error(label_ + ": archive member " + e.what());
      }
      Member m;
      switch (h.type) {
        case EntryType::Dir: m.kind = Member::Dir; break;
        case EntryType::Symlink: {
          m.kind = Member::Link;
          std::string t = h.link;
          if (t.empty() || t[0] != '/') t = std::string(parent_path(name)) + "/" + t;
          try {
            m.link = normalize_path(t);
          } catch (const Error& e) {
            throw Error(label_ + ": archive member " + name + " -> " + e.what());
          }
          break;
        }
        case EntryType::Hardlink:
          m.kind = Member::Link;
          m.link = normalize_path(h.link);
          break;
        case EntryType::File: {
          m.kind = Member::File;
          m.size = h.size;
          if (!streaming_) {  // an uncompressed file or memory: the member can be read in place
            m.offset = tr.data_offset();
            m.has_offset = true;
          }
          TarMemberSource ms(tr);
          PeekSource mp(ms);
          std::string_view mh = mp.peek(512);
          if (looks_like_json(mh) && h.size <= limits::kMaxJsonBytes) {
            m.data = read_all(mp, limits::kMaxJsonBytes, label_ + ": " + name);
            m.has_data = true;
          } else if ((streaming_ || h.size <= limits::kSpeculativeParseBytes) &&
                     (sniff_compression(mh) != Compression::None || looks_like_tar(mh) ||
                      h.size == 0)) {
            parse_layer(m, name, mp);
          }
          break;
        }
        default: m.kind = Member::Other; break;
      }
      // Two members of one name: which is the image's is a guess (docker load keeps the last,
      // a hardlink to the same name loops). No tool writes that; refuse it plainly.
      if (auto prev = members_.find(name);
          prev != members_.end() && (prev->second.kind != Member::Dir || m.kind != Member::Dir))
        throw Error(label_ + ": the archive has two " + (name.empty() ? "/" : name) +
                    " members; which one is the image's is ambiguous");
      members_[name] = std::move(m);
    }
    // Read what follows the end-of-archive blocks, so a truncated or corrupt tail is noticed
    // rather than silently ignored when it is compressed.
    (void)dec;
  }

  void second_pass(const std::set<std::string>& wanted) {
    // Members whose place in the file is known are read in place, several layers at once.
    std::vector<std::pair<std::string, Member*>> jobs;
    for (const auto& name : wanted) {
      Member& m = members_[name];
      if (!m.layer && !m.layer_error) jobs.emplace_back(name, &m);
    }
    bool in_place = std::all_of(jobs.begin(), jobs.end(), [](auto& j) { return j.second->has_offset; });
    if (in_place) {
      // Largest first: two threads finish together instead of one reading the biggest layer
      // alone at the end (longest-processing-time order).
      std::stable_sort(jobs.begin(), jobs.end(),
                       [](const auto& a, const auto& b) { return a.second->size > b.second->size; });
      int fd = -1;
      if (!in_memory_) {
        fd = ::open(label_.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw Error(label_ + ": cannot reopen: " + std::strerror(errno));
      }
      std::atomic<size_t> next{0};
      std::mutex mu;
      std::exception_ptr fatal;
      auto work = [&] {
        for (size_t i; (i = next++) < jobs.size();) {
          auto& [name, m] = jobs[i];
          try {
            if (in_memory_) {
              if (m->offset > memory_.size() || m->size > memory_.size() - m->offset)
                throw Error(label_ + ": " + name + ": member runs past the end of the archive");
              MemorySource ms(memory_.substr(m->offset, m->size));
              parse_layer(*m, name, ms);
            } else {
              RangeSource rs(fd, m->offset, m->size, label_ + ": " + name);
              parse_layer(*m, name, rs);
            }
          } catch (...) {  // a LimitError: it ends the run
            std::lock_guard<std::mutex> l(mu);
            if (!fatal) fatal = std::current_exception();
            next = jobs.size();
          }
        }
      };
      // Two layers at a time keep both cores busy when one layer's pipeline waits on the other
      // half (zstd decoding is faster than hashing and parsing; gzip the reverse).
      size_t n = std::min<size_t>(jobs.size(), 2);
      std::vector<std::thread> pool;
      for (size_t t = 1; t < n; ++t) pool.emplace_back(work);
      work();
      for (auto& t : pool) t.join();
      if (fd >= 0) ::close(fd);
      if (fatal) std::rethrow_exception(fatal);
      return;
    }
    std::unique_ptr<ByteSource> file;
    if (in_memory_) {
      file = std::make_unique<MemorySource>(memory_);
    } else {
      int fd = ::open(label_.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) throw Error(label_ + ": cannot reopen: " + std::strerror(errno));
      file = std::make_unique<FdSource>(fd, true, label_);
    }
    TarReader tr(*file, label_);
    TarHeader h;
    size_t left = wanted.size();
    while (left > 0 && tr.next(h)) {
      std::string name = normalize_path(h.path);
      if (h.type != EntryType::File || !wanted.count(name)) continue;
      Member& m = members_[name];
      if (m.layer || m.layer_error) continue;
      TarMemberSource ms(tr);
      parse_layer(m, name, ms);
      --left;
    }
  }

  std::string_view memory_;
  bool in_memory_ = false;
  bool streaming_ = false;
  std::map<std::string, Member> members_;
};

class DirSource : public ImageSource {
 public:
  DirSource(std::string label, const LayerReadOptions& opt)
      : ImageSource(std::move(label), opt) {}
  bool is_directory() const override { return true; }

  bool has(const std::string& name) override {
    struct stat st{};
    return ::stat(full(name).c_str(), &st) == 0 && S_ISREG(st.st_mode);
  }

  int64_t member_size(const std::string& name) override {
    struct stat st{};
    if (::stat(full(name).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return -1;
    return static_cast<int64_t>(st.st_size);
  }

  std::string read_small(const std::string& name) override {
    int fd = open_member(name);
    FdSource in(fd, true, label_ + ": " + name);
    return read_all(in, limits::kMaxJsonBytes, label_ + ": " + name);
  }

  std::map<std::string, std::shared_ptr<const LayerData>> read_layers(
      const std::vector<std::string>& names) override {
    std::map<std::string, std::shared_ptr<const LayerData>> out;
    for (const auto& n : names) {
      if (out.count(n)) continue;
      int fd = open_member(n);
      FdSource in(fd, true, label_ + ": " + n);
      out[n] = read_one(in, n);
    }
    return out;
  }

 private:
  std::string full(const std::string& name) const { return label_ + "/" + name; }
  int open_member(const std::string& name) {
    int fd = ::open(full(name).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) throw Error(label_ + ": " + name + ": missing from the directory");
      throw Error(label_ + ": " + name + ": " + std::strerror(errno));
    }
    struct stat st{};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      throw Error(label_ + ": " + name + ": not a regular file");
    }
    return fd;
  }
};

}  // namespace

std::shared_ptr<LayerData> ImageSource::read_one(ByteSource& in, const std::string& name) {
  ProgressSource counted(in, progress_);
  auto ld = std::make_shared<LayerData>();
  LayerReadOptions o = opt_;
  {
    // Layers read at the same time each see what the others held when they started: the
    // limits then bound memory to (threads x) one layer past them, and finish() checks the sum.
    std::lock_guard<std::mutex> l(held_mu_);
    o.entries_before = entries_held_;
    o.metadata_before = metadata_held_;
  }
  ld->blob = read_layer(counted, o, label_ + ": " + layer_label(name), ld->entries);
  ld->entries.shrink();
  {
    std::lock_guard<std::mutex> l(held_mu_);
    entries_held_ += ld->blob.entries;
    metadata_held_ += ld->blob.metadata_bytes;
  }
  if (progress_) progress_->layer_done();
  return ld;
}

std::unique_ptr<ImageSource> open_image_source(const std::string& path, const LayerReadOptions& opt) {
  if (path == "-") return std::make_unique<TarArchiveSource>("-", 0, false, opt);
  // O_NONBLOCK: opening a named pipe nobody writes to must not hang; it then reads as empty.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw Error(path + ": cannot open: " + std::strerror(errno));
  struct stat st{};
  if (fstat(fd, &st) != 0) {
    ::close(fd);
    throw Error(path + ": cannot stat: " + std::strerror(errno));
  }
  if (S_ISFIFO(st.st_mode)) {
    // A named pipe: wait a while for a writer's first bytes (or its end) instead of forever.
    struct pollfd p{fd, POLLIN, 0};
    int r;
    do r = ::poll(&p, 1, limits::kPipeWaitSeconds * 1000);
    while (r < 0 && errno == EINTR);
    if (r == 0) {
      ::close(fd);
      throw Error(path + ": nothing was written to the pipe within " +
                  std::to_string(limits::kPipeWaitSeconds) + " s; is a writer attached?");
    }
  }
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
    ::close(fd);
    throw Error(path + ": cannot read: " + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return std::make_unique<DirSource>(path, opt);
  }
  return std::make_unique<TarArchiveSource>(path, fd, true, opt);
}

std::unique_ptr<ImageSource> open_image_stream(std::unique_ptr<ByteSource> in, const std::string& label,
                                               const LayerReadOptions& opt) {
  return std::make_unique<TarArchiveSource>(label, std::move(in), opt);
}

std::unique_ptr<ImageSource> open_image_memory(std::string_view data, const std::string& label,
                                               const LayerReadOptions& opt) {
  return std::make_unique<TarArchiveSource>(label, data, opt);
}

}  // namespace layerdiff
