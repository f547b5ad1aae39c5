// render_ls.cc: `layerdiff ls`: the merged filesystem, one line per path, sorted bytewise; and
// `ls --layer N`: what one layer did to the tree below it, one changed path a line.
#include <boost/json.hpp>

#include "analyzer/listing.h"
#include "analyzer/path.h"
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

/// The fields of one `ls --format json` line.
json::object row_json(const ListingRow& r, const Xattrs& xattrs) {
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
  if (!xattrs.empty()) {
    json::object x;
    for (auto& [k, v] : xattrs) x[k] = hex(v);
    o["xattrs_hex"] = std::move(x);
  }
  return o;
}

const char* change_word(PathChange c) {
  switch (c) {
    case PathChange::Added: return "added";
    case PathChange::Modified: return "modified";
    case PathChange::Removed: return "removed";
  }
  return "?";
}

}  // namespace

void render_ls(const MergedImage& img, Format f, std::ostream& out) {
  std::vector<ListingRow> rows = listing(img.tree);
  std::string buf;
  if (f != Format::Json) {
    for (const auto& r : rows) {
      append_listing_line(buf, r);
      if (buf.size() >= (1 << 16)) {
        out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
        buf.clear();
      }
    }
    out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
    return;
  }
  for (const auto& r : rows) out << json::serialize(row_json(r, img.tree.xattrs(r.id))) << '\n';
}

void LayerChangeRows::layer_changes(const FileTree& tree, std::vector<LayerPathChange>&& cs) {
  if (!cs.empty() && only >= 0 && cs.front().layer != static_cast<uint32_t>(only)) return;
  for (auto& c : cs) {
    Row r;
    r.layer = c.layer;
    r.change = c.change;
    r.inode = tree.inode(c.inode);
    r.target = tree.target(c.inode);
    r.xattrs = tree.xattrs(c.inode);
    r.path = display_path(c.path);
    r.link = c.link.empty() ? "" : display_path(c.link);
    rows.push_back(std::move(r));
  }
}

void render_layer_changes(const LayerChangeRows& changes, bool all, Format f, std::ostream& out) {
  for (const auto& c : changes.rows) {
    const Inode& i = c.inode;
    ListingRow r{c.path, type_letter(i.type), i.type == EntryType::File ? i.size : 0, i.mode, i.uid, i.gid, "",
                 &i, c.layer};
    if (i.type == EntryType::Symlink) r.target = c.target;
    if (i.type == EntryType::CharDev || i.type == EntryType::BlockDev)
      r.target = std::to_string(i.dev_major) + "," + std::to_string(i.dev_minor);
    if (!c.link.empty() && c.change != PathChange::Removed) {  // a hardlink entry made it
      r.type = 'h';
      r.target = c.link;
    }
    if (f == Format::Json) {
      json::object o = row_json(r, c.xattrs);
      o["written_by"] = o["layer"];  // the layer that wrote this state (a removed path: its last)
      o["layer"] = c.layer;
      o["change"] = change_word(c.change);
      out << json::serialize(o) << '\n';
    } else {
      if (all) out << c.layer << '\t';
      out << change_letter(c.change) << '\t' << listing_text({r});
    }
  }
}

}  // namespace layerdiff
