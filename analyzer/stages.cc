#include "analyzer/stages.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "analyzer/diff.h"
#include "analyzer/packages.h"
#include "analyzer/path.h"

namespace layerdiff {
namespace {

using ContentKey = std::pair<ContentDigest, uint64_t>;

std::string history_instruction(const LayerInfo& l) {
  std::string s = display_created_by(l.created_by);
  return s.empty() ? std::string("(no history)") : s;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

size_t common_prefix(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && !a[n].empty() && a[n] == b[n]) ++n;
  return n;
}

/// The history entries that made layers, in order, mapped onto layer indices.
std::vector<int> layer_of_history(const ImageInfo& info) {
  std::vector<int> out(info.history.size(), -1);
  size_t li = 0;
  for (size_t h = 0; h < info.history.size() && li < info.layers.size(); ++h)
    if (!info.history[h].empty_layer) out[h] = static_cast<int>(li++);
  return out;
}

/// A COPY --from value as the stage it names (its declared name, also for "--from=0"), else as
/// written (an external image).
std::string source_name(const Dockerfile& df, const std::string& from) {
  if (from.empty()) return "";
  if (const Stage* s = df.find(from)) return s->name;
  return from;
}

struct DockerfileLabels {
  std::vector<StageLabel> labels;  ///< per layer; stage "" where nothing was found
  int matched = 0;                 ///< layers matched to an instruction
};

/// Labels from aligning `img`'s history with the lineage of stage `target` of `df`.
DockerfileLabels align_layers(const ImageInfo& img, const Dockerfile& df, int target,
                              const std::string& qualifier) {
  DockerfileLabels out;
  out.labels.resize(img.layers.size());
  auto refs = align_history(img.history, df, target);
  auto lmap = layer_of_history(img);
  int lowest = -1;
  for (size_t h = 0; h < refs.size(); ++h) {
    if (!refs[h].matched() || lmap[h] < 0) continue;
    const Stage& st = df.stages[refs[h].stage];
    const Instruction& ins = st.instructions[refs[h].instruction];
    StageLabel& l = out.labels[lmap[h]];
    l.stage = st.name + qualifier;
    l.instruction = ins.text();
    if (ins.keyword == "COPY" || ins.keyword == "ADD") l.copied_from = source_name(df, copy_source(ins));
    if (!l.copied_from.empty() && df.find(l.copied_from)) l.copied_from += qualifier;
    l.source = "dockerfile";
    ++out.matched;
    if (lowest < 0 || lmap[h] < lowest) lowest = lmap[h];
  }
  auto lin = stage_lineage(df, target);
  for (int i = 0; i < lowest; ++i) {
    if (!out.labels[i].stage.empty()) continue;
    out.labels[i].stage = "base: " + df.stages[lin.front()].from;
    out.labels[i].instruction = history_instruction(img.layers[i]);
    out.labels[i].source = "base";
  }
  return out;
}

/// The stage `img` was most likely built with: the one whose lineage matches the most layers
/// exactly (ties: the later stage, so the final stage wins when nothing tells them apart).
DockerfileLabels best_alignment(const ImageInfo& img, const Dockerfile& df, const std::string& qualifier) {
  DockerfileLabels best;
  for (int t = 0; t < static_cast<int>(df.stages.size()); ++t) {
    DockerfileLabels d = align_layers(img, df, t, qualifier);
    if (best.labels.empty() || d.matched >= best.matched) best = std::move(d);
  }
  if (best.labels.empty()) best.labels.resize(img.layers.size());
  return best;
}

std::string base_file_name(const std::string& p) {
  auto k = p.find_last_of('/');
  return k == std::string::npos ? p : p.substr(k + 1);
}

/// Content keys of every visible non-empty regular file of an image.
std::set<ContentKey> content_set(const MergedImage& img) {
  std::set<ContentKey> s;
  for (const auto& r : img.tree.rows()) {
    const Inode& i = img.tree.inode(r.inode);
    if (i.type == EntryType::File && r.first_name && i.size > 0) s.insert({i.digest, i.size});
  }
  return s;
}

std::string rollup_dir(std::string_view path, int depth) {
  auto parts = split_path(parent_path(path));
  std::string out;
  for (int i = 0; i < depth && i < static_cast<int>(parts.size()); ++i) out += "/" + std::string(parts[i]);
  return out.empty() ? "/" : out;
}

}  // namespace

LayerLabels label_layers(const MergedImage* before, const MergedImage& after, const StageInputs& in) {
  LayerLabels L;
  const Dockerfile* adf = in.dockerfile;
  const Dockerfile* bdf = in.before_dockerfile ? in.before_dockerfile : in.dockerfile;
  std::string bq;  // BEFORE's stage names, when its Dockerfile is another one
  if (in.before_dockerfile && in.dockerfile && in.before_dockerfile->file != in.dockerfile->file) {
    std::string b = base_file_name(in.before_dockerfile->file);
    bq = " (" + (b == base_file_name(in.dockerfile->file) ? in.before_dockerfile->file : b) + ")";
  }

  // 1. The common base: the bottom layers every image holds.
  auto ca = chain_ids(after.info);
  std::vector<std::vector<std::string>> cs;
  for (const auto& s : in.stages) cs.push_back(chain_ids(s.image->info));
  std::vector<std::string> cb = before ? chain_ids(before->info) : std::vector<std::string>{};
  size_t common = 0;
  if (before || !in.stages.empty()) {
    common = ca.size();
    if (before) common = std::min(common, common_prefix(ca, cb));
    for (const auto& c : cs) common = std::min(common, common_prefix(ca, c));
  }
  L.common = common;
  DockerfileLabels after_df;
  if (adf) after_df = best_alignment(after.info, *adf, "");
  auto common_label = [&](size_t i, const ImageInfo& info) {
    StageLabel l;
    if (adf && i < after_df.labels.size() && !after_df.labels[i].stage.empty()) {
      l = after_df.labels[i];
      if (l.source == "base") l.source = "common-base";
      return l;
    }
    l.stage = "common base";
    l.instruction = history_instruction(info.layers[i]);
    l.source = "common-base";
    return l;
  };

  // 2. Stage images, those with fewer layers first: a stage built FROM another holds its layers.
  std::vector<size_t> order(in.stages.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return in.stages[a].image->info.layers.size() < in.stages[b].image->info.layers.size();
  });
  std::unordered_map<std::string, StageLabel> by_chain;  // ChainID -> label of the owning stage
  L.stages.resize(in.stages.size());
  for (size_t k : order) {
    const MergedImage& img = *in.stages[k].image;
    const std::string& name = in.stages[k].name;
    DockerfileLabels d;
    if (adf) {
      const Stage* st = adf->find(name);
      d = st ? align_layers(img.info, *adf, static_cast<int>(st - adf->stages.data()), "")
             : best_alignment(img.info, *adf, "");
    } else {
      d.labels.resize(img.info.layers.size());
    }
    auto& out = L.stages[k];
    out.resize(img.info.layers.size());
    for (size_t i = 0; i < out.size(); ++i) {
      if (i < common) {
        out[i] = common_label(i, img.info);
        continue;
      }
      if (auto it = by_chain.find(cs[k][i]); it != by_chain.end()) {
        out[i] = it->second;
        continue;
      }
      if (d.labels[i].source == "dockerfile") {
        out[i] = d.labels[i];
      } else {
        out[i].stage = name;
        out[i].instruction = history_instruction(img.info.layers[i]);
        out[i].source = "stage-image";
      }
      if (!cs[k][i].empty()) by_chain.emplace(cs[k][i], out[i]);
    }
  }

