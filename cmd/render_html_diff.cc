// render_html_diff.cc: `layerdiff BEFORE AFTER --format html`: the summary, a treemap of BEFORE ∪
// AFTER coloured by change, the directory rollup, the layers and stages each change is charged to,
// what each build stage left behind, the packages, and the biggest changed files. The same rows
// as render_diff.cc; each value points at its place in the JSON (html.h).
#include "cmd/html.h"
#include "cmd/render_html_config.h"
#include "cmd/render.h"
#include "cmd/text.h"

namespace layerdiff {
namespace {
namespace json = boost::json;
using namespace html;


std::string stage_text(const StageLabel& l) {
  if (l.copied_from.empty()) return l.stage;
  return l.stage + " ← " + l.copied_from + (l.source == "content" ? " (by content)" : "");
}

std::string layer_name(const LayerDiffRow& row) {
  int i = row.after_index >= 0 ? row.after_index : row.before_index;
  return std::string(layer_status_name(row.status)) + " layer " + std::to_string(i);
}

/// The stage, and where a COPY --from layer copied from, each pointing at its JSON field.
Cell stage_cell(const StageLabel& l, const std::string& at) {
  std::string h = "<span data-k=\"" + esc(at + "/stage") + "\">" + esc(l.stage) + "</span>";
  if (!l.copied_from.empty())
    h += " ← <span data-k=\"" + esc(at + "/copied_from") + "\">" + esc(l.copied_from) + "</span>" +
         (l.source == "content" ? " (by content)" : "");
  return {h, "", std::nullopt, "", ""};
}

Cell index_cell(int i, std::string k) {
  if (i < 0) return {"", std::move(k), std::string("null"), "", "num"};
  return num(static_cast<uint64_t>(i), std::move(k));
}

Cell pct_cell(uint64_t before, uint64_t after) { return {esc(pct(before, after)), "", std::nullopt, "", "num"}; }

std::vector<Term> side_terms(const char* term, const char* side, const ImageSummary& s) {
  auto k = [&](const char* f) { return ptr("summary", side, f); };
  return {{term,
           {code(s.name, k("name")), text(" ("), text(s.platform, k("platform")), text(", "),
            text(s.layout, k("layout")), text("): "), noun(s.layers, "layer", "layers", k("layers")), text(", "),
            bytes(s.content_size, k("content_size")), text(" content in "), noun(s.files, "file", "files", k("files")),
            text(", "), bytes(s.compressed_size, k("compressed_size")), text(" stored, "),
            bytes(s.tar_size, k("tar_size")), text(" as tar")}}};
}

void rollup_rows(const RollupRow& r, const std::string& at, Table& t) {
  for (size_t i = 0; i < r.children.size(); ++i) {
    const RollupRow& c = r.children[i];
    std::string k = at + ptr("children", i);
    t.row({bytes(c.before, k + "/before"), bytes(c.after, k + "/after"), delta(c.delta(), k + "/delta"),
           pct_cell(c.before, c.after), code(c.label, k + "/path")},
          false, c.label, c.level - 1);
    // Nested rows only where something changed, as in the other formats.
    if (c.delta() != 0) rollup_rows(c, k, t);
  }
}

void rollup_table(const DiffReport& r, std::ostream& out) {
  Table t("rollup-table", {{"Before", true}, {"After", true}, {"Delta", true}, {"%", true}, {"Path"}}, false);
  rollup_rows(r.rollup, "/rollup", t);
  t.foot({bytes(r.rollup.before, "/rollup/before"), bytes(r.rollup.after, "/rollup/after"),
          delta(r.rollup.delta(), "/rollup/delta"), pct_cell(r.rollup.before, r.rollup.after), text("TOTAL")});
  t.write(out);
}

void layers_table(const DiffReport& r, std::ostream& out) {
  Table t("layers-table", {{"Image", false, "shared: the same ChainID in both; before/after: only there"},
                           {"Before #", true},
                           {"After #", true},
                           {"Digest"},
                           {"Added", true, "bytes its changes added"},
                           {"Removed", true, "bytes its changes removed"},
                           {"Net", true},
                           {"Paths", true, "changes charged to it"},
                           {"Stage"},
                           {"Instruction"}});
  uint64_t ta = 0, tr = 0, tp = 0;
  for (size_t i = 0; i < r.layers.size(); ++i) {
    const LayerDiffRow& l = r.layers[i];
    auto k = [&](const char* f) { return ptr("layers", i, f); };
    Cell dg = digest(l.info.digest, k("digest"));
    t.row({text(layer_status_name(l.status), k("status")), index_cell(l.before_index, k("before_index")),
           index_cell(l.after_index, k("after_index")), dg, delta(static_cast<int64_t>(l.added), k("added"), true),
           removed(l.removed, k("removed"), true), delta(l.delta(), k("delta"), l.paths == 0),
           num(l.paths, k("paths")), stage_cell(l.label, ptr("layers", i)), code(l.label.instruction, k("instruction"))},
          false, layer_name(l));
    ta += l.added;
    tr += l.removed;
    tp += l.paths;
  }
  // The layers' nets sum to the content delta (diff_report.h): one story.
  t.foot({text("NET"), blank(), blank(), blank(), delta(static_cast<int64_t>(ta)), removed(tr), delta(sdiff(tr, ta), "/summary/delta/content_size"), num(tp),
          blank(), blank()});
  t.write(out);
}

void stages_table(const DiffReport& r, std::ostream& out) {
  Table t("stages-table", {{"Stage"}, {"Layers", true}, {"Added", true}, {"Removed", true}, {"Net", true}});
  uint64_t ta = 0, tr = 0;
  for (size_t i = 0; i < r.stages.rows.size(); ++i) {
    const StageRow& s = r.stages.rows[i];
    auto k = [&](const char* f) { return ptr("stages", "rows", i, f); };
    t.row({text(s.stage, k("stage")), num(s.layers, k("layers")), delta(static_cast<int64_t>(s.added), k("added"), true),
           removed(s.removed, k("removed"), true), delta(s.delta(), k("delta"))},
          false, s.stage);
    ta += s.added;
    tr += s.removed;
  }
  t.foot({text("NET"), blank(), delta(static_cast<int64_t>(ta)), removed(tr),
          delta(sdiff(tr, ta), "/summary/delta/content_size")});
  t.write(out);
}

void leftovers(const DiffReport& r, std::ostream& out) {
  for (size_t i = 0; i < r.stages.leftovers.size(); ++i) {
    const StageLeftover& lo = r.stages.leftovers[i];
    auto k = [&](const char* f) { return ptr("stages", "leftovers", i, f); };
    out << "<h3 id=\"left-behind-" << i << "\">Left behind in stage <code data-k=\"" << esc(k("name")) << "\">"
        << esc(lo.name) << "</code></h3>\n";
    summary(out, {{"Content", {bytes(lo.content, k("content")), text(" = "), bytes(lo.common_base, k("common_base")),
                               text(" common base + "), bytes(lo.inherited, k("inherited")),
                               text(" in other stages' layers + "), bytes(lo.copied, k("copied")),
                               text(" copied into AFTER + "), bytes(lo.also_in_after, k("also_in_after")),
                               text(" also in AFTER + "), bytes(lo.left_behind, k("left_behind")),
                               text(" left behind")}}});
    Table lt("left-behind-layers-" + std::to_string(i),
             {{"Layer", true}, {"Content", true, "visible bytes the layer holds in the stage image"},
              {"Left behind", true}, {"Stage"}, {"Instruction"}});
    for (size_t j = 0; j < lo.layers.size(); ++j) {
      const StageLayerRow& l = lo.layers[j];
      auto lk = [&](const char* f) { return k("layers") + ptr(j, f); };
      lt.row({num(l.index, lk("index")), bytes(l.content, lk("content")), bytes(l.left_behind, lk("left_behind")),
              text(l.inherited ? l.label.stage + " (another stage's layer)" : l.label.stage),
              code(l.label.instruction, lk("instruction"))},
             false, "layer " + std::to_string(l.index));
    }
    lt.foot({text("TOTAL"), bytes(lo.content, k("content")), bytes(lo.left_behind, k("left_behind")), blank(), blank()});
    lt.write(out);
    if (!lo.directories.empty()) {
      Table dt("left-behind-directories-" + std::to_string(i), {{"Left behind", true}, {"Files", true}, {"Directory"}});
      for (size_t j = 0; j < lo.directories.size(); ++j) {
        const SizeRow& d = lo.directories[j];
        auto dk = [&](const char* f) { return k("directories") + ptr(j, f); };
        dt.row({bytes(d.bytes, dk("size")), num(d.count, dk("files")), code(d.label, dk("path"))}, d.label == "[other]",
               d.label);
      }
      dt.foot({bytes(lo.left_behind, k("left_behind")), blank(), text("TOTAL")});
      dt.write(out);
    }
    if (!lo.packages.empty()) {
      Table pt("left-behind-packages-" + std::to_string(i), {{"Left behind", true}, {"Files", true}, {"Package"}});
      for (size_t j = 0; j < lo.packages.size(); ++j) {
        const NamedBytes& p = lo.packages[j];
        auto pk = [&](const char* f) { return k("packages") + ptr(j, f); };
        pt.row({bytes(p.bytes, pk("size")), num(p.files, pk("files")), code(p.name, pk("package"))},
               !p.name.empty() && p.name.front() == '[', p.name);
      }
      pt.foot({bytes(lo.left_behind, k("left_behind")), blank(), text("TOTAL")});
      pt.write(out);
    }
  }
}

void packages_table(const PackageDiffView& v, const DiffReport& r, std::ostream& out) {
  const PackageDiff& d = v.diff;
  out << "<p class=\"note\"><span data-k=\"/packages/added\">" << d.added << "</span> added, <span data-k=\"/packages/removed\">"
      << d.removed << "</span> removed, <span data-k=\"/packages/upgraded\">" << d.upgraded
      << "</span> upgraded, <span data-k=\"/packages/downgraded\">" << d.downgraded
      << "</span> downgraded, <span data-k=\"/packages/changed\">" << d.changed
      << "</span> changed in size, <span data-k=\"/packages/unchanged\">" << d.unchanged
      << "</span> unchanged (not listed).</p>\n";
  for (const auto& w : d.warnings) out << "<p class=\"note\">warning: " << esc(w) << "</p>\n";
  Table t("packages-table", {{"Before", true}, {"After", true}, {"Delta", true}, {"Change"}, {"Ecosystem"},
                             {"Package"}, {"Version before"}, {"Version after"}});
  for (size_t i = 0; i < d.rows.size(); ++i) {
    const PackageDiffRow& x = d.rows[i];
    if (x.change == PackageChange::Unchanged) continue;
    auto k = [&](const char* f) { return ptr("packages", "rows", i, f); };
    t.row({bytes(x.before, k("before")), bytes(x.after, k("after")), delta(x.delta(), k("delta")),
           text(package_change_name(x.change), k("change")), text(ecosystem_name(x.ecosystem), k("ecosystem")),
           code(x.name, k("name")), text(x.version_before, k("version_before")), text(x.version_after, k("version_after"))},
          false, x.name);
  }
  t.row({bytes(d.unowned.before, "/packages/no_package/before"), bytes(d.unowned.after, "/packages/no_package/after"),
         delta(d.unowned.delta(), "/packages/no_package/delta"), blank(), blank(), code("[no package]"), blank(), blank()},
        true, "[no package]");
  t.foot({bytes(r.before.content_size, "/summary/before/content_size"),
          bytes(r.after.content_size, "/summary/after/content_size"),
          delta(sdiff(r.before.content_size, r.after.content_size), "/summary/delta/content_size"), blank(), blank(),
          text("NET"), blank(), blank()});
  t.write(out);
}

void files_table(const DiffReport& r, const char* id, const std::vector<const FileChange*>& v, std::ostream& out) {
  Table t(id, {{"Delta", true}, {"Path"}, {"Charged to"}, {"Stage"}, {"Instruction"}});
  for (const FileChange* c : v) {
    size_t i = static_cast<size_t>(c - r.changes.data());
    const LayerDiffRow& row = r.row_of(c->responsible);
    t.row({delta(c->delta(), ptr("changes", i, "delta")), code(c->path, ptr("changes", i, "path")),
           text(layer_name(row)), text(stage_text(row.label)), code(row.label.instruction)},
          false, c->path);
  }
  t.write(out);
}

}  // namespace

void render_html_diff(const DiffReport& r, const PackageDiffView* pk, std::ostream& out) {
  struct Files {
    const char* id;
    const char* heading;
    const std::vector<const FileChange*>* v;
  };
  const Files files[] = {{"added", "Biggest added files", &r.top_added},
                         {"removed", "Biggest removed files", &r.top_removed},
                         {"grown", "Most grown files", &r.top_grown},
                         {"shrunk", "Most shrunk files", &r.top_shrunk}};
  std::vector<std::pair<std::string, std::string>> nav = {{"treemap-section", "Treemap"}, {"directories", "Size by directory"},
                                                          {"layers", "Layers"}};
  if (!r.stages.rows.empty()) nav.push_back({"stages", "Stages"});
  if (!r.stages.leftovers.empty()) nav.push_back({"left-behind", "Left behind"});
  if (!r.config_changes.empty()) nav.push_back({"config", "Config"});
  if (!r.new_findings.findings.empty()) nav.push_back({"findings", "New findings"});
  if (pk && pk->diff.any) nav.push_back({"packages", "Packages"});
  for (const auto& f : files)
    if (!f.v->empty()) nav.push_back({f.id, f.heading});
  begin(out, "diff", "layerdiff: " + r.before.name + " → " + r.after.name, nav);

  int64_t d = sdiff(r.before.content_size, r.after.content_size);
  std::vector<Term> terms = side_terms("Before", "before", r.before);
  for (auto& t : side_terms("After", "after", r.after)) terms.push_back(std::move(t));
  std::string p = pct(r.before.content_size, r.after.content_size);
  int64_t dl = static_cast<int64_t>(r.after.layers) - static_cast<int64_t>(r.before.layers);
  terms.push_back({"Delta",
                   {text("content "), delta(d, "/summary/delta/content_size"), text(p.empty() ? "" : " (" + p + ")"),
                    text(", stored "), delta(sdiff(r.before.compressed_size, r.after.compressed_size), "/summary/delta/compressed_size"),
                    text(", as tar "), delta(sdiff(r.before.tar_size, r.after.tar_size), "/summary/delta/tar_size"),
                    text(", layers "), {(dl > 0 ? "+" : "") + std::to_string(dl), "/summary/delta/layers", std::to_string(dl), "", ""}}});
  Term paths{"Paths",
             {noun(r.added_paths, "added", "added", "/summary/changes/added"), text(" ("),
              delta(static_cast<int64_t>(r.added_bytes), "/summary/changes/added_bytes"), text("), "),
              noun(r.removed_paths, "removed", "removed", "/summary/changes/removed"), text(" ("),
              removed(r.removed_bytes, "/summary/changes/removed_bytes"), text("), "),
              noun(r.modified_paths, "modified", "modified", "/summary/changes/modified")}};
  if (r.modified_paths)
    paths.parts.insert(paths.parts.end(),
                       {text(" ("), delta(static_cast<int64_t>(r.grown_bytes), "/summary/changes/grown_bytes"), text(" grown, "),
                        removed(r.shrunk_bytes, "/summary/changes/shrunk_bytes"), text(" shrunk; "),
                        num(r.metadata_only, "/summary/changes/metadata_only"), text(" with unchanged content)")});
  terms.push_back(std::move(paths));
  for (size_t i = 0; i < r.stages.leftovers.size(); ++i) {
    const StageLeftover& lo = r.stages.leftovers[i];
    terms.push_back({"Stage " + lo.name,
                     {text("left "), bytes(lo.left_behind, ptr("stages", "leftovers", i, "left_behind")),
                      text(" behind of its "), bytes(lo.content, ptr("stages", "leftovers", i, "content"))}});
  }
  summary(out, terms);
  if (r.changes.empty())
    out << "<p class=\"verdict\">The merged filesystems are identical."
        << (r.config_changes.empty() ? " So are the configs." : " The configs differ: see Config.") << "</p>\n";

  section(out, "treemap-section", "Treemap");
  treemap(out, "BEFORE ∪ AFTER by directory: area is the larger of a path's two sizes, colour how it changed. "
               "Click a directory to go in, the path above to go out; hover for before, after and the layer "
               "charged with the change. The smallest paths fold into <code>[other]</code> "
               "(<code>--treemap-nodes</code>).");
  end_section(out);

  if (!r.config_changes.empty()) {
    section(out, "config", "Config", "The configs' differing fields, Env variables and Labels.");
    html_config_changes(r.config_changes, "/config_changes", out);
    end_section(out);
  }
  if (!r.new_findings.findings.empty()) {
    section(out, "findings", "New findings", "What the audit flags in AFTER that BEFORE did not have.");
    html_findings(r.new_findings, "/findings", r.top, out);
    end_section(out);
  }

  section(out, "directories", "Size by directory", "Bytes by directory to --depth; rows below a directory only where it changed.");
  rollup_table(r, out);
  end_section(out);

  section(out, "layers", "Layers", "Each change is charged to one layer; shared layers to none.");
  layers_table(r, out);
  end_section(out);

  if (!r.stages.rows.empty()) {
    section(out, "stages", "Stages", "The sums of their layers' rows.");
    stages_table(r, out);
    end_section(out);
  }
  if (!r.stages.leftovers.empty()) {
    section(out, "left-behind", "Left behind in build stages",
            "What each --stage image held, split into parts that add up to its content.");
    leftovers(r, out);
    end_section(out);
  }
  if (pk && pk->diff.any) {
    section(out, "packages", "Packages", "Packages whose bytes or version changed, with the bytes no package owns.");
    packages_table(*pk, r, out);
    end_section(out);
  }
  for (const auto& f : files) {
    if (f.v->empty()) continue;
    section(out, f.id, f.heading);
    files_table(r, (std::string(f.id) + "-table").c_str(), *f.v, out);
    end_section(out);
  }

  json::object data;
  data["kind"] = "diff";
  data["tree"] = tree_json(r.treemap);
  json::array layers;
  for (const auto& l : r.layers)
    layers.push_back({{"name", layer_name(l)}, {"text", stage_text(l.label) + ": " + l.label.instruction}});
  data["layers"] = std::move(layers);
  end(out, data);
}

}  // namespace layerdiff
