// render_ls.cc: `layerdiff ls`: the merged filesystem, one line per path, sorted bytewise.
#include <boost/json.hpp>

#include "analyzer/listing.h"
#include "cmd/render.h"
#include "cmd/text.h"

namespace layerdiff {
namespace json = boost::json;

namespace {
std::string hex(const std::string& s) {
  static const char* d = "0123456789abcdef";
  std::string o;
  for (unsigned char c : s) {
    o += d[c >> 4];
    o += d[c & 15];
  }
  return o;
}
}  // namespace

void render_ls(const MergedImage& img, Format f, std::ostream& out) {
  std::vector<ListingRow> rows = listing(img.tree);
  if (f != Format::Json) {
    out << listing_text(rows);
    return;
  }
  for (const auto& r : rows) {
    json::object o;
    o["path"] = r.path;
    o["type"] = std::string(1, r.type);
    o["size"] = r.size;
    o["mode"] = octal_mode(r.mode);
    o["uid"] = r.uid;
    o["gid"] = r.gid;
    o["target"] = r.target;
    o["mtime"] = r.inode->mtime;
    o["layer"] = r.inode->layer;
    if (r.inode->type == EntryType::File) o["digest"] = "xxh3:" + r.inode->digest.hex();
    if (!r.inode->xattrs.empty()) {
      json::object x;
      for (auto& [k, v] : r.inode->xattrs) x[k] = hex(v);
      o["xattrs_hex"] = std::move(x);
    }
    out << json::serialize(o) << '\n';
  }
}

}  // namespace layerdiff
