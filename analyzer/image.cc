#include "analyzer/image.h"

namespace layerdiff {

std::string short_digest(const std::string& d) {
  auto c = d.find(':');
  std::string hex = c == std::string::npos ? d : d.substr(c + 1);
  return hex.substr(0, 12);
}

std::string image_name(const ImageInfo& info) {
  // A reference that is only a tag ("latest" in an OCI archive) or a digest says little: name
  // the image after its file, with the tag.
  std::string file = info.source;
  if (auto k = file.find_last_of('/'); k != std::string::npos && k + 1 < file.size()) file = file.substr(k + 1);
  const std::string& r = info.reference;
  if (r.empty()) return file;
  if (r.rfind("sha256:", 0) == 0) return file + " (" + r.substr(0, 19) + "…)";
  if (r.find('/') == std::string::npos && r.find(':') == std::string::npos) return file + " (" + r + ")";
  return r;
}

}  // namespace layerdiff
