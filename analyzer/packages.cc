#include "analyzer/packages.h"

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>

#include "analyzer/path.h"
#include "formats/limits.h"  // constants only: analyzer links nothing of formats

namespace layerdiff {
namespace {

constexpr uint32_t kNone = UINT32_MAX;

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view x) {
  return s.size() >= x.size() && s.substr(s.size() - x.size()) == x;
}

/// "./a/b" and "/a/b" -> "a/b" (the forms layers store; anything odder is not matched).
std::string_view strip_raw(std::string_view p) {
  for (;;) {
    if (starts_with(p, "./")) p.remove_prefix(2);
    else if (starts_with(p, "/")) p.remove_prefix(1);
    else return p;
  }
}

enum class DbKind { None, DpkgStatus, DpkgList, DpkgDiversions, DpkgStatusD, DpkgStatusDSums, Apk,
                    PyRecord, PyEgg, Npm };

constexpr std::string_view kDpkgInfo = "var/lib/dpkg/info/";
constexpr std::string_view kDpkgStatusD = "var/lib/dpkg/status.d/";

bool is_site_dir(std::string_view dir) {
  std::string_view b = base_name(dir);
  return b == "site-packages" || b == "dist-packages";
}

/// What database a canonical path is, if any.
DbKind classify(std::string_view p) {
  if (ends_with(p, "/package.json")) {
    std::string_view dir = parent_path(p), pp = parent_path(dir);
    if (base_name(pp) == "node_modules" && !starts_with(base_name(dir), "@")) return DbKind::Npm;
    if (starts_with(base_name(pp), "@") && base_name(parent_path(pp)) == "node_modules")
      return DbKind::Npm;
    return DbKind::None;
  }
  if (ends_with(p, ".dist-info/RECORD"))
    return is_site_dir(parent_path(parent_path(p))) ? DbKind::PyRecord : DbKind::None;
  if (ends_with(p, ".egg-info/installed-files.txt"))
    return is_site_dir(parent_path(parent_path(p))) ? DbKind::PyEgg : DbKind::None;
  if (!starts_with(p, "var/lib/dpkg/") && !ends_with(p, "lib/apk/db/installed")) return DbKind::None;
  if (p == "var/lib/dpkg/status") return DbKind::DpkgStatus;
  if (p == "var/lib/dpkg/diversions") return DbKind::DpkgDiversions;
  if (starts_with(p, kDpkgInfo) && ends_with(p, ".list") &&
      p.find('/', kDpkgInfo.size()) == std::string_view::npos)
    return DbKind::DpkgList;
  if (starts_with(p, kDpkgStatusD) && p.size() > kDpkgStatusD.size() &&
      p.find('/', kDpkgStatusD.size()) == std::string_view::npos)
    return ends_with(p, ".md5sums") ? DbKind::DpkgStatusDSums : DbKind::DpkgStatusD;
  if (p == "lib/apk/db/installed" || p == "usr/lib/apk/db/installed") return DbKind::Apk;
  return DbKind::None;
}

/// Calls f(line) for each line, without "\n" or a trailing "\r".
template <class F>
void for_lines(std::string_view text, F f) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    f(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

struct Stanza {
  std::string package, version, arch, status, multi_arch;
};

/// Stanzas of a dpkg status file ("Key: value" lines, blank-line separated).
std::vector<Stanza> parse_stanzas(std::string_view text) {
  std::vector<Stanza> out;
  Stanza cur;
  auto flush = [&] {
    if (!cur.package.empty()) out.push_back(std::move(cur));
    cur = Stanza();
  };
  for_lines(text, [&](std::string_view line) {
    if (trim(line).empty()) return flush();
    if (line[0] == ' ' || line[0] == '\t') return;  // continuation of a multi-line field
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return;
    std::string_view key = line.substr(0, colon), value = trim(line.substr(colon + 1));
    if (key == "Package") cur.package = value;
    else if (key == "Version") cur.version = value;
    else if (key == "Architecture") cur.arch = value;
    else if (key == "Status") cur.status = value;
    else if (key == "Multi-Arch") cur.multi_arch = value;
  });
  flush();
  return out;
}

/// dpkg states whose files are on disk ("install ok installed" -> "installed"). A package in
/// "config-files" state was removed (only its conffiles remain) and is not listed.
bool files_installed(std::string_view status) {
  if (status.empty()) return true;  // distroless status.d stanzas may omit Status
  std::string_view state = status.substr(status.rfind(' ') + 1);
  return state != "not-installed" && state != "config-files";
}

/// First CSV field of a RECORD line (quoted with "" escapes, or up to the first comma).
std::string csv_first(std::string_view line) {
  if (line.empty() || line[0] != '"') return std::string(line.substr(0, line.find(',')));
  std::string out;
  for (size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '"') {
      if (i + 1 < line.size() && line[i + 1] == '"') {
        out += '"';
        ++i;
      } else {
        break;
      }
    } else {
      out += line[i];
    }
  }
  return out;
}

/// The top-level string members "name" and "version" of a package.json. A small scanner (the
/// analyzer links no JSON library): nested values are skipped, nesting is bounded, escapes other
/// than \" and \\ are kept verbatim (names and versions do not use them).
struct NpmMeta {
  std::string name, version;
};
NpmMeta parse_package_json(std::string_view s) {
  NpmMeta m;
  size_t i = 0;
  auto ws = [&] {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) ++i;
  };
  auto str = [&](std::string* out) {  // at '"'
    ++i;
    while (i < s.size() && s[i] != '"') {
      if (s[i] == '\\' && i + 1 < s.size()) {
        ++i;
        if (out && s[i] != '"' && s[i] != '\\' && s[i] != '/') *out += '\\';
      }
      if (out) *out += s[i];
      ++i;
    }
    ++i;
  };
  auto skip_value = [&] {
    int depth = 0;
    while (i < s.size()) {
      char c = s[i];
      if (c == '"') {
        str(nullptr);
        if (depth == 0) return;
        continue;
      }
      if (c == '{' || c == '[') {
        if (++depth > 256) {
          i = s.size();
          return;
        }
      } else if (c == '}' || c == ']') {
        if (depth == 0) return;  // end of the enclosing object
        if (--depth == 0) {
          ++i;
          return;
        }
      } else if (depth == 0 && c == ',') {
        return;
      }
      ++i;
    }
  };
  ws();
  if (i >= s.size() || s[i] != '{') return m;
  ++i;
  while (i < s.size()) {
    ws();
    if (i >= s.size() || s[i] != '"') break;
    std::string key;
    str(&key);
    ws();
    if (i >= s.size() || s[i] != ':') break;
    ++i;
    ws();
    if (i < s.size() && s[i] == '"' && (key == "name" || key == "version")) {
      std::string v;
      str(&v);
      (key == "name" ? m.name : m.version) = std::move(v);
    } else {
      skip_value();
    }
    ws();
    if (i < s.size() && s[i] == ',') ++i;
    else break;
  }
  return m;
}

