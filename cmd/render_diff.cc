// render_diff.cc: `layerdiff diff` as a terminal table, JSON (schema_version 1) or Markdown.
#include <boost/json.hpp>

#include "cmd/render.h"
#include "cmd/render_packages.h"
#include "cmd/text.h"

namespace layerdiff {
namespace json = boost::json;
namespace {

const char* status_name(LayerDiffRow::Status s) {
  switch (s) {
    case LayerDiffRow::Shared: return "shared";
    case LayerDiffRow::BeforeOnly: return "before";
    case LayerDiffRow::AfterOnly: return "after";
  }
  return "?";
}

std::string idx(int i) { return i < 0 ? "-" : std::to_string(i); }

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

json::object summary_json(const ImageSummary& s) {
  json::object o;
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
  ch["added_bytes"] = r.added_bytes;
  ch["removed_bytes"] = r.removed_bytes;
  summary["changes"] = std::move(ch);
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
    json::object layer;
    if (c.after) {
      layer["image"] = "after";
      layer["index"] = c.after->layer;
    } else {
      layer["image"] = "before";
      layer["index"] = c.before->layer;
    }
    o["layer"] = std::move(layer);
    o["delta"] = c.delta();
    changes.push_back(std::move(o));
  }
  doc["changes"] = std::move(changes);
  doc["rollup"] = rollup_json(r.rollup);

  json::array layers;
  for (const auto& l : r.layers) {
    json::object o;
    o["status"] = status_name(l.status);
    o["before_index"] = l.before_index < 0 ? json::value(nullptr) : json::value(l.before_index);
    o["after_index"] = l.after_index < 0 ? json::value(nullptr) : json::value(l.after_index);
    o["digest"] = l.info.digest;
    o["diff_id"] = l.info.diff_id;
    o["created_by"] = l.info.created_by;
    o["stage"] = l.label.stage;
    o["instruction"] = l.label.instruction;
    o["added"] = l.added;
    o["removed"] = l.removed;
    layers.push_back(std::move(o));
  }
  doc["layers"] = std::move(layers);

