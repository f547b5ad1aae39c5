#include "cmd/docgen.h"

#include <map>
#include <set>
#include <sstream>

#include "analyzer/error.h"
#include "cmd/version.h"

namespace layerdiff {
namespace {

/// One option or positional argument as the command line defines it.
struct OptDoc {
  std::vector<std::string> shorts, longs;  ///< without dashes
  std::string positional;                  ///< its name, for a positional argument
  std::string type;                        ///< "" for a flag; "TEXT", "UINT", "N|all", "BOOLEAN"
  std::vector<std::string> choices;        ///< from an IsMember check, or true/false
  std::string constraint;                  ///< another check's description ("INT in [1 - 100]")
  std::string desc, group;
  bool required = false, repeatable = false;
  bool numeric() const {
    return type == "UINT" || type == "INT" || type == "FLOAT" || type == "SIZE" || type == "N";
  }
  std::string key() const {  // identity across commands
    std::string k;
    for (auto& s : shorts) k += "-" + s + ",";
    for (auto& l : longs) k += "--" + l + ",";
    return k + positional + "|" + type + "|" + desc;
  }
};

struct CmdDoc {
  std::string name;  ///< "" for `layerdiff BEFORE AFTER` (the diff)
  std::string desc, footer;
  std::vector<OptDoc> opts;
};

/// "{table,json}" -> {"table", "json"}.
std::vector<std::string> parse_set(const std::string& s) {
  std::vector<std::string> v;
  std::string cur;
  for (char c : s.substr(1, s.size() - 2)) {
    if (c == ',') {
      v.push_back(cur);
      cur.clear();
    } else if (c != ' ') {
      cur += c;
    }
  }
  if (!cur.empty()) v.push_back(cur);
  return v;
}

OptDoc describe(const CLI::Option& o) {
  OptDoc d;
  d.shorts = o.get_snames();
  d.longs = o.get_lnames();
  if (o.get_positional() && d.shorts.empty() && d.longs.empty()) d.positional = o.get_name(true, false);
  d.desc = o.get_description();
  d.group = o.get_group();
  d.required = o.get_required();
  d.repeatable = o.get_expected_max() >= CLI::detail::expected_max_vector_size && !d.positional.size();
  if (o.get_type_size() != 0) {
    std::string t = o.get_type_name();
    auto colon = t.find(':');
    d.type = t.substr(0, colon);
    if (colon != std::string::npos) {
      std::string rest = t.substr(colon + 1);
      if (rest.size() > 2 && rest.front() == '{' && rest.back() == '}') d.choices = parse_set(rest);
      else d.constraint = rest;
    }
    if (d.type == "BOOLEAN") d.choices = {"true", "false"};
  }
  return d;
}

/// Every shown option of a command; "diff" stands for the bare `layerdiff BEFORE AFTER` too.
std::vector<CmdDoc> commands(const CLI::App& app) {
  std::vector<CmdDoc> out;
  auto collect = [](const CLI::App& a, CmdDoc& c) {
    for (const CLI::Option* o : a.get_options())
      if (!o->get_group().empty()) c.opts.push_back(describe(*o));
  };
  CmdDoc root{"", app.get_description(), app.get_footer(), {}};
  collect(app, root);
  out.push_back(std::move(root));
  for (const CLI::App* s : app.get_subcommands([](const CLI::App* x) { return !x->get_group().empty(); })) {
    CmdDoc c{s->get_name(), s->get_description(), s->get_footer(), {}};
    collect(*s, c);
    out.push_back(std::move(c));
  }
  return out;
}

std::string one_line(const std::string& s) {
  std::string o;
  for (char c : s) o += c == '\n' ? ' ' : c;
  return o;
}

// ------------------------------------------------------------------------------------ man

/// Text for roff: backslashes escaped, no line starting with a control character, and the few
/// non-ASCII characters of the help texts in ASCII (a terminal in the C locale has no glyph).
std::string roff(const std::string& in) {
  std::string s;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in.compare(i, 3, "…") == 0) s += "...", i += 2;
    else if (in.compare(i, 3, "→") == 0) s += "->", i += 2;
    else if (in.compare(i, 3, "←") == 0) s += "<-", i += 2;
    else s += in[i];
  }
  std::string o;
  bool bol = true;
  for (char c : s) {
    if (bol && (c == '.' || c == '\'')) o += "\\&";
    if (c == '\\') o += "\\e";
    else if (c == '-') o += "\\-";
    else o += c;
    bol = c == '\n';
  }
  return o;
}

