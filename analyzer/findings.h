// findings.h: what an audit of an image flags, each with its path, bytes and the layer that
// holds it. Every finding is an exact match of a rule stated here, never a guess about content:
//
//  hidden-secret, hidden  (hidden but shipped) bytes a layer wrote that a later layer deleted or
//      overwrote (merge.h WasteRecord), whose content no visible file of the merged tree has
//      (by XXH3-128 digest and size): invisible in a container, readable by anyone who pulls
//      the layer. hidden-secret when the last name matches a secret-name pattern
//      (kSecretPatterns: the pattern is reported, the content is not inspected), else hidden.
//      A lost copy whose content is still visible (a chmod or touch copy-up, a moved file) is
//      waste, not hidden.
//  removable  package-manager caches and build leftovers in the merged tree, non-empty regular
//      files grouped per place and per layer: /var/cache/apt/*.bin, /var/cache/apt/archives/
//      (and partial/) *.deb, everything in /var/lib/apt/lists, ~/.npm and ~/.cache (for /root and
//      /home/*; ~/.cache/NAME grouped per NAME: pip's is ~/.cache/pip), bytecode in __pycache__
//      whose source NAME.py is gone (Python never loads it), and, only when no compiler or
//      linker is installed (kToolchain), static libraries (*.a) and C/C++ headers under a
//      directory named include.
//  setuid, setgid  regular files with the set-user-ID / set-group-ID bit (one finding each).
//  world-writable  regular files and directories writable by others, directories only without
//      the sticky bit (/tmp's 1777 is fine).
//  device  character and block devices outside /dev.
//
// A file with several names is reported once, by its first name in bytewise order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/merged_image.h"

namespace layerdiff {

enum class FindingKind : uint8_t { HiddenSecret, Hidden, Removable, Setuid, Setgid, WorldWritable, Device };

/// "hidden-secret", "hidden", "removable", "setuid", "setgid", "world-writable", "device".
const char* finding_kind_name(FindingKind k);
/// Every kind, in report order.
const std::vector<FindingKind>& finding_kinds();
/// The kind named `name` (as finding_kind_name spells it), or nullopt.
std::optional<FindingKind> parse_finding_kind(std::string_view name);

struct Finding {
  FindingKind kind = FindingKind::Hidden;
  std::string path;     ///< display path; removable: the place grouping its files
  char type = 'f';      ///< as in `ls`: f, d, c, b
  uint64_t size = 0;    ///< hidden*: bytes of the lost copy; removable: of the row's files;
                        ///< else the file's size (0 for directories and devices)
  uint32_t layer = 0;   ///< hidden*: the layer that wrote the lost copy; else the layer that
                        ///< wrote the file (removable: the row's files)
  uint64_t files = 1;   ///< removable: regular files the row stands for
  int removed_by = -1;  ///< hidden*: the layer that deleted or overwrote it
  bool deleted = false; ///< hidden*: deleted (a whiteout), else overwritten
  uint32_t mode = 0;    ///< permission findings: the mode (& 07777)
  /// hidden-secret: the pattern the name matched ("id_rsa*"); removable: what it is ("apt
  /// package lists"); device: "major,minor".
  std::string detail;
};

struct FindingsReport {
  std::vector<Finding> findings;  ///< by kind, then size (largest first), then path, then layer
  /// The compiler or linker found (e.g. "/usr/bin/gcc-12"): static libraries and headers are
  /// then in use, not removable. "" when none is installed.
  std::string toolchain;
  size_t count(FindingKind k) const;
  uint64_t bytes(FindingKind k) const;
};

FindingsReport find_findings(const MergedImage& img);

/// What a finding is, in a few words, the same in every format: "name matches id_rsa*",
/// "apt package lists, 52 files", "mode 4755", "char device 1,3"; "" for hidden.
std::string finding_note(const Finding& f);

/// The findings of `after` that `before` lacks (no finding of the same kind and path), with
/// `after`'s toolchain.
FindingsReport new_findings(const FindingsReport& before, const FindingsReport& after);

/// The secret-name pattern the last component of `path` matches ("id_rsa*", "*.pem",
/// ".docker/config.json", …), or nullptr.
const char* secret_pattern(std::string_view path);

}  // namespace layerdiff
