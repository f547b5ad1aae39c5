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
  df.file = file;
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

std::string copy_source(const Instruction& ins) {
  std::istringstream in(ins.args);
  std::string w;
  while (in >> w) {
    if (!starts(w, "--")) break;
    if (starts(w, "--from=")) return lower(w.substr(7));
  }
  return "";
}

std::vector<int> stage_lineage(const Dockerfile& df, int target) {
  std::vector<int> out;
  if (target < 0 || target >= static_cast<int>(df.stages.size())) return out;
  for (int s = target; s >= 0 && out.size() < df.stages.size();) {
    out.push_back(s);
    const Stage* parent = df.find(df.stages[s].from);
    int p = parent ? static_cast<int>(parent - df.stages.data()) : -1;
    s = p >= 0 && p < s ? p : -1;  // only an earlier stage can be a parent
  }
  std::reverse(out.begin(), out.end());
  return out;
}

namespace {

/// A path made absolute against a working directory, without "." or a trailing "/".
std::string absolute(const std::string& wd, const std::string& p) {
  std::string joined = !p.empty() && p[0] == '/' ? p : (wd.empty() ? "/" : wd) + "/" + p;
  std::vector<std::string> parts;
  std::istringstream in(joined);
  std::string c;
  while (std::getline(in, c, '/')) {
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(c);
  }
  std::string out;
  for (auto& x : parts) out += "/" + x;
  return out.empty() ? "/" : out;
}

/// COPY/ADD arguments: flags, then sources and the destination (shell or exec form).
struct CopyArgs {
  std::string from;   ///< --from=, lower-cased
  std::string dest;   ///< as written
  bool valid = false;
};

CopyArgs parse_copy(const std::string& args) {
  CopyArgs c;
  std::string rest = args;
  // Flags come first: --from=x --chown=a:b --link ...
  for (;;) {
    std::string t = collapse(rest);
    if (!starts(t, "--")) {
      rest = t;
      break;
    }
    auto sp = t.find(' ');
    std::string flag = t.substr(0, sp);
    if (starts(flag, "--from=")) c.from = lower(flag.substr(7));
    rest = sp == std::string::npos ? "" : t.substr(sp + 1);
  }
  std::string words = unexec(rest);
  if (words.empty()) return c;
  auto k = words.find_last_of(' ');
  c.dest = k == std::string::npos ? words : words.substr(k + 1);
  c.valid = k != std::string::npos || !rest.empty();
  return c;
}

/// What an instruction or a history entry is compared by.
struct Key {
  std::string keyword;
  std::string text;     ///< RUN: command; others: normalised arguments
  bool copy = false;    ///< COPY/ADD: compare `from` and the resolved destination
  bool classic = false; ///< history in the "COPY dir:<hash> in <dest>" form: no --from known
  std::string from, dest;  ///< dest: as written (relative to the working directory)
  bool never = false;   ///< cannot match exactly (a heredoc)
};

/// Arguments of ENV/LABEL/ARG in one form: "K V" -> "K=V".
std::string kv_form(const std::string& keyword, const std::string& args) {
  if ((keyword == "ENV" || keyword == "LABEL") && args.find('=') == std::string::npos) {
    auto sp = args.find(' ');
    if (sp != std::string::npos) return args.substr(0, sp) + "=" + args.substr(sp + 1);
  }
  return args;
}

/// "RUN --mount=… --network=… cmd" -> "cmd" (BuildKit keeps no RUN flags in the history).
std::string strip_run_flags(std::string a) {
  for (;;) {
    a = collapse(a);
    if (!starts(a, "--")) return a;
    auto sp = a.find(' ');
    if (sp == std::string::npos) return "";
    a = a.substr(sp + 1);
  }
}

Key instruction_key(const Instruction& i) {
  Key k;
  k.keyword = i.keyword;
  if (i.keyword == "RUN") {
    if (i.args.find("<<") != std::string::npos && i.args.find('\n') != std::string::npos) k.never = true;
    std::string a = collapse(unexec(strip_run_flags(i.args)));
    if (starts(a, "/bin/sh -c ")) a = a.substr(11);
    k.text = a;
  } else if (i.keyword == "COPY" || i.keyword == "ADD") {
    CopyArgs c = parse_copy(i.args);
    k.copy = true;
    k.from = c.from;
    k.dest = c.dest;
    k.never = !c.valid;
  } else {
    k.text = kv_form(i.keyword, collapse(unexec(i.args)));
  }
  return k;
}

Key history_key(const std::string& created_by) {
  Instruction n = normalize_created_by(created_by);
  Key k;
  k.keyword = n.keyword;
  if (n.keyword == "RUN") {
    k.text = collapse(n.args);
  } else if (n.keyword == "COPY" || n.keyword == "ADD") {
    k.copy = true;
    std::string raw = collapse(created_by);
    auto nop = raw.find("#(nop)");
    std::string rest = collapse(nop == std::string::npos ? raw : raw.substr(nop + 6));
    rest = collapse(rest.substr(std::min(rest.size(), n.keyword.size())));
    if ((starts(rest, "file:") || starts(rest, "dir:") || starts(rest, "multi:")) &&
        rest.find(" in ") != std::string::npos) {
      k.classic = true;
      k.dest = collapse(rest.substr(rest.find(" in ") + 4));
    } else {
      CopyArgs c = parse_copy(n.args);
      k.from = c.from;
      k.dest = c.dest;
      k.never = !c.valid;
    }
  } else {
    k.text = kv_form(n.keyword, collapse(unexec(n.args)));
  }
  return k;
}

}  // namespace

