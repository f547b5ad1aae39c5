#include "cmd/html.h"

#include "analyzer/image.h"
#include "cmd/html_assets.h"  // generated: kPageCss, kPageJs (cmd/html/)
#include "cmd/text.h"
#include "cmd/version.h"

namespace layerdiff::html {
namespace json = boost::json;

std::string esc(std::string_view s) {
  static const char kBad[] = "\xEF\xBF\xBD";  // U+FFFD
  std::string o;
  o.reserve(s.size() + 8);
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '&': o += "&amp;"; break;
        case '<': o += "&lt;"; break;
        case '>': o += "&gt;"; break;
        case '"': o += "&quot;"; break;
        case '\'': o += "&#39;"; break;
        default: o += c < 0x20 || c == 0x7F ? kBad : std::string(1, static_cast<char>(c));
      }
      ++i;
      continue;
    }
    // A UTF-8 sequence: its length from the lead byte, every continuation byte 10xxxxxx, no
    // overlong form, no surrogate, nothing above U+10FFFF.
    size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    bool ok = n && i + n <= s.size();
    for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok && n >= 3) {
      auto c1 = static_cast<unsigned char>(s[i + 1]);
      if (c == 0xE0 && c1 < 0xA0) ok = false;                   // overlong
      if (c == 0xED && c1 >= 0xA0) ok = false;                  // surrogate
      if (c == 0xF0 && c1 < 0x90) ok = false;                   // overlong
      if (c == 0xF4 && c1 >= 0x90) ok = false;                  // above U+10FFFF
    }
    if (!ok) {
      o += kBad;
      ++i;
      continue;
    }
    o.append(s.substr(i, n));
    i += n;
  }
  return o;
}

Cell text(std::string_view s, std::string k) { return {esc(s), std::move(k), std::nullopt, "", ""}; }

Cell code(std::string_view s, std::string k) {
  return {"<code>" + esc(s) + "</code>", std::move(k), std::nullopt, "", "path"};
}

Cell digest(const std::string& d, std::string k) {
  return {"<code>" + esc(short_digest(d)) + "</code>", std::move(k), d, d, "digest"};
}

Cell bytes(uint64_t n, std::string k) {
  return {esc(human_bytes(n)), std::move(k), std::to_string(n), std::to_string(n) + " bytes", "num"};
}

Cell delta(int64_t n, std::string k, bool blank_zero) {
  std::string cls = n > 0 ? "num grow" : n < 0 ? "num shrink" : "num";
  return {n == 0 && blank_zero ? "" : esc(human_delta(n)), std::move(k), std::to_string(n),
          (n > 0 ? "+" : "") + std::to_string(n) + " bytes", cls};
}

Cell removed(uint64_t n, std::string k, bool blank_zero) {
  Cell c = delta(-static_cast<int64_t>(n), std::move(k), blank_zero);
  c.v = std::to_string(n);
  return c;
}

Cell num(uint64_t n, std::string k) { return {std::to_string(n), std::move(k), std::nullopt, "", "num"}; }

Cell noun(uint64_t n, const std::string& singular, const std::string& plural, std::string k) {
  return {esc(layerdiff::count(n, singular, plural)), std::move(k), std::to_string(n), "", ""};
}

Cell blank() { return {}; }

namespace {

void cell_attrs(std::ostream& out, const Cell& c) {
  if (!c.cls.empty()) out << " class=\"" << c.cls << "\"";
  if (!c.k.empty()) out << " data-k=\"" << esc(c.k) << "\"";
  if (c.v) out << " data-v=\"" << esc(*c.v) << "\"";
  if (!c.title.empty()) out << " title=\"" << esc(c.title) << "\"";
}

}  // namespace

void Table::row(std::vector<Cell> cells, bool pinned, std::string key, int indent) {
  rows_.push_back({std::move(cells), pinned, std::move(key), indent});
}

void Table::foot(std::vector<Cell> cells) { foot_.push_back({std::move(cells), false, "", 0}); }

void Table::write(std::ostream& out) const {
  out << "<div class=\"scroll\"><table id=\"" << esc(id_) << "\"" << (sortable_ ? " class=\"sortable\"" : "")
      << ">\n<thead><tr>";
  for (const auto& c : cols_) {
    out << "<th scope=\"col\"" << (c.numeric ? " class=\"num\"" : "");
    if (!c.tip.empty()) out << " title=\"" << esc(c.tip) << "\"";
    out << ">" << esc(c.title) << "</th>";
  }
  out << "</tr></thead>\n";
  auto rows = [&](const std::vector<Row>& v) {
    for (const auto& r : v) {
      out << "<tr";
      if (r.pinned) out << " class=\"pin\"";
      if (!r.key.empty()) out << " data-key=\"" << esc(r.key) << "\"";
      out << ">";
      for (size_t i = 0; i < r.cells.size(); ++i) {
        const Cell& c = r.cells[i];
        out << "<td";
        cell_attrs(out, c);
        if (r.indent && c.cls == "path") out << " style=\"padding-left:" << 0.4 + 1.2 * r.indent << "em\"";
        out << ">" << c.html << "</td>";
      }
      out << "</tr>\n";
    }
  };
  out << "<tbody>\n";
  rows(rows_);
  out << "</tbody>\n";
  if (!foot_.empty()) {
    out << "<tfoot>\n";
    rows(foot_);
    out << "</tfoot>\n";
  }
  out << "</table></div>\n";
}

