// render_diff.cc: `layerdiff diff` as a terminal table, JSON (schema_version 2) or Markdown.
// Every format shows the same quantities (diff_report.h); JSON and Markdown never cut a value,
// the table cuts only what does not fit a terminal's width.
#include <boost/json.hpp>

#include <algorithm>

#include "cmd/render.h"
#include "cmd/render_config.h"
#include "cmd/render_packages.h"
#include "cmd/text.h"

namespace layerdiff {
namespace json = boost::json;

const char* layer_status_name(LayerDiffRow::Status s) {
  switch (s) {
    case LayerDiffRow::Shared: return "shared";
    case LayerDiffRow::BeforeOnly: return "before";
    case LayerDiffRow::AfterOnly: return "after";
  }
  return "?";
}

namespace {

int row_index(const LayerDiffRow& l) { return l.after_index >= 0 ? l.after_index : l.before_index; }

json::object state_json(const PathState& s) {
  json::object o;
  o["type"] = std::string(1, s.type);
  o["size"] = s.size;
  o["bytes"] = s.bytes;
  o["mode"] = octal_mode(s.mode);
  o["uid"] = s.uid;
  o["gid"] = s.gid;
  o["target"] = s.target;
  o["mtime"] = s.mtime;
  if (s.type == 'f' || s.type == 'h') o["digest"] = "xxh3:" + s.digest.hex();
  o["layer"] = s.layer;
  return o;
}

json::object ref_json(LayerRef::Side side, uint32_t index) {
  return {{"image", side_name(side)}, {"index", index}};
}

json::object summary_json(const ImageSummary& s) {
  json::object o;
  o["name"] = s.name;
  o["source"] = s.source;
  o["reference"] = s.reference;
  o["platform"] = s.platform;
  o["layout"] = s.layout;
  o["layers"] = s.layers;
  o["files"] = s.files;
  o["content_size"] = s.content_size;
  o["compressed_size"] = s.compressed_size;
  o["tar_size"] = s.tar_size;
  return o;
}

json::object rollup_json(const RollupRow& r) {
  json::object o;
  o["path"] = r.label;
  o["before"] = r.before;
  o["after"] = r.after;
  o["delta"] = r.delta();
  if (!r.children.empty()) {
    json::array a;
    for (const auto& c : r.children) a.push_back(rollup_json(c));
    o["children"] = std::move(a);
  }
  return o;
}

json::object label_json(const StageLabel& l) {
  json::object o;
  o["stage"] = l.stage;
  o["instruction"] = l.instruction;
  o["copied_from"] = l.copied_from.empty() ? json::value(nullptr) : json::value(l.copied_from);
  o["label_source"] = l.source;
  return o;
}

void render_json(const DiffReport& r, const PackageDiffView* pk, std::ostream& out) {
  json::object doc;
  doc["schema_version"] = kSchemaVersion;
  doc["command"] = "diff";
  json::object summary;
  summary["before"] = summary_json(r.before);
  summary["after"] = summary_json(r.after);
  json::object d;
  d["content_size"] = sdiff(r.before.content_size, r.after.content_size);
  d["compressed_size"] = sdiff(r.before.compressed_size, r.after.compressed_size);
  d["tar_size"] = sdiff(r.before.tar_size, r.after.tar_size);
  d["layers"] = static_cast<int64_t>(r.after.layers) - static_cast<int64_t>(r.before.layers);
  d["files"] = sdiff(r.before.files, r.after.files);
  summary["delta"] = std::move(d);
  json::object ch;
  ch["added"] = r.added_paths;
  ch["removed"] = r.removed_paths;
  ch["modified"] = r.modified_paths;
  ch["metadata_only"] = r.metadata_only;
  ch["added_bytes"] = r.added_bytes;
  ch["removed_bytes"] = r.removed_bytes;
  ch["grown_bytes"] = r.grown_bytes;
  ch["shrunk_bytes"] = r.shrunk_bytes;
  summary["changes"] = std::move(ch);
  summary["shared_layers"] = r.shared_layers;
  doc["summary"] = std::move(summary);

  json::array changes;
  for (const auto& c : r.changes) {
    json::object o;
    o["path"] = c.path;
    o["change"] = change_name(c.kind);
    json::array what;
    for (auto& w : c.what) what.emplace_back(w);
    o["what"] = std::move(what);
    o["before"] = c.before ? json::value(state_json(*c.before)) : json::value(nullptr);
    o["after"] = c.after ? json::value(state_json(*c.after)) : json::value(nullptr);
    o["delta"] = c.delta();
    o["responsible"] = ref_json(c.responsible.side, c.responsible.index);
    if (c.written_by) o["written_by"] = ref_json(LayerRef::Before, *c.written_by);
    if (c.removed_by) o["removed_by"] = ref_json(LayerRef::After, *c.removed_by);
    changes.push_back(std::move(o));
  }
  doc["changes"] = std::move(changes);
  doc["rollup"] = rollup_json(r.rollup);

  json::array layers;
  for (const auto& l : r.layers) {
    json::object o = label_json(l.label);
    o["status"] = layer_status_name(l.status);
    o["before_index"] = l.before_index < 0 ? json::value(nullptr) : json::value(l.before_index);
    o["after_index"] = l.after_index < 0 ? json::value(nullptr) : json::value(l.after_index);
    o["digest"] = l.info.digest;
    o["diff_id"] = l.info.diff_id;
    o["chain_id"] = l.info.chain_id;
    o["created_by"] = l.info.created_by;
    o["added"] = l.added;
    o["removed"] = l.removed;
    o["delta"] = l.delta();
    o["paths"] = l.paths;
    layers.push_back(std::move(o));
  }
  doc["layers"] = std::move(layers);

  json::object stages;
  stages["source"] = r.stages.from_dockerfile ? "dockerfile" : "layers";
  stages["common_layers"] = r.labels.common;
  json::array rows;
  for (const auto& s : r.stages.rows)
    rows.push_back({{"stage", s.stage}, {"layers", s.layers}, {"added", s.added},
                    {"removed", s.removed}, {"delta", s.delta()}});
  stages["rows"] = std::move(rows);
  json::array lefts;
  for (const auto& lo : r.stages.leftovers) {
    json::object o;
    o["name"] = lo.name;
    o["content"] = lo.content;
    o["common_base"] = lo.common_base;
    o["inherited"] = lo.inherited;
    o["copied"] = lo.copied;
    o["also_in_after"] = lo.also_in_after;
    o["left_behind"] = lo.left_behind;
    json::array ls;
    for (const auto& l : lo.layers) {
      json::object x = label_json(l.label);
      x["index"] = l.index;
      x["content"] = l.content;
      x["left_behind"] = l.left_behind;
      x["inherited"] = l.inherited;
      ls.push_back(std::move(x));
    }
    o["layers"] = std::move(ls);
    json::array dirs;
    for (const auto& s : lo.directories) dirs.push_back({{"path", s.label}, {"size", s.bytes}, {"files", s.count}});
    o["directories"] = std::move(dirs);
    json::array pkgs;
    for (const auto& p : lo.packages) pkgs.push_back({{"package", p.name}, {"size", p.bytes}, {"files", p.files}});
    o["packages"] = std::move(pkgs);
    lefts.push_back(std::move(o));
  }
  stages["leftovers"] = std::move(lefts);
  doc["stages"] = std::move(stages);
  if (pk) doc["packages"] = package_diff_json(pk->diff);
  doc["config_changes"] = config_changes_json(r.config_changes);
  doc["findings"] = findings_json(r.new_findings.findings);
  out << json::serialize(doc) << '\n';
}

// ------------------------------------------------------------------------------------- table

std::string signed_count(int64_t n) { return (n > 0 ? "+" : "") + std::to_string(n); }

/// "+1.5 MiB" padded to `w`, coloured by sign; "" (padded) for 0 when `blank_zero`.
std::string delta_cell(const Style& st, int64_t d, size_t w, bool blank_zero = false) {
  if (d == 0 && blank_zero) return std::string(w, ' ');
  return st.delta(rpad(human_delta(d), w), d);
}

void rollup_rows(const RollupRow& r, std::ostream& out, const Style& st) {
  for (const auto& c : r.children) {
    out << "  " << rpad(human_bytes(c.before), 10) << "  " << rpad(human_bytes(c.after), 10) << "  "
        << delta_cell(st, c.delta(), 11) << "  " << rpad(pct(c.before, c.after), 8) << "  "
        << std::string(2 * (c.level - 1), ' ') << c.label << "\n";
    // Nested rows only where something changed: unchanged subtrees stay one line.
    if (c.delta() != 0) rollup_rows(c, out, st);
  }
}

void rollup_table(const RollupRow& r, std::ostream& out, const Style& st) {
  rollup_rows(r, out, st);
  out << "  " << rpad(human_bytes(r.before), 10) << "  " << rpad(human_bytes(r.after), 10) << "  "
      << delta_cell(st, r.delta(), 11) << "  " << rpad(pct(r.before, r.after), 8) << "  "
      << st.bold("TOTAL") << "\n";
}

/// "builder", "runtime ← prod-deps" (a COPY --from layer), "after ← builder (by content)".
std::string stage_cell(const StageLabel& l) {
  if (l.copied_from.empty()) return l.stage;
  return l.stage + " ← " + l.copied_from + (l.source == "content" ? " (by content)" : "");
}

std::string layer_name(const DiffReport& r, const LayerRef& ref) {
  const LayerDiffRow& row = r.row_of(ref);
  return std::string(layer_status_name(row.status)) + " layer " + std::to_string(ref.index);
}

void files_table(const DiffReport& r, const char* title, const std::vector<const FileChange*>& v,
                 std::ostream& out, const Style& st) {
  if (v.empty()) return;
  out << "\n" << st.bold(title) << "\n";
  for (const auto* c : v) {
    const StageLabel& l = r.row_of(c->responsible).label;
    std::string who = "(" + layer_name(r, c->responsible) +
                      (l.stage == side_name(c->responsible.side) ? "" : ", " + stage_cell(l)) + ")";
    out << "  " << delta_cell(st, c->delta(), 11) << "  " << c->path << "  " << st.dim(st.fit(who, 17 + c->path.size(), 12))
        << "\n";
  }
}

/// One line per stage image: what it left behind, by instruction.
void left_behind_lines(const DiffReport& r, std::ostream& out, const Style& st) {
  bool first = true;
  for (const auto& lo : r.stages.leftovers) {
    std::string s = lo.name + " left " + human_bytes(lo.left_behind) + " behind";
    std::vector<const StageLayerRow*> ls;
    for (const auto& l : lo.layers)
      if (l.left_behind) ls.push_back(&l);
    std::stable_sort(ls.begin(), ls.end(), [](auto* a, auto* b) { return a->left_behind > b->left_behind; });
    for (size_t i = 0; i < ls.size() && i < 3; ++i)
      s += (i ? ", " : ": ") + human_bytes(ls[i]->left_behind) + " by " + ls[i]->label.instruction;
    if (ls.size() > 3) s += ", …";
    out << (first ? st.bold("STAGES") : std::string(6, ' ')) << "  " << st.fit(s, 8) << "\n";
    first = false;
  }
}

void layers_table(const DiffReport& r, std::ostream& out, const Style& st) {
  size_t sw = 5;
  for (const auto& l : r.layers) sw = std::max(sw, stage_cell(l.label).size());
  const size_t fixed = 2 + 6 + 2 + 3 + 3 * (2 + 10) + 2 + 6 + 2 + 2;  // before STAGE and its gap
  if (st.width) sw = std::clamp<size_t>(st.width > fixed + 5 ? st.width - fixed : 5, 5, std::min<size_t>(sw, 22));
  // A terminal too narrow for the instruction beside the numbers: it goes on a line of its own.
  const bool own_line = st.width && st.width < fixed + sw + 24;
  out << "\n" << st.bold("LAYERS") << "  " << st.dim("each change is charged to one layer; shared layers to none") << "\n";
  out << "  " << pad("IMAGE", 6) << "  " << rpad("#", 3) << "  " << rpad("ADDED", 10) << "  " << rpad("REMOVED", 10)
      << "  " << rpad("NET", 10) << "  " << rpad("PATHS", 6) << "  " << (own_line ? "STAGE" : pad("STAGE", sw) + "  INSTRUCTION")
      << "\n";
  uint64_t ta = 0, tr = 0, tp = 0;
  size_t used = fixed + sw;
  for (const auto& l : r.layers) {
    out << "  " << pad(layer_status_name(l.status), 6) << "  " << rpad(std::to_string(row_index(l)), 3) << "  "
        << delta_cell(st, static_cast<int64_t>(l.added), 10, true) << "  "
        << delta_cell(st, -static_cast<int64_t>(l.removed), 10, true) << "  "
        << (l.paths ? delta_cell(st, l.delta(), 10) : std::string(10, ' ')) << "  "
        << rpad(l.paths ? std::to_string(l.paths) : "", 6) << "  "
        << (own_line ? clip(stage_cell(l.label), sw) + "\n    " + st.fit(l.label.instruction, 4)
                     : pad(st.width ? clip(stage_cell(l.label), sw) : stage_cell(l.label), sw) + "  " +
                           st.fit(l.label.instruction, used))
        << "\n";
    ta += l.added;
    tr += l.removed;
    tp += l.paths;
  }
  out << "  " << pad("NET", 6) << "  " << rpad("", 3) << "  " << delta_cell(st, static_cast<int64_t>(ta), 10) << "  "
      << delta_cell(st, -static_cast<int64_t>(tr), 10) << "  " << delta_cell(st, sdiff(tr, ta), 10) << "  "
      << rpad(std::to_string(tp), 6) << "\n";
}

void stages_table(const DiffReport& r, std::ostream& out, const Style& st) {
  if (r.stages.rows.empty()) return;
  size_t sw = 5;
  for (const auto& s : r.stages.rows) sw = std::max(sw, s.stage.size());
  if (st.width) sw = std::min<size_t>(sw, st.width > 60 ? st.width - 50 : 10);
  out << "\n" << st.bold("STAGES") << "  " << st.dim("the sums of their layers' rows") << "\n";
  out << "  " << pad("STAGE", sw) << "  " << rpad("LAYERS", 6) << "  " << rpad("ADDED", 10) << "  "
      << rpad("REMOVED", 10) << "  " << rpad("NET", 10) << "\n";
  uint64_t ta = 0, tr = 0;
  for (const auto& s : r.stages.rows) {
    out << "  " << pad(st.width ? clip(s.stage, sw) : s.stage, sw) << "  " << rpad(std::to_string(s.layers), 6)
        << "  " << delta_cell(st, static_cast<int64_t>(s.added), 10, true) << "  "
        << delta_cell(st, -static_cast<int64_t>(s.removed), 10, true) << "  "
        << delta_cell(st, s.delta(), 10) << "\n";
    ta += s.added;
    tr += s.removed;
  }
  out << "  " << pad("NET", sw) << "  " << rpad("", 6) << "  " << delta_cell(st, static_cast<int64_t>(ta), 10)
      << "  " << delta_cell(st, -static_cast<int64_t>(tr), 10) << "  " << delta_cell(st, sdiff(tr, ta), 10)
      << "\n";
}

void leftovers_table(const DiffReport& r, std::ostream& out, const Style& st) {
  for (const auto& lo : r.stages.leftovers) {
    out << "\n" << st.bold("LEFT BEHIND IN STAGE " + lo.name) << ": " << human_bytes(lo.left_behind)
        << " of its " << human_bytes(lo.content) << " content\n";
    out << "  " << human_bytes(lo.content) << " = " << human_bytes(lo.common_base) << " common base";
    if (lo.inherited) out << " + " << human_bytes(lo.inherited) << " in other stages' layers";
    out << " + " << human_bytes(lo.copied) << " copied into AFTER + " << human_bytes(lo.also_in_after)
        << " also in AFTER + " << human_bytes(lo.left_behind) << " left behind\n";
    bool any = false;
    for (const auto& l : lo.layers) any |= l.left_behind > 0;
    if (!any) continue;
    out << "  " << st.dim("by instruction:") << "\n";
    size_t sw = 5;
    for (const auto& l : lo.layers)
      if (l.left_behind) sw = std::max(sw, l.label.stage.size());
    if (st.width) sw = std::min<size_t>(sw, 24);
    for (const auto& l : lo.layers)
      if (l.left_behind)
        out << "  " << rpad(human_bytes(l.left_behind), 10) << "  layer " << rpad(std::to_string(l.index), 2)
            << "  " << pad(st.width ? clip(l.label.stage, sw) : l.label.stage, sw) << "  "
            << st.fit(l.label.instruction, 24 + sw) << "\n";
    out << "  " << st.dim("by directory:") << "\n";
    for (const auto& d : lo.directories)
      out << "  " << rpad(human_bytes(d.bytes), 10) << "  " << d.label << "\n";
    if (!lo.packages.empty()) {
      out << "  " << st.dim("by package:") << "\n";
      for (const auto& p : lo.packages) out << "  " << rpad(human_bytes(p.bytes), 10) << "  " << p.name << "\n";
    }
  }
}

void render_table(const DiffReport& r, const PackageDiffView* pk, const Style& st, std::ostream& out) {
  auto side = [&](const char* name, const ImageSummary& s) {
    out << st.bold(name) << "  " << s.name << "  (" << s.platform << ", " << s.layout << ")  "
        << count(s.layers, "layer") << ", " << human_bytes(s.content_size) << " content, "
        << human_bytes(s.compressed_size) << " stored, " << human_bytes(s.tar_size) << " as tar\n";
  };
  side("BEFORE", r.before);
  side("AFTER ", r.after);
  int64_t d = sdiff(r.before.content_size, r.after.content_size);
  std::string p = pct(r.before.content_size, r.after.content_size);
  out << st.bold("DELTA ") << "  content " << st.delta(human_delta(d), d) << (p.empty() ? "" : " (" + p + ")")
      << ", stored " << human_delta(sdiff(r.before.compressed_size, r.after.compressed_size)) << ", as tar "
      << human_delta(sdiff(r.before.tar_size, r.after.tar_size)) << ", layers "
      << signed_count(static_cast<int64_t>(r.after.layers) - static_cast<int64_t>(r.before.layers)) << "\n";
  out << st.bold("PATHS ") << "  " << r.added_paths << " added (" << human_delta(static_cast<int64_t>(r.added_bytes))
      << "), " << r.removed_paths << " removed (" << human_delta(-static_cast<int64_t>(r.removed_bytes)) << "), "
      << r.modified_paths << " modified";
  if (r.modified_paths)
    out << " (" << human_delta(static_cast<int64_t>(r.grown_bytes)) << " grown, "
        << human_delta(-static_cast<int64_t>(r.shrunk_bytes)) << " shrunk; " << r.metadata_only
        << " with unchanged content)";
  out << "\n";
  left_behind_lines(r, out, st);
  if (r.changes.empty()) {
    out << "\nThe merged filesystems are identical."
        << (r.config_changes.empty() ? " So are the configs.\n" : " The configs differ: see CONFIG.\n");
  }
  config_changes_table(r.config_changes, st, out);

  if (pk && pk->by_package) {
    package_rollup_table(*pk, st, out);
  } else {
    out << "\n" << st.bold("SIZE BY DIRECTORY") << "\n";
    out << "  " << rpad("BEFORE", 10) << "  " << rpad("AFTER", 10) << "  " << rpad("DELTA", 11)
        << "  " << rpad("%", 8) << "  PATH\n";
    rollup_table(r.rollup, out, st);
  }
  if (pk && pk->diff.any && !pk->by_package) package_changes_table(*pk, st, out);
  layers_table(r, out, st);
  stages_table(r, out, st);
  leftovers_table(r, out, st);
  files_table(r, "BIGGEST ADDED FILES", r.top_added, out, st);
  files_table(r, "BIGGEST REMOVED FILES", r.top_removed, out, st);
  files_table(r, "MOST GROWN FILES", r.top_grown, out, st);
  files_table(r, "MOST SHRUNK FILES", r.top_shrunk, out, st);
  findings_table(r.new_findings, "NEW FINDINGS", r.top, st, out);
}

// ---------------------------------------------------------------------------------- Markdown

void md_rows(const RollupRow& r, std::ostream& out) {
  for (const auto& c : r.children) {
    out << "| " << human_bytes(c.before) << " | " << human_bytes(c.after) << " | "
        << human_delta(c.delta()) << " | " << pct(c.before, c.after) << " | ";
    for (int k = 1; k < c.level; ++k) out << "&nbsp;&nbsp;";
    out << "`" << md_cell(c.label) << "` |\n";
    if (c.delta() != 0) md_rows(c, out);
  }
}

void md_rollup(const RollupRow& r, std::ostream& out) {
  md_rows(r, out);
  out << "| **" << human_bytes(r.before) << "** | **" << human_bytes(r.after) << "** | **"
      << human_delta(r.delta()) << "** | " << pct(r.before, r.after) << " | **TOTAL** |\n";
}

std::string md_delta(int64_t d, bool blank_zero = true) { return d == 0 && blank_zero ? "" : human_delta(d); }

void render_markdown(const DiffReport& r, const PackageDiffView* pk, std::ostream& out) {
  int64_t d = sdiff(r.before.content_size, r.after.content_size);
  out << "### layerdiff: `" << md_cell(r.before.name) << "` → `" << md_cell(r.after.name)
      << "`: " << human_delta(d) << " " << pct(r.before.content_size, r.after.content_size) << "\n\n";
  out << "| | Before | After | Delta |\n|---|---:|---:|---:|\n";
  out << "| Content | " << human_bytes(r.before.content_size) << " | " << human_bytes(r.after.content_size)
      << " | " << human_delta(d) << " |\n";
  out << "| Stored (compressed) | " << human_bytes(r.before.compressed_size) << " | "
      << human_bytes(r.after.compressed_size) << " | "
      << human_delta(sdiff(r.before.compressed_size, r.after.compressed_size)) << " |\n";
  out << "| Layers | " << r.before.layers << " | " << r.after.layers << " | "
      << signed_count(static_cast<int64_t>(r.after.layers) - static_cast<int64_t>(r.before.layers)) << " |\n";
  out << "| Files | " << r.before.files << " | " << r.after.files << " | "
      << signed_count(sdiff(r.before.files, r.after.files)) << " |\n\n";
  out << r.added_paths << " paths added (" << human_delta(static_cast<int64_t>(r.added_bytes)) << "), "
      << r.removed_paths << " removed (" << human_delta(-static_cast<int64_t>(r.removed_bytes)) << "), "
      << r.modified_paths << " modified";
  if (r.modified_paths)
    out << " (" << human_delta(static_cast<int64_t>(r.grown_bytes)) << " grown, "
        << human_delta(-static_cast<int64_t>(r.shrunk_bytes)) << " shrunk; " << r.metadata_only
        << " with unchanged content)";
  out << ".\n\n";
  for (const auto& lo : r.stages.leftovers)
    out << "Stage `" << md_cell(lo.name) << "` left **" << human_bytes(lo.left_behind) << "** behind of its "
        << human_bytes(lo.content) << ".\n\n";
  config_changes_markdown(r.config_changes, out);
  if (pk && pk->by_package) {
    package_rollup_markdown(*pk, out);
  } else {
    out << "#### Size by directory\n\n| Before | After | Delta | % | Path |\n|---:|---:|---:|---:|---|\n";
    md_rollup(r.rollup, out);
  }
  if (pk && pk->diff.any && !pk->by_package) package_changes_markdown(*pk, out);
  out << "\n#### Layers\n\nEach change is charged to one layer; shared layers to none.\n\n"
         "| Image | # | Added | Removed | Net | Paths | Stage | Instruction |\n"
         "|---|---:|---:|---:|---:|---:|---|---|\n";
  uint64_t ta = 0, tr = 0, tp = 0;
  for (const auto& l : r.layers) {
    out << "| " << layer_status_name(l.status) << " | " << row_index(l) << " | "
        << md_delta(static_cast<int64_t>(l.added)) << " | " << md_delta(-static_cast<int64_t>(l.removed))
        << " | " << (l.paths ? human_delta(l.delta()) : "") << " | " << (l.paths ? std::to_string(l.paths) : "")
        << " | " << md_cell(stage_cell(l.label)) << " | `" << md_cell(l.label.instruction) << "` |\n";
    ta += l.added;
    tr += l.removed;
    tp += l.paths;
  }
  out << "| **NET** | | **" << human_delta(static_cast<int64_t>(ta)) << "** | **"
      << human_delta(-static_cast<int64_t>(tr)) << "** | **" << human_delta(sdiff(tr, ta)) << "** | " << tp
      << " | | |\n";
  if (!r.stages.rows.empty()) {
    out << "\n#### Stages\n\n| Stage | Layers | Added | Removed | Net |\n|---|---:|---:|---:|---:|\n";
    for (const auto& s : r.stages.rows)
      out << "| " << md_cell(s.stage) << " | " << s.layers << " | " << md_delta(static_cast<int64_t>(s.added))
          << " | " << md_delta(-static_cast<int64_t>(s.removed)) << " | " << human_delta(s.delta()) << " |\n";
  }
  for (const auto& lo : r.stages.leftovers) {
    out << "\n#### Left behind in stage `" << md_cell(lo.name) << "`: " << human_bytes(lo.left_behind)
        << " of " << human_bytes(lo.content) << "\n\n"
        << "| Common base | Other stages' layers | Copied into AFTER | Also in AFTER | Left behind |\n"
           "|---:|---:|---:|---:|---:|\n| "
        << human_bytes(lo.common_base) << " | " << human_bytes(lo.inherited) << " | " << human_bytes(lo.copied) << " | "
        << human_bytes(lo.also_in_after) << " | " << human_bytes(lo.left_behind) << " |\n";
    bool any = false;
    for (const auto& l : lo.layers) any |= l.left_behind > 0;
    if (!any) continue;
    out << "\n| Left behind | Layer | Stage | Instruction |\n|---:|---:|---|---|\n";
    for (const auto& l : lo.layers)
      if (l.left_behind)
        out << "| " << human_bytes(l.left_behind) << " | " << l.index << " | " << md_cell(l.label.stage)
            << " | `" << md_cell(l.label.instruction) << "` |\n";
    out << "\n| Left behind | Directory |\n|---:|---|\n";
    for (const auto& dr : lo.directories)
      out << "| " << human_bytes(dr.bytes) << " | `" << md_cell(dr.label) << "` |\n";
    if (!lo.packages.empty()) {
      out << "\n| Left behind | Package |\n|---:|---|\n";
      for (const auto& p : lo.packages) out << "| " << human_bytes(p.bytes) << " | " << md_cell(p.name) << " |\n";
    }
  }
  auto files = [&](const char* title, const std::vector<const FileChange*>& v) {
    if (v.empty()) return;
    out << "\n<details><summary>" << title << "</summary>\n\n| Delta | Path | Charged to |\n|---:|---|---|\n";
    for (const auto* c : v)
      out << "| " << human_delta(c->delta()) << " | `" << md_cell(c->path) << "` | "
          << md_cell(layer_name(r, c->responsible)) << " |\n";
    out << "\n</details>\n";
  };
  files("Biggest added files", r.top_added);
  files("Biggest removed files", r.top_removed);
  files("Most grown files", r.top_grown);
  files("Most shrunk files", r.top_shrunk);
  findings_markdown(r.new_findings, "New findings", r.top, out);
}

}  // namespace

void render_diff(const DiffReport& r, Format f, const Style& st, std::ostream& out,
                 const PackageDiffView* packages) {
  switch (f) {
    case Format::Json: render_json(r, packages, out); break;
    case Format::Markdown: render_markdown(r, packages, out); break;
    case Format::Table: render_table(r, packages, st, out); break;
    case Format::Html: render_html_diff(r, packages, out); break;
  }
}

}  // namespace layerdiff
