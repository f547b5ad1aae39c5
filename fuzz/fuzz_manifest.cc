// fuzz_manifest.cc: libFuzzer target for the JSON documents (index.json, manifest.json, image
// indexes, manifests, configs). The input is split at lines "--"; part 0 is index.json (or
// manifest.json when it starts with '['), part i >= 1 is stored as blobs/sha256/<64 x digit i>
// (and part 1 also as config.json), next to one fixed empty layer at blobs/sha256/<64 x 'e'>.
// The archive is written in memory and read like any other, without digest checks.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/error.h"
#include "formats/image_reader.h"

namespace {

std::string member(const std::string& name, const std::string& data) {
  std::string h(512, '\0');
  std::memcpy(&h[0], name.data(), std::min<size_t>(name.size(), 99));
  std::snprintf(&h[100], 8, "%07o", 0644);
  std::snprintf(&h[124], 12, "%011llo", static_cast<unsigned long long>(data.size()));
  std::snprintf(&h[136], 12, "%011o", 0);
  h[156] = '0';
  std::memcpy(&h[257], "ustar\0" "00", 8);
  std::memset(&h[148], ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(&h[148], 8, "%06o", sum);
  std::string out = h + data;
  out.resize((out.size() + 511) / 512 * 512, '\0');
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace layerdiff;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts;
  size_t i = 0;
  while (parts.size() < 9) {
    size_t j = in.find("\n--\n", i);
    if (j == std::string_view::npos) {
      parts.emplace_back(in.substr(i));
      break;
    }
    parts.emplace_back(in.substr(i, j - i));
    i = j + 4;
  }
  std::string ar;
  bool docker = !parts[0].empty() && parts[0][0] == '[';
  ar += member(docker ? "manifest.json" : "index.json", parts[0]);
  ar += member("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
  for (size_t k = 1; k < parts.size(); ++k)
    ar += member("blobs/sha256/" + std::string(64, static_cast<char>('0' + k)), parts[k]);
  if (parts.size() > 1) ar += member("config.json", parts[1]);
  ar += member("blobs/sha256/" + std::string(64, 'e'), std::string(1024, '\0'));
  ar += member("layer.tar", std::string(1024, '\0'));
  ar += std::string(1024, '\0');
  ReadOptions opt;
  opt.verify = false;
  try {
    read_image_memory(ar, "fuzz", opt);
  } catch (const Error&) {
  }
  return 0;
}
