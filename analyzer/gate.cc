#include "analyzer/gate.h"

#include <fnmatch.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "analyzer/error.h"
#include "analyzer/listing.h"
#include "analyzer/path.h"

namespace layerdiff {
namespace {

using i128 = __int128;

/// value / whole <= num / den, exactly (whole == 0: only value <= 0 passes).
bool within_fraction(int64_t value, uint64_t whole, const Threshold& t) {
  return i128(value) * i128(t.den) <= i128(t.num) * i128(whole);
}

double ratio_of(int64_t value, uint64_t whole) {
  if (whole == 0) return value > 0 ? 1e300 : 0.0;
  return static_cast<double>(value) / static_cast<double>(whole);
}

class Judge {
 public:
  Judge(const GateInput& in, const GateOptions& opt) : in_(in), opt_(opt) {}

  StageLabel label(int layer) const {
    if (layer >= 0 && static_cast<size_t>(layer) < in_.labels.size()) return in_.labels[layer];
    const auto& ls = in_.after->info.layers;
    if (layer >= 0 && static_cast<size_t>(layer) < ls.size()) return {"", ls[layer].created_by, "", "history"};
    return {};
  }

  Offender offender(std::string path, char type, int64_t bytes, int layer) const {
    Offender o;
    o.path = std::move(path);
    o.type = type;
    o.bytes = bytes;
    o.layer = layer;
    o.label = label(layer);
    return o;
  }

  LayerBlame blame(int layer, uint64_t bytes, uint64_t paths) const {
    LayerBlame b;
    b.layer = layer;
    const auto& ls = in_.after->info.layers;
    if (static_cast<size_t>(layer) < ls.size()) b.digest = ls[layer].digest;
    b.bytes = bytes;
    b.paths = paths;
    b.label = label(layer);
    return b;
  }

  /// Sorts offenders largest first (then by path), keeps `top`, counts the rest; and blames
  /// each layer for the bytes and paths of *all* offenders it wrote.
  void finish(RuleResult& r, std::vector<Offender> all) const {
    std::map<int, std::pair<uint64_t, uint64_t>> by_layer;
    for (const auto& o : all) {
      if (o.layer < 0) continue;
      auto& [b, n] = by_layer[o.layer];
      b += o.bytes > 0 ? static_cast<uint64_t>(o.bytes) : 0;
      ++n;
    }
    std::vector<LayerBlame> layers;
    for (const auto& [l, bn] : by_layer) layers.push_back(blame(l, bn.first, bn.second));
    sort_blame(layers);
    r.layers = std::move(layers);
    std::sort(all.begin(), all.end(), [](const Offender& a, const Offender& b) {
      return std::tie(b.bytes, a.path) < std::tie(a.bytes, b.path);
    });
    if (all.size() > opt_.top) {
      r.more_offenders = all.size() - opt_.top;
      all.resize(opt_.top);
    }
    r.offenders = std::move(all);
  }

  void sort_blame(std::vector<LayerBlame>& v) const {
    std::sort(v.begin(), v.end(), [](const LayerBlame& a, const LayerBlame& b) {
      return std::tie(b.bytes, b.paths, a.layer) < std::tie(a.bytes, a.paths, b.layer);
    });
    if (v.size() > opt_.top) v.resize(opt_.top);
  }

  /// Visible regular files of AFTER (first names: hardlinked bytes once).
  std::vector<Offender> files(const Glob* glob) const {
    std::vector<Offender> out;
    for (const auto& row : rows()) {
      if (row.type != 'f' || (glob && !glob->matches(row.path))) continue;
      out.push_back(offender(std::string(row.path), 'f', static_cast<int64_t>(row.size), row.inode->layer));
    }
    return out;
  }

  const std::vector<ListingRow>& rows() const {
    if (!rows_) rows_ = listing(in_.after->tree);
    return *rows_;
  }

  std::vector<Offender> waste() const {
    std::vector<Offender> out;
    for (const WasteRecord& w : in_.after->waste) {
      Offender o = offender(display_path(w.path), 'f', static_cast<int64_t>(w.bytes),
                            static_cast<int>(w.layer));
      o.removed_by = static_cast<int>(w.removed_by);
      o.removed_label = label(o.removed_by);
      o.deleted = w.deleted;
      out.push_back(std::move(o));
    }
    return out;
  }

  /// Changed paths of the diff with kind `k` and a positive delta.
  std::vector<Offender> grown(std::optional<ChangeKind> k) const {
    std::vector<Offender> out;
    for (const auto& c : in_.diff->changes) {
      if ((k && c.kind != *k) || c.delta() <= 0) continue;
      out.push_back(offender(c.path, c.after->type, c.delta(), static_cast<int>(c.after->layer)));
    }
    return out;
  }