std::string man_names(const OptDoc& d) {
  std::string s;
  for (auto& n : d.shorts) s += (s.empty() ? "" : ", ") + std::string("\\fB\\-") + roff(n) + "\\fR";
  for (auto& n : d.longs) s += (s.empty() ? "" : ", ") + std::string("\\fB\\-\\-") + roff(n) + "\\fR";
  if (!d.positional.empty()) return "\\fI" + roff(d.positional) + "\\fR";
  if (!d.type.empty()) {
    std::string arg = d.type;
    if (!d.choices.empty()) {
      arg.clear();
      for (auto& c : d.choices) arg += (arg.empty() ? "" : "|") + c;
    }
    s += " \\fI" + roff(arg) + "\\fR";
    if (d.repeatable) s += " ...";
  }
  return s;
}

void man_option(std::ostream& out, const OptDoc& d) {
  out << ".TP\n" << man_names(d) << "\n" << roff(one_line(d.desc));
  if (!d.constraint.empty()) out << " (" << roff(d.constraint) << ")";
  out << "\n";
}

/// A footer ("Examples:\n  layerdiff …") as preformatted text.
void man_verbatim(std::ostream& out, const std::string& text) {
  if (text.empty()) return;
  out << ".PP\n.nf\n.RS 4\n" << roff(text) << (text.back() == '\n' ? "" : "\n") << ".RE\n.fi\n";
}

std::string synopsis_args(const CmdDoc& c) {
  std::string s;
  for (const auto& o : c.opts)
    if (!o.positional.empty()) {
      std::string name;
      for (char ch : o.positional) name += ch == ' ' ? std::string("\\fR \\fI") : std::string(1, ch);
      s += " \\fI" + name + "\\fR";
    }
  return s;
}

