// render_check.cc: `layerdiff check` results as a terminal table, JSON (schema_version 1),
// Markdown (also the GitHub step summary), JUnit XML, and GitHub Actions `::error::` commands.
// Every format says the same per rule: value, limit, PASS/FAIL/SKIP, and for a failed rule the
// paths and layers (with their Dockerfile instruction) responsible.
#include <boost/json.hpp>

#include "cmd/render.h"
#include "cmd/text.h"

namespace layerdiff {
namespace json = boost::json;
namespace {

const char* status_name(RuleResult::Status s) {
  switch (s) {
    case RuleResult::Pass: return "pass";
    case RuleResult::Fail: return "fail";
    case RuleResult::Skip: return "skip";
  }
  return "?";
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string signed_percent(double f) {
  if (f > 1e299) return "new";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", f * 100.0);
  return buf;
}

std::string value_text(const RuleResult& r) {
  if (r.status == RuleResult::Skip) return "-";
  std::string v;
  switch (r.unit) {
    case RuleResult::Bytes: v = human_bytes(static_cast<uint64_t>(r.value)); break;
    case RuleResult::Delta: v = human_delta(r.value); break;
    case RuleResult::Count:
      if (r.rule == "forbid") return count(static_cast<uint64_t>(r.value), "path");
      if (r.rule == "forbid-config-change") return count(static_cast<uint64_t>(r.value), "change");
      if (r.rule == "forbid-finding") return count(static_cast<uint64_t>(r.value), "finding");
      return std::to_string(r.value);
    case RuleResult::Ratio: return percent(r.ratio.value_or(0));
    case RuleResult::Text: return r.text;
  }
  if (r.ratio) v += " (" + (r.unit == RuleResult::Delta ? signed_percent(*r.ratio) : percent(*r.ratio)) + ")";
  return v;
}

/// Rules whose limit is only words ("not root", "no change", "no finding").
bool text_limit(const RuleResult& r) {
  return r.rule == "forbid-root-user" || r.rule == "forbid-config-change" || r.rule == "forbid-finding";
}

std::string limit_text(const RuleResult& r) {
  if (r.rule == "forbid") return "no path";
  if (text_limit(r)) return r.limit.text;
  return std::string(r.at_least ? ">= " : "<= ") + r.limit.text;
}

/// One line saying why a rule failed (or was skipped, or passed).
std::string message(const RuleResult& r) {
  switch (r.status) {
    case RuleResult::Skip: return r.name + ": skipped: " + r.skip_reason;
    case RuleResult::Pass: return r.name + ": " + value_text(r) + ", limit " + limit_text(r);
    case RuleResult::Fail: break;
  }
  if (r.rule == "forbid") return r.name + ": " + value_text(r) + " match (none allowed)";
  if (r.rule == "forbid-root-user") return r.name + ": runs as " + value_text(r);
  if (text_limit(r)) return r.name + ": " + value_text(r) + " (none allowed)";
  return r.name + ": " + value_text(r) + (r.at_least ? " is under the limit " : " is over the limit ") +
         r.limit.text;
}

/// "stage: instruction", or the instruction alone for AFTER's own layers without a Dockerfile.
/// `width` 0: never cut (JUnit, a table not on a terminal).
std::string label_text(const StageLabel& l, size_t width) {
  std::string s = l.stage.empty() || l.stage == "after" ? l.instruction : l.stage + ": " + l.instruction;
  return width ? clip(s, width) : s;
}

const char* type_name(char t) {
  switch (t) {
    case 'd': return "dir";
    case 'l': return "symlink";
    case 'h': return "hardlink";
    case 'c': case 'b': return "device";
    case 'p': return "fifo";
    case 's': return "socket";
  }
  return "file";
}

std::string offender_size(const RuleResult& r, const Offender& o) {
  if (!o.size_text.empty()) return o.size_text;
  if (r.unit == RuleResult::Delta) return human_delta(o.bytes);
  if (o.type != 'f') return type_name(o.type);
  return human_bytes(static_cast<uint64_t>(o.bytes));
}

/// What a failed rule blames, one line each: the paths (largest first; a lost copy with the
/// layer that removed it and its instruction), "… and N more paths", then the layers with the
/// bytes and paths of the rule they hold and their stage and instruction.
std::vector<std::string> details(const RuleResult& r, size_t width) {
  std::vector<std::string> out;
  for (const Offender& o : r.offenders) {
    std::string s = rpad(offender_size(r, o), 10) + "  " + o.path;
    if (o.removed_by >= 0)
      s += "  layer " + std::to_string(o.layer) + " -> " + std::to_string(o.removed_by) + " (" +
           (o.deleted ? "deleted by " : "overwritten by ") + label_text(o.removed_label, width) + ")";
    else if (o.layer >= 0)
      s += "  layer " + std::to_string(o.layer);
    if (!o.note.empty()) s += "  " + (o.size_text.empty() ? "(" + o.note + ")" : o.note);
    out.push_back(s);
  }
  if (r.more_offenders) out.push_back(rpad("", 10) + "  … and " + count(r.more_offenders, "more path"));
  bool entries = r.rule == "max-layers";
  for (const LayerBlame& l : r.layers) {
    std::string s = rpad(r.unit == RuleResult::Delta ? human_delta(static_cast<int64_t>(l.bytes))
                                                      : human_bytes(l.bytes),
                         10) +
                    "  in layer " + std::to_string(l.layer);
    if (l.paths) s += " (" + count(l.paths, entries ? "entry" : "path", entries ? "entries" : "paths") + ")";
    out.push_back(s + ": " + label_text(l.label, width));
  }
  return out;
}

std::string verdict(const GateReport& g) {
  size_t fail = g.count(RuleResult::Fail), skip = g.count(RuleResult::Skip), n = g.results.size();
  std::string s = fail ? "FAILED: " + std::to_string(fail) + " of " + count(n, "rule") + " failed"
                       : "PASSED: " + count(n - skip, "rule") + " passed";
  if (skip) s += ", " + std::to_string(skip) + " skipped";
  return s;
}

std::string image_line(const std::string& source, const std::string& ref) {
  return ref.empty() || ref == source ? source : source + " (" + ref + ")";
}

void render_table(const GateReport& g, const Style& st, std::ostream& out) {
  out << st.bold("CHECK") << "     " << image_line(g.image, g.image_reference) << "\n";
  if (!g.baseline.empty())
    out << st.bold("BASELINE") << "  " << image_line(g.baseline, g.baseline_reference) << "\n";
  // The RULE column fits the longest name ("forbid-config-change Healthcheck"), 30 to 48 wide.
  size_t w = 30;
  for (const RuleResult& r : g.results) w = std::max(w, std::min<size_t>(r.name.size(), 48));
  out << "\n"
      << st.bold("  " + pad("RULE", w) + "  " + rpad("VALUE", 20) + "  " + pad("LIMIT", 16) + "  RESULT")
      << "\n";
  for (const RuleResult& r : g.results) {
    std::string res = upper(status_name(r.status));
    if (r.status == RuleResult::Skip) res += " (" + r.skip_reason + ")";
    if (r.status == RuleResult::Fail) res = st.bold(res);
    out << "  " << pad(st.width ? clip(r.name, w) : r.name, w) << "  " << rpad(value_text(r), 20) << "  "
        << pad(limit_text(r), 16) << "  " << res << "\n";
    if (r.status == RuleResult::Fail)
      for (const auto& line : details(r, st.width ? 60 : 0)) out << "      " << line << "\n";
  }
  out << "\n" << st.bold(verdict(g)) << "\n";
}

json::object label_json(const StageLabel& l) { return {{"stage", l.stage}, {"instruction", l.instruction}}; }

void render_json(const GateReport& g, std::ostream& out) {
  json::object doc;
  doc["schema_version"] = kSchemaVersion;
  doc["command"] = "check";
  doc["image"] = {{"source", g.image}, {"reference", g.image_reference}};
  if (g.baseline.empty()) doc["baseline"] = nullptr;
  else doc["baseline"] = {{"source", g.baseline}, {"reference", g.baseline_reference}};
  doc["passed"] = g.passed();
  doc["failed"] = g.count(RuleResult::Fail);
  doc["skipped"] = g.count(RuleResult::Skip);
  json::array rules;
  for (const RuleResult& r : g.results) {
    json::object o;
    o["name"] = r.name;
    o["rule"] = r.rule;
    o["status"] = status_name(r.status);
    o["message"] = message(r);
    static const char* units[] = {"bytes", "delta", "count", "ratio", "text"};
    o["unit"] = units[r.unit];
    if (r.status != RuleResult::Skip) {
      o["value"] = r.unit == RuleResult::Text ? json::value(r.text) : json::value(r.value);
      if (r.ratio) o["ratio"] = *r.ratio > 1e299 ? json::value(nullptr) : json::value(*r.ratio);
    }
    json::object lim;
    lim["text"] = r.rule == "forbid" ? "no path" : r.limit.text;
    if (r.unit != RuleResult::Text) {  // forbid-root-user's limit is words only
      lim["comparison"] = r.at_least ? ">=" : "<=";
      if (r.limit.kind == Threshold::Fraction) lim["fraction"] = r.limit.fraction();
      else lim[r.unit == RuleResult::Count ? "count" : "bytes"] = r.limit.bytes;
    }
    o["limit"] = std::move(lim);
    if (r.status == RuleResult::Skip) o["skip_reason"] = r.skip_reason;
    json::array offenders;
    for (const Offender& of : r.offenders) {
      json::object x;
      x["path"] = of.path;
      x["type"] = std::string(1, of.type);
      x["bytes"] = of.bytes;
      x["layer"] = of.layer;
      x["stage"] = of.label.stage;
      x["instruction"] = of.label.instruction;
      if (of.removed_by >= 0) {
        x["removed_by"] = of.removed_by;
        x["removed_by_stage"] = of.removed_label.stage;
        x["removed_by_instruction"] = of.removed_label.instruction;
        x["how"] = of.deleted ? "deleted" : "overwritten";
      }
      if (!of.size_text.empty()) x["change"] = of.size_text;
      if (!of.note.empty()) x["note"] = of.note;
      offenders.push_back(std::move(x));
    }
    o["offenders"] = std::move(offenders);
    o["more_offenders"] = r.more_offenders;
    json::array layers;
    for (const LayerBlame& l : r.layers) {
      json::object x = label_json(l.label);
      x["layer"] = l.layer;
      x["digest"] = l.digest;
      x["bytes"] = l.bytes;
      x["paths"] = l.paths;
      layers.push_back(std::move(x));
    }
    o["layers"] = std::move(layers);
    rules.push_back(std::move(o));
  }
  doc["rules"] = std::move(rules);
  out << json::serialize(doc) << "\n";
}

void render_markdown(const GateReport& g, std::ostream& out) {
  out << "### layerdiff check: " << verdict(g) << "\n\n";
  out << "Image `" << md_cell(image_line(g.image, g.image_reference)) << "`";
  if (!g.baseline.empty()) out << ", baseline `" << md_cell(image_line(g.baseline, g.baseline_reference)) << "`";
  out << "\n\n| Rule | Value | Limit | Result |\n|---|--:|---|---|\n";
  for (const RuleResult& r : g.results) {
    std::string res = r.status == RuleResult::Fail ? "**FAIL**"
                      : r.status == RuleResult::Pass ? "pass"
                                                     : "skip: " + md_cell(r.skip_reason);
    out << "| `" << md_cell(r.name) << "` | " << value_text(r) << " | " << md_cell(limit_text(r))
        << " | " << res << " |\n";
  }
  for (const RuleResult& r : g.results) {
    if (r.status != RuleResult::Fail) continue;
    out << "\n#### " << md_cell(message(r)) << "\n\n";
    if (!r.offenders.empty()) {
      out << "| " << (r.unit == RuleResult::Delta ? "Growth" : "Size") << " | Path | Layer | Instruction |\n"
          << "|--:|---|---|---|\n";
      for (const Offender& o : r.offenders) {
        std::string layer = o.layer < 0 ? "" : std::to_string(o.layer);
        std::string ins = o.label.instruction;
        if (o.removed_by >= 0) {
          layer += std::string(" → ") + std::to_string(o.removed_by) + (o.deleted ? " (deleted)" : " (overwritten)");
          ins = ins + " → " + o.removed_label.instruction;
        }
        out << "| " << offender_size(r, o) << " | `" << md_cell(o.path) << "`"
            << (o.note.empty() ? "" : " " + md_cell(o.note)) << " | " << layer << " | "
            << (ins.empty() ? "" : "`" + md_cell(ins) + "`") << " |\n";
      }
      if (r.more_offenders) out << "| | … and " << count(r.more_offenders, "more path") << " | | |\n";
      out << "\n";
    }
    if (!r.layers.empty()) {
      out << "| Layer | Bytes | Paths | Stage | Instruction |\n|--:|--:|--:|---|---|\n";
      for (const LayerBlame& l : r.layers)
        out << "| " << l.layer << " | "
            << (r.unit == RuleResult::Delta ? human_delta(static_cast<int64_t>(l.bytes)) : human_bytes(l.bytes))
            << " | " << l.paths << " | " << md_cell(l.label.stage) << " | `"
            << md_cell(l.label.instruction) << "` |\n";
    }
  }
}

/// Valid UTF-8 with no control characters but tab and newline (XML 1.0 allows no others);
/// anything else becomes '?'.
std::string xml_text(const std::string& in, bool attribute) {
  std::string o;
  for (size_t i = 0; i < in.size();) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = n > 0 && i + n <= in.size();
    for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(in[i + k]) & 0xC0) == 0x80;
    if (!ok) {
      o += '?';
      ++i;
      continue;
    }
    if (n > 1) {
      o.append(in, i, n);
      i += n;
      continue;
    }
    ++i;
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&apos;"; break;
      case '\n': o += attribute ? "&#10;" : "\n"; break;
      case '\t': o += attribute ? "&#9;" : "\t"; break;
      default: o += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
    }
  }
  return o;
}

