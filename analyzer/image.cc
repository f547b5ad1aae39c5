#include "analyzer/image.h"

namespace layerdiff {

std::string short_digest(const std::string& d) {
  auto c = d.find(':');
  std::string hex = c == std::string::npos ? d : d.substr(c + 1);
  return hex.substr(0, 12);
}

}  // namespace layerdiff
