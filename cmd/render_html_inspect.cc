// render_html_inspect.cc: `layerdiff inspect --format html`: the summary, a treemap of the merged
// tree coloured by the layer that wrote each file, and the report's lists as sortable tables.
// The same rows as render_inspect.cc; each value points at its place in the JSON (html.h).
#include "analyzer/dockerfile.h"
#include "cmd/html.h"
#include "cmd/render_html_config.h"
#include "cmd/render.h"
#include "cmd/text.h"

namespace layerdiff {
namespace {
namespace json = boost::json;
using namespace html;

std::string layer_text(const LayerInfo& l) {
  std::string s = display_created_by(l.created_by);
  return s.empty() ? std::string("(no history)") : s;
}

/// "builder: RUN npm ci" with a Dockerfile's label (inspect --dockerfile), else the history's.
std::string layer_text(const LayerReport& l) {
  return l.stage.empty() ? layer_text(l.info) : l.stage + ": " + l.instruction;
}

Cell share(uint64_t part, uint64_t whole) {
  return {esc(percent(whole ? double(part) / whole : 0)), "", std::nullopt, "", "num"};
}

void layers_table(const InspectReport& r, std::ostream& out) {
  Table t("layers-table",
          {{"#", true},
           {"Digest"},
           {"Stored", true, "the blob as stored (compressed, if it is)"},
           {"Tar", true, "the uncompressed tar"},
           {"Written", true, "content bytes of the regular files the layer holds"},
           {"Visible", true, "of those, still visible in the merged image"},
           {"Wasted", true, "of those, overwritten or deleted by a later layer"},
           {"Entries", true, "tar entries, whiteouts included"},
           {"Added", true, "paths the layer added to the tree below it"},
           {"Modified", true, "paths it changed"},
           {"Removed", true, "paths it removed (whiteouts, opaque directories, replaced types)"},
           {"Created by"}});
  uint64_t entries = 0, visible = 0, wasted = 0;
  for (size_t i = 0; i < r.layers.size(); ++i) {
    const LayerReport& l = r.layers[i];
    auto k = [&](const char* f) { return ptr("image", "layers", i, f); };
    Cell dg = digest(l.info.digest, k("digest"));
    t.row({num(l.info.index, k("index")), dg, bytes(l.info.compressed_size, k("compressed_size")),
           bytes(l.info.tar_size, k("tar_size")), bytes(l.stats.written_bytes, k("content_size")),
           bytes(l.visible_bytes, k("visible_size")), bytes(l.wasted_bytes, k("wasted_size")),
           num(l.info.entries, k("entries")), num(l.stats.changes.added, ptr("image", "layers", i, "changes", "added")),
           num(l.stats.changes.modified, ptr("image", "layers", i, "changes", "modified")),
           num(l.stats.changes.removed, ptr("image", "layers", i, "changes", "removed")),
           code(layer_text(l))},
          false, "layer " + std::to_string(l.info.index));
    entries += l.info.entries;
    visible += l.visible_bytes;
    wasted += l.wasted_bytes;
  }
  t.foot({text("TOTAL"), blank(), bytes(r.compressed_size, "/image/compressed_size"),
          bytes(r.tar_size, "/image/tar_size"), bytes(r.written_size, "/image/written_size"),
          bytes(visible, "/image/content_size"), bytes(wasted, "/waste/bytes"), num(entries), blank(),
          blank(), blank(), blank()});
  t.write(out);
}

/// Rows and, nested under each, its children (the directories' rollup): indented, in order.
void size_rows(const InspectReport& r, const std::vector<SizeRow>& rows, const std::string& at, int level,
               Table& t) {
  for (size_t i = 0; i < rows.size(); ++i) {
    const SizeRow& s = rows[i];
    std::string k = at + ptr(i);
    t.row({bytes(s.bytes, k + "/size"), share(s.bytes, r.content_size), num(s.count, k + "/files"),
           code(s.label, k + "/path")},
          s.label == "[other]" && level == 0, s.label, level);
    size_rows(r, s.children, k + "/children", level + 1, t);
  }
}

void sizes_table(const InspectReport& r, const char* id, const char* key, const std::vector<SizeRow>& rows,
                 std::ostream& out) {
  bool nested = false;
  for (const auto& s : rows) nested |= !s.children.empty();
  // A nested table keeps its order (each directory above what is below it): not sortable.
  Table t(id, {{"Size", true}, {"%", true, "of the image's content"}, {"Files", true}, {"Path"}}, !nested);
  size_rows(r, rows, ptr(key), 0, t);
  t.foot({bytes(r.content_size, "/image/content_size"), text("100.0%"), num(r.files, "/image/files"),
          text("TOTAL")});
  t.write(out);
}

void waste_table(const InspectReport& r, std::ostream& out) {
  Table t("waste-table", {{"Size", true}, {"Path"}, {"Written by", true, "the layer whose copy was lost"},
                          {"Removed by", true}, {"How"}});
  for (size_t i = 0; i < r.waste.size(); ++i) {
    const WasteRow& w = r.waste[i];
    auto k = [&](const char* f) { return ptr("waste", "paths", i, f); };
    if (w.path == "[other]") {
      t.row({bytes(w.bytes, k("size")), code(w.path, k("path")), blank(), blank(),
             text(count(w.count, "more path"))},
            true, w.path);
      continue;
    }
    t.row({bytes(w.bytes, k("size")), code(w.path, k("path")), num(w.layer, k("layer")),
           num(w.removed_by, k("removed_by")), text(w.deleted ? "deleted" : "overwritten", k("how"))},
          false, w.path);
  }
  t.foot({bytes(r.wasted_bytes, "/waste/bytes"), text("TOTAL"), blank(), blank(), blank()});
  t.write(out);
}

void duplicates_table(const InspectReport& r, std::ostream& out) {
  Table t("duplicates-table", {{"Savings", true, "bytes one copy each would save"}, {"Copies", true},
                               {"Size", true, "of one copy"}, {"Paths"}});
  for (size_t i = 0; i < r.duplicates.size(); ++i) {
    const DuplicateGroup& g = r.duplicates[i];
    if (g.paths.empty()) {  // "[other]": the groups past -n
      t.row({bytes(g.savings, ptr("duplicates", "top", i, "savings")), blank(), blank(),
             {"<code>[other]</code> (<span data-k=\"" + esc(ptr("duplicates", "top", i, "other")) + "\" data-v=\"" +
                  std::to_string(g.groups) + "\">" + esc(count(g.groups, "more group")) + "</span>)",
              "", std::nullopt, "", "path"}},
            true, "[other]");
      continue;
    }
    std::string paths;
    for (size_t p = 0; p < g.paths.size(); ++p)
      paths += "<code data-k=\"" + esc(ptr("duplicates", "top", i, "paths", p)) + "\">" + esc(g.paths[p]) +
               "</code>" + (p + 1 < g.paths.size() ? "<br>" : "");
    Cell c{paths, "", std::nullopt, "", "path"};
    t.row({bytes(g.savings, ptr("duplicates", "top", i, "savings")), num(g.paths.size()),
           bytes(g.size, ptr("duplicates", "top", i, "size")), c},
          false, g.paths.empty() ? "" : g.paths.front());
  }
  t.foot({bytes(r.duplicate_savings, "/duplicates/savings"),
          text(count(r.duplicate_groups, "group")), blank(), text("TOTAL")});
  t.write(out);
}

void packages_table(const PackageReport& p, const InspectReport& r, std::ostream& out) {
  if (!p.databases.empty()) {
    out << "<p class=\"note\">";
    for (size_t i = 0; i < p.databases.size(); ++i) out << (i ? ", " : "") << esc(p.databases[i]);
    out << ".";
    if (p.contested_files)
      out << " " << p.contested_files
          << " files are listed by more than one package, each counted once (precedence dpkg &gt; apk "
             "&gt; python &gt; npm, then name).";
    out << "</p>\n";
  }
  for (const auto& w : p.warnings) out << "<p class=\"note\">warning: " << esc(w) << "</p>\n";
  Table t("packages-table", {{"Size", true}, {"%", true}, {"Files", true}, {"Ecosystem"}, {"Package"},
                             {"Version"}, {"Copies", true}});
  for (size_t i = 0; i < p.packages.size(); ++i) {
    const PackageRow& x = p.packages[i];
    auto k = [&](const char* f) { return ptr("packages", "packages", i, f); };
    t.row({bytes(x.bytes, k("size")), share(x.bytes, r.content_size), num(x.files, k("files")),
           text(ecosystem_name(x.ecosystem), k("ecosystem")), code(x.name, k("name")),
           text(x.version, k("version")), num(x.copies, k("copies"))},
          false, x.name);
  }
  t.row({bytes(p.unowned_bytes, "/packages/no_package/size"), share(p.unowned_bytes, r.content_size),
         num(p.unowned_files, "/packages/no_package/files"), blank(), code("[no package]"), blank(), blank()},
        true, "[no package]");
  t.foot({bytes(r.content_size, "/image/content_size"), text("100.0%"), num(r.files, "/image/files"),
          blank(), text("TOTAL"), blank(), blank()});
  t.write(out);
}

}  // namespace

void render_html_inspect(const InspectReport& r, const PackageView* pk, std::ostream& out) {
  const auto& im = r.image;
  std::vector<std::pair<std::string, std::string>> nav = {{"treemap-section", "Treemap"}, {"config", "Config"},
                                                          {"findings", "Findings"}, {"layers", "Layers"},
                                                          {"directories", "Largest directories"},
                                                          {"files", "Largest files"}};
  if (!r.waste.empty()) nav.push_back({"waste", "Wasted bytes"});
  if (!r.duplicates.empty()) nav.push_back({"duplicates", "Duplicates"});
  bool packages = pk && (!pk->report.databases.empty() || !pk->report.warnings.empty());
  if (packages) nav.push_back({"packages", "Packages"});
  begin(out, "inspect", "layerdiff inspect: " + image_name(im), nav);

  std::vector<Term> terms = {
      {"Image", {code(image_name(im), "/image/name"), text(" "), code(im.reference, "/image/reference")}},
      {"Platform", {text(im.platform, "/image/platform"), text(", "), text(im.layout, "/image/layout")}},
      {"Source", {code(im.source, "/image/source")}},
      {"Content",
       {bytes(r.content_size, "/image/content_size"), text(" in "), noun(r.files, "file", "files", "/image/files"),
        text(", "), noun(r.dirs, "directory", "directories", "/image/directories"), text(", "),
        noun(r.symlinks, "symlink", "symlinks", "/image/symlinks"), text(", "),
        noun(r.others, "other", "other", "/image/others")}},
      {"Layers",
       {noun(r.layers.size(), "layer", "layers"), text(": "), bytes(r.compressed_size, "/image/compressed_size"),
        text(" stored, "), bytes(r.tar_size, "/image/tar_size"), text(" as tar, "),
        bytes(r.written_size, "/image/written_size"), text(" of file content written")}},
      {"Waste",
       {bytes(r.wasted_bytes, "/waste/bytes"), text(" overwritten or deleted by later layers (efficiency "),
        {esc(percent(r.efficiency)), "/waste/efficiency", json::serialize(json::value(r.efficiency)),
         "content / bytes written", ""},
        text(")")}}};
  if (r.hardlinks)
    terms[3].parts.insert(terms[3].parts.end(),
                          {text("; "), noun(r.hardlinks, "more hardlinked name", "more hardlinked names",
                                            "/image/hardlinks")});
  if (r.duplicate_groups)
    terms.push_back({"Duplicates",
                     {bytes(r.duplicate_savings, "/duplicates/savings"), text(" in "),
                      noun(r.duplicate_groups, "group", "groups", "/duplicates/groups"),
                      text(" of identical files")}});
  summary(out, terms);

  section(out, "treemap-section", "Treemap");
  treemap(out, "Every file of the merged image by directory: area is bytes, colour the layer that wrote "
               "it. Click a directory to go in, the path above to go out; hover for size, share and layer. " +
                   esc(std::to_string(r.treemap.files)) +
                   " files; the smallest paths fold into <code>[other]</code> (<code>--treemap-nodes</code>).");
  end_section(out);

  section(out, "config", "Config", "What the image is configured to run.");
  html_config(im.config, "/image/config", out);
  end_section(out);

  section(out, "findings", "Findings",
          "The audit: bytes hidden but shipped, what is still removable, setuid, setgid and "
          "world-writable files, devices outside /dev.");
  html_findings(r.findings, "/findings", r.top, out);
  end_section(out);

  section(out, "layers", "Layers",
          "Written = visible + wasted for every layer; added / modified / removed: what the layer did to "
          "the tree below it.");
  layers_table(r, out);
  end_section(out);

  section(out, "directories", "Largest directories",
          "Files roll up into their directory at --depth; the rest folds into [other].");
  sizes_table(r, "directories-table", "largest_directories", r.largest_dirs, out);
  end_section(out);
  section(out, "files", "Largest files");
  sizes_table(r, "files-table", "largest_files", r.largest_files, out);
  end_section(out);
  if (!r.waste.empty()) {
    section(out, "waste", "Wasted bytes", "Bytes a layer wrote that a later layer overwrote or deleted.");
    waste_table(r, out);
    end_section(out);
  }
  if (!r.duplicates.empty()) {
    section(out, "duplicates", "Duplicates", "Files with the same content at different paths.");
    duplicates_table(r, out);
    end_section(out);
  }
  if (packages) {
    section(out, "packages", "Packages", "Which installed package owns the bytes.");
    packages_table(pk->report, r, out);
    end_section(out);
  }

  json::object data;
  data["kind"] = "inspect";
  data["tree"] = tree_json(r.treemap);
  json::array layers;
  for (const auto& l : r.layers)
    layers.push_back({{"name", "layer " + std::to_string(l.info.index)}, {"text", layer_text(l.info)}});
  data["layers"] = std::move(layers);
  end(out, data);
}

}  // namespace layerdiff
