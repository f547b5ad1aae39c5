// html.h: what every HTML page of layerdiff is made of (render_html_*.cc fill them in).
//
// A page is one self-contained file: its style and script are inline (cmd/html/page.css and
// page.js, embedded at build time), a Content-Security-Policy forbids every request, and no font,
// image or script is fetched. The tables are plain HTML, readable without JavaScript; the script
// makes them sortable and draws the treemap from the data block.
//
// One story with the JSON: a cell that shows a value of the JSON report of the same run says
// where, as a JSON pointer (RFC 6901) in `data-k` ("/image/layers/0/wasted_size"), with the
// exact value in `data-v` when the text is rounded ("104 KiB" for 106496). A test resolves every
// `data-k` of the rendered page in the JSON and compares.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/size_tree.h"

namespace layerdiff::html {

/// Text for HTML content or attribute values: & < > " ' escaped; invalid UTF-8 becomes U+FFFD
/// and control characters (a newline in a file name) show as U+FFFD too, never as markup.
std::string esc(std::string_view s);

/// A JSON pointer: ptr("image", "layers", 0, "digest") -> "/image/layers/0/digest".
template <class... Parts>
std::string ptr(const Parts&... parts) {
  std::string s;
  auto add = [&](const auto& p) {
    s += '/';
    if constexpr (std::is_integral_v<std::decay_t<decltype(p)>>) s += std::to_string(p);
    else s += p;
  };
  (add(parts), ...);
  return s;
}

/// One table cell. `k` and `v` become data-k and data-v (see above); `title` a tooltip.
struct Cell {
  std::string html;        ///< escaped content
  std::string k;           ///< JSON pointer of the value shown, "" for none
  std::optional<std::string> v;  ///< exact value when the text is rounded
  std::string title;
  std::string cls;         ///< "num", "path", …
};
Cell text(std::string_view s, std::string k = "");
Cell code(std::string_view s, std::string k = "");  ///< a path or instruction (monospace)
Cell bytes(uint64_t n, std::string k = "");          ///< "104 KiB", data-v 106496
Cell digest(const std::string& d, std::string k = "");  ///< its 12 hex digits, data-v the digest
Cell delta(int64_t n, std::string k = "", bool blank_zero = false);  ///< "+1.5 MiB", coloured by sign
/// "-1.5 MiB" for bytes a change removed, which the JSON holds as the positive n.
Cell removed(uint64_t n, std::string k = "", bool blank_zero = false);
Cell num(uint64_t n, std::string k = "");
/// "12 files": n and the noun (plural unless n == 1), data-v n.
Cell noun(uint64_t n, const std::string& singular, const std::string& plural, std::string k = "");
Cell blank();

struct Column {
  Column(std::string title, bool numeric = false, std::string tip = "")
      : title(std::move(title)), numeric(numeric), tip(std::move(tip)) {}
  std::string title;
  bool numeric = false;  ///< right-aligned, sorts by data-v
  std::string tip;       ///< what the column means
};

/// A table. Rows marked `pinned` ("[other]", "[no package]") stay below the others when sorted;
/// `foot` rows (TOTAL, NET) are in <tfoot>.
class Table {
 public:
  Table(std::string id, std::vector<Column> cols, bool sortable = true)
      : id_(std::move(id)), cols_(std::move(cols)), sortable_(sortable) {}
  void row(std::vector<Cell> cells, bool pinned = false, std::string key = "", int indent = 0);
  void foot(std::vector<Cell> cells);
  void write(std::ostream& out) const;
  bool empty() const { return rows_.empty(); }

 private:
  struct Row {
    std::vector<Cell> cells;
    bool pinned = false;
    std::string key;
    int indent = 0;
  };
  std::string id_;
  std::vector<Column> cols_;
  bool sortable_;
  std::vector<Row> rows_, foot_;
};

/// One term of a summary list: <dt>term</dt><dd>cells…</dd>.
struct Term {
  std::string term;
  std::vector<Cell> parts;  ///< written one after the other (text cells carry the separators)
};
void summary(std::ostream& out, const std::vector<Term>& terms);

/// The page up to the start of its content: head (style, CSP), header with `title` and the
/// navigation to `sections` (id, heading) in order.
void begin(std::ostream& out, std::string_view kind, std::string_view title,
           const std::vector<std::pair<std::string, std::string>>& sections);
/// A section: <section id=…><h2>heading</h2> … (end with end_section).
void section(std::ostream& out, std::string_view id, std::string_view heading, std::string_view note = "");
void end_section(std::ostream& out);
/// The treemap's place: a box the script draws into, with its caption and legend; without
/// JavaScript a note says the tables hold the same numbers.
void treemap(std::ostream& out, std::string_view caption_html);
/// The rest of the page: the data block the script reads (`data`, may be null) and the script.
void end(std::ostream& out, const boost::json::value& data);

/// The size tree as the treemap reads it: nested arrays
/// [name, weight, before, after, files, layer, change, flags (1 dir, 2 [other]), folded, [children]].
boost::json::array tree_json(const SizeNode& n);

}  // namespace layerdiff::html