void summary(std::ostream& out, const std::vector<Term>& terms) {
  out << "<dl class=\"summary\">\n";
  for (const auto& t : terms) {
    out << "<dt>" << esc(t.term) << "</dt><dd>";
    for (size_t i = 0; i < t.parts.size(); ++i) {
      const Cell& c = t.parts[i];
      if (c.k.empty() && !c.v && c.title.empty() && c.cls.empty()) {
        out << c.html;
        continue;
      }
      out << "<span";
      cell_attrs(out, c);
      out << ">" << c.html << "</span>";
    }
    out << "</dd>\n";
  }
  out << "</dl>\n";
}

void begin(std::ostream& out, std::string_view kind, std::string_view title,
           const std::vector<std::pair<std::string, std::string>>& sections) {
  out << "<!DOCTYPE html>\n<html lang=\"en\" data-kind=\"" << esc(kind) << "\">\n<head>\n"
      << "<meta charset=\"utf-8\">\n"
      // Nothing may be fetched: no script, style, font, image or connection but the inline ones.
      << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<meta name=\"generator\" content=\"" << esc(version_line()) << "\">\n"
      << "<title>" << esc(title) << "</title>\n<style>\n"
      << kPageCss << "</style>\n</head>\n<body>\n<header>\n<h1>" << esc(title) << "</h1>\n";
  if (!sections.empty()) {
    out << "<nav>";
    for (const auto& [id, heading] : sections)
      out << "<a href=\"#" << esc(id) << "\">" << esc(heading) << "</a> ";
    out << "</nav>\n";
  }
  out << "</header>\n<main>\n";
}

void section(std::ostream& out, std::string_view id, std::string_view heading, std::string_view note) {
  out << "<section id=\"" << esc(id) << "\">\n<h2>" << esc(heading) << "</h2>\n";
  if (!note.empty()) out << "<p class=\"note\">" << esc(note) << "</p>\n";
}

void end_section(std::ostream& out) { out << "</section>\n"; }

void treemap(std::ostream& out, std::string_view caption_html) {
  out << "<p class=\"note\">" << caption_html << "</p>\n"
      << "<nav id=\"crumbs\" aria-label=\"treemap path\"></nav>\n"
      << "<div id=\"treemap\" role=\"img\" aria-label=\"treemap\"><noscript><p class=\"note\">The treemap "
         "needs JavaScript; the tables below hold the same numbers.</p></noscript></div>\n"
      << "<div id=\"legend\"></div>\n<div id=\"tip\" hidden></div>\n";
}

void end(std::ostream& out, const json::value& data) {
  out << "</main>\n<footer>" << esc(version_line())
      << ". Every number here is the one <code>--format json</code> prints for the same run.</footer>\n";
  if (!data.is_null()) {
    // Inside <script>, "</script" or "<!--" would end or confuse the block: '<' only occurs in
    // JSON strings, where \u003c is the same character.
    std::string s = json::serialize(data);
    std::string safe;
    safe.reserve(s.size());
    for (char c : s) {
      if (c == '<') safe += "\\u003c";
      else safe += c;
    }
    out << "<script type=\"application/json\" id=\"layerdiff-data\">" << safe << "</script>\n";
  }
  out << "<script>\n" << kPageJs << "</script>\n</body>\n</html>\n";
}

json::array tree_json(const SizeNode& n) {
  json::array a;
  a.reserve(10);
  a.emplace_back(n.name);
  a.emplace_back(n.weight);
  a.emplace_back(n.before);
  a.emplace_back(n.after);
  a.emplace_back(n.files);
  a.emplace_back(n.layer);
  a.emplace_back(std::string(1, n.change));
  a.emplace_back((n.dir ? 1 : 0) | (n.folded ? 2 : 0));
  a.emplace_back(n.folded);
  json::array kids;
  kids.reserve(n.children.size());
  for (const auto& c : n.children) kids.push_back(tree_json(c));
  a.emplace_back(std::move(kids));
  return a;
}

}  // namespace layerdiff::html
