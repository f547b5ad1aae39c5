#include "cmd/check_options.h"

#include <algorithm>
#include <filesystem>

#include "analyzer/error.h"

namespace layerdiff {
namespace {

constexpr const char* kDefaultConfig = ".layerdiff.toml";

/// Values after the last "off" (`--forbid off` drops what the config file gave).
std::vector<std::string> after_off(const std::vector<std::string>& v) {
  std::vector<std::string> out;
  for (const auto& s : v) {
    if (s == "off") out.clear();
    else out.push_back(s);
  }
  return out;
}

std::string fields_text() {
  std::string s;
  for (const auto& f : config_field_names()) s += (s.empty() ? "" : ", ") + f;
  return s;
}

std::string kinds_text() {
  std::string s;
  for (FindingKind k : finding_kinds()) s += std::string(s.empty() ? "" : ", ") + finding_kind_name(k);
  return s;
}

}  // namespace

void add_check_options(CLI::App* c, CheckFlags& f) {
  c->add_option("--baseline", f.baseline,
                "BEFORE: the image to compare with (e.g. the last build of main); the relative\n"
                "rules are skipped without it");
  c->add_option("--config", f.config,
                std::string("config file with a [check] section (default ./") + kDefaultConfig +
                    " when present); flags override it")
      ->configurable(false);
  c->add_option("--junit", f.junit, "also write a JUnit XML report to FILE (one test case per rule)");
  auto rule = [&](const char* name, std::string& v, const char* help) {
    c->add_option(name, v, std::string(help) + "; off: no such rule")->group("Rules");
  };
  rule("--max-size", f.max_size, "visible file content of AFTER at most SIZE (hardlinks once)");
  rule("--max-size-compressed", f.max_size_compressed, "layer blobs of AFTER as stored at most SIZE");
  rule("--max-layers", f.max_layers, "at most N layers");
  rule("--max-wasted", f.max_wasted,
       "bytes written by a layer and overwritten or deleted by a later one at most SIZE, or N% "
       "of all bytes written");
  rule("--min-efficiency", f.min_efficiency, "visible / written content at least N% (or 0.N)");
  rule("--max-growth", f.max_growth,
       "content growth over --baseline at most SIZE, or N% of the baseline's content");
  rule("--max-file-growth", f.max_file_growth, "growth of any one path in both images at most SIZE");
  rule("--max-new-file", f.max_new_file, "any path new in AFTER at most SIZE");
  c->add_option("--budget", f.budgets,
                "GLOB=SIZE: the files matching GLOB hold at most SIZE (repeatable), e.g.\n"
                "'/usr/lib/**=120MiB'; off drops the budgets before it")
      ->allow_extra_args(false)  // one value per flag: the image that follows stays positional
      ->group("Rules");
  c->add_option("--forbid", f.forbid,
                "GLOB: no path of AFTER may match (repeatable), e.g. '/usr/bin/gcc*',\n"
                "'**/.cache/**'; off drops the patterns before it")
      ->allow_extra_args(false)
      ->group("Rules");
  c->add_option("--forbid-package", f.forbid_packages,
                "NAME: no dpkg/apk/python/npm package of AFTER may be named NAME (a name or a\n"
                "pattern like 'gcc-*'; libc6 matches libc6:amd64; repeatable); off drops the\n"
                "names before it")
      ->allow_extra_args(false)
      ->group("Rules");
  rule("--max-package-growth", f.max_package_growth,
       "growth of any one package over --baseline at most SIZE, or N% of its baseline bytes");
  c->add_flag("--forbid-root-user", f.forbid_root_user,
              "AFTER's config User may not be root (unset, root or 0, with or without a group)")
      ->group("Rules");
  c->add_option("--forbid-config-change", f.forbid_config_changes,
                "FIELD: this config field may not differ from --baseline's (repeatable): " +
                    fields_text() + "; off drops the fields before it")
      ->allow_extra_args(false)
      ->group("Rules");
  c->add_option("--forbid-finding", f.forbid_findings,
                "KIND: AFTER may have no finding of this kind (repeatable; see inspect's FINDINGS):\n" +
                    kinds_text() + "; off drops the kinds before it")
      ->allow_extra_args(false)
      ->group("Rules");
}

void apply_check_config(CLI::App* c, CheckFlags& f) {
  std::string path = f.config;
  if (path.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(kDefaultConfig, ec)) return;
    path = kDefaultConfig;
  }
  // CLI11's own reader (the one App::set_config uses). set_config itself is not used: in
  // CLI11 2.1 it belongs to the main app, so `check --config FILE` would not parse, the file
  // would be read for every command, and unknown keys would be ignored silently.
  CLI::ConfigTOML reader;
  std::vector<CLI::ConfigItem> items;
  try {
    items = reader.from_file(path);
  } catch (const CLI::Error&) {
    throw Error(path + ": cannot read the config file");
  }
  f.config_used = path;
  for (const CLI::ConfigItem& item : items) {
    if (item.name == "++" || item.name == "--") continue;  // section start / end markers
    if (item.parents.empty())
      throw Error(path + ": " + item.name + ": put the keys of `layerdiff check` under [check]");
    if (item.parents != std::vector<std::string>{"check"})
      throw Error(path + ": [" + item.parents.front() + "]: unknown section (layerdiff reads [check])");
    std::string where = path + ": [check] " + item.name;
    CLI::Option* op = c->get_option_no_throw("--" + item.name);
    if (op == nullptr || !op->get_configurable()) throw Error(where + ": unknown key");
    if (op->count() > 0) continue;  // given on the command line: the flag wins
    try {
      if (op->get_expected_min() == 0) op->add_result(op->get_flag_value(item.name, reader.to_flag(item)));
      else op->add_result(item.inputs);
      op->run_callback();
    } catch (const CLI::Error& e) {
      throw Error(where + ": " + e.what());
    }
    f.from_config.insert(item.name);
  }
}

