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

/// How well a normalised history entry matches an instruction: 0 no, 1 same keyword only (for
/// instructions whose history rendering varies: ENV, CMD, heredoc RUN), 2 same COPY/ADD
/// destination, 3 same instruction.
int match_score(const Instruction& history, const Instruction& instruction);

/// A created_by as people read it: "/bin/sh -c #(nop)  CMD [\"x\"]" -> "CMD [\"x\"]",
/// "/bin/sh -c apt-get update" -> "RUN apt-get update", "… # buildkit" without the marker.
std::string display_created_by(const std::string& created_by);

/// The label of one history entry: which stage, which instruction (-1: none matched).
struct HistoryLabel {
  std::string stage;        ///< stage name, or "base: <image>" for history below the first stage
  int instruction = -1;     ///< index into that stage's instructions
  std::string instruction_text;
};

/// Labels every history entry of an image built from `df`'s stage `target` (default: the last
/// stage): the entries at the end are aligned with the stage's instructions (weighted LCS: same
/// keyword and arguments > same keyword); the entries below are the FROM's, recursively when FROM
/// names an earlier stage, else "base: <image>".
std::vector<HistoryLabel> label_history(const std::vector<HistoryEntry>& history,
                                        const Dockerfile& df, const std::string& target = "");

}  // namespace layerdiff
