// dockerfile.h: the stages and instructions of a Dockerfile/Containerfile, and the matching of
// an image's history (`created_by`, classic `#(nop)` and BuildKit forms) onto them.
#pragma once

#include <string>
#include <vector>

#include "analyzer/image.h"

namespace layerdiff {

struct Instruction {
  std::string keyword;  ///< upper case: RUN, COPY, …
  std::string args;     ///< the rest, continuation lines joined, whitespace collapsed
  int line = 0;         ///< 1-based line of the instruction
  std::string text() const { return keyword + " " + args; }
};

struct Stage {
  std::string name;   ///< the AS name, or "stage-N" (N from 0) when unnamed
  std::string from;   ///< the FROM image (or an earlier stage's name)
  std::vector<Instruction> instructions;  ///< after FROM
};

struct Dockerfile {
  std::string file;  ///< the path it was read from, for labels and messages
  std::vector<Stage> stages;
  /// The stage called `name` (case-insensitive, as Docker does), or by index "0", "1"…; nullptr.
  const Stage* find(const std::string& name) const;
};

/// Parses a Dockerfile: comments, line continuations (`\`, or the `# escape=` directive's
/// character), heredocs (`RUN <<EOF … EOF`) and `FROM [--platform=…] image [AS name]`.
/// Throws Error "<file>:<line>: <reason>" for an instruction before the first FROM.
Dockerfile parse_dockerfile(const std::string& text, const std::string& file);

/// A history `created_by` reduced to (keyword, args): "/bin/sh -c #(nop) WORKDIR /app" ->
/// ("WORKDIR", "/app"); "/bin/sh -c apt-get update" and "RUN /bin/sh -c apt-get update # buildkit"
/// -> ("RUN", "apt-get update"); build-arg prefixes "|1 A=b " are dropped.
Instruction normalize_created_by(const std::string& created_by);

/// The `--from=` source of a COPY/ADD instruction, lower-cased ("" when it has none).
std::string copy_source(const Instruction& ins);

/// The stages an image built with `--target` stage `target` runs, root first: a stage FROM an
/// earlier stage comes after it. Empty when `target` is out of range.
std::vector<int> stage_lineage(const Dockerfile& df, int target);

/// An instruction of a Dockerfile: stage index and index in that stage's instructions.
struct InstructionRef {
  int stage = -1, instruction = -1;
  bool matched() const { return stage >= 0; }
};

/// Aligns an image's history with the instructions of the lineage of stage `target`, keeping
/// their order (a longest common subsequence), on exact matches only:
///  - RUN: the command text (shell or exec form, build-arg prefix and BuildKit flags aside);
///  - COPY/ADD: the keyword and the destination resolved against WORKDIR, and the --from source
///    where the history records it (BuildKit does; the classic builder and buildah write only
///    "COPY dir:<hash> in <dest>"); a heredoc RUN never matches (its history form varies);
///  - other instructions: their arguments (exec form and whitespace normalised).
/// Returns one InstructionRef per history entry (unmatched: stage -1).
std::vector<InstructionRef> align_history(const std::vector<HistoryEntry>& history,
                                          const Dockerfile& df, int target);

/// A created_by as people read it: "/bin/sh -c #(nop)  CMD [\"x\"]" -> "CMD [\"x\"]",
/// "/bin/sh -c apt-get update" -> "RUN apt-get update", "… # buildkit" without the marker.
std::string display_created_by(const std::string& created_by);

}  // namespace layerdiff
