#include "analyzer/dockerfile.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "analyzer/error.h"

namespace layerdiff {
namespace {

std::string collapse(const std::string& s) {
  std::string o;
  bool sp = false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      sp = !o.empty();
      continue;
    }
    if (sp) o += ' ';
    sp = false;
    o += c;
  }
  return o;
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool starts(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

/// Exec form ["a","b"] -> "a b" so that it compares with history's shell rendering.
std::string unexec(const std::string& args) {
  if (args.size() < 2 || args.front() != '[' || args.back() != ']') return args;
  std::string out, cur;
  bool in = false, esc = false;
  for (size_t i = 1; i + 1 < args.size(); ++i) {
    char c = args[i];
    if (in) {
      if (esc) {
        cur += c;
        esc = false;
      } else if (c == '\\') {
        esc = true;
      } else if (c == '"') {
        in = false;
        out += (out.empty() ? "" : " ") + cur;
        cur.clear();
      } else {
        cur += c;
      }
    } else if (c == '"') {
      in = true;
    }
  }
  return out;
}

/// Destination of COPY/ADD: the last argument.
std::string last_arg(const std::string& args) {
  auto k = args.find_last_of(' ');
  return k == std::string::npos ? args : args.substr(k + 1);
}

/// --from=NAME of a COPY, or "".
std::string copy_from(const std::string& args) {
  std::istringstream in(args);
  std::string w;
  while (in >> w)
    if (starts(w, "--from=")) return lower(w.substr(7));
  return "";
}

}  // namespace

int match_score(const Instruction& h, const Instruction& i) {
  if (h.keyword != i.keyword) return 0;
  if (h.keyword == "RUN") {
    std::string a = collapse(unexec(i.args));
    // Exec-form RUN ["sh","-c","x"] and shell form both reach history as their command line.
    if (starts(a, "/bin/sh -c ")) a = a.substr(11);
    if (a == h.args) return 3;
    // A heredoc's body reaches history in builder-specific forms: the keyword is all we know.
    return i.args.find("<<") != std::string::npos ? 1 : 0;
  }
  if (h.keyword == "COPY" || h.keyword == "ADD") {
    // Classic history has "file:<hash> in <dest>"; BuildKit keeps the flags and sources.
    if (h.args == i.args) return 3;
    std::string hf = copy_from(h.args), inf = copy_from(i.args);
    if (!hf.empty() && hf != inf) return 0;
    return last_arg(h.args) == last_arg(i.args) ? 2 : 0;
  }
  // ENV, WORKDIR, CMD, …: exact, else the keyword (their rendering differs between builders).
  return collapse(unexec(h.args)) == collapse(unexec(i.args)) ? 3 : 1;
}

namespace {
}  // namespace

const Stage* Dockerfile::find(const std::string& name) const {
  for (const auto& s : stages)
    if (lower(s.name) == lower(name)) return &s;
  if (!name.empty() && std::all_of(name.begin(), name.end(), ::isdigit)) {
    size_t k = std::stoul(name);
    if (k < stages.size()) return &stages[k];
  }
  return nullptr;
}

Dockerfile parse_dockerfile(const std::string& text, const std::string& file) {
  Dockerfile df;
  std::vector<std::string> lines;
  {
    std::string l;
    std::istringstream in(text);
    while (std::getline(in, l)) {
      if (!l.empty() && l.back() == '\r') l.pop_back();
      lines.push_back(l);
    }
  }
  char escape = '\\';
  size_t i = 0;
  // Parser directives: only at the very top, as "# key=value".
  for (; i < lines.size(); ++i) {
    std::string t = collapse(lines[i]);
    if (!starts(t, "#")) break;
    std::string d = lower(collapse(t.substr(1)));
    if (starts(d, "escape=") && d.size() > 7) escape = d[7];
    else if (!starts(d, "syntax=") && !starts(d, "check=")) break;
  }
  i = 0;
  while (i < lines.size()) {
    int line_no = static_cast<int>(i) + 1;
    std::string t = lines[i];
    std::string trimmed = collapse(t);
    if (trimmed.empty() || trimmed[0] == '#') {
      ++i;
      continue;
    }
    std::string joined;
    for (;;) {
      std::string cur = lines[i];
      ++i;
      size_t end = cur.find_last_not_of(" \t");
      if (end != std::string::npos && cur[end] == escape) {
        joined += cur.substr(0, end) + " ";
        // Comment lines inside a continuation are dropped, as Docker does.
        while (i < lines.size() && collapse(lines[i]).rfind("#", 0) == 0) ++i;
        if (i < lines.size()) continue;
      } else {
        joined += cur;
      }
      break;
    }
    std::string all = collapse(joined);
    auto sp = all.find(' ');
    Instruction ins;
    ins.keyword = upper(all.substr(0, sp));
    ins.args = sp == std::string::npos ? "" : all.substr(sp + 1);
    ins.line = line_no;
    // Heredocs: RUN <<EOF … EOF (the body is part of the instruction).
    auto hd = ins.args.find("<<");
    if (hd != std::string::npos) {
      std::string tag = ins.args.substr(hd + 2);
      if (!tag.empty() && tag[0] == '-') tag = tag.substr(1);
      tag = tag.substr(0, tag.find(' '));
      tag.erase(std::remove(tag.begin(), tag.end(), '"'), tag.end());
      tag.erase(std::remove(tag.begin(), tag.end(), '\''), tag.end());
      if (!tag.empty() && std::isalpha(static_cast<unsigned char>(tag[0]))) {
        std::string body;
        while (i < lines.size() && collapse(lines[i]) != tag) body += lines[i++] + "\n";
        if (i < lines.size()) ++i;
        ins.args += "\n" + body + tag;
      }
    }
    if (ins.keyword == "FROM") {
      Stage s;
      std::istringstream in(ins.args);
      std::vector<std::string> w;
      std::string x;
      while (in >> x)
        if (!starts(x, "--")) w.push_back(x);
      if (w.empty()) throw Error(file + ":" + std::to_string(line_no) + ": FROM without an image");
      s.from = w[0];
      if (w.size() >= 3 && upper(w[1]) == "AS") s.name = w[2];
      else s.name = "stage-" + std::to_string(df.stages.size());
      df.stages.push_back(std::move(s));
      continue;
    }
    if (df.stages.empty()) {
      if (ins.keyword == "ARG") continue;  // ARG before FROM parametrises FROM
      throw Error(file + ":" + std::to_string(line_no) + ": " + ins.keyword +
                  " before the first FROM");
    }
    df.stages.back().instructions.push_back(std::move(ins));
  }
  if (df.stages.empty()) throw Error(file + ": no FROM instruction");
  return df;
}

Instruction normalize_created_by(const std::string& raw) {
  std::string s = collapse(raw);
  if (s.size() >= 10 && s.compare(s.size() - 10, 10, "# buildkit") == 0)
    s = collapse(s.substr(0, s.size() - 10));
  Instruction out;
  auto nop = s.find("#(nop)");
  if (nop != std::string::npos) {
    s = collapse(s.substr(nop + 6));
  } else {
    // Build-arg prefix "|N a=1 b=2 " before the command (classic builder and BuildKit RUN).
    auto strip_args = [](std::string& t) {
      if (t.empty() || t[0] != '|') return;
      std::istringstream in(t.substr(1));
      size_t n = 0;
      in >> n;
      std::string w;
      for (size_t k = 0; k < n && in >> w;) ++k;
      std::string rest;
      std::getline(in, rest);
      t = collapse(rest);
    };
    if (starts(s, "RUN ")) {
      s = collapse(s.substr(4));
      strip_args(s);
      if (starts(s, "/bin/sh -c ")) s = s.substr(11);
      out.keyword = "RUN";
      out.args = s;
      return out;
    }
    strip_args(s);
    if (starts(s, "/bin/sh -c ")) {
      out.keyword = "RUN";
      out.args = s.substr(11);
      return out;
    }
  }
  auto sp = s.find(' ');
  out.keyword = upper(s.substr(0, sp));
  out.args = sp == std::string::npos ? "" : s.substr(sp + 1);
  if (out.keyword == "COPY" || out.keyword == "ADD") {
    // Classic: "COPY file:<hash> in /dest" -> keep just the destination.
    auto in = out.args.find(" in ");
    if (in != std::string::npos && (starts(out.args, "file:") || starts(out.args, "dir:") ||
                                    starts(out.args, "multi:")))
      out.args = out.args.substr(in + 4);
  }
  return out;
}

std::string display_created_by(const std::string& raw) {
  Instruction n = normalize_created_by(raw);
  if (n.keyword == "RUN") return n.text();
  std::string s = collapse(raw);
  if (s.size() >= 10 && s.compare(s.size() - 10, 10, "# buildkit") == 0)
    s = collapse(s.substr(0, s.size() - 10));
  auto nop = s.find("#(nop)");
  if (nop != std::string::npos) return collapse(s.substr(nop + 6));
  if (starts(s, "/bin/sh -c ")) return "RUN " + s.substr(11);
  return s;
}

std::vector<HistoryLabel> label_history(const std::vector<HistoryEntry>& history,
                                        const Dockerfile& df, const std::string& target) {
  std::vector<HistoryLabel> labels(history.size());
  const Stage* st = target.empty() ? &df.stages.back() : df.find(target);
  size_t end = history.size();  // label history[0, end) with stage st
  int guard = 0;
  std::string base = st ? st->from : "";
  while (st && end > 0 && guard++ < 64) {
    base = st->from;
    const auto& ins = st->instructions;
    size_t n = end, m = ins.size();
    // Weighted LCS over history[0,n) x ins[0,m), preferring to align at the end.
    std::vector<std::vector<int>> dp(n + 1, std::vector<int>(m + 1, 0));
    std::vector<Instruction> norm(n);
    for (size_t a = 0; a < n; ++a) norm[a] = normalize_created_by(history[a].created_by);
    for (size_t a = 1; a <= n; ++a)
      for (size_t b = 1; b <= m; ++b) {
        int sc = match_score(norm[a - 1], ins[b - 1]);
        int best = std::max(dp[a - 1][b], dp[a][b - 1]);
        if (sc) best = std::max(best, dp[a - 1][b - 1] + sc);
        dp[a][b] = best;
      }
    size_t a = n, b = m, first = n, last = 0;
    while (a > 0 && b > 0) {
      int sc = match_score(norm[a - 1], ins[b - 1]);
      if (sc && dp[a][b] == dp[a - 1][b - 1] + sc) {
        labels[a - 1] = {st->name, static_cast<int>(b - 1), ins[b - 1].text()};
        if (first == n) last = a - 1;
        first = a - 1;
        --a;
        --b;
      } else if (dp[a][b] == dp[a - 1][b]) {
        --a;
      } else {
        --b;
      }
    }
    if (first == n) break;  // nothing of this stage found
    // History between two matches of the stage that matched nothing still belongs to it; what
    // follows the last match is left unlabelled (another build's layers).
    for (size_t k = first; k <= last; ++k)
      if (labels[k].stage.empty()) labels[k].stage = st->name;
    end = first;
    const Stage* parent = df.find(st->from);
    if (parent == st) parent = nullptr;
    if (!parent) {
      for (size_t k = 0; k < end; ++k) labels[k].stage = "base: " + st->from;
      end = 0;
    }
    st = parent;
  }
  for (size_t k = 0; k < end; ++k)
    if (labels[k].stage.empty()) labels[k].stage = "base: " + base;
  return labels;
}

}  // namespace layerdiff
