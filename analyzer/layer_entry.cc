#include "analyzer/layer_entry.h"

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