/// PEP 503: lower case, runs of '-', '_', '.' as one '-'.
std::string python_key(std::string_view name) {
  std::string k;
  for (char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      if (k.empty() || k.back() != '-') k += '-';
    } else {
      k += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
  }
  return k;
}

struct Pkg {
  Ecosystem eco;
  std::string name, key, version;
  std::string where;  ///< the database path, for a deterministic order among copies
};

bool pkg_less(const Pkg& a, const Pkg& b) {
  return std::tie(a.eco, a.name, a.version, a.where) < std::tie(b.eco, b.name, b.version, b.where);
}

int order(unsigned char c) {
  if (c >= '0' && c <= '9') return 0;
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return c;
  if (c == '~') return -1;
  if (c) return c + 256;
  return 0;
}

/// dpkg's verrevcmp.
int verrevcmp(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  auto at = [](std::string_view s, size_t k) -> unsigned char { return k < s.size() ? s[k] : 0; };
  auto digit = [](unsigned char c) { return c >= '0' && c <= '9'; };
  while (i < a.size() || j < b.size()) {
    int first_diff = 0;
    while ((i < a.size() && !digit(at(a, i))) || (j < b.size() && !digit(at(b, j)))) {
      int ac = order(at(a, i)), bc = order(at(b, j));
      if (ac != bc) return ac - bc;
      ++i;
      ++j;
    }
    while (at(a, i) == '0') ++i;
    while (at(b, j) == '0') ++j;
    while (digit(at(a, i)) && digit(at(b, j))) {
      if (!first_diff) first_diff = at(a, i) - at(b, j);
      ++i;
      ++j;
    }
    if (digit(at(a, i))) return 1;
    if (digit(at(b, j))) return -1;
    if (first_diff) return first_diff;
  }
  return 0;
}

}  // namespace