/// A workflow command's message: %, CR and LF escaped as the runner expects.
std::string gha_data(const std::string& in) {
  std::string o;
  for (char c : in) {
    if (c == '%') o += "%25";
    else if (c == '\r') o += "%0D";
    else if (c == '\n') o += "%0A";
    else o += c;
  }
  return o;
}
/// A workflow command's property value: also ':' and ','.
std::string gha_property(const std::string& in) {
  std::string o;
  for (char c : gha_data(in)) {
    if (c == ':') o += "%3A";
    else if (c == ',') o += "%2C";
    else o += c;
  }
  return o;
}

}  // namespace

std::string check_status_name(RuleResult::Status s) { return status_name(s); }
std::string check_value_text(const RuleResult& r) { return value_text(r); }
std::string check_limit_text(const RuleResult& r) { return limit_text(r); }
std::string check_message(const RuleResult& r) { return message(r); }
std::string check_verdict(const GateReport& g) { return verdict(g); }
std::string check_offender_size(const RuleResult& r, const Offender& o) { return offender_size(r, o); }

void render_check(const GateReport& g, Format f, const Style& st, std::ostream& out) {
  switch (f) {
    case Format::Table: render_table(g, st, out); break;
    case Format::Json: render_json(g, out); break;
    case Format::Markdown: render_markdown(g, out); break;
    case Format::Html: render_html_check(g, out); break;
  }
}