void write_man(const CLI::App& app, std::ostream& out) {
  std::vector<CmdDoc> cmds = commands(app);
  // Options every command has alike (reading images, limits, registries) are listed once.
  std::map<std::string, int> seen;
  for (size_t i = 1; i < cmds.size(); ++i) {
    std::set<std::string> keys;
    for (const auto& o : cmds[i].opts) keys.insert(o.key());
    for (const auto& k : keys) ++seen[k];
  }
  size_t n_sub = cmds.size() - 1;
  auto common = [&](const OptDoc& o) { return o.positional.empty() && seen[o.key()] == static_cast<int>(n_sub); };

  std::string version = kVersion;
  out << ".\\\" Generated by `layerdiff --generate man` from its command line definitions: do not edit.\n"
      << ".TH LAYERDIFF 1 \"\" \"layerdiff " << roff(version) << "\" \"User Commands\"\n.nh\n"
      << ".SH NAME\nlayerdiff \\- where the bytes of container images are, and where they went\n"
      << ".SH SYNOPSIS\n";
  for (const auto& c : cmds) {
    if (c.name == "diff") continue;  // the same as the bare form
    out << ".B layerdiff" << (c.name.empty() ? "" : " " + roff(c.name)) << "\n[\\fIOPTIONS\\fR]"
        << synopsis_args(c) << "\n.br\n";
  }
  out << ".SH DESCRIPTION\n" << roff(one_line(app.get_description())) << "\n"
      << ".PP\nAn \\fIIMAGE\\fR is a \\fBdocker save\\fR archive, an OCI archive, an OCI layout directory, or "
         "\\- for standard input, optionally gzip\\- or zstd\\-compressed (layouts and compressions are "
         "recognised by content); \\fBdocker://\\fR\\fIHOST\\fR/\\fINAME\\fR:\\fITAG\\fR for an image in a "
         "registry; \\fBdocker\\-daemon:\\fR\\fINAME\\fR:\\fITAG\\fR for the local Docker or Podman daemon.\n"
      << ".PP\nlayerdiff merges the layers the way a container runtime unpacks them (whiteouts, opaque "
         "directories, hardlinks), verifies every blob's sha256 and every layer's diff_id, and never "
         "writes extracted files to disk. Output is a table on a terminal (colour only there, never with "
         "\\fBNO_COLOR\\fR), JSON (\\fB\\-\\-format json\\fR), Markdown, or one self\\-contained HTML page "
         "(\\fB\\-\\-format html\\fR, or \\fB\\-\\-html\\fR \\fIFILE\\fR beside another format).\n";

  out << ".SH COMMANDS\n";
  for (const auto& c : cmds) {
    if (c.name == "diff") continue;
    std::string title = c.name.empty() ? "layerdiff [diff] BEFORE AFTER" : "layerdiff " + c.name;
    std::string desc = c.desc;
    if (c.name.empty())
      for (const auto& d : cmds)
        if (d.name == "diff") desc = d.desc;
    out << ".SS \"" << roff(title) << "\"\n" << roff(one_line(desc)) << "\n";
    std::map<std::string, std::vector<const OptDoc*>> groups;
    std::vector<std::string> order;
    for (const auto& o : c.opts) {
      if (common(o)) continue;
      std::string g = o.positional.empty() ? o.group : "Arguments";
      if (!groups.count(g)) {
        if (g == "Arguments") order.insert(order.begin(), g);
        else order.push_back(g);
      }
      groups[g].push_back(&o);
    }
    for (const auto& g : order) {
      if (g != "Options" && g != "Arguments") out << ".PP\n\\fI" << roff(g) << ":\\fR\n";
      for (const OptDoc* o : groups[g]) man_option(out, *o);
    }
    out << ".PP\nand the common options below.\n";
    man_verbatim(out, c.footer);
  }

  out << ".SH COMMON OPTIONS\nEvery command takes these.\n";
  {
    std::map<std::string, std::vector<const OptDoc*>> groups;
    std::vector<std::string> order;
    for (const auto& o : cmds[1].opts) {
      if (!common(o)) continue;
      if (!groups.count(o.group)) order.push_back(o.group);
      groups[o.group].push_back(&o);
    }
    for (const auto& g : order) {
      out << ".SS \"" << roff(g) << "\"\n";
      for (const OptDoc* o : groups[g]) man_option(out, *o);
    }
  }

  out << ".SH EXIT STATUS\n"
         ".TP\n.B 0\nSuccess.\n"
         ".TP\n.B 1\nThe images differ (\\fB\\-\\-exit\\-code\\fR), or a rule of \\fBlayerdiff check\\fR failed.\n"
         ".TP\n.B 2\nAn error: bad input, an unreadable or corrupt image, a digest mismatch, a limit hit, a "
         "registry or daemon that cannot be reached. The message names the image, the layer and the "
         "path: \\fBlayerdiff: error:\\fR \\fIimage\\fR\\fB: layer\\fR \\fIdigest12\\fR\\fB:\\fR \\fIpath\\fR\\fB:\\fR "
         "\\fIreason\\fR.\n"
      << ".SH ENVIRONMENT\n"
         ".TP\n.B NO_COLOR\nWhen set and not empty, no colour (\\fB\\-\\-color always\\fR still colours).\n"
         ".TP\n.B XDG_CACHE_HOME\nThe layer index cache lives in \\fI$XDG_CACHE_HOME/layerdiff\\fR "
         "(default \\fI~/.cache/layerdiff\\fR).\n"
         ".TP\n.B DOCKER_HOST\nThe daemon of \\fBdocker\\-daemon:\\fR images (\\fIunix://PATH\\fR or "
         "\\fItcp://HOST:PORT\\fR); default \\fIunix:///var/run/docker.sock\\fR.\n"
         ".TP\n.B REGISTRY_AUTH_FILE\nRegistry credentials, as \\fB\\-\\-authfile\\fR.\n"
         ".TP\n.B GITHUB_ACTIONS\\fR, \\fBGITHUB_STEP_SUMMARY\n\\fBlayerdiff check\\fR on GitHub Actions: "
         "failed rules as \\fB::error::\\fR annotations, and a Markdown step summary.\n"
         ".TP\n.B HTTP_PROXY\\fR, \\fBHTTPS_PROXY\\fR, \\fBNO_PROXY\nProxies for registries.\n"
      << ".SH FILES\n"
         ".TP\n.I .layerdiff.toml\nThe \\fB[check]\\fR rules of \\fBlayerdiff check\\fR in the current "
         "directory (or \\fB\\-\\-config\\fR \\fIFILE\\fR).\n"
         ".TP\n.I ~/.cache/layerdiff/\nThe layer index cache: each verified layer's entries, so that a "
         "second run reads no layer data.\n"
      << ".SH SEE ALSO\n\\fBdocker\\fR(1), \\fBpodman\\-save\\fR(1), \\fBskopeo\\fR(1), \\fBumoci\\fR(1)\n";
}