std::vector<InstructionRef> align_history(const std::vector<HistoryEntry>& history,
                                          const Dockerfile& df, int target) {
  std::vector<InstructionRef> out(history.size());
  std::vector<int> lin = stage_lineage(df, target);
  if (lin.empty()) return out;
  // The lineage's instructions in order, each with the WORKDIR in force ("" until one is set:
  // the base image's, which only the history knows).
  std::vector<InstructionRef> ins;
  std::vector<Key> ik;
  std::vector<std::string> iwd;
  std::string wd;
  for (int s : lin) {
    for (size_t i = 0; i < df.stages[s].instructions.size(); ++i) {
      const Instruction& in = df.stages[s].instructions[i];
      ins.push_back({s, static_cast<int>(i)});
      ik.push_back(instruction_key(in));
      iwd.push_back(wd);
      if (in.keyword == "WORKDIR") wd = absolute(wd.empty() ? "/" : wd, unexec(collapse(in.args)));
    }
  }
  std::vector<Key> hk;
  std::vector<std::string> hwd;
  std::string hw = "/";
  for (const auto& h : history) {
    hk.push_back(history_key(h.created_by));
    hwd.push_back(hw);
    if (hk.back().keyword == "WORKDIR") hw = absolute(hw, hk.back().text);
  }
  auto match = [&](size_t a, size_t b) {
    const Key& h = hk[a];
    const Key& i = ik[b];
    if (h.keyword != i.keyword || h.never || i.never) return false;
    if (!i.copy) return h.text == i.text;
    if (!h.classic && h.from != i.from) return false;
    std::string idest = absolute(iwd[b].empty() ? hwd[a] : iwd[b], i.dest);
    return absolute(hwd[a], h.dest) == idest;
  };
  size_t n = history.size(), m = ins.size();
  std::vector<std::vector<int>> dp(n + 1, std::vector<int>(m + 1, 0));
  for (size_t a = 1; a <= n; ++a)
    for (size_t b = 1; b <= m; ++b) {
      int best = std::max(dp[a - 1][b], dp[a][b - 1]);
      if (match(a - 1, b - 1)) best = std::max(best, dp[a - 1][b - 1] + 1);
      dp[a][b] = best;
    }
  for (size_t a = n, b = m; a > 0 && b > 0;) {
    if (match(a - 1, b - 1) && dp[a][b] == dp[a - 1][b - 1] + 1) {
      out[a - 1] = ins[b - 1];
      --a;
      --b;
    } else if (dp[a][b] == dp[a - 1][b]) {
      --a;
    } else {
      --b;
    }
  }
  return out;
}

}  // namespace layerdiff
