// render_inspect.cc: `layerdiff inspect` as a terminal table, JSON (schema_version 1) or Markdown.
#include <boost/json.hpp>

#include <functional>

#include "analyzer/dockerfile.h"
#include "cmd/render.h"
#include "cmd/render_config.h"
#include "cmd/render_packages.h"
#include "cmd/text.h"

namespace layerdiff {
namespace json = boost::json;
namespace {

std::string layer_name(const LayerInfo& l) {
  std::string s = display_created_by(l.created_by);
  return s.empty() ? std::string("(no history)") : s;
}

/// "builder: RUN npm ci" with a Dockerfile's label, else the history's created_by.
std::string layer_name(const LayerReport& l) {
  return l.stage.empty() ? layer_name(l.info) : l.stage + ": " + l.instruction;
}

json::object image_json(const InspectReport& r) {
  json::object img;
  img["source"] = r.image.source;
  img["name"] = image_name(r.image);
  img["reference"] = r.image.reference;
  img["platform"] = r.image.platform;
  img["layout"] = r.image.layout;
  img["config_digest"] = r.image.config_digest;
  img["manifest_digest"] = r.image.manifest_digest;
  img["created"] = r.image.created;
  img["content_size"] = r.content_size;
  img["compressed_size"] = r.compressed_size;
  img["tar_size"] = r.tar_size;
  img["written_size"] = r.written_size;
  img["files"] = r.files;
  img["directories"] = r.dirs;
  img["symlinks"] = r.symlinks;
  img["others"] = r.others;
  img["hardlinks"] = r.hardlinks;
  json::array layers;
  for (const auto& l : r.layers) {
    json::object o;
    o["index"] = l.info.index;
    o["digest"] = l.info.digest;
    o["diff_id"] = l.info.diff_id;
    o["media_type"] = l.info.media_type;
    o["compression"] = l.info.compression;
    o["compressed_size"] = l.info.compressed_size;
    o["tar_size"] = l.info.tar_size;
    o["content_size"] = l.stats.written_bytes;
    o["visible_size"] = l.visible_bytes;
    o["wasted_size"] = l.wasted_bytes;
    o["entries"] = l.info.entries;
    o["whiteouts"] = l.stats.whiteouts;
    const LayerChangeStats& c = l.stats.changes;
    o["changes"] = {{"added", c.added},           {"modified", c.modified},
                    {"removed", c.removed},       {"added_bytes", c.added_bytes},
                    {"removed_bytes", c.removed_bytes}, {"grown_bytes", c.grown_bytes},
                    {"shrunk_bytes", c.shrunk_bytes}};
    o["chain_id"] = l.info.chain_id;
    if (!l.stage.empty()) {
      o["stage"] = l.stage;
      o["instruction"] = l.instruction;
    }
    o["created_by"] = l.info.created_by;
    o["created"] = l.info.created;
    o["comment"] = l.info.comment;
    layers.push_back(std::move(o));
  }
  img["layers"] = std::move(layers);
  img["config"] = config_json(r.image.config);
  return img;
}

/// "12/3/1": paths a layer added, modified and removed in the tree below it.
std::string amd(const LayerChangeStats& c) {
  return std::to_string(c.added) + "/" + std::to_string(c.modified) + "/" + std::to_string(c.removed);
}

json::array size_rows_json(const std::vector<SizeRow>& rows) {
  json::array a;
  for (const auto& s : rows) {
    json::object o;
    o["path"] = s.label;
    o["size"] = s.bytes;
    o["files"] = s.count;
    if (!s.children.empty()) o["children"] = size_rows_json(s.children);
    a.push_back(std::move(o));
  }
  return a;
}

void render_json(const InspectReport& r, const PackageView* pk, std::ostream& out) {
  json::object doc;
  doc["schema_version"] = kSchemaVersion;
  doc["command"] = "inspect";
  doc["image"] = image_json(r);
  doc["largest_directories"] = size_rows_json(r.largest_dirs);
  doc["largest_files"] = size_rows_json(r.largest_files);
  json::object waste;
  waste["bytes"] = r.wasted_bytes;
  waste["efficiency"] = r.efficiency;
  json::array wp;
  for (const auto& w : r.waste) {
    json::object o;
    o["path"] = w.path;
    o["size"] = w.bytes;
    o["count"] = w.count;
    if (w.path != "[other]") {
      o["layer"] = w.layer;
      o["removed_by"] = w.removed_by;
      o["how"] = w.deleted ? "deleted" : "overwritten";
    }
    wp.push_back(std::move(o));
  }
  waste["paths"] = std::move(wp);
  doc["waste"] = std::move(waste);
  json::object dup;
  dup["groups"] = r.duplicate_groups;
  dup["savings"] = r.duplicate_savings;
  json::array dg;
  for (const auto& g : r.duplicates) {
    json::object o;
    if (g.paths.empty()) o["other"] = g.groups;  // "[other]": the groups it stands for
    o["size"] = g.size;
    o["savings"] = g.savings;
    json::array ps;
    for (auto& p : g.paths) ps.emplace_back(p);
    o["paths"] = std::move(ps);
    dg.push_back(std::move(o));
  }
  dup["top"] = std::move(dg);
  doc["duplicates"] = std::move(dup);
  if (pk) doc["packages"] = packages_json(pk->report);
  doc["findings"] = findings_json(r.findings.findings);
  doc["toolchain"] = r.findings.toolchain.empty() ? json::value(nullptr) : json::value(r.findings.toolchain);
  out << json::serialize(doc) << '\n';
}

void render_table(const InspectReport& r, const PackageView* pk, const Style& st, std::ostream& out) {
  const auto& im = r.image;
  out << st.bold("Image") << "      " << image_name(im) << "  (" << im.platform << ", " << im.layout
      << ")\n";
  out << st.bold("Source") << "     " << im.source << "\n";
  out << st.bold("Content") << "    " << human_bytes(r.content_size) << " in " << count(r.files, "file")
      << ", " << count(r.dirs, "directory", "directories") << ", " << count(r.symlinks, "symlink")
      << ", " << r.others << " other";
  if (r.hardlinks) out << "; " << count(r.hardlinks, "more hardlinked name", "more hardlinked names");
  out << "\n";
  out << st.bold("Layers") << "     " << r.layers.size() << ": " << human_bytes(r.compressed_size)
      << " stored, " << human_bytes(r.tar_size) << " as tar, " << human_bytes(r.written_size)
      << " of file content written\n";
  out << st.bold("Waste") << "      " << human_bytes(r.wasted_bytes) << " overwritten or deleted by later layers"
      << " (efficiency " << percent(r.efficiency) << ")\n";
  if (r.duplicate_groups)
    out << st.bold("Duplicates") << " " << human_bytes(r.duplicate_savings) << " in "
        << count(r.duplicate_groups, "group") << " of identical files\n";
  if (pk) return packages_table(pk->report, pk->top, st, out);
  config_table(r.image.config, st, out);

  out << "\n" << st.bold("LAYERS") << "\n";
  out << "  " << rpad("#", 3) << "  " << pad("DIGEST", 12) << "  " << rpad("STORED", 10) << "  "
      << rpad("TAR", 10) << "  " << rpad("WRITTEN", 10) << "  " << rpad("VISIBLE", 10) << "  "
      << rpad("WASTED", 10) << "  " << rpad("ENTRIES", 7) << "  " << rpad("A/M/D", 11) << "  CREATED BY\n";
  uint64_t sc = 0, stt = 0, sw = 0, sv = 0, sws = 0, se = 0;
  for (const auto& l : r.layers) {
    out << "  " << rpad(std::to_string(l.info.index), 3) << "  " << short_digest(l.info.digest)
        << "  " << rpad(human_bytes(l.info.compressed_size), 10) << "  "
        << rpad(human_bytes(l.info.tar_size), 10) << "  " << rpad(human_bytes(l.stats.written_bytes), 10)
        << "  " << rpad(human_bytes(l.visible_bytes), 10) << "  "
        << rpad(human_bytes(l.wasted_bytes), 10) << "  " << rpad(std::to_string(l.info.entries), 7)
        << "  " << rpad(amd(l.stats.changes), 11) << "  " << st.fit(layer_name(l), 103) << "\n";
    sc += l.info.compressed_size;
    stt += l.info.tar_size;
    sw += l.stats.written_bytes;
    sv += l.visible_bytes;
    sws += l.wasted_bytes;
    se += l.info.entries;
  }
  out << "  " << rpad("", 3) << "  " << pad("TOTAL", 12) << "  " << rpad(human_bytes(sc), 10) << "  "
      << rpad(human_bytes(stt), 10) << "  " << rpad(human_bytes(sw), 10) << "  "
      << rpad(human_bytes(sv), 10) << "  " << rpad(human_bytes(sws), 10) << "  "
      << rpad(std::to_string(se), 7) << "\n";

  std::function<void(const std::vector<SizeRow>&, int)> size_rows = [&](const std::vector<SizeRow>& rows,
                                                                       int level) {
    for (const auto& s : rows) {
      out << "  " << rpad(human_bytes(s.bytes), 10) << "  "
          << rpad(percent(r.content_size ? double(s.bytes) / r.content_size : 0), 6) << "  "
          << rpad(std::to_string(s.count), 7) << "  " << std::string(2 * level, ' ') << s.label << "\n";
      size_rows(s.children, level + 1);
    }
  };
  auto sizes = [&](const char* title, const std::vector<SizeRow>& rows) {
    out << "\n" << st.bold(title) << "\n";
    out << "  " << rpad("SIZE", 10) << "  " << rpad("%", 6) << "  " << rpad("FILES", 7) << "  PATH\n";
    size_rows(rows, 0);
    out << "  " << rpad(human_bytes(r.content_size), 10) << "  " << rpad("100.0%", 6) << "  "
        << rpad(std::to_string(r.files), 7) << "  TOTAL\n";
  };
  sizes("LARGEST DIRECTORIES", r.largest_dirs);
  sizes("LARGEST FILES", r.largest_files);

  if (!r.waste.empty()) {
    out << "\n" << st.bold("WASTED BYTES") << "\n";
    out << "  " << rpad("SIZE", 10) << "  " << pad("PATH", 40) << "  WRITTEN BY -> REMOVED BY\n";
    for (const auto& w : r.waste) {
      out << "  " << rpad(human_bytes(w.bytes), 10) << "  " << pad(st.width ? clip(w.path, 40) : w.path, 40);
      if (w.path == "[other]")
        out << "  (" << w.count << " more)\n";
      else
        out << "  layer " << w.layer << " -> layer " << w.removed_by << " ("
            << (w.deleted ? "deleted" : "overwritten") << ")\n";
    }
    out << "  " << rpad(human_bytes(r.wasted_bytes), 10) << "  TOTAL\n";
  }
  if (!r.duplicates.empty()) {
    out << "\n" << st.bold("DUPLICATES") << "\n";
    out << "  " << rpad("SAVINGS", 10) << "  " << rpad("COPIES", 6) << "  " << rpad("SIZE", 10)
        << "  PATHS\n";
    for (const auto& g : r.duplicates) {
      if (g.paths.empty()) {
        out << "  " << rpad(human_bytes(g.savings), 10) << "  " << rpad("", 6) << "  " << rpad("", 10)
            << "  [other] (" << count(g.groups, "more group") << ")\n";
        continue;
      }
      std::string ps;
      for (size_t i = 0; i < g.paths.size() && i < 3; ++i) ps += (i ? ", " : "") + g.paths[i];
      if (g.paths.size() > 3) ps += ", …";
      out << "  " << rpad(human_bytes(g.savings), 10) << "  " << rpad(std::to_string(g.paths.size()), 6)
          << "  " << rpad(human_bytes(g.size), 10) << "  " << st.fit(ps, 34) << "\n";
    }
    out << "  " << rpad(human_bytes(r.duplicate_savings), 10) << "  " << rpad("", 6) << "  " << rpad("", 10)
        << "  TOTAL (" << count(r.duplicate_groups, "group") << ")\n";
  }
  findings_table(r.findings, "FINDINGS", r.top, st, out);
}

void render_markdown(const InspectReport& r, const PackageView* pk, std::ostream& out) {
  const auto& im = r.image;
  out << "### layerdiff inspect: `" << md_cell(image_name(im)) << "`\n\n";
  out << "| | |\n|---|---|\n";
  out << "| Platform | " << md_cell(im.platform) << " |\n";
  out << "| Layout | " << md_cell(im.layout) << " |\n";
  out << "| Content | " << human_bytes(r.content_size) << " in " << count(r.files, "file") << ", "
      << count(r.dirs, "directory", "directories") << ", " << count(r.symlinks, "symlink") << ", "
      << r.others << " other";
  if (r.hardlinks) out << "; " << count(r.hardlinks, "more hardlinked name", "more hardlinked names");
  out << " |\n";
  out << "| Layers | " << r.layers.size() << " (" << human_bytes(r.compressed_size) << " stored, "
      << human_bytes(r.tar_size) << " as tar) |\n";
  out << "| Wasted | " << human_bytes(r.wasted_bytes) << " (efficiency " << percent(r.efficiency)
      << ") |\n";
  if (r.duplicate_groups)
    out << "| Duplicates | " << human_bytes(r.duplicate_savings) << " in "
        << count(r.duplicate_groups, "group") << " of identical files |\n";
  if (pk) return packages_markdown(pk->report, pk->top, out);
  config_markdown(r.image.config, out);
  out << "\n";
  out << "#### Layers\n\n| # | Stored | Written | Visible | Wasted | Added/modified/removed | Created by |\n"
         "|---:|---:|---:|---:|---:|---:|---|\n";
  for (const auto& l : r.layers)
    out << "| " << l.info.index << " | " << human_bytes(l.info.compressed_size) << " | "
        << human_bytes(l.stats.written_bytes) << " | " << human_bytes(l.visible_bytes) << " | "
        << human_bytes(l.wasted_bytes) << " | " << amd(l.stats.changes) << " | `"
        << md_cell(layer_name(l)) << "` |\n";
  std::function<void(const std::vector<SizeRow>&, int)> md_rows = [&](const std::vector<SizeRow>& rows, int level) {
    for (const auto& s : rows) {
      out << "| " << human_bytes(s.bytes) << " | " << s.count << " | ";
      for (int k = 0; k < level; ++k) out << "&nbsp;&nbsp;";
      out << "`" << md_cell(s.label) << "` |\n";
      md_rows(s.children, level + 1);
    }
  };
  auto sizes = [&](const char* title, const std::vector<SizeRow>& rows) {
    out << "\n#### " << title << "\n\n| Size | Files | Path |\n|---:|---:|---|\n";
    md_rows(rows, 0);
    out << "| **" << human_bytes(r.content_size) << "** | " << r.files << " | **TOTAL** |\n";
  };
  sizes("Largest directories", r.largest_dirs);
  sizes("Largest files", r.largest_files);
  if (!r.waste.empty()) {
    out << "\n#### Wasted bytes\n\n| Size | Path | Written by | Removed by |\n|---:|---|---:|---:|\n";
    for (const auto& w : r.waste) {
      if (w.path == "[other]")
        out << "| " << human_bytes(w.bytes) << " | `[other]` (" << w.count << " more) | | |\n";
      else
        out << "| " << human_bytes(w.bytes) << " | `" << md_cell(w.path) << "` | " << w.layer
            << " | " << w.removed_by << " (" << (w.deleted ? "deleted" : "overwritten") << ") |\n";
    }
    out << "| **" << human_bytes(r.wasted_bytes) << "** | **TOTAL** | | |\n";
  }
  if (!r.duplicates.empty()) {
    out << "\n#### Duplicates\n\n| Savings | Copies | Size | Paths |\n|---:|---:|---:|---|\n";
    for (const auto& g : r.duplicates) {
      if (g.paths.empty()) {
        out << "| " << human_bytes(g.savings) << " | | | `[other]` (" << count(g.groups, "more group") << ") |\n";
        continue;
      }
      out << "| " << human_bytes(g.savings) << " | " << g.paths.size() << " | " << human_bytes(g.size)
          << " | ";
      for (size_t i = 0; i < g.paths.size(); ++i) out << (i ? ", " : "") << "`" << md_cell(g.paths[i]) << "`";
      out << " |\n";
    }
    out << "| **" << human_bytes(r.duplicate_savings) << "** | | | **TOTAL** (" << count(r.duplicate_groups, "group")
        << ") |\n";
  }
  findings_markdown(r.findings, "Findings", r.top, out);
}

}  // namespace

void render_inspect(const InspectReport& r, Format f, const Style& st, std::ostream& out,
                    const PackageView* packages) {
  switch (f) {
    case Format::Json: render_json(r, packages, out); break;
    case Format::Markdown: render_markdown(r, packages, out); break;
    case Format::Table: render_table(r, packages, st, out); break;
    case Format::Html: render_html_inspect(r, packages, out); break;
  }
}

}  // namespace layerdiff