const char* ecosystem_name(Ecosystem e) {
  switch (e) {
    case Ecosystem::Dpkg: return "dpkg";
    case Ecosystem::Apk: return "apk";
    case Ecosystem::Python: return "python";
    case Ecosystem::Npm: return "npm";
  }
  return "?";
}

const char* package_change_name(PackageChange c) {
  switch (c) {
    case PackageChange::Added: return "added";
    case PackageChange::Removed: return "removed";
    case PackageChange::Upgraded: return "upgraded";
    case PackageChange::Downgraded: return "downgraded";
    case PackageChange::Changed: return "changed";
    case PackageChange::Unchanged: return "unchanged";
  }
  return "?";
}

bool is_package_db_path(std::string_view raw_path) {
  return classify(strip_raw(raw_path)) != DbKind::None;
}

int compare_versions(std::string_view a, std::string_view b) {
  auto split = [](std::string_view v, long& epoch, std::string_view& up, std::string_view& rev) {
    epoch = 0;
    size_t colon = v.find(':');
    if (colon != std::string_view::npos && colon > 0 &&
        v.substr(0, colon).find_first_not_of("0123456789") == std::string_view::npos && colon < 10) {
      epoch = std::stol(std::string(v.substr(0, colon)));
      v.remove_prefix(colon + 1);
    }
    size_t dash = v.rfind('-');
    up = dash == std::string_view::npos ? v : v.substr(0, dash);
    rev = dash == std::string_view::npos ? std::string_view() : v.substr(dash + 1);
  };
  long ea, eb;
  std::string_view ua, ra, ub, rb;
  split(a, ea, ua, ra);
  split(b, eb, ub, rb);
  if (ea != eb) return ea < eb ? -1 : 1;
  int c = verrevcmp(ua, ub);
  if (c) return c < 0 ? -1 : 1;
  c = verrevcmp(ra, rb);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

PackageReport build_package_report(const MergedImage& img) {
  PackageReport r;
  const FileTree& t = img.tree;
  const RowsView rows = t.rows();

  // 1. The database files of the merged tree, by kind.
  std::map<DbKind, std::vector<std::pair<std::string, std::string_view>>> dbs;  // path, content
  static const std::string kEmpty;
  for (const PathRow& row : rows) {
    DbKind k = classify(row.path);
    if (k == DbKind::None) continue;
    const Inode& ino = t.inode(row.inode);
    if (ino.type != EntryType::File) continue;
    std::optional<std::string_view> content = t.content(row.inode);
    if (!content && ino.size > 0) {
      r.warnings.push_back(
          display_path(row.path) + ": package database not read: " +
          (ino.size > limits::kMaxPackageDbFileBytes
               ? "larger than " + std::to_string(limits::kMaxPackageDbFileBytes >> 20) +
                     " MiB (limits::kMaxPackageDbFileBytes)"
               : "past the " + std::to_string(limits::kMaxPackageDbTotalBytes >> 20) +
                     " MiB kept for all package databases (limits::kMaxPackageDbTotalBytes)") +
          "; the files it lists count as [no package]");
      continue;
    }
    dbs[k].emplace_back(std::string(row.path), content.value_or(std::string_view(kEmpty)));
  }
  auto content_of = [&](DbKind k, std::string_view path) -> const std::string_view* {
    auto it = dbs.find(k);
    if (it == dbs.end()) return nullptr;
    for (auto& [p, c] : it->second)
      if (p == path) return &c;
    return nullptr;
  };

  // 2. Packages and the paths each lists (npm: the directory it owns).
  std::vector<Pkg> pkgs;
  // Parallel to pkgs: canonical-ish paths, into the databases' content (which the tree keeps for
  // the report's life), the diversions below, or `owned` for paths made up here.
  std::vector<std::vector<std::string_view>> claims;
  std::deque<std::string> owned;
  std::unordered_map<std::string, uint32_t> npm_dirs;
  auto add = [&](Ecosystem eco, std::string name, std::string key, std::string version,
                 std::string where) {
    pkgs.push_back({eco, std::move(name), std::move(key), std::move(version), std::move(where)});
    claims.emplace_back();
    return static_cast<uint32_t>(pkgs.size() - 1);
  };
  auto counts = std::map<Ecosystem, uint64_t>();

  // dpkg: status + info/*.list, diversions; distroless status.d.
  std::map<std::string, std::pair<std::string, std::string>, std::less<>> diversions;  // orig -> to, by
  if (const auto* d = content_of(DbKind::DpkgDiversions, "var/lib/dpkg/diversions")) {
    std::vector<std::string> three;
    for_lines(*d, [&](std::string_view line) {
      three.emplace_back(line);
      if (three.size() < 3) return;
      diversions[std::string(strip_raw(three[0]))] = {std::string(strip_raw(three[1])), three[2]};
      three.clear();
    });
  }
  auto dpkg_claim = [&](uint32_t p, const std::string& bare, std::string_view listed) {
    std::string_view path = strip_raw(listed);
    if (path.empty() || path == ".") return;
    if (!diversions.empty()) {
      auto dv = diversions.find(path);
      if (dv != diversions.end() && dv->second.second != bare) path = dv->second.first;
    }
    claims[p].push_back(path);
  };
  if (const auto* st = content_of(DbKind::DpkgStatus, "var/lib/dpkg/status")) {
    std::map<std::string, std::string_view, std::less<>> lists;  // stem -> content
    for (auto& [p, c] : dbs[DbKind::DpkgList]) {
      std::string_view stem = base_name(p);
      stem.remove_suffix(5);
      lists[std::string(stem)] = c;
    }
    std::set<std::string, std::less<>> used;
    for (Stanza& s : parse_stanzas(*st)) {
      if (!files_installed(s.status)) continue;
      std::string qualified = s.package + ":" + s.arch;
      std::string name = s.multi_arch == "same" && !s.arch.empty() ? qualified : s.package;
      uint32_t p = add(Ecosystem::Dpkg, name, name, s.version, "var/lib/dpkg/status");
      ++counts[Ecosystem::Dpkg];
      auto it = lists.find(name);
      if (it == lists.end()) it = lists.find(name == s.package ? qualified : s.package);
      if (it == lists.end()) continue;
      used.insert(it->first);
      for_lines(it->second, [&](std::string_view line) { dpkg_claim(p, s.package, line); });
    }
    size_t orphans = 0;
    for (auto& [stem, c] : lists) orphans += !used.count(stem);
    if (orphans)
      r.warnings.push_back("/var/lib/dpkg/info: " + std::to_string(orphans) +
                           " file lists of packages the status file does not show installed; "
                           "their files count as [no package]");
  } else if (dbs.count(DbKind::DpkgList)) {
    r.warnings.push_back("/var/lib/dpkg/info: file lists without /var/lib/dpkg/status; their files "
                         "count as [no package]");
  }
  for (auto& [path, c] : dbs[DbKind::DpkgStatusD]) {
    std::string sums = path + ".md5sums";
    const std::string_view* md5 = content_of(DbKind::DpkgStatusDSums, sums);
    for (Stanza& s : parse_stanzas(c)) {
      if (!files_installed(s.status)) continue;
      uint32_t p = add(Ecosystem::Dpkg, s.package, s.package, s.version, path);
      ++counts[Ecosystem::Dpkg];
      if (!md5) continue;
      for_lines(*md5, [&](std::string_view line) {
        size_t sp = line.find(' ');
        if (sp == std::string_view::npos) return;
        dpkg_claim(p, s.package, trim(line.substr(sp)));
      });
      md5 = nullptr;  // a file with several stanzas: the sums belong to the first
    }
  }

  // apk: "P:" starts a package, "F:" a directory, "R:" a file in it.
  for (auto& kv : dbs[DbKind::Apk]) {
    auto& path = kv.first;  // not a structured binding: the lambda below captures it (clang 14)
    auto& c = kv.second;
    uint32_t p = kNone;
    std::string name, version, dir;
    std::vector<std::string_view> files;
    auto flush = [&] {
      if (!name.empty()) {
        p = add(Ecosystem::Apk, name, name, version, path);
        ++counts[Ecosystem::Apk];
        claims[p] = std::move(files);
      }
      name.clear();
      version.clear();
      dir.clear();
      files.clear();
    };
    for_lines(c, [&](std::string_view line) {
      if (line.empty()) return flush();
      if (line.size() < 2 || line[1] != ':') return;
      std::string_view v = line.substr(2);
      switch (line[0]) {
        case 'P': name = v; break;
        case 'V': version = v; break;
        case 'F': dir = v; break;
        case 'R':
          owned.push_back(dir.empty() ? std::string(v) : dir + "/" + std::string(v));
          files.push_back(owned.back());
          break;
        default: break;
      }
    });
    flush();
  }

  // python: <site>/<name>-<version>.dist-info/RECORD lists paths relative to <site>;
  // <name>-<version>[-pyX.Y].egg-info/installed-files.txt lists them relative to itself.
  for (DbKind k : {DbKind::PyRecord, DbKind::PyEgg}) {
    for (auto& [path, c] : dbs[k]) {
      std::string_view info_dir = parent_path(path);
      std::string_view stem = base_name(info_dir);
      stem.remove_suffix(k == DbKind::PyRecord ? 10 : 9);  // ".dist-info" / ".egg-info"
      size_t dash = stem.find('-');
      std::string name(stem.substr(0, dash));
      std::string version(dash == std::string_view::npos ? "" : stem.substr(dash + 1));
      size_t py = version.find("-py");
      if (py != std::string::npos) version.resize(py);
      uint32_t p = add(Ecosystem::Python, name, python_key(name), version, path);
      ++counts[Ecosystem::Python];
      std::string base(k == DbKind::PyRecord ? parent_path(info_dir) : info_dir);
      for_lines(c, [&](std::string_view line) {
        std::string f = k == DbKind::PyRecord ? csv_first(line) : std::string(trim(line));
        if (f.empty()) return;
        owned.push_back(f[0] == '/' ? f : base + "/" + f);
        claims[p].push_back(owned.back());
      });
    }
  }

  // npm: the package directory, owned minus nested packages (looked up per file below).
  for (auto& [path, c] : dbs[DbKind::Npm]) {
    std::string dir(parent_path(path));
    NpmMeta m = parse_package_json(c);
    if (m.name.empty()) {
      std::string_view scope = base_name(parent_path(dir));
      m.name = (starts_with(scope, "@") ? std::string(scope) + "/" : "") + std::string(base_name(dir));
    }
    uint32_t p = add(Ecosystem::Npm, m.name, m.name, m.version, path);
    ++counts[Ecosystem::Npm];
    npm_dirs[dir] = p;
  }

  // 3. Each listed path resolved in the merged tree; an inode goes to its best claimant.
  std::vector<uint32_t> rank(pkgs.size());
  {
    std::vector<uint32_t> idx(pkgs.size());
    for (uint32_t i = 0; i < idx.size(); ++i) idx[i] = i;
    std::sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) { return pkg_less(pkgs[a], pkgs[b]); });
    for (uint32_t i = 0; i < idx.size(); ++i) rank[idx[i]] = i;
  }
  std::vector<uint32_t> owner(t.inode_count(), kNone);
  std::vector<uint8_t> contested(t.inode_count(), 0);
  for (uint32_t p = 0; p < pkgs.size(); ++p) {
    for (std::string_view path : claims[p]) {
      const Node* n = t.resolve(path);
      if (!n || t.inode(n->inode).type != EntryType::File) continue;
      uint32_t& o = owner[n->inode];
      if (o == kNone) {
        o = p;
      } else if (o != p) {
        contested[n->inode] = 1;
        if (rank[p] < rank[o]) o = p;
      }
    }
  }

  // 4. Every visible regular file (first name) to its owner, else the nearest npm package
  // directory above it, else [no package].
  std::vector<uint64_t> bytes(pkgs.size(), 0), files(pkgs.size(), 0);
  std::vector<uint32_t> final_owner(t.inode_count(), kNone);
  for (const PathRow& row : rows) {
    const Inode& ino = t.inode(row.inode);
    if (ino.type != EntryType::File || !row.first_name) continue;
    ++r.files;
    r.content_size += ino.size;
    uint32_t o = owner[row.inode];
    r.contested_files += contested[row.inode];
    if (o == kNone && !npm_dirs.empty() && row.path.find("node_modules/") != std::string::npos) {
      for (std::string_view d = parent_path(row.path); !d.empty(); d = parent_path(d)) {
        auto it = npm_dirs.find(std::string(d));
        if (it != npm_dirs.end()) {
          o = it->second;
          break;
        }
      }
    }
    final_owner[row.inode] = o;
    if (o == kNone) {
      r.unowned_bytes += ino.size;
      ++r.unowned_files;
    } else {
      bytes[o] += ino.size;
      ++files[o];
    }
  }

  // 5. One row per (ecosystem, key): copies folded, versions listed.
  struct Agg {
    PackageRow row;
    std::set<std::string> versions;
    uint32_t best = kNone;
  };
  std::map<std::pair<Ecosystem, std::string>, Agg> agg;
  for (uint32_t p = 0; p < pkgs.size(); ++p) {
    auto [it, fresh] = agg.try_emplace({pkgs[p].eco, pkgs[p].key});
    Agg& a = it->second;
    if (fresh) a.row.copies = 0;
    if (a.best == kNone || rank[p] < rank[a.best]) {
      a.best = p;
      a.row.name = pkgs[p].name;
    }
    a.row.key = pkgs[p].key;
    a.row.ecosystem = pkgs[p].eco;
    a.row.bytes += bytes[p];
    a.row.files += files[p];
    ++a.row.copies;
    a.versions.insert(pkgs[p].version);
  }
  for (auto& [k, a] : agg) {
    for (const auto& v : a.versions) a.row.version += (a.row.version.empty() ? "" : ", ") + v;
    r.packages.push_back(std::move(a.row));
  }
  std::sort(r.packages.begin(), r.packages.end(), [](const PackageRow& a, const PackageRow& b) {
    return std::tie(b.bytes, a.ecosystem, a.name) < std::tie(a.bytes, b.ecosystem, b.name);
  });
  {
    std::map<std::pair<Ecosystem, std::string>, int32_t> row_of;
    for (size_t i = 0; i < r.packages.size(); ++i)
      row_of[{r.packages[i].ecosystem, r.packages[i].key}] = static_cast<int32_t>(i);
    r.inode_owner.assign(t.inode_count(), -1);
    for (size_t n = 0; n < final_owner.size(); ++n)
      if (final_owner[n] != kNone) r.inode_owner[n] = row_of[{pkgs[final_owner[n]].eco, pkgs[final_owner[n]].key}];
  }
  for (auto& [eco, n] : counts)
    r.databases.push_back(std::string(ecosystem_name(eco)) + ": " + std::to_string(n) +
                          (n == 1 ? " package" : " packages"));
  return r;
}

