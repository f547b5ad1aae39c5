// render_packages.cc: package tables, JSON and Markdown for `inspect --by package` and the diff.
#include "cmd/render_packages.h"

#include "cmd/text.h"

namespace layerdiff {
namespace json = boost::json;
namespace {

std::string eco(const std::string& name, Ecosystem e) {
  return !name.empty() && name.front() == '[' ? "" : ecosystem_name(e);
}

/// "1.0-1", "1.0-1 → 1.1-1", "(12 packages)" for [other].
std::string version_text(const PackageDiffRow& r) {
  if (r.folded) return "(" + count(r.folded, "package") + ")";
  if (r.version_before.empty() || r.version_before == r.version_after) return r.version_after;
  if (r.version_after.empty()) return r.version_before;
  return r.version_before + " → " + r.version_after;
}

std::string change_text(const PackageDiffRow& r) {
  if (!r.name.empty() && r.name.front() == '[') return "";
  return package_change_name(r.change);
}

/// A table line without the padding a last empty column leaves.
std::string line(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s + "\n";
}

std::string summary(const PackageDiff& d) {
  std::string s = std::to_string(d.added) + " added, " + std::to_string(d.removed) + " removed, " +
                  std::to_string(d.upgraded) + " upgraded, ";
  if (d.downgraded) s += std::to_string(d.downgraded) + " downgraded, ";
  return s + std::to_string(d.changed) + " changed in size, " + std::to_string(d.unchanged) +
         " unchanged";
}

}  // namespace

json::object packages_json(const PackageReport& r) {
  json::object o;
  json::array dbs, warns, pkgs;
  for (const auto& d : r.databases) dbs.emplace_back(d);
  for (const auto& w : r.warnings) warns.emplace_back(w);
  for (const auto& p : r.packages) {
    json::object q;
    q["name"] = p.name;
    q["ecosystem"] = ecosystem_name(p.ecosystem);
    q["version"] = p.version;
    q["size"] = p.bytes;
    q["files"] = p.files;
    q["copies"] = p.copies;
    pkgs.push_back(std::move(q));
  }
  o["databases"] = std::move(dbs);
  o["warnings"] = std::move(warns);
  o["contested_files"] = r.contested_files;
  o["no_package"] = {{"size", r.unowned_bytes}, {"files", r.unowned_files}};
  o["packages"] = std::move(pkgs);
  return o;
}

void packages_table(const PackageReport& r, size_t top, const Style& st, std::ostream& out) {
  out << "\n" << st.bold("PACKAGES");
  if (!r.databases.empty()) {
    out << "  ";
    for (size_t i = 0; i < r.databases.size(); ++i) out << (i ? ", " : "") << r.databases[i];
  } else {
    out << "  no package database found";
  }
  out << "\n";
  out << "  " << rpad("SIZE", 10) << "  " << rpad("%", 6) << "  " << rpad("FILES", 7) << "  "
      << pad("ECOSYSTEM", 9) << "  " << pad("PACKAGE", 32) << "  VERSION\n";
  auto share = [&](uint64_t b) { return percent(r.content_size ? double(b) / r.content_size : 0); };
  for (const auto& p : package_table(r, top)) {
    out << line("  " + rpad(human_bytes(p.bytes), 10) + "  " + rpad(share(p.bytes), 6) + "  " +
                rpad(std::to_string(p.files), 7) + "  " + pad(eco(p.name, p.ecosystem), 9) + "  " +
                pad(st.width ? clip(p.name, 32) : p.name, 32) + "  " +
                (p.folded ? "(" + count(p.folded, "package") + ")" : (st.width ? clip(p.version, 40) : p.version)));
  }
  out << "  " << rpad(human_bytes(r.content_size), 10) << "  " << rpad("100.0%", 6) << "  "
      << rpad(std::to_string(r.files), 7) << "  " << pad("", 9) << "  TOTAL\n";
  if (r.contested_files)
    out << "  "
        << st.dim(count(r.contested_files, "file") +
                  " listed by more than one package, each counted once (precedence dpkg > apk > "
                  "python > npm, then name)")
        << "\n";
}

void packages_markdown(const PackageReport& r, size_t top, std::ostream& out) {
  out << "\n#### Packages\n\n";
  if (!r.databases.empty()) {
    for (size_t i = 0; i < r.databases.size(); ++i) out << (i ? ", " : "") << r.databases[i];
    out << "\n\n";
  }
  out << "| Size | Files | Ecosystem | Package | Version |\n|---:|---:|---|---|---|\n";
  for (const auto& p : package_table(r, top)) {
    out << "| " << human_bytes(p.bytes) << " | " << p.files << " | " << eco(p.name, p.ecosystem)
        << " | `" << md_cell(p.name) << "` | ";
    if (p.folded) out << "(" << count(p.folded, "package") << ")";
    else out << md_cell(p.version);
    out << " |\n";
  }
  out << "| **" << human_bytes(r.content_size) << "** | " << r.files << " | | **TOTAL** | |\n";
}

json::object package_diff_json(const PackageDiff& d) {
  json::object o;
  o["databases"] = d.any;
  o["added"] = d.added;
  o["removed"] = d.removed;
  o["upgraded"] = d.upgraded;
  o["downgraded"] = d.downgraded;
  o["changed"] = d.changed;
  o["unchanged"] = d.unchanged;
  o["no_package"] = {{"before", d.unowned.before}, {"after", d.unowned.after},
                     {"delta", d.unowned.delta()}};
  json::array rows;
  for (const auto& r : d.rows) {
    json::object q;
    q["name"] = r.name;
    q["ecosystem"] = ecosystem_name(r.ecosystem);
    q["change"] = package_change_name(r.change);
    q["version_before"] = r.version_before;
    q["version_after"] = r.version_after;
    q["before"] = r.before;
    q["after"] = r.after;
    q["delta"] = r.delta();
    q["files_before"] = r.files_before;
    q["files_after"] = r.files_after;
    rows.push_back(std::move(q));
  }
  o["rows"] = std::move(rows);
  json::array warns;
  for (const auto& w : d.warnings) warns.emplace_back(w);
  o["warnings"] = std::move(warns);
  return o;
}

void package_changes_table(const PackageDiffView& v, const Style& st, std::ostream& out) {
  const PackageDiff& d = v.diff;
  out << "\n" << st.bold("PACKAGES") << "  " << summary(d) << "\n";
  out << "  " << rpad("DELTA", 11) << "  " << pad("CHANGE", 10) << "  " << pad("ECOSYSTEM", 9) << "  "
      << pad("PACKAGE", 32) << "  VERSION\n";
  int64_t net = 0;
  for (const auto& r : package_diff_table(d, v.top, true)) {
    out << line("  " + rpad(human_delta(r.delta()), 11) + "  " + pad(change_text(r), 10) + "  " +
                pad(eco(r.name, r.ecosystem), 9) + "  " + pad(st.width ? clip(r.name, 32) : r.name, 32) + "  " +
                (st.width ? clip(version_text(r), 60) : version_text(r)));
    net += r.delta();
  }
  out << "  " << rpad(human_delta(net), 11) << "  " << pad("", 10) << "  " << pad("", 9) << "  NET\n";
}

// With --by package this one table is the diff's package view: every package with its change
// and versions, reconciling to TOTAL (the PACKAGES table would repeat it).
void package_rollup_table(const PackageDiffView& v, const Style& st, std::ostream& out) {
  out << "\n" << st.bold("SIZE BY PACKAGE") << "  " << summary(v.diff) << "\n";
  out << "  " << rpad("BEFORE", 10) << "  " << rpad("AFTER", 10) << "  " << rpad("DELTA", 11) << "  "
      << rpad("%", 8) << "  " << pad("CHANGE", 10) << "  " << pad("ECOSYSTEM", 9) << "  "
      << pad("PACKAGE", 32) << "  VERSION\n";
  uint64_t b = 0, a = 0;
  for (const auto& r : package_diff_table(v.diff, v.top, false)) {
    bool special = !r.name.empty() && r.name[0] == '[';
    out << line("  " + rpad(human_bytes(r.before), 10) + "  " + rpad(human_bytes(r.after), 10) + "  " +
                rpad(human_delta(r.delta()), 11) + "  " + rpad(pct(r.before, r.after), 8) + "  " +
                pad(special ? "" : change_text(r), 10) + "  " + pad(eco(r.name, r.ecosystem), 9) + "  " +
                pad(r.name, 32) + "  " +
                (r.folded ? "(" + count(r.folded, "package") + ")" : special ? "" : version_text(r)));
    b += r.before;
    a += r.after;
  }
  out << "  " << rpad(human_bytes(b), 10) << "  " << rpad(human_bytes(a), 10) << "  "
      << rpad(human_delta(sdiff(b, a)), 11) << "  " << rpad(pct(b, a), 8) << "  " << pad("", 10) << "  "
      << pad("", 9) << "  " << st.bold("TOTAL") << "\n";
}

void package_changes_markdown(const PackageDiffView& v, std::ostream& out) {
  out << "\n#### Packages\n\n" << summary(v.diff) << ".\n\n";
  out << "| Delta | Change | Ecosystem | Package | Version |\n|---:|---|---|---|---|\n";
  int64_t net = 0;
  for (const auto& r : package_diff_table(v.diff, v.top, true)) {
    out << "| " << human_delta(r.delta()) << " | " << change_text(r) << " | "
        << eco(r.name, r.ecosystem) << " | `" << md_cell(r.name) << "` | " << md_cell(version_text(r))
        << " |\n";
    net += r.delta();
  }
  out << "| **" << human_delta(net) << "** | | | **NET** | |\n";
}

void package_rollup_markdown(const PackageDiffView& v, std::ostream& out) {
  out << "#### Size by package\n\n" << summary(v.diff) << ".\n\n"
      << "| Before | After | Delta | % | Change | Ecosystem | Package | Version |\n"
         "|---:|---:|---:|---:|---|---|---|---|\n";
  uint64_t b = 0, a = 0;
  for (const auto& r : package_diff_table(v.diff, v.top, false)) {
    bool special = !r.name.empty() && r.name[0] == '[';
    out << "| " << human_bytes(r.before) << " | " << human_bytes(r.after) << " | "
        << human_delta(r.delta()) << " | " << pct(r.before, r.after) << " | "
        << (special ? "" : change_text(r)) << " | " << eco(r.name, r.ecosystem) << " | `" << md_cell(r.name) << "`";
    if (r.folded) out << " (" << count(r.folded, "package") << ")";
    out << " | " << (special ? "" : md_cell(version_text(r))) << " |\n";
    b += r.before;
    a += r.after;
  }
  out << "| **" << human_bytes(b) << "** | **" << human_bytes(a) << "** | **"
      << human_delta(sdiff(b, a)) << "** | " << pct(b, a) << " | | | **TOTAL** | |\n";
}

}  // namespace layerdiff