// ------------------------------------------------------------------------------ completions

std::vector<std::string> flag_words(const OptDoc& o) {
  std::vector<std::string> v;
  for (auto& s : o.shorts) v.push_back("-" + s);
  for (auto& l : o.longs) v.push_back("--" + l);
  return v;
}

std::string join(const std::vector<std::string>& v, const std::string& sep = " ") {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

/// Single-quoted for a POSIX shell or fish.
std::string sq(const std::string& s) {
  std::string o = "'";
  for (char c : s) o += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return o + "'";
}

/// Single-quoted for fish, whose single quotes escape only \ and '.
std::string fq(const std::string& s) {
  std::string o = "'";
  for (char c : s) {
    if (c == '\\' || c == '\'') o += '\\';
    o += c;
  }
  return o + "'";
}

std::string shell_name(const CmdDoc& c) { return c.name.empty() ? "root" : c.name; }

void write_bash(const CLI::App& app, std::ostream& out) {
  std::vector<CmdDoc> cmds = commands(app);
  std::vector<std::string> subs;
  for (const auto& c : cmds)
    if (!c.name.empty()) subs.push_back(c.name);
  out << "# bash completion for layerdiff: generated by `layerdiff --generate bash` from its command\n"
         "# line definitions (the ones --help prints); do not edit.\n"
         "_layerdiff() {\n"
         "  local cur=${COMP_WORDS[COMP_CWORD]} prev=\"\" cmd=root i\n"
         "  (( COMP_CWORD > 0 )) && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
         "  # --opt=value: bash splits at '='.\n"
         "  if [[ $cur == = ]]; then cur=\"\"; elif [[ $prev == = ]] && (( COMP_CWORD > 1 )); then\n"
         "    prev=${COMP_WORDS[COMP_CWORD-2]}; fi\n"
         "  for (( i = 1; i < COMP_CWORD; i++ )); do\n"
         "    case ${COMP_WORDS[i]} in " << join(subs, "|") << ") cmd=${COMP_WORDS[i]}; break ;; esac\n"
         "  done\n"
         "  local opts values=\"\" takes=0\n"
         "  case $cmd in\n";
  for (const auto& c : cmds) {
    std::vector<std::string> words;
    for (const auto& o : c.opts)
      for (auto& w : flag_words(o)) words.push_back(w);
    if (c.name.empty()) words = [&] { auto w = words; w.insert(w.begin(), subs.begin(), subs.end()); return w; }();
    out << "    " << shell_name(c) << ")\n      opts=" << sq(join(words)) << "\n      case $prev in\n";
    for (const auto& o : c.opts) {
      if (o.type.empty() || !o.positional.empty()) continue;
      out << "        " << join(flag_words(o), "|") << ") takes=1";
      if (!o.choices.empty()) out << "; values=" << sq(join(o.choices));
      else if (o.numeric()) out << "; values=-";  // a number: nothing to offer
      out << " ;;\n";
    }
    out << "      esac ;;\n";
  }
  out << "  esac\n"
         "  if (( takes )); then\n"
         "    if [[ $values == - ]]; then COMPREPLY=(); compopt +o default 2>/dev/null\n"
         "    elif [[ -n $values ]]; then COMPREPLY=($(compgen -W \"$values\" -- \"$cur\"))\n"
         "    else COMPREPLY=($(compgen -f -- \"$cur\")); compopt -o filenames 2>/dev/null; fi\n"
         "    return 0\n"
         "  fi\n"
         "  if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\")); return 0; fi\n"
         "  # Images: files and directories (and, before a command is given, the commands).\n"
         "  COMPREPLY=($(compgen -f -- \"$cur\"))\n"
         "  compopt -o filenames 2>/dev/null\n"
         "  if [[ $cmd == root ]] && (( COMP_CWORD == 1 )); then\n"
         "    COMPREPLY+=($(compgen -W " << sq(join(subs)) << " -- \"$cur\"))\n"
         "  fi\n"
         "  return 0\n"
         "}\n"
         "complete -o default -F _layerdiff layerdiff\n";
}

/// An _arguments description: no newline, ']' and ':' escaped, ready for single quotes.
std::string zdesc(const std::string& s) {
  std::string o;
  for (char c : one_line(s)) {
    if (c == ']' || c == '[' || c == ':' || c == '\\') o += '\\';
    o += c;
  }
  return o;
}

void write_zsh(const CLI::App& app, std::ostream& out) {
  std::vector<CmdDoc> cmds = commands(app);
  out << "#compdef layerdiff\n"
         "# zsh completion for layerdiff: generated by `layerdiff --generate zsh` from its command line\n"
         "# definitions (the ones --help prints); do not edit.\n";
  for (const auto& c : cmds) {
    out << "\n_layerdiff_" << shell_name(c) << "() {\n  _arguments -s -S : \\\n";
    for (const auto& o : c.opts) {
      if (!o.positional.empty()) continue;
      std::vector<std::string> names = flag_words(o);
      std::string action;
      if (!o.type.empty()) {
        if (!o.choices.empty()) action = ":" + zdesc(o.type) + ":(" + join(o.choices) + ")";
        else if (o.numeric()) action = ":" + zdesc(o.type) + ": ";
        else action = ":" + zdesc(o.type) + ":_files";
      }
      std::string excl = names.size() > 1 ? "(" + join(names) + ")" : "";
      std::string rep = o.repeatable ? "*" : "";
      for (const auto& n : names) {
        std::string suffix = o.type.empty() ? "" : (n.size() == 2 ? "+" : "=");
        out << "    " << sq(rep + excl + n + suffix + "[" + zdesc(o.desc) + "]" + action) << " \\\n";
      }
    }
    out << "    '*:image:_files'\n}\n";
  }
  out << "\n_layerdiff() {\n  local -a commands\n  commands=(\n";
  for (const auto& c : cmds)
    if (!c.name.empty()) out << "    " << sq(c.name + ":" + one_line(c.desc)) << "\n";
  out << "  )\n"
         "  if (( CURRENT > 2 )) && (( ${+functions[_layerdiff_${words[2]}]} )) && [[ ${words[2]} != root ]]; then\n"
         "    local cmd=${words[2]}\n"
         "    shift words\n"
         "    (( CURRENT-- ))\n"
         "    _layerdiff_$cmd\n"
         "    return\n"
         "  fi\n"
         "  local ret=1\n"
         "  if (( CURRENT == 2 )) && [[ $PREFIX != -* ]]; then\n"
         "    _describe -t commands 'layerdiff command' commands && ret=0\n"
         "  fi\n"
         "  _layerdiff_root && ret=0\n"
         "  return ret\n"
         "}\n\n"
         "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n"
         "  _layerdiff \"$@\"\n"
         "else\n"
         "  compdef _layerdiff layerdiff\n"
         "fi\n";
}

void write_fish(const CLI::App& app, std::ostream& out) {
  std::vector<CmdDoc> cmds = commands(app);
  std::vector<std::string> subs;
  for (const auto& c : cmds)
    if (!c.name.empty()) subs.push_back(c.name);
  out << "# fish completion for layerdiff: generated by `layerdiff --generate fish` from its command\n"
         "# line definitions (the ones --help prints); do not edit.\n";
  for (const auto& c : cmds)
    if (!c.name.empty())
      out << "complete -c layerdiff -n '__fish_use_subcommand' -f -a " << fq(c.name) << " -d " << fq(one_line(c.desc))
          << "\n";
  for (const auto& c : cmds) {
    std::string cond = c.name.empty() ? "not __fish_seen_subcommand_from " + join(subs)
                                      : "__fish_seen_subcommand_from " + c.name;
    for (const auto& o : c.opts) {
      if (!o.positional.empty()) continue;
      out << "complete -c layerdiff -n " << fq(cond);
      for (auto& s : o.shorts) out << " -s " << fq(s);
      for (auto& l : o.longs) out << " -l " << fq(l);
      if (!o.type.empty()) {
        if (!o.choices.empty()) out << " -x -a " << fq(join(o.choices));
        else if (o.numeric()) out << " -x";
        else out << " -r -F";
      }
      out << " -d " << fq(one_line(o.desc)) << "\n";
    }
  }
}

}  // namespace

void write_docs(const CLI::App& app, const std::string& kind, std::ostream& out) {
  if (kind == "man") write_man(app, out);
  else if (kind == "bash") write_bash(app, out);
  else if (kind == "zsh") write_zsh(app, out);
  else if (kind == "fish") write_fish(app, out);
  else throw Error("--generate: expected man, bash, zsh or fish, got " + kind);
}

}  // namespace layerdiff
