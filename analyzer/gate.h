// gate.h: the rules of `layerdiff check` evaluated against an image (AFTER) and, for the
// relative rules, its diff against a baseline (BEFORE). Pure: reports in, result rows out.
//
// Every rule gives one RuleResult row with its value, its limit and Pass/Fail/Skip; a failed rule
// also names what is responsible: the paths (largest first, at most `top`, the rest counted in
// more_offenders) and the AFTER layers with their stage and Dockerfile instruction.
// A rule passes at its limit: value <= limit for max-*, budgets and forbid (limit 0 paths);
// value >= limit for min-efficiency. Percent limits compare exactly (integer cross-multiplication).
// Relative rules are skipped (Skip, not Fail) when there is no baseline.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/diff_report.h"
#include "analyzer/findings.h"
#include "analyzer/glob.h"
#include "analyzer/inspect.h"
#include "analyzer/merged_image.h"
#include "analyzer/packages.h"
#include "analyzer/stages.h"
#include "analyzer/threshold.h"

namespace layerdiff {

struct Budget {
  Glob glob;
  Threshold size;  ///< Bytes
};

/// The rules to check; an unset rule is not evaluated (and not reported).
struct GateRules {
  std::optional<Threshold> max_size;             ///< visible content bytes (Bytes)
  std::optional<Threshold> max_size_compressed;  ///< layer blobs as stored (Bytes)
  std::optional<uint64_t> max_layers;
  std::optional<Threshold> max_wasted;      ///< bytes, or Fraction of the bytes written
  std::optional<Threshold> min_efficiency;  ///< Fraction: content / written
  std::optional<Threshold> max_growth;      ///< content delta: bytes, or Fraction of BEFORE's content
  std::optional<Threshold> max_file_growth; ///< largest growth of one path in both images (Bytes)
  std::optional<Threshold> max_new_file;    ///< largest new path (Bytes)
  std::vector<Budget> budgets;              ///< bytes of the files matching each glob
  std::vector<Glob> forbid;                 ///< no path of AFTER may match
  /// No package of AFTER may be named so: a name or fnmatch pattern ("gcc-*"), matched against
  /// the package name, and without its ":arch" ("libc6" matches "libc6:amd64"), any ecosystem.
  std::vector<std::string> forbid_packages;
  /// Growth of any one package (packages.h) over the baseline: bytes, or Fraction of the bytes
  /// it had in the baseline (a package new in AFTER grew by any fraction).
  std::optional<Threshold> max_package_growth;
  /// AFTER's config User may not be root: unset, "root" or "0", with or without a group.
  bool forbid_root_user = false;
  /// No field of the config may differ from the baseline's (config_field_names() spelling;
  /// `created` too). Relative: skipped without a baseline.
  std::vector<std::string> forbid_config_changes;
  /// AFTER may have no finding of these kinds (findings.h).
  std::vector<FindingKind> forbid_findings;
  bool empty() const;
  bool has_relative() const {
    return max_growth || max_file_growth || max_new_file || max_package_growth ||
           !forbid_config_changes.empty();
  }
};

/// What a rule is judged on. `diff` is null without a baseline; `labels` (parallel to AFTER's
/// layers) name the stage and instruction of each layer (stages.h label_layers, or
/// after_layer_labels of the diff).
struct GateInput {
  const MergedImage* after = nullptr;
  const InspectReport* inspect = nullptr;  ///< of `after`
  const DiffReport* diff = nullptr;
  std::vector<StageLabel> labels;
  const PackageReport* packages = nullptr;    ///< of `after`: needed by forbid-package
  const PackageDiff* package_diff = nullptr;  ///< with `diff`: needed by max-package-growth
};

/// A path a failed rule blames.
struct Offender {
  std::string path;      ///< display path
  char type = 'f';       ///< as in `ls`
  int64_t bytes = 0;     ///< its size, growth or wasted bytes (0 for a non-file)
  int layer = -1;        ///< AFTER layer that wrote it (waste: the lost copy), -1 unknown
  StageLabel label;      ///< of `layer`
  int removed_by = -1;   ///< waste: the layer that overwrote or deleted it
  StageLabel removed_label;
  bool deleted = false;  ///< waste: deleted (else overwritten)
  std::string size_text; ///< shown in place of the size when set (a config change: "changed")
  std::string note;      ///< shown after the path: a finding's detail, a config change's values
};

/// An AFTER layer a failed rule blames, with the bytes (or paths) of the rule's value it holds.
struct LayerBlame {
  int layer = 0;
  std::string digest;    ///< blob digest
  uint64_t bytes = 0;
  uint64_t paths = 0;
  StageLabel label;
};

struct RuleResult {
  enum Status { Pass, Fail, Skip };
  /// How to show `value`: Bytes (a size), Delta (signed bytes), Count, Ratio (`ratio` only),
  /// Text (`text` only).
  enum Unit { Bytes, Delta, Count, Ratio, Text };
  std::string rule;  ///< the flag / config key: "max-growth", "budget", "forbid"
  std::string name;  ///< "max-growth", "budget /usr/lib/**", "forbid /usr/bin/gcc*"
  Status status = Pass;
  Unit unit = Bytes;
  int64_t value = 0;                 ///< bytes, delta or count
  std::optional<double> ratio;       ///< the value as a fraction when the limit is one
  std::string text;                  ///< Text: the value (forbid-root-user: the User)
  Threshold limit;                   ///< max_layers and forbid: Bytes holding the count;
                                     ///< forbid-root-user/-config-change/-finding: text only
  bool at_least = false;             ///< min-*: passes when value >= limit
  std::string skip_reason;
  std::vector<Offender> offenders;   ///< failed rules only; largest first, at most `top`
  uint64_t more_offenders = 0;       ///< offenders left out
  std::vector<LayerBlame> layers;    ///< failed rules only; most bytes first
};

struct GateReport {
  std::string image, baseline;  ///< sources as given ("" without a baseline)
  std::string image_reference, baseline_reference;
  std::vector<RuleResult> results;  ///< in the order of GateRules' fields, budgets, forbids
  size_t count(RuleResult::Status s) const;
  bool passed() const { return count(RuleResult::Fail) == 0; }
};

struct GateOptions {
  size_t top = 10;  ///< offenders and layers per failed rule
};

GateReport evaluate_gate(const GateRules& rules, const GateInput& in, const GateOptions& opt);

/// AFTER's layer labels as the diff report computed them (parallel to AFTER's layers).
std::vector<StageLabel> after_layer_labels(const DiffReport& d);

}  // namespace layerdiff
