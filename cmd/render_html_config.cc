// render_html_config.cc: the image config and the audit findings on the HTML pages: inspect's
// Config and Findings, the diff's Config changes and New findings. The same words as
// render_config.cc (config_value_text, finding_note); each value points at its JSON field.
#include "cmd/render_html_config.h"

#include "cmd/render_config.h"
#include "cmd/text.h"

namespace layerdiff {
namespace {
using namespace html;

/// A JSON pointer's reference token: '~' and '/' escaped (RFC 6901), for Labels' keys.
std::string token(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '~') o += "~0";
    else if (c == '/') o += "~1";
    else o += c;
  }
  return o;
}

std::string span(const std::string& k, const std::string& text) {
  return "<code data-k=\"" + esc(k) + "\">" + esc(text) + "</code>";
}

/// A list field (Entrypoint, Cmd in exec form; ports and volumes): each element its own value.
std::string list_html(const std::vector<std::string>& v, const std::string& at, bool exec_form) {
  std::string h = exec_form ? "[" : "";
  for (size_t i = 0; i < v.size(); ++i)
    h += (i ? (exec_form ? ", " : "<br>") : "") + std::string(exec_form ? "&quot;" : "") + span(at + ptr(i), v[i]) +
         (exec_form ? "&quot;" : "");
  return h + (exec_form ? "]" : "");
}


}  // namespace

void html_config(const ImageConfig& c, const std::string& at, std::ostream& out) {
  Table t("config-table", {{"Field"}, {"Value"}}, false);
  auto row = [&](const std::string& field, std::string value_html) {
    t.row({text(field), {value_html, "", std::nullopt, "", "path"}}, false, field);
  };
  auto unset = [](const char* what = "(unset)") { return std::string("<span class=\"note\">") + what + "</span>"; };
  for (const auto& f : config_field_names()) {
    std::string k = at + "/" + f;
    if (f == "Entrypoint" || f == "Cmd")
      row(f, (f == "Entrypoint" ? c.entrypoint : c.cmd).empty() ? unset()
                                                                 : list_html(f == "Entrypoint" ? c.entrypoint : c.cmd, k, true));
    else if (f == "Env")
      row(f, c.env.empty() ? unset() : list_html(c.env, k, false));
    else if (f == "ExposedPorts" || f == "Volumes") {
      const auto& v = f == "Volumes" ? c.volumes : c.exposed_ports;
      if (!v.empty()) row(f, list_html(v, k, false));
    } else if (f == "Labels") {
      std::string h;
      for (const auto& [key, value] : c.labels)
        h += (h.empty() ? "" : "<br>") + esc(key) + "=" + span(k + "/" + token(key), value);
      if (!h.empty()) row(f, h);
    } else if (f == "Healthcheck") {
      if (c.has_healthcheck) row(f, "<code>" + esc(config_value_text(f, config_value(c, f))) + "</code>");
    } else if (f == "history") {
      row(f, "<span data-k=\"" + esc(k) + "\" data-v=\"" + std::to_string(c.history) + "\">" +
                 esc(count(c.history, "entry", "entries")) + "</span>");
    } else {
      ConfigValue v = config_value(c, f);
      bool always = f == "User" || f == "WorkingDir";
      if (v.set) row(f, span(k, v.text));
      else if (always) row(f, "<span data-k=\"" + esc(k) + "\" data-v=\"\">" + unset(f == "User" ? "(unset: root)" : "(unset)") + "</span>");
    }
  }
  t.write(out);
}

void html_config_changes(const std::vector<ConfigChange>& changes, const std::string& at, std::ostream& out) {
  Table t("config-changes-table", {{"Field"}, {"Key"}, {"Change"}, {"Before"}, {"After"}});
  for (size_t i = 0; i < changes.size(); ++i) {
    const ConfigChange& c = changes[i];
    std::string k = at + ptr(i);
    auto value = [&](const ConfigValue& v, const char* side) -> Cell {
      if (!v.set) return {"<span class=\"note\">(unset)</span>", k + "/" + side, std::string("null"), "", "path"};
      Cell cell = code(config_value_text(c.field, v));
      if (v.type == ConfigValue::Text) cell.k = k + "/" + side;  // lists and healthchecks: their text
      return cell;
    };
    t.row({text(c.field, k + "/field"), c.key.empty() ? blank() : code(c.key, k + "/key"),
           text(config_change_name(c.kind), k + "/change"), value(c.before, "before"), value(c.after, "after")},
          false, c.key.empty() ? c.field : c.field + " " + c.key);
  }
  t.write(out);
}

void html_findings(const FindingsReport& r, const std::string& at, size_t top, std::ostream& out) {
  std::string counts;
  for (FindingKind k : finding_kinds()) {
    size_t n = r.count(k);
    if (!n) continue;
    counts += (counts.empty() ? "" : ", ") + std::to_string(n) + " " + finding_kind_name(k);
    if (k == FindingKind::HiddenSecret || k == FindingKind::Hidden || k == FindingKind::Removable)
      counts += " (" + human_bytes(r.bytes(k)) + ")";
  }
  out << "<p class=\"note\">" << esc(counts.empty() ? "none" : counts) << ". "
      << esc(r.toolchain.empty()
                 ? "No compiler or linker is installed: static libraries (*.a) and headers count as removable."
                 : "Static libraries and headers are not judged: " + r.toolchain + " is installed.")
      << "</p>\n";
  for (FindingKind kind : finding_kinds()) {
    size_t n = r.count(kind), shown = 0;
    if (!n) continue;
    out << "<h3>" << esc(finding_kind_name(kind)) << " <span class=\"note\">" << esc(finding_title(kind)) << "</span></h3>\n";
    bool hidden = kind == FindingKind::HiddenSecret || kind == FindingKind::Hidden;
    std::vector<Column> cols = {{"Size", true}, {"Path"}, {"Layer", true}};
    if (hidden) cols.push_back({"Removed by", true});
    cols.push_back({"Note"});
    Table t(std::string("findings-") + finding_kind_name(kind), cols);
    for (size_t i = 0; i < r.findings.size(); ++i) {
      const Finding& f = r.findings[i];
      if (f.kind != kind) continue;
      if (shown++ == top) break;
      std::string k = at + ptr(i);
      Cell size = bytes(f.size, k + "/size");
      if ((f.type == 'd' && kind != FindingKind::Removable) || f.type == 'c' || f.type == 'b')
        size.html = f.type == 'd' ? "dir" : "device";
      std::vector<Cell> row = {size, code(f.path, k + "/path"), num(f.layer, k + "/layer")};
      if (hidden) {
        Cell rb = num(static_cast<uint64_t>(f.removed_by), k + "/removed_by");
        rb.html += f.deleted ? " (deleted)" : " (overwritten)";
        rb.v = std::to_string(f.removed_by);
        row.push_back(rb);
      }
      row.push_back(text(finding_note(f), k + "/note"));
      t.row(row, false, f.path);
    }
    if (n > top) {
      std::vector<Cell> row = {blank(), text("… and " + std::to_string(n - top) + " more (--format json lists all)"),
                               blank()};
      if (hidden) row.push_back(blank());
      row.push_back(blank());
      t.row(row, true, "[more]");
    }
    t.write(out);
  }
}

}  // namespace layerdiff
