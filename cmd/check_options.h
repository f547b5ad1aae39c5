// check_options.h: the flags of `layerdiff check` (rules, baseline, config, JUnit), the config
// file that can hold them, and their conversion into analyzer GateRules.
//
// Config: `--config FILE`, else `.layerdiff.toml` in the working directory when present. Keys sit
// in a `[check]` section and are the long flag names without dashes (`max-growth = "5%"`,
// `forbid = ["/usr/bin/gcc*"]`); any flag of `check` can be set there. A flag given on the
// command line wins over the file. Unknown keys and sections are errors.
// A rule's value `off` switches it off (e.g. `--max-growth off` over a config that sets it); for
// the repeatable --budget and --forbid, `off` drops the values before it.
#pragma once

#include <CLI/CLI.hpp>
#include <set>
#include <string>
#include <vector>

#include "analyzer/gate.h"

namespace layerdiff {

struct CheckFlags {
  std::string baseline, config, junit;
  std::string max_size, max_size_compressed, max_layers, max_wasted, min_efficiency, max_growth,
      max_file_growth, max_new_file;  ///< "" unset, "off" switched off
  std::vector<std::string> budgets, forbid;
  std::vector<std::string> forbid_packages;  ///< --forbid-package
  std::string max_package_growth;            ///< --max-package-growth
  bool forbid_root_user = false;             ///< --forbid-root-user
  std::vector<std::string> forbid_config_changes;  ///< --forbid-config-change FIELD
  std::vector<std::string> forbid_findings;        ///< --forbid-finding KIND
  std::string config_used;            ///< the config file read, "" none
  std::set<std::string> from_config;  ///< keys whose value came from it
};

/// Adds --baseline, --config, --junit and the rule flags to `c`.
void add_check_options(CLI::App* c, CheckFlags& f);

/// Reads the config file (--config, else ./.layerdiff.toml if it exists) into every option of
/// `c` the command line did not set, running the options' own validation. Throws Error
/// "<file>: [check] <key>: <reason>" for an unreadable file, an unknown key or a bad value.
void apply_check_config(CLI::App* c, CheckFlags& f);

/// The rules the flags ask for. Throws Error "--<flag>: <reason>" (or "<file>: [check] <key>: …"
/// when the value came from the config file) for a bad value, and when no rule is set at all.
GateRules gate_rules(const CheckFlags& f);

}  // namespace layerdiff
