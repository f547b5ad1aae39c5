// stages.h: which build stage and instruction each layer belongs to, and what each build stage
// left behind. Exact facts first, a heuristic only where nothing exact is known, and it says so:
//  1. the chain of bottom layers that BEFORE, AFTER and every --stage image share (by ChainID) is
//     the common base;
//  2. a layer whose ChainID equals a layer of a --stage NAME=IMAGE image belongs to that stage
//     (the stage image with the fewest layers holding it: a stage FROM builder holds builder's
//     layers below its own), with the instruction that image's own alignment gives it;
//  3. the other layers are aligned with a Dockerfile (dockerfile.h align_history: exact matches,
//     per image and per FROM lineage); the layers below the lowest match are "base: <FROM>";
//  4. a layer that matches nothing keeps its history's created_by and the image's own name;
//  5. without a Dockerfile match, a COPY layer whose every file's content is in a --stage image is
//     "copied from" it, marked as found by content.
// Stage names of two different Dockerfiles (--before-dockerfile) never merge: BEFORE's are
// qualified with its file name.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analyzer/dockerfile.h"
#include "analyzer/inspect.h"
#include "analyzer/merged_image.h"

namespace layerdiff {

struct StageLabel {
  std::string stage = "";        ///< "builder", "base: debian:12", "common base", "before", "after"
  std::string instruction = "";  ///< the Dockerfile instruction matched, else the history's created_by
  std::string copied_from = "";  ///< COPY/ADD --from source ("" none); "a or b" when content is in both
  /// How the label is known: "common-base", "stage-image" (ChainID of a --stage image),
  /// "dockerfile" (an exact instruction match), "base" (below the lowest match), "content"
  /// (copied_from found by content), "history" (nothing matched).
  std::string source = "history";
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

/// Labels of every layer of the images of a diff (or of one image: `before` null).
struct LayerLabels {
  size_t common = 0;  ///< bottom layers every image shares
  std::vector<StageLabel> before, after;
  std::vector<std::vector<StageLabel>> stages;  ///< parallel to StageInputs::stages
};

LayerLabels label_layers(const MergedImage* before, const MergedImage& after, const StageInputs& in);

/// Per stage: the bytes of the changes its layers are responsible for (see diff.h).
struct StageRow {
  std::string stage;
  uint64_t added = 0, removed = 0;  ///< positive and negative deltas of its layers' changes
  uint64_t layers = 0;
  int64_t delta() const { return static_cast<int64_t>(added) - static_cast<int64_t>(removed); }
};

/// One layer of a stage image and what became of the bytes it holds.
struct StageLayerRow {
  uint32_t index = 0;
  StageLabel label;
  uint64_t content = 0;      ///< visible bytes this layer holds in the stage image
  uint64_t left_behind = 0;  ///< of those, left behind (see StageLeftover)
  bool inherited = false;    ///< the layer is another --stage image's (reported there)
};

/// A named byte count (a package, a directory).
struct NamedBytes {
  std::string name;
  uint64_t bytes = 0, files = 0;
};

/// What a --stage image held, split into parts that add up to its content (files by path,
/// hardlinks once), each file in the first part that applies:
///  - common_base: written by a layer AFTER has too (same ChainID);
///  - inherited: written by a layer of another --stage image that has fewer layers (a stage
///    built FROM it): that stage's leftovers report it, so no byte is reported twice;
///  - copied: its content is in what AFTER's layers copied from this stage (COPY --from);
///  - also_in_after: AFTER has its content elsewhere (installed again, say) or its own version
///    of the same path (a rebuilt cache or database): the build did not shed it;
///  - left_behind: the rest.
struct StageLeftover {
  std::string name;
  uint64_t content = 0, common_base = 0, inherited = 0, copied = 0, also_in_after = 0,
           left_behind = 0;
  std::vector<StageLayerRow> layers;        ///< every layer; left_behind sums to left_behind
  std::vector<SizeRow> directories;         ///< left behind by directory: top N + [other]
  std::vector<NamedBytes> packages;         ///< left behind by package: top N + [other] + [no package]
};

struct StageReport {
  bool from_dockerfile = false;
  std::vector<StageRow> rows;  ///< in order of first appearance; deltas sum to the content delta
  std::vector<StageLeftover> leftovers;
};

/// What each stage image left behind, against AFTER labelled by `after_labels`.
std::vector<StageLeftover> stage_leftovers(const MergedImage& after, const LayerLabels& labels,
                                           const StageInputs& in, size_t top, int depth);

}  // namespace layerdiff
