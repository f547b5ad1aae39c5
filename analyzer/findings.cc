#include "analyzer/findings.h"

#include <fnmatch.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "analyzer/path.h"

namespace layerdiff {
namespace {

/// Names that usually hold credentials, matched case-insensitively against the last component
/// (".docker/config.json" against the last two). SSH public keys (*.pub) are not secrets.
constexpr const char* kSecretPatterns[] = {
    "id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*", "*.pem", "*.key", ".env", ".npmrc",
    ".pypirc", ".netrc", "credentials*", "*.kdbx", ".git-credentials", ".docker/config.json"};

/// Compiler drivers and linkers (fnmatch patterns on the name) and where they are looked for.
/// Any of them, as a regular file or a symlink to one, means static libraries and headers may
/// be used: they are then not reported as removable.
constexpr const char* kToolchain[] = {
    "cc", "c++", "gcc", "gcc-[0-9]*", "g++", "g++-[0-9]*", "*-gcc", "*-gcc-[0-9]*", "*-g++",
    "*-g++-[0-9]*", "clang", "clang-[0-9]*", "clang++", "clang++-[0-9]*", "tcc", "ld", "ld.bfd",
    "ld.gold", "ld.lld", "ld.lld-[0-9]*", "*-ld", "*-ld.bfd", "*-ld.gold", "lld", "go", "rustc"};
// (not "ld.*": Debian's libc-bin ships /usr/bin/ld.so, the dynamic loader, in every image)
constexpr const char* kToolchainDirs[] = {
    "bin", "sbin", "usr/bin", "usr/sbin", "usr/local/bin", "usr/local/sbin", "usr/local/go/bin",
    "usr/local/cargo/bin", "root/.cargo/bin"};

bool ends_with(std::string_view s, std::string_view x) {
  return s.size() >= x.size() && s.substr(s.size() - x.size()) == x;
}
bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool matches(const char* pattern, std::string_view name) {
  return fnmatch(pattern, std::string(name).c_str(), FNM_CASEFOLD) == 0;
}

/// "a/b/c" -> "a/b/c" cut after `n` components.
std::string first_components(const std::vector<std::string_view>& parts, size_t n) {
  std::string s;
  for (size_t i = 0; i < n && i < parts.size(); ++i) {
    if (i) s += '/';
    s += parts[i];
  }
  return s;
}

struct DigestKey {
  ContentDigest digest;
  uint64_t size;
  bool operator==(const DigestKey&) const = default;
};
struct DigestHash {
  size_t operator()(const DigestKey& k) const { return k.digest.lo ^ (k.digest.hi * 31) ^ k.size; }
};

class Auditor {
 public:
  explicit Auditor(const MergedImage& img) : img_(img), t_(img.tree) {}

  FindingsReport run() {
    report_.toolchain = find_toolchain();
    for (const WasteRecord& w : img_.waste) lost_[{w.digest, w.bytes}] = false;
    // Names ending in .py that resolve to themselves (not symlinks): the sources a __pycache__
    // file is checked against, found without a lookup in the whole tree (see removable()).
    for (const PathRow row : t_.rows())
      if (ends_with(row.path, ".py") && t_.inode(row.inode).type != EntryType::Symlink)
        plain_py_.insert(row.path);
    // Every name; a regular file is judged once, by its first name in bytewise order.
    for (const PathRow row : t_.rows()) {
      const Inode& ino = t_.inode(row.inode);
      if (ino.type == EntryType::File && !row.first_name) continue;
      visit(row.path, ino);
    }
    hidden();
    for (auto& [key, f] : groups_) report_.findings.push_back(std::move(f));
    std::sort(report_.findings.begin(), report_.findings.end(), [](const Finding& a, const Finding& b) {
      return std::tie(a.kind, b.size, a.path, a.layer) < std::tie(b.kind, a.size, b.path, b.layer);
    });
    return std::move(report_);
  }

 private:
  std::string find_toolchain() const {
    for (const char* dir : kToolchainDirs) {
      const Node* d = t_.find(dir);
      if (!d || t_.inode(d->inode).type != EntryType::Dir) continue;  // bin -> usr/bin: seen there
      // Its names: the rows right after "DIR/" without another '/', in name order.
      const std::string prefix = std::string(dir) + "/";
      for (size_t i = t_.lower_bound(prefix); i < t_.size(); ++i) {
        std::string_view row = t_.canonical(i);
        if (row.substr(0, prefix.size()) != prefix) break;
        std::string name(row.substr(prefix.size()));
        if (name.find('/') != std::string::npos) continue;
        bool tool = false;
        for (const char* p : kToolchain) tool = tool || fnmatch(p, name.c_str(), 0) == 0;
        if (!tool) continue;
        std::string path = std::string(dir) + "/" + name;
        const Node* f = t_.resolve(path, true);
        if (f && t_.inode(f->inode).type == EntryType::File) return display_path(path);
      }
    }
    return "";
  }