 private:
  const GateInput& in_;
  const GateOptions& opt_;
  mutable std::optional<std::vector<ListingRow>> rows_;
};

RuleResult make(const std::string& rule, const std::string& name, RuleResult::Unit unit,
                const Threshold& limit) {
  RuleResult r;
  r.rule = rule;
  r.name = name;
  r.unit = unit;
  r.limit = limit;
  return r;
}

Threshold count_limit(uint64_t n) {
  Threshold t;
  t.bytes = n;
  t.text = std::to_string(n);
  return t;
}

/// Judges a byte value against a Bytes or Fraction-of-`whole` limit.
void judge(RuleResult& r, int64_t value, uint64_t whole) {
  r.value = value;
  if (r.limit.kind == Threshold::Fraction) {
    r.ratio = ratio_of(value, whole);
    r.status = within_fraction(value, whole, r.limit) ? RuleResult::Pass : RuleResult::Fail;
  } else {
    r.status = value <= static_cast<int64_t>(r.limit.bytes) ? RuleResult::Pass : RuleResult::Fail;
  }
}

/// forbid-package: the name, or the name without its ":arch", matches the pattern.
bool package_matches(const std::string& pattern, const std::string& name) {
  if (fnmatch(pattern.c_str(), name.c_str(), 0) == 0) return true;
  size_t colon = name.find(':');
  return colon != std::string::npos && fnmatch(pattern.c_str(), name.substr(0, colon).c_str(), 0) == 0;
}

/// A limit shown as text only ("not root", "no change", "no finding").
Threshold text_limit(const std::string& text) {
  Threshold t;
  t.text = text;
  return t;
}

/// How a package is named where a failed rule lists it ("dpkg gcc-12 12.2.0-14").
std::string package_text(Ecosystem e, const std::string& name, const std::string& version) {
  return std::string(ecosystem_name(e)) + " " + name + (version.empty() ? "" : " " + version);
}

}  // namespace

bool GateRules::empty() const {
  return !max_size && !max_size_compressed && !max_layers && !max_wasted && !min_efficiency &&
         !has_relative() && budgets.empty() && forbid.empty() && forbid_packages.empty() &&
         !forbid_root_user && forbid_findings.empty();
}

size_t GateReport::count(RuleResult::Status s) const {
  return std::count_if(results.begin(), results.end(),
                       [s](const RuleResult& r) { return r.status == s; });
}

std::vector<StageLabel> after_layer_labels(const DiffReport& d) { return d.labels.after; }

GateReport evaluate_gate(const GateRules& rules, const GateInput& in, const GateOptions& opt) {
  const InspectReport& ir = *in.inspect;
  const MergedImage& after = *in.after;
  Judge j(in, opt);
  GateReport g;
  g.image = after.info.source;
  g.image_reference = after.info.reference;
  if (in.diff) {
    g.baseline = in.diff->before.source;
    g.baseline_reference = in.diff->before.reference;
  }
  auto& out = g.results;

  if (rules.max_size) {
    RuleResult r = make("max-size", "max-size", RuleResult::Bytes, *rules.max_size);
    judge(r, static_cast<int64_t>(ir.content_size), 0);
    if (r.status == RuleResult::Fail) {
      j.finish(r, j.files(nullptr));
      // Blame layers for all the content they hold, not only for the listed files.
      r.layers.clear();
      for (const auto& l : ir.layers)
        if (l.visible_bytes) r.layers.push_back(j.blame(l.info.index, l.visible_bytes, 0));
      j.sort_blame(r.layers);
    }
    out.push_back(std::move(r));
  }
  if (rules.max_size_compressed) {
    RuleResult r = make("max-size-compressed", "max-size-compressed", RuleResult::Bytes,
                        *rules.max_size_compressed);
    // An uncompressed layer (docker save, an OCI layout written without compression) has no
    // compressed size to judge: refuse rather than judge the tar's size as if it were one.
    for (const auto& l : ir.layers)
      if (l.info.compression == "none")
        throw Error(after.info.source + ": max-size-compressed: layer " + std::to_string(l.info.index) +
                    " (" + short_digest(l.info.digest) +
                    ") is stored uncompressed, so the image's compressed size is unknown; check an "
                    "archive with compressed layers (an OCI archive from skopeo or podman, or the "
                    "registry's image), or use --max-size");
    judge(r, static_cast<int64_t>(ir.compressed_size), 0);
    if (r.status == RuleResult::Fail)
      for (const auto& l : ir.layers) r.layers.push_back(j.blame(l.info.index, l.info.compressed_size, 0));
    j.sort_blame(r.layers);
    out.push_back(std::move(r));
  }
  if (rules.max_layers) {
    RuleResult r = make("max-layers", "max-layers", RuleResult::Count, count_limit(*rules.max_layers));
    judge(r, static_cast<int64_t>(ir.layers.size()), 0);
    if (r.status == RuleResult::Fail) {
      // Every layer in order with the bytes it wrote: small ones are candidates to merge.
      for (const auto& l : ir.layers)
        r.layers.push_back(j.blame(l.info.index, l.stats.written_bytes, l.info.entries));
    }
    out.push_back(std::move(r));
  }
  if (rules.max_wasted) {
    RuleResult r = make("max-wasted", "max-wasted", RuleResult::Bytes, *rules.max_wasted);
    judge(r, static_cast<int64_t>(ir.wasted_bytes), ir.written_size);
    if (r.status == RuleResult::Fail) j.finish(r, j.waste());
    out.push_back(std::move(r));
  }
  if (rules.min_efficiency) {
    RuleResult r = make("min-efficiency", "min-efficiency", RuleResult::Ratio, *rules.min_efficiency);
    r.at_least = true;
    r.value = static_cast<int64_t>(ir.content_size);
    r.ratio = ir.efficiency;
    // content / written >= num / den; an image that wrote nothing is fully efficient.
    bool ok = ir.written_size == 0 ||
              i128(ir.content_size) * i128(r.limit.den) >= i128(r.limit.num) * i128(ir.written_size);
    r.status = ok ? RuleResult::Pass : RuleResult::Fail;
    if (!ok) j.finish(r, j.waste());
    out.push_back(std::move(r));
  }

  auto relative = [&](const std::string& rule, const Threshold& t, RuleResult::Unit unit) {
    RuleResult r = make(rule, rule, unit, t);
    if (!in.diff) {
      r.status = RuleResult::Skip;
      r.skip_reason = "no baseline (--baseline)";
    }
    return r;
  };
  if (rules.max_growth) {
    RuleResult r = relative("max-growth", *rules.max_growth, RuleResult::Delta);
    if (in.diff) {
      const DiffReport& d = *in.diff;
      int64_t growth = static_cast<int64_t>(d.after.content_size) - static_cast<int64_t>(d.before.content_size);
      judge(r, growth, d.before.content_size);
      if (r.status == RuleResult::Fail) j.finish(r, j.grown(std::nullopt));
    }
    out.push_back(std::move(r));
  }
  auto largest_change = [&](const std::string& rule, const Threshold& t, ChangeKind k) {
    RuleResult r = relative(rule, t, RuleResult::Bytes);
    if (!in.diff) return r;
    auto all = j.grown(k);
    int64_t top = 0;
    for (const auto& o : all) top = std::max(top, o.bytes);
    judge(r, top, 0);
    if (r.status == RuleResult::Fail) {
      std::erase_if(all, [&](const Offender& o) { return o.bytes <= static_cast<int64_t>(t.bytes); });
      j.finish(r, std::move(all));
    }
    return r;
  };
  if (rules.max_file_growth)
    out.push_back(largest_change("max-file-growth", *rules.max_file_growth, ChangeKind::Modified));
  if (rules.max_new_file)
    out.push_back(largest_change("max-new-file", *rules.max_new_file, ChangeKind::Added));

  for (const Budget& b : rules.budgets) {
    RuleResult r = make("budget", "budget " + b.glob.text(), RuleResult::Bytes, b.size);
    auto all = j.files(&b.glob);
    int64_t sum = 0;
    for (const auto& o : all) sum += o.bytes;
    judge(r, sum, 0);
    if (r.status == RuleResult::Fail) j.finish(r, std::move(all));
    out.push_back(std::move(r));
  }
  for (const Glob& f : rules.forbid) {
    RuleResult r = make("forbid", "forbid " + f.text(), RuleResult::Count, count_limit(0));
    std::vector<Offender> all;
    for (const auto& row : j.rows())
      if (f.matches(row.path))
        all.push_back(j.offender(std::string(row.path), row.type,
                                 row.type == 'f' ? static_cast<int64_t>(row.size) : 0,
                                 static_cast<int>(row.inode->layer)));
    judge(r, static_cast<int64_t>(all.size()), 0);
    if (r.status == RuleResult::Fail) {
      // Forbidden paths in path order: a directory and what it holds stay together.
      std::vector<Offender> kept(all.begin(), all.begin() + std::min(all.size(), opt.top));
      j.finish(r, std::move(all));
      r.offenders = std::move(kept);
    }
    out.push_back(std::move(r));
  }

  // Packages (packages.h). Offenders are packages, not paths: no layer is blamed.
  for (const std::string& name : rules.forbid_packages) {
    RuleResult r = make("forbid-package", "forbid-package " + name, RuleResult::Count, count_limit(0));
    std::vector<Offender> all;
    if (in.packages)
      for (const PackageRow& p : in.packages->packages)
        if (package_matches(name, p.name))
          all.push_back(j.offender(package_text(p.ecosystem, p.name, p.version), 'f',
                                   static_cast<int64_t>(p.bytes), -1));
    judge(r, static_cast<int64_t>(all.size()), 0);
    if (r.status == RuleResult::Fail) j.finish(r, std::move(all));
    out.push_back(std::move(r));
  }
  if (rules.max_package_growth) {
    const Threshold& t = *rules.max_package_growth;
    RuleResult r = relative("max-package-growth", t, RuleResult::Delta);
    if (in.diff && in.package_diff) {
      // The value is the worst package's growth: the largest in bytes, or in fraction of its
      // baseline bytes (a new package: any growth is infinite).
      const PackageDiffRow* worst = nullptr;
      auto worse = [&](const PackageDiffRow& a, const PackageDiffRow& b) {
        if (t.kind == Threshold::Bytes) return a.delta() > b.delta();
        return i128(a.delta()) * i128(b.before) > i128(b.delta()) * i128(a.before);
      };
      std::vector<Offender> all;
      for (const PackageDiffRow& p : in.package_diff->rows) {
        if (p.delta() <= 0) continue;
        if (!worst || worse(p, *worst)) worst = &p;
        RuleResult one = make("", "", RuleResult::Delta, t);
        judge(one, p.delta(), p.before);
        std::string v = p.version_before == p.version_after || p.version_before.empty()
                            ? p.version_after
                            : p.version_before + " -> " + p.version_after;
        if (one.status == RuleResult::Fail)
          all.push_back(j.offender(package_text(p.ecosystem, p.name, v), 'f', p.delta(), -1));
      }
      judge(r, worst ? worst->delta() : 0, worst ? worst->before : 0);
      if (r.status == RuleResult::Fail) j.finish(r, std::move(all));
    }
    out.push_back(std::move(r));
  }

  // The config and the audit (image_config.h, config_diff.h, findings.h).
  if (rules.forbid_root_user) {
    const std::string& user = after.info.config.user;
    RuleResult r = make("forbid-root-user", "forbid-root-user", RuleResult::Text, text_limit("not root"));
    r.text = user.empty() ? "root (User unset)" : user;
    r.status = runs_as_root(user) ? RuleResult::Fail : RuleResult::Pass;
    out.push_back(std::move(r));
  }
  for (const std::string& field : rules.forbid_config_changes) {
    RuleResult r = relative("forbid-config-change", text_limit("no change"), RuleResult::Count);
    r.name = "forbid-config-change " + field;
    if (in.diff) {
      std::vector<Offender> all;
      for (const ConfigChange& c : in.diff->config_changes) {
        if (c.field != field) continue;
        Offender o = j.offender(c.key.empty() ? c.field : c.field + " " + c.key, 'f', 0, -1);
        o.size_text = config_change_name(c.kind);
        o.note = config_value_text(c.field, c.before) + " -> " + config_value_text(c.field, c.after);
        all.push_back(std::move(o));
      }
      r.value = static_cast<int64_t>(all.size());
      r.status = all.empty() ? RuleResult::Pass : RuleResult::Fail;
      if (!all.empty()) {
        std::vector<Offender> kept(all.begin(), all.begin() + std::min(all.size(), opt.top));
        r.more_offenders = all.size() - kept.size();
        r.offenders = std::move(kept);  // in field and key order, as the diff lists them
      }
    }
    out.push_back(std::move(r));
  }
  for (FindingKind k : rules.forbid_findings) {
    std::string kind = finding_kind_name(k);
    RuleResult r = make("forbid-finding", "forbid-finding " + kind, RuleResult::Count, text_limit("no finding"));
    std::vector<Offender> all;
    for (const Finding& f : ir.findings.findings) {
      if (f.kind != k) continue;
      Offender o = j.offender(f.path, f.type, static_cast<int64_t>(f.size), static_cast<int>(f.layer));
      if (f.removed_by >= 0) {
        o.removed_by = f.removed_by;
        o.removed_label = j.label(f.removed_by);
        o.deleted = f.deleted;
      }
      o.note = finding_note(f);
      all.push_back(std::move(o));
    }
    judge(r, static_cast<int64_t>(all.size()), 0);
    if (r.status == RuleResult::Fail) j.finish(r, std::move(all));
    out.push_back(std::move(r));
  }
  return g;
}

}  // namespace layerdiff