  // 3. BEFORE and AFTER: the common base, layers of a stage image, the Dockerfile, the history.
  auto label_image = [&](const MergedImage& img, const std::vector<std::string>& chains,
                         const Dockerfile* df, const DockerfileLabels* pre, const std::string& q,
                         const std::string& own) {
    DockerfileLabels d;
    if (pre) d = *pre;
    else if (df) d = best_alignment(img.info, *df, q);
    else d.labels.resize(img.info.layers.size());
    std::vector<StageLabel> out(img.info.layers.size());
    for (size_t i = 0; i < out.size(); ++i) {
      if (i < common) {
        out[i] = common_label(i, img.info);
      } else if (auto it = by_chain.find(chains[i]); !chains[i].empty() && it != by_chain.end()) {
        out[i] = it->second;
        if (out[i].source != "common-base") out[i].source = "stage-image";
      } else if (!d.labels[i].stage.empty()) {
        out[i] = d.labels[i];
      } else {
        out[i].stage = own;
        out[i].instruction = history_instruction(img.info.layers[i]);
        out[i].source = "history";
      }
    }
    // 4. COPY layers nothing else labelled: copied from a stage image, by content.
    if (in.stages.empty()) return out;
    std::vector<std::set<ContentKey>> sets;
    for (const auto& s : in.stages) sets.push_back(content_set(*s.image));
    std::vector<uint64_t> total(out.size(), 0);
    std::vector<std::vector<uint64_t>> found(sets.size(), std::vector<uint64_t>(out.size(), 0));
    for (const auto& r : img.tree.rows()) {
      const Inode& n = img.tree.inode(r.inode);
      if (n.type != EntryType::File || !r.first_name || n.size == 0 || r.layer >= out.size()) continue;
      total[r.layer] += n.size;
      for (size_t s = 0; s < sets.size(); ++s)
        if (sets[s].count({n.digest, n.size})) found[s][r.layer] += n.size;
    }
    for (size_t l = common; l < out.size(); ++l) {
      if (out[l].source != "history" || total[l] == 0) continue;
      Instruction ins = normalize_created_by(img.info.layers[l].created_by);
      if (ins.keyword != "COPY" && ins.keyword != "ADD") continue;
      std::string from;
      for (size_t s = 0; s < sets.size(); ++s)
        if (found[s][l] == total[l]) from += (from.empty() ? "" : " or ") + in.stages[s].name;
      if (from.empty()) continue;
      out[l].copied_from = from;
      out[l].source = "content";
    }
    return out;
  };
  L.after = label_image(after, ca, adf, adf ? &after_df : nullptr, "", "after");
  if (before) L.before = label_image(*before, cb, bdf, nullptr, bq, "before");
  return L;
}