  void visit(std::string_view p, const Inode& ino) {
    if (ino.type == EntryType::File) {
      if (ino.size > 0 && !lost_.empty()) {
        auto it = lost_.find({ino.digest, ino.size});
        if (it != lost_.end()) it->second = true;  // that content is still visible
      }
      if (ino.mode & 04000) single(FindingKind::Setuid, p, ino);
      if (ino.mode & 02000) single(FindingKind::Setgid, p, ino);
      if (ino.mode & 0002) single(FindingKind::WorldWritable, p, ino);
      if (ino.size > 0) removable(p, ino);
    } else if (ino.type == EntryType::Dir) {
      if ((ino.mode & 0002) && !(ino.mode & 01000)) single(FindingKind::WorldWritable, p, ino);
    } else if (ino.type == EntryType::CharDev || ino.type == EntryType::BlockDev) {
      if (!starts_with(p, "dev/")) {
        Finding& f = single(FindingKind::Device, p, ino);
        f.detail = std::to_string(ino.dev_major) + "," + std::to_string(ino.dev_minor);
      }
    }
  }

  Finding& single(FindingKind k, std::string_view p, const Inode& ino) {
    Finding f;
    f.kind = k;
    f.path = display_path(p);
    f.type = type_letter(ino.type);
    f.size = ino.type == EntryType::File ? ino.size : 0;
    f.layer = ino.layer;
    f.mode = ino.mode & 07777;
    report_.findings.push_back(std::move(f));
    return report_.findings.back();
  }

  /// Adds a removable file to the row of its place and layer.
  void group(const std::string& place, const char* what, const Inode& ino) {
    Finding& f = groups_[{place, ino.layer}];
    if (f.path.empty()) {
      f.kind = FindingKind::Removable;
      f.path = display_path(place);
      f.type = 'd';
      f.layer = ino.layer;
      f.files = 0;
      f.detail = what;
    }
    f.size += ino.size;
    f.files += 1;
  }

  /// Could `p` be removable at all? A cheap test on the string before any splitting.
  bool candidate(std::string_view p, std::string_view name) const {
    return starts_with(p, "var/") || starts_with(p, "root/") || starts_with(p, "home/") ||
           ends_with(name, ".pyc") ||
           (report_.toolchain.empty() &&
            (ends_with(name, ".a") || ends_with(name, ".h") || ends_with(name, ".hh") ||
             ends_with(name, ".hpp") || ends_with(name, ".hxx")));
  }

  void removable(std::string_view p, const Inode& ino) {
    std::string_view name = base_name(p);
    if (!candidate(p, name)) return;
    std::string_view dir = parent_path(p);
    if (dir == "var/cache/apt" && ends_with(name, ".bin")) {
      group(std::string(p), "apt package cache", ino);
      groups_[{std::string(p), ino.layer}].type = 'f';
      return;
    }
    if ((dir == "var/cache/apt/archives" || dir == "var/cache/apt/archives/partial") &&
        ends_with(name, ".deb"))
      return group("var/cache/apt/archives", "downloaded .deb packages", ino);
    if (starts_with(p, "var/lib/apt/lists/")) return group("var/lib/apt/lists", "apt package lists", ino);
    auto parts = split_path(p);
    // Home directories: root/… and home/USER/….
    size_t home = parts.size() > 2 && parts[0] == "root" ? 1
                  : parts.size() > 3 && parts[0] == "home" ? 2
                                                           : 0;
    if (home) {
      if (parts[home] == ".npm") return group(first_components(parts, home + 1), "npm cache", ino);
      if (parts[home] == ".cache") {
        bool sub = parts.size() > home + 2;
        if (sub && parts[home + 1] == "pip") return group(first_components(parts, home + 2), "pip cache", ino);
        return group(first_components(parts, sub ? home + 2 : home + 1), "cache (~/.cache)", ino);
      }
    }
    if (parts.size() >= 2 && parts[parts.size() - 2] == "__pycache__" && ends_with(name, ".pyc")) {
      std::string_view module = name.substr(0, name.find('.'));
      std::string source = std::string(parent_path(dir));
      source += (source.empty() ? "" : "/") + std::string(module) + ".py";
      // A source that is a name of the tree (not a symlink) is what resolve() finds first;
      // anything else (gone, or reached through symlinks) is resolved as a runtime would.
      if (plain_py_.count(source)) return;
      const Node* s = t_.resolve(source, true);
      if (!s) return group(std::string(dir), "bytecode of removed sources", ino);
      return;
    }
    if (!report_.toolchain.empty()) return;
    if (ends_with(name, ".a")) return group(std::string(dir), "static libraries (no compiler or linker)", ino);
    if (ends_with(name, ".h") || ends_with(name, ".hh") || ends_with(name, ".hpp") || ends_with(name, ".hxx")) {
      for (size_t i = 0; i + 1 < parts.size(); ++i)
        if (parts[i] == "include")
          return group(first_components(parts, i + 1), "C/C++ headers (no compiler)", ino);
    }
  }

