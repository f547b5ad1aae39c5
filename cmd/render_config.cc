// render_config.cc: see render_config.h.
#include "cmd/render_config.h"

#include "cmd/text.h"

namespace layerdiff {
namespace json = boost::json;
namespace {

/// Control characters (a config is untrusted input: no terminal escapes) become '?'.
std::string safe(const std::string& s) {
  std::string o;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    o += (u < 0x20 || u == 0x7f) ? '?' : c;
  }
  return o;
}

json::value strings_json(const std::vector<std::string>& v, bool null_when_empty) {
  if (v.empty() && null_when_empty) return nullptr;
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

json::value health_json(const Healthcheck& h) {
  return json::object{{"Test", strings_json(h.test, false)}, {"Interval", h.interval},
                      {"Timeout", h.timeout},      {"StartPeriod", h.start_period},
                      {"StartInterval", h.start_interval}, {"Retries", h.retries}};
}

json::value value_json(const ConfigValue& v) {
  if (!v.set) return nullptr;
  switch (v.type) {
    case ConfigValue::Text: return json::value(v.text);
    case ConfigValue::List: return strings_json(v.list, false);
    case ConfigValue::Count: return json::value(v.count);
    case ConfigValue::Health: return health_json(v.health);
  }
  return nullptr;
}

/// One CONFIG row of inspect: the field, then its value(s), one per line.
void field_rows(const std::string& field, const std::vector<std::string>& values, const Style& st,
                std::ostream& out) {
  if (values.empty()) {
    out << "  " << pad(field, 13) << "  " << st.dim("(unset)") << "\n";
    return;
  }
  for (size_t i = 0; i < values.size(); ++i)
    out << "  " << pad(i ? "" : field, 13) << "  " << safe(values[i]) << "\n";
}

/// The value lines of a field for inspect (empty: unset).
std::vector<std::string> field_values(const ImageConfig& c, const std::string& f) {
  if (f == "Env") return c.env;
  if (f == "Labels") {
    std::vector<std::string> v;
    for (const auto& [k, val] : c.labels) v.push_back(k + "=" + val);
    return v;
  }
  if (f == "history") return {std::to_string(c.history) + (c.history == 1 ? " entry" : " entries")};
  ConfigValue v = config_value(c, f);
  if (!v.set) return {};
  return {config_value_text(f, v)};
}

/// What each kind means, as the FINDINGS section introduces it.
std::string size_cell(const Finding& f) {
  if (f.type == 'd' && f.kind != FindingKind::Removable) return "dir";
  if (f.type == 'c' || f.type == 'b') return "device";
  return human_bytes(f.size);
}

/// "layer 1", or "layer 1 -> 2 (deleted)" for a hidden copy.
std::string layer_text(const Finding& f) {
  std::string s = "layer " + std::to_string(f.layer);
  if (f.removed_by >= 0)
    s += " -> " + std::to_string(f.removed_by) + (f.deleted ? " (deleted)" : " (overwritten)");
  return s;
}

std::string counts_line(const FindingsReport& r) {
  std::string s;
  for (FindingKind k : finding_kinds()) {
    size_t n = r.count(k);
    if (!n) continue;
    s += (s.empty() ? "" : ", ") + std::to_string(n) + " " + finding_kind_name(k);
    if (k == FindingKind::HiddenSecret || k == FindingKind::Hidden || k == FindingKind::Removable)
      s += " (" + human_bytes(r.bytes(k)) + ")";
  }
  return s.empty() ? "none" : s;
}

std::string toolchain_note(const FindingsReport& r) {
  return r.toolchain.empty()
             ? "no compiler or linker is installed: static libraries (*.a) and headers count as removable"
             : "static libraries and headers are not judged: " + r.toolchain + " is installed";
}

}  // namespace

const char* finding_title(FindingKind k) {
  switch (k) {
    case FindingKind::HiddenSecret:
      return "hidden but shipped, named like a secret: deleted or overwritten by a later layer, "
             "still readable in the layer";
    case FindingKind::Hidden:
      return "hidden but shipped: deleted or overwritten by a later layer, still readable in the layer";
    case FindingKind::Removable: return "still removable: package-manager caches and build leftovers";
    case FindingKind::Setuid: return "setuid files";
    case FindingKind::Setgid: return "setgid files";
    case FindingKind::WorldWritable: return "world-writable, without the sticky bit";
    case FindingKind::Device: return "device nodes outside /dev";
  }
  return "";
}

json::object config_json(const ImageConfig& c) {
  json::object o;
  o["Entrypoint"] = strings_json(c.entrypoint, true);
  o["Cmd"] = strings_json(c.cmd, true);
  o["User"] = c.user;
  o["WorkingDir"] = c.working_dir;
  o["Env"] = strings_json(c.env, false);
  o["ExposedPorts"] = strings_json(c.exposed_ports, false);
  o["Volumes"] = strings_json(c.volumes, false);
  json::object labels;
  for (const auto& [k, v] : c.labels) labels[k] = v;
  o["Labels"] = std::move(labels);
  o["StopSignal"] = c.stop_signal;
  o["Healthcheck"] = c.has_healthcheck ? health_json(c.healthcheck) : json::value(nullptr);
  o["os"] = c.os;
  o["architecture"] = c.architecture;
  o["variant"] = c.variant;
  o["created"] = c.created;
  o["history"] = c.history;
  return o;
}

json::array config_changes_json(const std::vector<ConfigChange>& changes) {
  json::array a;
  for (const auto& c : changes) {
    json::object o;
    o["field"] = c.field;
    if (c.field == "Env" || c.field == "Labels") o["key"] = c.key;
    o["change"] = config_change_name(c.kind);
    o["before"] = value_json(c.before);
    o["after"] = value_json(c.after);
    a.push_back(std::move(o));
  }
  return a;
}

json::array findings_json(const std::vector<Finding>& findings) {
  json::array a;
  for (const auto& f : findings) {
    json::object o;
    o["kind"] = finding_kind_name(f.kind);
    o["path"] = f.path;
    o["type"] = std::string(1, f.type);
    o["size"] = f.size;
    o["layer"] = f.layer;
    switch (f.kind) {
      case FindingKind::HiddenSecret:
      case FindingKind::Hidden:
        o["removed_by"] = f.removed_by;
        o["how"] = f.deleted ? "deleted" : "overwritten";
        if (f.kind == FindingKind::HiddenSecret) o["pattern"] = f.detail;
        break;
      case FindingKind::Removable:
        o["what"] = f.detail;
        o["files"] = f.files;
        break;
      case FindingKind::Setuid:
      case FindingKind::Setgid:
      case FindingKind::WorldWritable: o["mode"] = octal_mode(f.mode); break;
      case FindingKind::Device: o["device"] = f.detail; break;
    }
    o["note"] = finding_note(f);
    a.push_back(std::move(o));
  }
  return a;
}

/// What runs (Entrypoint, Cmd, User, WorkingDir) is always shown; other fields when set.
bool always_shown(const std::string& f) {
  return f == "Entrypoint" || f == "Cmd" || f == "User" || f == "WorkingDir";
}

void config_table(const ImageConfig& c, const Style& st, std::ostream& out) {
  out << "\n" << st.bold("CONFIG") << "\n";
  for (const auto& f : config_field_names()) {
    if (f == "os" || f == "architecture" || f == "variant") continue;  // the Image line has them
    std::vector<std::string> v = field_values(c, f);
    if (v.empty() && !always_shown(f)) continue;
    if (f == "User" && v.empty()) v = {"(unset: root)"};
    field_rows(f, v, st, out);
  }
}

void config_markdown(const ImageConfig& c, std::ostream& out) {
  out << "\n#### Config\n\n| Field | Value |\n|---|---|\n";
  for (const auto& f : config_field_names()) {
    std::vector<std::string> v = field_values(c, f);
    if (v.empty() && !always_shown(f)) continue;
    std::string cell;
    for (size_t i = 0; i < v.size(); ++i) cell += (i ? "<br>" : "") + ("`" + md_cell(v[i]) + "`");
    if (v.empty()) cell = f == "User" ? "(unset: root)" : "(unset)";
    out << "| " << f << " | " << cell << " |\n";
  }
}

void config_changes_table(const std::vector<ConfigChange>& changes, const Style& st, std::ostream& out) {
  if (changes.empty()) return;
  out << "\n" << st.bold("CONFIG") << "  " << count(changes.size(), "change") << "\n";
  size_t w = 0;
  for (const auto& c : changes) w = std::max(w, c.field.size() + (c.key.empty() ? 0 : c.key.size() + 1));
  w = std::min<size_t>(w, 32);
  for (const auto& c : changes) {
    std::string name = c.key.empty() ? c.field : c.field + " " + c.key;
    out << "  " << pad(clip(safe(name), 32), w) << "  " << safe(config_value_text(c.field, c.before))
        << "  ->  " << safe(config_value_text(c.field, c.after)) << "\n";
  }
}

void config_changes_markdown(const std::vector<ConfigChange>& changes, std::ostream& out) {
  if (changes.empty()) return;
  out << "#### Config: " << count(changes.size(), "change")
      << "\n\n| Field | Key | Before | After |\n|---|---|---|---|\n";
  auto cell = [](const std::string& field, const ConfigValue& v) {
    return v.set ? "`" + md_cell(config_value_text(field, v)) + "`" : std::string("(unset)");
  };
  for (const auto& c : changes)
    out << "| " << c.field << " | " << (c.key.empty() ? "" : "`" + md_cell(c.key) + "`") << " | "
        << cell(c.field, c.before) << " | " << cell(c.field, c.after) << " |\n";
  out << "\n";
}

void findings_table(const FindingsReport& r, const char* title, size_t top, const Style& st,
                    std::ostream& out) {
  out << "\n" << st.bold(title) << "  " << counts_line(r) << "\n";
  for (FindingKind k : finding_kinds()) {
    size_t n = r.count(k), shown = 0;
    if (!n) continue;
    out << "  " << st.bold(finding_kind_name(k)) << "  " << st.dim(finding_title(k)) << "\n";
    for (const auto& f : r.findings) {
      if (f.kind != k) continue;
      if (shown++ == top) break;
      std::string note = finding_note(f);
      out << "    " << rpad(size_cell(f), 10) << "  " << safe(f.path) << "  " << layer_text(f)
          << (note.empty() ? "" : "  (" + note + ")") << "\n";
    }
    if (n > top) out << "    " << rpad("", 10) << "  … and " << count(n - top, "more", "more") << "\n";
    if (k == FindingKind::Removable) out << "    " << st.dim(toolchain_note(r)) << "\n";
  }
}

void findings_markdown(const FindingsReport& r, const char* title, size_t top, std::ostream& out) {
  out << "\n#### " << title << ": " << counts_line(r) << "\n";
  if (r.findings.empty()) return;
  out << "\n| Kind | Size | Path | Layer | Note |\n|---|--:|---|---|---|\n";
  for (FindingKind k : finding_kinds()) {
    size_t n = r.count(k), shown = 0;
    for (const auto& f : r.findings) {
      if (f.kind != k) continue;
      if (shown++ == top) break;
      out << "| " << finding_kind_name(k) << " | " << size_cell(f) << " | `" << md_cell(f.path)
          << "` | " << layer_text(f) << " | " << md_cell(finding_note(f)) << " |\n";
    }
    if (n > top) out << "| " << finding_kind_name(k) << " | | … and " << count(n - top, "more", "more") << " | | |\n";
  }
}

}  // namespace layerdiff