std::vector<StageLeftover> stage_leftovers(const MergedImage& after, const LayerLabels& labels,
                                           const StageInputs& in, size_t top, int depth) {
  std::vector<StageLeftover> out;
  if (in.stages.empty()) return out;
  auto ca = chain_ids(after.info);
  std::set<std::string> after_chains(ca.begin(), ca.end());
  // Each layer is reported once, by the stage image that has it with the fewest layers (a stage
  // built FROM another holds the other's layers: those are the other's to report).
  std::map<std::string, std::pair<size_t, size_t>> owner;  // ChainID -> (layers, stage index)
  for (size_t k = 0; k < in.stages.size(); ++k)
    for (const auto& c : chain_ids(in.stages[k].image->info)) {
      std::pair<size_t, size_t> v{in.stages[k].image->info.layers.size(), k};
      auto [it, fresh] = owner.try_emplace(c, v);
      if (!fresh && v < it->second) it->second = v;
    }
  std::set<ContentKey> in_after;
  std::map<std::string, std::set<ContentKey>> copied_from;  // lower-cased stage -> contents
  for (const auto& r : after.tree.rows()) {
    const Inode& n = after.tree.inode(r.inode);
    if (n.type != EntryType::File || !r.first_name || n.size == 0) continue;
    in_after.insert({n.digest, n.size});
    if (r.layer >= labels.after.size()) continue;
    std::string from = labels.after[r.layer].copied_from;
    for (size_t p = 0; !from.empty();) {
      size_t q = from.find(" or ", p);
      copied_from[lower(from.substr(p, q == std::string::npos ? q : q - p))].insert({n.digest, n.size});
      if (q == std::string::npos) break;
      p = q + 4;
    }
  }
  for (size_t k = 0; k < in.stages.size(); ++k) {
    const MergedImage& img = *in.stages[k].image;
    StageLeftover lo;
    lo.name = in.stages[k].name;
    auto cs = chain_ids(img.info);
    // What AFTER copied from this stage, or from a stage built on it (its layers hold this one's).
    std::set<ContentKey> copied = copied_from[lower(lo.name)];
    for (size_t m = 0; m < in.stages.size(); ++m) {
      if (m == k || cs.empty()) continue;
      auto cm = chain_ids(in.stages[m].image->info);
      if (cm.size() > cs.size() && cm[cs.size() - 1] == cs.back()) {
        const auto& more = copied_from[lower(in.stages[m].name)];
        copied.insert(more.begin(), more.end());
      }
    }
    lo.layers.resize(img.info.layers.size());
    for (size_t i = 0; i < lo.layers.size(); ++i) {
      lo.layers[i].index = static_cast<uint32_t>(i);
      lo.layers[i].label = i < labels.stages[k].size() ? labels.stages[k][i] : StageLabel{};
      lo.layers[i].inherited = i < cs.size() && !after_chains.count(cs[i]) && owner.count(cs[i]) &&
                               owner[cs[i]].second != k;
    }
    PackageReport pk = build_package_report(img);
    std::vector<uint64_t> pk_bytes(pk.packages.size(), 0), pk_files(pk.packages.size(), 0);
    NamedBytes none{"[no package]", 0, 0};
    std::map<std::string, SizeRow> dirs;
    for (const auto& row : img.tree.rows()) {
      const Inode& n = img.tree.inode(row.inode);
      if (n.type != EntryType::File || !row.first_name) continue;
      lo.content += n.size;
      size_t layer = row.layer < lo.layers.size() ? row.layer : 0;
      if (!lo.layers.empty()) lo.layers[layer].content += n.size;
      ContentKey key{n.digest, n.size};
      const Node* same_path = after.tree.find(row.path);
      if (layer < cs.size() && after_chains.count(cs[layer])) {
        lo.common_base += n.size;
      } else if (layer < cs.size() && owner.count(cs[layer]) && owner[cs[layer]].second != k) {
        lo.inherited += n.size;
      } else if (n.size > 0 && copied.count(key)) {
        lo.copied += n.size;
      } else if (n.size == 0 || in_after.count(key) ||
                 (same_path && after.tree.inode(same_path->inode).type == EntryType::File)) {
        lo.also_in_after += n.size;
      } else {
        lo.left_behind += n.size;
        if (!lo.layers.empty()) lo.layers[layer].left_behind += n.size;
        SizeRow& d = dirs[rollup_dir(row.path, depth)];
        d.bytes += n.size;
        d.count += 1;
        int32_t o = row.inode < pk.inode_owner.size() ? pk.inode_owner[row.inode] : -1;
        if (o >= 0) {
          pk_bytes[o] += n.size;
          ++pk_files[o];
        } else {
          none.bytes += n.size;
          ++none.files;
        }
      }
    }
    for (auto& [path, v] : dirs) {
      v.label = path;
      lo.directories.push_back(v);
    }
    std::sort(lo.directories.begin(), lo.directories.end(), [](const SizeRow& a, const SizeRow& b) {
      return std::tie(b.bytes, a.label) < std::tie(a.bytes, b.label);
    });
    if (lo.directories.size() > top) {
      SizeRow other{"[other]", 0, 0, {}};
      for (size_t i = top; i < lo.directories.size(); ++i) {
        other.bytes += lo.directories[i].bytes;
        other.count += lo.directories[i].count;
      }
      lo.directories.resize(top);
      lo.directories.push_back(other);
    }
    if (!pk.packages.empty()) {
      std::vector<NamedBytes> rows;
      for (size_t p = 0; p < pk.packages.size(); ++p)
        if (pk_bytes[p])
          rows.push_back({std::string(ecosystem_name(pk.packages[p].ecosystem)) + " " + pk.packages[p].name,
                          pk_bytes[p], pk_files[p]});
      std::sort(rows.begin(), rows.end(), [](const NamedBytes& a, const NamedBytes& b) {
        return std::tie(b.bytes, a.name) < std::tie(a.bytes, b.name);
      });
      if (rows.size() > top) {
        NamedBytes other{"[other]", 0, 0};
        for (size_t i = top; i < rows.size(); ++i) {
          other.bytes += rows[i].bytes;
          other.files += rows[i].files;
        }
        rows.resize(top);
        rows.push_back(other);
      }
      if (none.bytes) rows.push_back(none);
      lo.packages = std::move(rows);
    }
    out.push_back(std::move(lo));
  }
  return out;
}

}  // namespace layerdiff