  void hidden() {
    for (const WasteRecord& w : img_.waste) {
      if (lost_[{w.digest, w.bytes}]) continue;  // the same content is visible: waste, not hidden
      Finding f;
      const char* pat = secret_pattern(w.path);
      f.kind = pat ? FindingKind::HiddenSecret : FindingKind::Hidden;
      f.path = display_path(w.path);
      f.size = w.bytes;
      f.layer = w.layer;
      f.removed_by = static_cast<int>(w.removed_by);
      f.deleted = w.deleted;
      if (pat) f.detail = pat;
      report_.findings.push_back(std::move(f));
    }
  }

  const MergedImage& img_;
  const FileTree& t_;
  FindingsReport report_;
  std::unordered_set<std::string_view> plain_py_;  ///< views into the tree's path table
  std::unordered_map<DigestKey, bool, DigestHash> lost_;  ///< waste contents: still visible?
  std::map<std::pair<std::string, uint32_t>, Finding> groups_;  ///< removable: (place, layer)
};

}  // namespace

const char* finding_kind_name(FindingKind k) {
  switch (k) {
    case FindingKind::HiddenSecret: return "hidden-secret";
    case FindingKind::Hidden: return "hidden";
    case FindingKind::Removable: return "removable";
    case FindingKind::Setuid: return "setuid";
    case FindingKind::Setgid: return "setgid";
    case FindingKind::WorldWritable: return "world-writable";
    case FindingKind::Device: return "device";
  }
  return "?";
}

const std::vector<FindingKind>& finding_kinds() {
  static const std::vector<FindingKind> all = {
      FindingKind::HiddenSecret, FindingKind::Hidden, FindingKind::Removable, FindingKind::Setuid,
      FindingKind::Setgid, FindingKind::WorldWritable, FindingKind::Device};
  return all;
}

std::optional<FindingKind> parse_finding_kind(std::string_view name) {
  for (FindingKind k : finding_kinds())
    if (name == finding_kind_name(k)) return k;
  return std::nullopt;
}

size_t FindingsReport::count(FindingKind k) const {
  return std::count_if(findings.begin(), findings.end(), [k](const Finding& f) { return f.kind == k; });
}

uint64_t FindingsReport::bytes(FindingKind k) const {
  uint64_t n = 0;
  for (const auto& f : findings)
    if (f.kind == k) n += f.size;
  return n;
}

const char* secret_pattern(std::string_view path) {
  auto parts = split_path(path);
  if (parts.empty()) return nullptr;
  std::string_view name = parts.back();
  for (const char* p : kSecretPatterns) {
    std::string_view pat = p;
    if (pat.find('/') != std::string_view::npos) {
      if (parts.size() >= 2 && matches(p, std::string(parts[parts.size() - 2]) + "/" + std::string(name)))
        return p;
      continue;
    }
    if (starts_with(pat, "id_") && ends_with(name, ".pub")) continue;
    if (matches(p, name)) return p;
  }
  return nullptr;
}

FindingsReport find_findings(const MergedImage& img) { return Auditor(img).run(); }

std::string finding_note(const Finding& f) {
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", f.mode & 07777);
  switch (f.kind) {
    case FindingKind::HiddenSecret: return "name matches " + f.detail;
    case FindingKind::Hidden: return "";
    case FindingKind::Removable:
      return f.detail + ", " + std::to_string(f.files) + (f.files == 1 ? " file" : " files");
    case FindingKind::Setuid:
    case FindingKind::Setgid:
    case FindingKind::WorldWritable: return std::string("mode ") + mode;
    case FindingKind::Device: return std::string(f.type == 'b' ? "block" : "char") + " device " + f.detail;
  }
  return "";
}

FindingsReport new_findings(const FindingsReport& before, const FindingsReport& after) {
  std::set<std::pair<FindingKind, std::string_view>> had;
  for (const auto& f : before.findings) had.insert({f.kind, f.path});
  FindingsReport out;
  out.toolchain = after.toolchain;
  for (const auto& f : after.findings)
    if (!had.count({f.kind, f.path})) out.findings.push_back(f);
  return out;
}

}  // namespace layerdiff
