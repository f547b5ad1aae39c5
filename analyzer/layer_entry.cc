#include "analyzer/layer_entry.h"

#include <algorithm>
#include <cstdio>

namespace layerdiff {

char type_letter(EntryType t) {
  switch (t) {
    case EntryType::File: return 'f';
    case EntryType::Dir: return 'd';
    case EntryType::Symlink: return 'l';
    case EntryType::Hardlink: return 'h';
    case EntryType::CharDev: return 'c';
    case EntryType::BlockDev: return 'b';
    case EntryType::Fifo: return 'p';
    case EntryType::Socket: return 's';
  }
  return '?';
}

std::string ContentDigest::hex() const {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(hi),
                static_cast<unsigned long long>(lo));
  return buf;
}

}  // namespace layerdiff

namespace layerdiff {
namespace {

void put_varint(std::string& o, uint64_t v) {
  while (v >= 0x80) {
    o += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  o += static_cast<char>(v);
}

void put_bytes(std::string& o, std::string_view s) {
  put_varint(o, s.size());
  o.append(s);
}

void put_fixed64(std::string& o, uint64_t v) {
  for (int i = 0; i < 8; ++i) o += static_cast<char>((v >> (8 * i)) & 0xff);
}

// Flag bits after the type (3 bits).
constexpr uint8_t kHasLink = 1 << 3, kHasXattrs = 1 << 4, kHasContent = 1 << 5, kHasDevice = 1 << 6;

struct In {
  std::string_view s;
  size_t& pos;
  bool ok = true;
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= s.size()) return fail();
      unsigned char c = static_cast<unsigned char>(s[pos++]);
      v |= static_cast<uint64_t>(c & 0x7f) << shift;
      if (!(c & 0x80)) return v;
    }
    return fail();
  }
  std::string_view bytes() {
    uint64_t n = varint();
    if (!ok || n > s.size() - pos) {
      fail();
      return {};
    }
    std::string_view v = s.substr(pos, n);
    pos += n;
    return v;
  }
  uint64_t fixed64() {
    if (s.size() - pos < 8) return fail();
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(s[pos + i])) << (8 * i);
    pos += 8;
    return v;
  }
  uint64_t fail() {
    ok = false;
    return 0;
  }
};

}  // namespace

PackedEntries::PackedEntries(const std::vector<LayerEntry>& entries) {
  for (const auto& e : entries) append(e);
}

void PackedEntries::append(const LayerEntry& e) {
  size_t common = 0;
  size_t n = std::min(last_path_.size(), e.path.size());
  while (common < n && last_path_[common] == e.path[common]) ++common;
  put_varint(buf_, common);
  put_bytes(buf_, std::string_view(e.path).substr(common));
  last_path_ = e.path;
  uint8_t flags = static_cast<uint8_t>(e.type);
  if (!e.link.empty()) flags |= kHasLink;
  if (!e.xattrs.empty()) flags |= kHasXattrs;
  if (e.content) flags |= kHasContent;
  if (e.dev_major || e.dev_minor) flags |= kHasDevice;
  buf_ += static_cast<char>(flags);
  put_varint(buf_, e.size);
  put_varint(buf_, e.mode);
  put_varint(buf_, e.uid);
  put_varint(buf_, e.gid);
  uint64_t d = static_cast<uint64_t>(e.mtime) - static_cast<uint64_t>(last_mtime_);
  put_varint(buf_, (d << 1) ^ static_cast<uint64_t>(static_cast<int64_t>(d) >> 63));  // zigzag
  last_mtime_ = e.mtime;
  if (flags & kHasDevice) {
    put_varint(buf_, e.dev_major);
    put_varint(buf_, e.dev_minor);
  }
  if (flags & kHasLink) put_bytes(buf_, e.link);
  if (flags & kHasXattrs) {
    put_varint(buf_, e.xattrs.size());
    for (const auto& [k, v] : e.xattrs) {
      put_bytes(buf_, k);
      put_bytes(buf_, v);
    }
  }
  if (e.type == EntryType::File) {
    put_fixed64(buf_, e.digest.hi);
    put_fixed64(buf_, e.digest.lo);
  }
  if (flags & kHasContent) contents_.push_back(e.content);
  ++count_;
}

bool PackedEntries::Cursor::next(LayerEntry& e) {
  if (pos_ >= in_.size()) return false;
  In r{in_, pos_};
  uint64_t common = r.varint();
  std::string_view suffix = r.bytes();
  if (!r.ok || common > path_.size()) return false;
  path_.resize(common);
  path_.append(suffix);
  e.path = path_;
  if (pos_ >= in_.size()) return false;
  uint8_t flags = static_cast<uint8_t>(in_[pos_++]);
  if ((flags & 7) > static_cast<uint8_t>(EntryType::Socket) || (flags & 0x80)) return false;
  e.type = static_cast<EntryType>(flags & 7);
  e.size = r.varint();
  uint64_t mode = r.varint(), uid = r.varint(), gid = r.varint();
  if (mode > 0xffffffffu || uid > 0xffffffffu || gid > 0xffffffffu) return false;
  e.mode = static_cast<uint32_t>(mode);
  e.uid = static_cast<uint32_t>(uid);
  e.gid = static_cast<uint32_t>(gid);
  uint64_t z = r.varint();
  uint64_t d = (z >> 1) ^ (~(z & 1) + 1);
  mtime_ = static_cast<int64_t>(static_cast<uint64_t>(mtime_) + d);
  e.mtime = mtime_;
  e.dev_major = e.dev_minor = 0;
  if (flags & kHasDevice) {
    uint64_t ma = r.varint(), mi = r.varint();
    if (ma > 0xffffffffu || mi > 0xffffffffu) return false;
    e.dev_major = static_cast<uint32_t>(ma);
    e.dev_minor = static_cast<uint32_t>(mi);
  }
  e.link.clear();
  if (flags & kHasLink) e.link.assign(r.bytes());
  e.xattrs.clear();
  if (flags & kHasXattrs) {
    uint64_t nx = r.varint();
    if (nx > in_.size()) return false;
    for (uint64_t k = 0; k < nx && r.ok; ++k) {
      std::string_view key = r.bytes();
      std::string_view val = r.bytes();
      e.xattrs.emplace_back(std::string(key), std::string(val));
    }
  }
  e.digest = {};
  if (e.type == EntryType::File) {
    e.digest.hi = r.fixed64();
    e.digest.lo = r.fixed64();
  }
  e.content.reset();
  if (flags & kHasContent) {
    if (next_content_ >= contents_->size()) return false;
    e.content = (*contents_)[next_content_++];
  }
  return r.ok;
}

std::optional<PackedEntries> PackedEntries::from_bytes(
    std::string bytes, uint64_t count, std::vector<std::shared_ptr<const std::string>> contents) {
  PackedEntries p;
  p.buf_ = std::move(bytes);
  p.contents_ = std::move(contents);
  for (const auto& c : p.contents_)
    if (!c) return std::nullopt;
  Cursor c(p);
  LayerEntry e;
  uint64_t n = 0;
  while (c.next(e)) {
    if (++n > count) return std::nullopt;
  }
  if (n != count || c.pos_ != p.buf_.size() || c.next_content_ != p.contents_.size())
    return std::nullopt;
  p.count_ = count;
  p.last_path_ = c.path_;
  p.last_mtime_ = c.mtime_;
  return p;
}

std::vector<LayerEntry> PackedEntries::unpack() const {
  std::vector<LayerEntry> out;
  out.reserve(count_);
  Cursor c(*this);
  LayerEntry e;
  while (c.next(e)) out.push_back(e);
  return out;
}

}  // namespace layerdiff
