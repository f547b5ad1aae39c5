#include "analyzer/stages.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "analyzer/path.h"

namespace layerdiff {
namespace {

std::string history_instruction(const LayerInfo& l) {
  std::string s = display_created_by(l.created_by);
  return s.empty() ? std::string("(no history)") : s;
}

using ContentKey = std::pair<ContentDigest, uint64_t>;

/// Content keys of every visible non-empty regular file of an image.
std::set<ContentKey> content_set(const MergedImage& img) {
  std::set<ContentKey> s;
  for (const auto& r : img.tree.rows()) {
    const Inode& i = img.tree.inode(r.inode);
    if (i.type == EntryType::File && r.first_name && i.size > 0) s.insert({i.digest, i.size});
  }
  return s;
}

std::string rollup_dir(const std::string& path, int depth) {
  auto parts = split_path(parent_path(path));
  std::string out;
  for (int i = 0; i < depth && i < static_cast<int>(parts.size()); ++i) out += "/" + std::string(parts[i]);
  return out.empty() ? "/" : out;
}

}  // namespace

std::vector<uint64_t> visible_bytes_per_layer(const MergedImage& img) {
  std::vector<uint64_t> v(img.info.layers.size(), 0);
  for (const auto& r : img.tree.rows()) {
    const Inode& i = img.tree.inode(r.inode);
    if (i.type == EntryType::File && r.first_name && i.layer < v.size()) v[i.layer] += i.size;
  }
  return v;
}

std::vector<StageLabel> label_layers(const MergedImage& img, const StageInputs& in, size_t shared,
                                     const std::string& side) {
  const auto& layers = img.info.layers;
  std::vector<StageLabel> out(layers.size());
  for (size_t i = 0; i < layers.size(); ++i) {
    out[i].instruction = history_instruction(layers[i]);
    out[i].stage = in.dockerfile ? std::string() : (i < shared ? "common base" : side);
  }
  const Dockerfile* df =
      side == "before" && in.before_dockerfile ? in.before_dockerfile : in.dockerfile;
  if (df) {
    auto hl = label_history(img.info.history, *df);
    // Map history entries that made layers onto the layers, in order.
    size_t li = 0;
    for (size_t h = 0; h < img.info.history.size() && li < layers.size(); ++h) {
      if (img.info.history[h].empty_layer) continue;
      out[li].stage = hl[h].stage;
      if (!hl[h].instruction_text.empty()) out[li].instruction = hl[h].instruction_text;
      ++li;
    }
    for (size_t i = 0; i < layers.size(); ++i) {
      // Above the bottom layers both images share, a layer is not the base image's even when
      // the alignment put it below the final stage: it may be another stage's instruction (a
      // single-stage build running the builder's steps), else it belongs to this image alone.
      bool base = out[i].stage.rfind("base: ", 0) == 0;
      if (i < shared || (!out[i].stage.empty() && !(base && shared > 0))) continue;
      Instruction h = normalize_created_by(layers[i].created_by);
      int best = 1;
      for (const auto& st : df->stages)
        for (const auto& ins : st.instructions)
          if (int sc = match_score(h, ins); sc > best) {
            best = sc;
            out[i].stage = st.name;
            out[i].instruction = ins.text();
          }
      if (best == 1) out[i].stage = side;
    }
    for (size_t i = 0; i < layers.size(); ++i)
      if (out[i].stage.empty()) out[i].stage = i < shared ? "common base" : side;
  }
  // COPY --from=<stage image>: a layer whose files are (mostly) found in a stage image.
  if (!in.stages.empty()) {
    std::vector<std::set<ContentKey>> sets;
    for (const auto& s : in.stages) sets.push_back(content_set(*s.image));
    std::vector<uint64_t> total(layers.size(), 0);
    std::vector<std::vector<uint64_t>> found(in.stages.size(), std::vector<uint64_t>(layers.size(), 0));
    for (const auto& r : img.tree.rows()) {
      const Inode& i = img.tree.inode(r.inode);
      if (i.type != EntryType::File || !r.first_name || i.size == 0 || i.layer >= layers.size())
        continue;
      total[i.layer] += i.size;
      for (size_t s = 0; s < sets.size(); ++s)
        if (sets[s].count({i.digest, i.size})) found[s][i.layer] += i.size;
    }
    for (size_t l = 0; l < layers.size(); ++l) {
      if (l < shared || total[l] == 0) continue;
      // The same layer built in both (same diff_id) was not copied from the stage.
      bool same_layer = false;
      for (const auto& s : in.stages)
        for (const auto& sl : s.image->info.layers) same_layer |= sl.diff_id == layers[l].diff_id;
      if (same_layer) continue;
      Instruction ins = normalize_created_by(layers[l].created_by);
      bool is_copy = ins.keyword == "COPY" || ins.keyword == "ADD" || ins.keyword.empty();
      for (size_t s = 0; s < sets.size(); ++s) {
        // Most of the layer's bytes came from the stage: it was copied from there.
        if (is_copy && found[s][l] * 2 > total[l]) {
          out[l].stage = "copied from " + in.stages[s].name;
          break;
        }
      }
    }
  }
  return out;
}

StageReport build_stage_report(const MergedImage& before, const MergedImage& after,
                               const std::vector<StageLabel>& bl, const std::vector<StageLabel>& al,
                               const StageInputs& in, size_t top, int depth) {
  StageReport r;
  r.from_dockerfile = in.dockerfile != nullptr;
  std::vector<std::string> order;
  std::map<std::string, StageRow> rows;
  auto add = [&](const std::vector<StageLabel>& labels, const std::vector<uint64_t>& bytes, bool is_after) {
    for (size_t i = 0; i < labels.size() && i < bytes.size(); ++i) {
      auto [it, fresh] = rows.try_emplace(labels[i].stage);
      if (fresh) {
        it->second.stage = labels[i].stage;
        order.push_back(labels[i].stage);
      }
      (is_after ? it->second.after : it->second.before) += bytes[i];
    }
  };
  add(bl, visible_bytes_per_layer(before), false);
  add(al, visible_bytes_per_layer(after), true);
  for (auto& s : order) r.rows.push_back(rows[s]);

  if (!in.stages.empty()) {
    std::set<ContentKey> in_after = content_set(after);
    for (const auto& s : in.stages) {
      StageLeftover lo;
      lo.name = s.name;
      const MergedImage& img = *s.image;
      std::vector<StageLabel> labels;
      if (in.dockerfile && in.dockerfile->find(s.name)) {
        auto hl = label_history(img.info.history, *in.dockerfile, s.name);
        size_t li = 0;
        for (size_t h = 0; h < img.info.history.size() && li < img.info.layers.size(); ++h) {
          if (img.info.history[h].empty_layer) continue;
          labels.push_back({hl[h].stage, hl[h].instruction_text});
          ++li;
        }
      }
      lo.layers.resize(img.info.layers.size());
      for (size_t i = 0; i < lo.layers.size(); ++i) {
        lo.layers[i].index = static_cast<uint32_t>(i);
        lo.layers[i].instruction = i < labels.size() && !labels[i].instruction.empty()
                                       ? labels[i].instruction
                                       : history_instruction(img.info.layers[i]);
      }
      std::map<std::string, SizeRow> dirs;
      for (const auto& row : img.tree.rows()) {
        const Inode& i = img.tree.inode(row.inode);
        if (i.type != EntryType::File || !row.first_name) continue;
        lo.content += i.size;
        if (i.layer < lo.layers.size()) lo.layers[i.layer].content += i.size;
        if (i.size == 0 || in_after.count({i.digest, i.size})) {
          lo.carried += i.size;
          continue;
        }
        lo.absent += i.size;
        if (i.layer < lo.layers.size()) lo.layers[i.layer].absent += i.size;
        SizeRow& d = dirs[rollup_dir(row.path, depth)];
        d.bytes += i.size;
        d.count += 1;
      }
      for (auto& [k, v] : dirs) {
        v.label = k;
        lo.absent_dirs.push_back(v);
      }
      std::sort(lo.absent_dirs.begin(), lo.absent_dirs.end(), [](const SizeRow& a, const SizeRow& b) {
        return std::tie(b.bytes, a.label) < std::tie(a.bytes, b.label);
      });
      if (lo.absent_dirs.size() > top) {
        SizeRow other{"[other]", 0, 0};
        for (size_t k = top; k < lo.absent_dirs.size(); ++k) {
          other.bytes += lo.absent_dirs[k].bytes;
          other.count += lo.absent_dirs[k].count;
        }
        lo.absent_dirs.resize(top);
        lo.absent_dirs.push_back(other);
      }
      r.leftovers.push_back(std::move(lo));
    }
  }
  return r;
}

}  // namespace layerdiff