std::vector<PackageRow> package_table(const PackageReport& r, size_t top) {
  std::vector<PackageRow> out;
  PackageRow other;
  other.name = "[other]";
  other.copies = 0;
  for (size_t i = 0; i < r.packages.size(); ++i) {
    if (i < top) {
      out.push_back(r.packages[i]);
      continue;
    }
    other.bytes += r.packages[i].bytes;
    other.files += r.packages[i].files;
    other.copies += r.packages[i].copies;
    ++other.folded;
  }
  if (other.folded) out.push_back(other);
  if (r.unowned_files) {
    PackageRow none;
    none.name = "[no package]";
    none.bytes = r.unowned_bytes;
    none.files = r.unowned_files;
    out.push_back(none);
  }
  return out;
}

PackageDiff diff_packages(const PackageReport& before, const PackageReport& after) {
  PackageDiff d;
  d.any = !before.packages.empty() || !after.packages.empty() || !before.databases.empty() ||
          !after.databases.empty();
  for (auto& w : before.warnings) d.warnings.push_back("before: " + w);
  for (auto& w : after.warnings) d.warnings.push_back("after: " + w);
  std::map<std::pair<Ecosystem, std::string>, PackageDiffRow> rows;
  for (const auto& p : before.packages) {
    PackageDiffRow& r = rows[{p.ecosystem, p.key}];
    r.name = p.name;
    r.ecosystem = p.ecosystem;
    r.version_before = p.version;
    r.before = p.bytes;
    r.files_before = p.files;
    r.change = PackageChange::Removed;
  }
  for (const auto& p : after.packages) {
    auto [it, fresh] = rows.try_emplace({p.ecosystem, p.key});
    PackageDiffRow& r = it->second;
    r.name = p.name;
    r.ecosystem = p.ecosystem;
    r.version_after = p.version;
    r.after = p.bytes;
    r.files_after = p.files;
    if (fresh) {
      r.change = PackageChange::Added;
    } else if (r.version_before != r.version_after) {
      int c = compare_versions(r.version_before, r.version_after);
      r.change = c < 0 ? PackageChange::Upgraded : c > 0 ? PackageChange::Downgraded : PackageChange::Changed;
    } else {
      r.change = r.before != r.after || r.files_before != r.files_after ? PackageChange::Changed
                                                                          : PackageChange::Unchanged;
    }
  }
  for (auto& [k, r] : rows) {
    switch (r.change) {
      case PackageChange::Added: ++d.added; break;
      case PackageChange::Removed: ++d.removed; break;
      case PackageChange::Upgraded: ++d.upgraded; break;
      case PackageChange::Downgraded: ++d.downgraded; break;
      case PackageChange::Changed: ++d.changed; break;
      case PackageChange::Unchanged: ++d.unchanged; break;
    }
    d.rows.push_back(std::move(r));
  }
  auto mag = [](const PackageDiffRow& r) {
    int64_t x = r.delta();
    return static_cast<uint64_t>(x < 0 ? -x : x);
  };
  std::sort(d.rows.begin(), d.rows.end(), [&](const PackageDiffRow& a, const PackageDiffRow& b) {
    return std::make_tuple(mag(b), a.ecosystem, a.name) < std::make_tuple(mag(a), b.ecosystem, b.name);
  });
  d.unowned.name = "[no package]";
  d.unowned.before = before.unowned_bytes;
  d.unowned.after = after.unowned_bytes;
  d.unowned.files_before = before.unowned_files;
  d.unowned.files_after = after.unowned_files;
  d.unowned.change = d.unowned.before == d.unowned.after && d.unowned.files_before == d.unowned.files_after
                         ? PackageChange::Unchanged
                         : PackageChange::Changed;
  return d;
}

std::vector<PackageDiffRow> package_diff_table(const PackageDiff& d, size_t top, bool changed_only) {
  std::vector<PackageDiffRow> out;
  PackageDiffRow other;
  other.name = "[other]";
  size_t folded = 0;
  for (const auto& r : d.rows) {
    if (changed_only && r.change == PackageChange::Unchanged) continue;
    if (out.size() < top) {
      out.push_back(r);
      continue;
    }
    other.before += r.before;
    other.after += r.after;
    other.files_before += r.files_before;
    other.files_after += r.files_after;
    ++folded;
  }
  if (folded) {
    other.folded = folded;
    out.push_back(other);
  }
  if (d.unowned.files_before || d.unowned.files_after) out.push_back(d.unowned);
  return out;
}

}  // namespace layerdiff