GateRules gate_rules(const CheckFlags& f) {
  auto where = [&](const std::string& key) {
    return f.from_config.count(key) ? f.config_used + ": [check] " + key : "--" + key;
  };
  GateRules r;
  auto set = [&](const std::string& key, const std::string& v, auto parse) {
    if (v.empty() || v == "off") return;
    try {
      parse(v);
    } catch (const Error& e) {
      throw Error(where(key) + ": " + e.what());
    }
  };
  set("max-size", f.max_size, [&](const std::string& v) { r.max_size = parse_threshold(v, false); });
  set("max-size-compressed", f.max_size_compressed,
      [&](const std::string& v) { r.max_size_compressed = parse_threshold(v, false); });
  set("max-layers", f.max_layers, [&](const std::string& v) {
    if (v.find_first_not_of("0123456789") != std::string::npos || v.size() > 9)
      throw Error("bad count '" + v + "': expected a whole number of layers");
    r.max_layers = std::stoull(v);
  });
  set("max-wasted", f.max_wasted, [&](const std::string& v) { r.max_wasted = parse_threshold(v, true); });
  set("min-efficiency", f.min_efficiency, [&](const std::string& v) { r.min_efficiency = parse_fraction(v); });
  set("max-growth", f.max_growth, [&](const std::string& v) { r.max_growth = parse_threshold(v, true); });
  set("max-file-growth", f.max_file_growth,
      [&](const std::string& v) { r.max_file_growth = parse_threshold(v, false); });
  set("max-new-file", f.max_new_file, [&](const std::string& v) { r.max_new_file = parse_threshold(v, false); });
  for (const auto& b : after_off(f.budgets)) {
    set("budget", b, [&](const std::string& v) {
      auto eq = v.rfind('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == v.size())
        throw Error("expected GLOB=SIZE, got '" + v + "'");
      r.budgets.push_back({Glob(v.substr(0, eq)), parse_threshold(v.substr(eq + 1), false)});
    });
  }
  for (const auto& g : after_off(f.forbid)) set("forbid", g, [&](const std::string& v) { r.forbid.emplace_back(v); });
  for (const auto& n : after_off(f.forbid_packages))
    set("forbid-package", n, [&](const std::string& v) { r.forbid_packages.push_back(v); });
  set("max-package-growth", f.max_package_growth,
      [&](const std::string& v) { r.max_package_growth = parse_threshold(v, true); });
  r.forbid_root_user = f.forbid_root_user;
  for (const auto& n : after_off(f.forbid_config_changes))
    set("forbid-config-change", n, [&](const std::string& v) {
      std::string field = config_field(v);
      if (field.empty()) throw Error("unknown config field '" + v + "'; fields: " + fields_text());
      if (std::find(r.forbid_config_changes.begin(), r.forbid_config_changes.end(), field) ==
          r.forbid_config_changes.end())
        r.forbid_config_changes.push_back(field);
    });
  for (const auto& n : after_off(f.forbid_findings))
    set("forbid-finding", n, [&](const std::string& v) {
      auto k = parse_finding_kind(v);
      if (!k) throw Error("unknown finding kind '" + v + "'; kinds: " + kinds_text());
      if (std::find(r.forbid_findings.begin(), r.forbid_findings.end(), *k) == r.forbid_findings.end())
        r.forbid_findings.push_back(*k);
    });
  if (r.empty())
    throw Error("check: no rules to check; give at least one (--max-size, --max-growth, --forbid, … "
                "see layerdiff check --help) or a [check] section in the config file");
  return r;
}

}  // namespace layerdiff