void render_junit(const GateReport& g, std::ostream& out) {
  size_t n = g.results.size(), fail = g.count(RuleResult::Fail), skip = g.count(RuleResult::Skip);
  std::string counts = " tests=\"" + std::to_string(n) + "\" failures=\"" + std::to_string(fail) +
                       "\" errors=\"0\" skipped=\"" + std::to_string(skip) + "\"";
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites name=\"layerdiff check\"" << counts << ">\n"
      << "  <testsuite name=\"layerdiff check " << xml_text(g.image, true) << "\"" << counts << ">\n";
  for (const RuleResult& r : g.results) {
    out << "    <testcase classname=\"layerdiff.check\" name=\"" << xml_text(r.name, true) << "\"";
    if (r.status == RuleResult::Pass) {
      out << "/>\n";
      continue;
    }
    out << ">\n";
    if (r.status == RuleResult::Skip) {
      out << "      <skipped message=\"" << xml_text(r.skip_reason, true) << "\"/>\n";
    } else {
      out << "      <failure type=\"" << xml_text(r.rule, true) << "\" message=\""
          << xml_text(message(r), true) << "\">";
      std::string body = message(r) + "\n";
      for (const auto& line : details(r, 0)) body += line + "\n";
      out << xml_text(body, false) << "</failure>\n";
    }
    out << "    </testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
}

void render_github_annotations(const GateReport& g, std::ostream& out) {
  for (const RuleResult& r : g.results) {
    if (r.status != RuleResult::Fail) continue;
    std::string body = message(r);
    for (const auto& line : details(r, 120)) body += "\n" + line;
    out << "::error title=" << gha_property("layerdiff check: " + r.name) << "::" << gha_data(body) << "\n";
  }
}

}  // namespace layerdiff
