// stages.h: which build stage and instruction each layer belongs to, and what a multi-stage
// build left behind. Labels come from, in order: a Dockerfile (--dockerfile) matched onto the
// history; a stage image (--stage NAME=IMAGE) whose files an AFTER layer copied (COPY --from);
// without either, the bottom layers both images share are the "common base".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analyzer/dockerfile.h"
#include "analyzer/inspect.h"
#include "analyzer/merged_image.h"

namespace layerdiff {

struct StageLabel {
  std::string stage;        ///< "builder", "base: debian:12", "common base", "before", "after"
  std::string instruction;  ///< Dockerfile instruction, else the history's created_by
};

struct StageImage {
  std::string name;               ///< as given in --stage NAME=IMAGE
  const MergedImage* image = nullptr;
};

struct StageInputs {
  const Dockerfile* dockerfile = nullptr;         ///< --dockerfile: AFTER's (and BEFORE's) build
  const Dockerfile* before_dockerfile = nullptr;  ///< --before-dockerfile: BEFORE's, if different
  std::vector<StageImage> stages;
};

/// Per stage label: visible content bytes in each image that its layers wrote.
struct StageRow {
  std::string stage;
  uint64_t before = 0, after = 0;
};

/// One layer of a stage image and the bytes of it that did not reach AFTER.
struct StageLayerRow {
  uint32_t index = 0;
  std::string instruction;
  uint64_t content = 0;  ///< visible bytes this layer contributes to the stage image
  uint64_t absent = 0;   ///< of those, not found in AFTER (by content)
};

/// What a --stage image held and AFTER does not (by content: a file whose content is found
/// anywhere in AFTER was carried over, e.g. by COPY --from).
struct StageLeftover {
  std::string name;
  uint64_t content = 0, absent = 0, carried = 0;  ///< content == absent + carried
  std::vector<SizeRow> absent_dirs;                ///< top N + [other], sums to absent
  std::vector<StageLayerRow> layers;               ///< sums to content / absent
};

struct StageReport {
  bool from_dockerfile = false;
  std::vector<StageRow> rows;  ///< sums: before = before.content, after = after.content
  std::vector<StageLeftover> leftovers;
};

/// Labels for the layers of `img` (parallel to img.info.layers).
/// `shared` bottom layers are "common base" when there is no Dockerfile; `side` names the
/// image ("before"/"after") for the others.
std::vector<StageLabel> label_layers(const MergedImage& img, const StageInputs& in, size_t shared,
                                     const std::string& side);

/// Visible content bytes per layer (hardlinks once), parallel to img.info.layers.
std::vector<uint64_t> visible_bytes_per_layer(const MergedImage& img);

StageReport build_stage_report(const MergedImage& before, const MergedImage& after,
                               const std::vector<StageLabel>& before_labels,
                               const std::vector<StageLabel>& after_labels, const StageInputs& in,
                               size_t top, int depth);

}  // namespace layerdiff
