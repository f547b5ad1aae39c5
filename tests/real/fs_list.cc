// fs_list ROOTDIR — print the filesystem tree under ROOTDIR as a runtime
// materialised it, one line per path, for comparison with layerdiff's listing.
//
// Output format (one line per path, fields separated by a single TAB):
//
//   path<TAB>type<TAB>size<TAB>mode<TAB>uid<TAB>gid<TAB>target
//
//   path   absolute path relative to ROOTDIR, e.g. "/etc/passwd". ROOTDIR itself
//          ("/") is omitted. Lines are sorted bytewise by path (std::string
//          comparison, i.e. memcmp / unsigned-byte order).
//   type   one letter: f regular file, d directory, l symlink, h hardlink
//          (see below), c char device, b block device, p fifo, s socket.
//   size   st_size for f and h, otherwise 0.
//   mode   four octal digits of (st_mode & 07777), e.g. 0755, 4755, 1777.
//   uid    decimal st_uid.
//   gid    decimal st_gid.
//   target l: the symlink target (readlink); c/b: "major,minor";
//          regular files whose inode has more than one name *inside ROOTDIR*:
//          the first name in sort order is reported as "f" with an empty
//          target, every other name of that inode as "h" with target = the
//          absolute path of that first name; everything else: empty.
//
// Entries are examined with lstat(2); symlinks are never followed. Only
// names inside the tree count for hardlink grouping (st_nlink is not used,
// so a link to a file outside ROOTDIR does not turn a file into "h").
// Bytes '\\', TAB and LF inside a path or symlink target are written as
// "\\\\", "\\t", "\\n" so that every entry stays on one line (sorting uses
// the raw bytes).
//
// Self-contained C++17: only libc and libstdc++. Build:
//   g++ -std=c++17 -O2 -o fs_list fs_list.cc
#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace {

struct Entry {
  std::string path;  // "/a/b"
  struct stat st;
  std::string link_target;  // for symlinks
};

bool g_failed = false;

void walk(const std::string& root, const std::string& rel, std::vector<Entry>& out) {
  std::string dir = root + rel;
  DIR* d = opendir(dir.c_str());
  if (!d) {
    std::fprintf(stderr, "fs_list: opendir %s: %s\n", dir.c_str(), std::strerror(errno));
    g_failed = true;
    return;
  }
  std::vector<std::string> names;
  while (struct dirent* de = readdir(d)) {
    if (std::strcmp(de->d_name, ".") == 0 || std::strcmp(de->d_name, "..") == 0) continue;
    names.emplace_back(de->d_name);
  }
  closedir(d);
  for (const std::string& name : names) {
    Entry e;
    e.path = rel + "/" + name;
    std::string full = root + e.path;
    if (lstat(full.c_str(), &e.st) != 0) {
      std::fprintf(stderr, "fs_list: lstat %s: %s\n", full.c_str(), std::strerror(errno));
      g_failed = true;
      continue;
    }
    if (S_ISLNK(e.st.st_mode)) {
      std::vector<char> buf(static_cast<size_t>(e.st.st_size > 0 ? e.st.st_size : 255) + 1);
      for (;;) {
        ssize_t n = readlink(full.c_str(), buf.data(), buf.size());
        if (n < 0) {
          std::fprintf(stderr, "fs_list: readlink %s: %s\n", full.c_str(), std::strerror(errno));
          g_failed = true;
          break;
        }
        if (static_cast<size_t>(n) < buf.size()) {
          e.link_target.assign(buf.data(), static_cast<size_t>(n));
          break;
        }
        buf.resize(buf.size() * 2);
      }
    }
    bool is_dir = S_ISDIR(e.st.st_mode);
    out.push_back(std::move(e));
    if (is_dir) walk(root, rel + "/" + name, out);
  }
}

std::string esc(const std::string& s) {
  std::string r;
  r.reserve(s.size());
  for (char c : s) {
    if (c == '\\') r += "\\\\";
    else if (c == '\t') r += "\\t";
    else if (c == '\n') r += "\\n";
    else r += c;
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fs_list ROOTDIR\n");
    return 2;
  }
  std::string root = argv[1];
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  struct stat rst;
  if (lstat(root.c_str(), &rst) != 0 || !S_ISDIR(rst.st_mode)) {
    std::fprintf(stderr, "fs_list: %s is not a directory\n", root.c_str());
    return 2;
  }

  std::vector<Entry> entries;
  walk(root, "", entries);
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.path < b.path; });

  // Hardlink grouping: first name (in sort order) of each regular-file inode.
  std::map<std::pair<dev_t, ino_t>, std::string> first_name;
  for (const Entry& e : entries) {
    if (!S_ISREG(e.st.st_mode)) continue;
    first_name.emplace(std::make_pair(e.st.st_dev, e.st.st_ino), e.path);  // keeps first
  }

  std::string line;
  for (const Entry& e : entries) {
    const mode_t m = e.st.st_mode;
    char type = '?';
    long long size = 0;
    std::string target;
    if (S_ISREG(m)) {
      const std::string& first = first_name[std::make_pair(e.st.st_dev, e.st.st_ino)];
      size = static_cast<long long>(e.st.st_size);
      if (first == e.path) {
        type = 'f';
      } else {
        type = 'h';
        target = esc(first);
      }
    } else if (S_ISDIR(m)) {
      type = 'd';
    } else if (S_ISLNK(m)) {
      type = 'l';
      target = esc(e.link_target);
    } else if (S_ISCHR(m) || S_ISBLK(m)) {
      type = S_ISCHR(m) ? 'c' : 'b';
      target = std::to_string(major(e.st.st_rdev)) + "," + std::to_string(minor(e.st.st_rdev));
    } else if (S_ISFIFO(m)) {
      type = 'p';
    } else if (S_ISSOCK(m)) {
      type = 's';
    }
    char modebuf[8];
    std::snprintf(modebuf, sizeof modebuf, "%04o", static_cast<unsigned>(m & 07777));
    line.clear();
    line += esc(e.path);
    line += '\t';
    line += type;
    line += '\t';
    line += std::to_string(size);
    line += '\t';
    line += modebuf;
    line += '\t';
    line += std::to_string(static_cast<unsigned long long>(e.st.st_uid));
    line += '\t';
    line += std::to_string(static_cast<unsigned long long>(e.st.st_gid));
    line += '\t';
    line += target;
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  if (std::fflush(stdout) != 0) return 1;
  return g_failed ? 1 : 0;
}
