// render_html_check.cc: `layerdiff check --format html`: the verdict, each rule with its value,
// limit and PASS/FAIL/SKIP, and for a failed rule the paths and layers to blame. The same words
// as render_check.cc; each value points at its place in the JSON (html.h).
#include "cmd/html.h"
#include "cmd/render.h"
#include "cmd/text.h"

namespace layerdiff {
namespace {
using namespace html;

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

Cell badge(RuleResult::Status s, std::string k) {
  std::string n = check_status_name(s);
  return {"<span class=\"badge " + n + "\">" + upper(n) + "</span>", std::move(k), n, "", ""};
}

/// A rule's value as its text, data-v the JSON's "value" (absent for a skipped rule).
Cell value_cell(const RuleResult& r, size_t i) {
  Cell c{esc(check_value_text(r)), "", std::nullopt, "", "num"};
  if (r.status != RuleResult::Skip) {
    c.k = ptr("rules", i, "value");
    c.v = r.unit == RuleResult::Text ? r.text : std::to_string(r.value);  // as the JSON has it
  }
  return c;
}

std::string label_text(const StageLabel& l) {
  return l.stage.empty() || l.stage == "after" ? l.instruction : l.stage + ": " + l.instruction;
}

void failed_rule(const RuleResult& r, size_t i, std::ostream& out) {
  out << "<h3 id=\"rule-" << i << "\"><span data-k=\"" << esc(ptr("rules", i, "message")) << "\">"
      << esc(check_message(r)) << "</span></h3>\n";
  if (!r.offenders.empty()) {
    bool removals = false, notes = false;  // waste: the layer that removed each lost copy
    for (const Offender& o : r.offenders) {
      removals |= o.removed_by >= 0;
      notes |= !o.note.empty();
    }
    std::vector<Column> cols = {{r.unit == RuleResult::Delta ? "Growth" : "Size", true}, {"Path"}, {"Layer", true},
                                {"Stage"}, {"Instruction"}};
    if (removals) cols.push_back({"Removed by"});
    if (notes) cols.push_back({"Note"});
    Table t("offenders-" + std::to_string(i), cols);
    for (size_t j = 0; j < r.offenders.size(); ++j) {
      const Offender& o = r.offenders[j];
      auto k = [&](const char* f) { return ptr("rules", i, "offenders", j, f); };
      Cell size{esc(check_offender_size(r, o)), k("bytes"), std::to_string(o.bytes), "", "num"};
      Cell layer = o.layer < 0 ? Cell{"", k("layer"), std::string("-1"), "", "num"} : num(o.layer, k("layer"));
      std::string removed;
      if (o.removed_by >= 0)
        removed = "layer " + std::to_string(o.removed_by) + (o.deleted ? " (deleted): " : " (overwritten): ") +
                  label_text(o.removed_label);
      std::vector<Cell> row = {size, code(o.path, k("path")), layer, text(o.label.stage, k("stage")),
                               code(o.label.instruction, k("instruction"))};
      if (removals) row.push_back(text(removed));
      if (notes) row.push_back(text(o.note, o.note.empty() ? "" : k("note")));
      t.row(row, false, o.path);
    }
    if (r.more_offenders) {
      std::vector<Cell> row = {blank(), {"… and " + esc(count(r.more_offenders, "more path")),
                                         ptr("rules", i, "more_offenders"), std::to_string(r.more_offenders), "", ""},
                               blank(), blank(), blank()};
      if (removals) row.push_back(blank());
      if (notes) row.push_back(blank());
      t.row(row, true, "[more]");
    }
    t.write(out);
  }
  if (!r.layers.empty()) {
    Table t("blamed-layers-" + std::to_string(i),
            {{"Layer", true}, {"Digest"}, {r.unit == RuleResult::Delta ? "Growth" : "Bytes", true}, {"Paths", true},
             {"Stage"}, {"Instruction"}});
    for (size_t j = 0; j < r.layers.size(); ++j) {
      const LayerBlame& l = r.layers[j];
      auto k = [&](const char* f) { return ptr("rules", i, "layers", j, f); };
      Cell dg = digest(l.digest, k("digest"));
      Cell b = r.unit == RuleResult::Delta ? delta(static_cast<int64_t>(l.bytes), k("bytes")) : bytes(l.bytes, k("bytes"));
      t.row({num(static_cast<uint64_t>(l.layer), k("layer")), dg, b, num(l.paths, k("paths")),
             text(l.label.stage, k("stage")), code(l.label.instruction, k("instruction"))},
            false, "layer " + std::to_string(l.layer));
    }
    t.write(out);
  }
}

}  // namespace

void render_html_check(const GateReport& g, std::ostream& out) {
  std::vector<std::pair<std::string, std::string>> nav = {{"rules", "Rules"}};
  for (size_t i = 0; i < g.results.size(); ++i)
    if (g.results[i].status == RuleResult::Fail) nav.push_back({"rule-" + std::to_string(i), g.results[i].name});
  begin(out, "check", "layerdiff check: " + (g.image_reference.empty() ? g.image : g.image_reference), nav);
  std::vector<Term> terms = {{"Image", {code(g.image, "/image/source"), text(" "), code(g.image_reference, "/image/reference")}}};
  if (g.baseline.empty())
    terms.push_back({"Baseline", {text("none: the rules relative to a baseline are skipped")}});
  else
    terms.push_back(
        {"Baseline", {code(g.baseline, "/baseline/source"), text(" "), code(g.baseline_reference, "/baseline/reference")}});
  terms.push_back({"Rules",
                   {noun(g.count(RuleResult::Fail), "failed", "failed", "/failed"), text(", "),
                    noun(g.count(RuleResult::Skip), "skipped", "skipped", "/skipped"), text(" of "),
                    noun(g.results.size(), "rule", "rules")}});
  summary(out, terms);
  out << "<p class=\"verdict " << (g.passed() ? "pass" : "fail") << "\" data-k=\"/passed\" data-v=\""
      << (g.passed() ? "true" : "false") << "\">" << esc(check_verdict(g)) << "</p>\n";

  section(out, "rules", "Rules", "A rule passes at its limit. Relative rules need --baseline.");
  Table t("rules-table", {{"Rule"}, {"Value", true}, {"Limit"}, {"Result"}, {"Why"}});
  for (size_t i = 0; i < g.results.size(); ++i) {
    const RuleResult& r = g.results[i];
    std::string why = r.status == RuleResult::Skip ? r.skip_reason : "";
    Cell why_cell = r.status == RuleResult::Skip ? text(why, ptr("rules", i, "skip_reason")) : text("");
    if (r.status == RuleResult::Fail)
      why_cell = {"<a href=\"#rule-" + std::to_string(i) + "\">what to blame</a>", "", std::nullopt, "", ""};
    Cell limit = text(check_limit_text(r), ptr("rules", i, "limit", "text"));
    limit.v = r.rule == "forbid" ? "no path" : r.limit.text;  // the JSON's text, without "<= "
    t.row({code(r.name, ptr("rules", i, "name")), value_cell(r, i), limit,
           badge(r.status, ptr("rules", i, "status")), why_cell},
          false, r.name);
  }
  t.write(out);
  end_section(out);
  if (!g.passed()) {
    section(out, "failures", "What to blame",
            "Per failed rule: the paths, largest first, and the layers holding them with their instruction.");
    for (size_t i = 0; i < g.results.size(); ++i)
      if (g.results[i].status == RuleResult::Fail) failed_rule(g.results[i], i, out);
    end_section(out);
  }
  end(out, boost::json::value(nullptr));
}

}  // namespace layerdiff