  json::object stages;
  stages["source"] = r.stages.from_dockerfile ? "dockerfile" : "layers";
  json::array rows;
  for (const auto& s : r.stages.rows) {
    json::object o;
    o["stage"] = s.stage;
    o["before"] = s.before;
    o["after"] = s.after;
    o["delta"] = sdiff(s.before, s.after);
    rows.push_back(std::move(o));
  }
  stages["rows"] = std::move(rows);
  json::array lefts;
  for (const auto& lo : r.stages.leftovers) {
    json::object o;
    o["name"] = lo.name;
    o["content"] = lo.content;
    o["absent"] = lo.absent;
    o["carried"] = lo.carried;
    json::array dirs;
    for (const auto& s : lo.absent_dirs) dirs.push_back({{"path", s.label}, {"size", s.bytes}, {"files", s.count}});
    o["absent_directories"] = std::move(dirs);
    json::array ls;
    for (const auto& l : lo.layers)
      ls.push_back({{"index", l.index}, {"instruction", l.instruction}, {"content", l.content},
                    {"absent", l.absent}});
    o["layers"] = std::move(ls);
    lefts.push_back(std::move(o));
  }
  stages["leftovers"] = std::move(lefts);
  doc["stages"] = std::move(stages);
  if (pk) doc["packages"] = package_diff_json(pk->diff);
  out << json::serialize(doc) << '\n';
}

void rollup_rows(const RollupRow& r, std::ostream& out) {
  for (const auto& c : r.children) {
    out << "  " << rpad(human_bytes(c.before), 10) << "  " << rpad(human_bytes(c.after), 10) << "  "
        << rpad(human_delta(c.delta()), 11) << "  " << rpad(pct(c.before, c.after), 8) << "  "
        << std::string(2 * (c.level - 1), ' ') << c.label << "\n";
    // Nested rows only where something changed: unchanged subtrees stay one line.
    if (c.delta() != 0) rollup_rows(c, out);
  }
}

void rollup_table(const RollupRow& r, std::ostream& out, const Style& st) {
  rollup_rows(r, out);
  out << "  " << rpad(human_bytes(r.before), 10) << "  " << rpad(human_bytes(r.after), 10) << "  "
      << rpad(human_delta(r.delta()), 11) << "  " << rpad(pct(r.before, r.after), 8) << "  "
      << st.bold("TOTAL") << "\n";
}

void files_table(const char* title, const std::vector<const FileChange*>& v, std::ostream& out,
                 const Style& st) {
  if (v.empty()) return;
  out << "\n" << st.bold(title) << "\n";
  for (const auto* c : v) {
    uint32_t layer = c->after ? c->after->layer : c->before->layer;
    out << "  " << rpad(human_delta(c->delta()), 11) << "  " << c->path << "  "
        << st.dim(std::string("(") + (c->after ? "after" : "before") + " layer " +
                  std::to_string(layer) + ")")
        << "\n";
  }
}

void render_table(const DiffReport& r, const PackageDiffView* pk, const Style& st, std::ostream& out) {
  auto side = [&](const char* name, const ImageSummary& s) {
    out << st.bold(name) << "  " << s.reference << "  (" << s.platform << ", " << s.layout << ")  "
        << s.layers << " layers, " << human_bytes(s.content_size) << " content, "
        << human_bytes(s.compressed_size) << " stored, " << human_bytes(s.tar_size) << " as tar\n";
  };
  side("BEFORE", r.before);
  side("AFTER ", r.after);
  out << st.bold("DELTA ") << "  content " << human_delta(sdiff(r.before.content_size, r.after.content_size))
      << " " << pct(r.before.content_size, r.after.content_size) << ", stored "
      << human_delta(sdiff(r.before.compressed_size, r.after.compressed_size)) << ", tar "
      << human_delta(sdiff(r.before.tar_size, r.after.tar_size)) << ", layers "
      << (static_cast<int64_t>(r.after.layers) - static_cast<int64_t>(r.before.layers)) << "\n";
  out << st.bold("PATHS ") << "  " << r.added_paths << " added (" << human_bytes(r.added_bytes)
      << " incl. new content of modified), " << r.removed_paths << " removed ("
      << human_bytes(r.removed_bytes) << " incl. old content of modified), " << r.modified_paths
      << " modified\n";
  if (r.changes.empty()) {
    out << "\nThe merged filesystems are identical.\n";
  }

  if (pk && pk->by_package) {
    package_rollup_table(*pk, st, out);
  } else {
    out << "\n" << st.bold("SIZE BY DIRECTORY") << "\n";
    out << "  " << rpad("BEFORE", 10) << "  " << rpad("AFTER", 10) << "  " << rpad("DELTA", 11)
        << "  " << rpad("%", 8) << "  PATH\n";
    rollup_table(r.rollup, out, st);
  }
  if (pk && pk->diff.any) package_changes_table(*pk, st, out);

  out << "\n" << st.bold("LAYERS AND INSTRUCTIONS") << "\n";
  out << "  " << pad("STATUS", 6) << "  " << rpad("BEF", 3) << "  " << rpad("AFT", 3) << "  "
      << pad("DIGEST", 12) << "  " << rpad("ADDED", 10) << "  " << rpad("REMOVED", 10) << "  "
      << pad("STAGE", 22) << "  INSTRUCTION\n";
  uint64_t ta = 0, tr = 0;
  for (const auto& l : r.layers) {
    out << "  " << pad(status_name(l.status), 6) << "  " << rpad(idx(l.before_index), 3) << "  "
        << rpad(idx(l.after_index), 3) << "  " << short_digest(l.info.digest) << "  "
        << rpad(l.added ? "+" + human_bytes(l.added) : "", 10) << "  "
        << rpad(l.removed ? "-" + human_bytes(l.removed) : "", 10) << "  "
        << pad(clip(l.label.stage, 22), 22) << "  " << clip(l.label.instruction, 60) << "\n";
    ta += l.added;
    tr += l.removed;
  }
  out << "  " << pad("", 6) << "  " << rpad("", 3) << "  " << rpad("", 3) << "  " << pad("NET", 12)
      << "  " << rpad("+" + human_bytes(ta), 10) << "  " << rpad("-" + human_bytes(tr), 10) << "  "
      << human_delta(sdiff(tr, ta)) << "\n";

  if (!r.stages.rows.empty()) {
    out << "\n" << st.bold("STAGES") << "\n";
    out << "  " << pad("STAGE", 24) << "  " << rpad("BEFORE", 10) << "  " << rpad("AFTER", 10) << "  "
        << rpad("DELTA", 11) << "\n";
    for (const auto& s : r.stages.rows)
      out << "  " << pad(clip(s.stage, 24), 24) << "  " << rpad(human_bytes(s.before), 10) << "  "
          << rpad(human_bytes(s.after), 10) << "  " << rpad(human_delta(sdiff(s.before, s.after)), 11)
          << "\n";
  }
  for (const auto& lo : r.stages.leftovers) {
    out << "\n" << st.bold("LEFT BEHIND IN STAGE " + lo.name) << ": " << human_bytes(lo.absent) << " of "
        << human_bytes(lo.content) << " (" << human_bytes(lo.carried) << " reached AFTER)\n";
    for (const auto& l : lo.layers)
      if (l.absent)
        out << "  " << rpad(human_bytes(l.absent), 10) << "  layer " << l.index << "  "
            << clip(l.instruction, 70) << "\n";
    out << "  " << st.dim("by directory:") << "\n";
    for (const auto& d : lo.absent_dirs)
      out << "  " << rpad(human_bytes(d.bytes), 10) << "  " << d.label << "\n";
  }

  files_table("BIGGEST ADDED FILES", r.top_added, out, st);
  files_table("BIGGEST REMOVED FILES", r.top_removed, out, st);
  files_table("MOST GROWN FILES", r.top_grown, out, st);
  files_table("MOST SHRUNK FILES", r.top_shrunk, out, st);
}

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

void render_markdown(const DiffReport& r, const PackageDiffView* pk, std::ostream& out) {
  int64_t d = sdiff(r.before.content_size, r.after.content_size);
  out << "### layerdiff: `" << md_cell(r.before.reference) << "` → `" << md_cell(r.after.reference)
      << "`: " << human_delta(d) << " " << pct(r.before.content_size, r.after.content_size) << "\n\n";
  out << "| | Before | After | Delta |\n|---|---:|---:|---:|\n";
  out << "| Content | " << human_bytes(r.before.content_size) << " | " << human_bytes(r.after.content_size)
      << " | " << human_delta(d) << " |\n";
  out << "| Stored (compressed) | " << human_bytes(r.before.compressed_size) << " | "
      << human_bytes(r.after.compressed_size) << " | "
      << human_delta(sdiff(r.before.compressed_size, r.after.compressed_size)) << " |\n";
  out << "| Layers | " << r.before.layers << " | " << r.after.layers << " | "
      << (static_cast<int64_t>(r.after.layers) - static_cast<int64_t>(r.before.layers)) << " |\n";
  out << "| Files | " << r.before.files << " | " << r.after.files << " | "
      << sdiff(r.before.files, r.after.files) << " |\n\n";
  out << r.added_paths << " paths added, " << r.removed_paths << " removed, " << r.modified_paths
      << " modified.\n\n";
  if (pk && pk->by_package) {
    package_rollup_markdown(*pk, out);
  } else {
    out << "#### Size by directory\n\n| Before | After | Delta | % | Path |\n|---:|---:|---:|---:|---|\n";
    md_rollup(r.rollup, out);
  }
  if (pk && pk->diff.any) package_changes_markdown(*pk, out);
  out << "\n#### Layers and instructions\n\n| Status | Added | Removed | Stage | Instruction |\n"
         "|---|---:|---:|---|---|\n";
  for (const auto& l : r.layers) {
    if (!l.added && !l.removed && l.status == LayerDiffRow::Shared) continue;
    out << "| " << status_name(l.status) << " | " << (l.added ? "+" + human_bytes(l.added) : "")
        << " | " << (l.removed ? "-" + human_bytes(l.removed) : "") << " | " << md_cell(l.label.stage)
        << " | `" << md_cell(clip(l.label.instruction, 100)) << "` |\n";
  }
  if (!r.stages.rows.empty()) {
    out << "\n#### Stages\n\n| Stage | Before | After | Delta |\n|---|---:|---:|---:|\n";
    for (const auto& s : r.stages.rows)
      out << "| " << md_cell(s.stage) << " | " << human_bytes(s.before) << " | " << human_bytes(s.after)
          << " | " << human_delta(sdiff(s.before, s.after)) << " |\n";
  }
  for (const auto& lo : r.stages.leftovers) {
    out << "\n#### Left behind in stage `" << md_cell(lo.name) << "`: " << human_bytes(lo.absent)
        << " of " << human_bytes(lo.content) << "\n\n| Bytes | Instruction |\n|---:|---|\n";
    for (const auto& l : lo.layers)
      if (l.absent) out << "| " << human_bytes(l.absent) << " | `" << md_cell(clip(l.instruction, 100)) << "` |\n";
  }
  auto files = [&](const char* title, const std::vector<const FileChange*>& v) {
    if (v.empty()) return;
    out << "\n<details><summary>" << title << "</summary>\n\n| Delta | Path |\n|---:|---|\n";
    for (const auto* c : v) out << "| " << human_delta(c->delta()) << " | `" << md_cell(c->path) << "` |\n";
    out << "\n</details>\n";
  };
  files("Biggest added files", r.top_added);
  files("Biggest removed files", r.top_removed);
  files("Most grown files", r.top_grown);
  files("Most shrunk files", r.top_shrunk);
}

}  // namespace

void render_diff(const DiffReport& r, Format f, const Style& st, std::ostream& out,
                 const PackageDiffView* packages) {
  switch (f) {
    case Format::Json: render_json(r, packages, out); break;
    case Format::Markdown: render_markdown(r, packages, out); break;
    case Format::Table: render_table(r, packages, st, out); break;
  }
}

}  // namespace layerdiff
