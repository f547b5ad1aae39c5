// config_diff.h: two image configs compared field by field (image_config.h). Every field that
// differs gives one ConfigChange, in config_field_names() order; Env and Labels give one change
// per variable / key that was added, removed or changed (Env compared as NAME -> value, a later
// NAME winning, so reordering alone is no change). `created` is compared only when asked
// (rebuilds change it, as they change every mtime).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analyzer/image_config.h"

namespace layerdiff {

/// One side of a changed field.
struct ConfigValue {
  enum Type { Text, List, Count, Health };
  Type type = Text;
  bool set = false;              ///< false: unset (null in JSON)
  std::string text;              ///< Text: User, WorkingDir, StopSignal, os, …, an Env/Label value
  std::vector<std::string> list; ///< List: Entrypoint, Cmd, ExposedPorts, Volumes
  uint64_t count = 0;            ///< Count: history
  Healthcheck health;            ///< Health
};

struct ConfigChange {
  enum Kind { Added, Removed, Changed };
  std::string field;  ///< as config_field_names() spells it
  std::string key;    ///< Env: the variable, Labels: the key; "" for the other fields
  Kind kind = Changed;
  ConfigValue before, after;
};
const char* config_change_name(ConfigChange::Kind k);  ///< "added", "removed", "changed"

struct ConfigDiffOptions {
  bool created = false;  ///< also compare `created`
};

std::vector<ConfigChange> diff_configs(const ImageConfig& before, const ImageConfig& after,
                                       const ConfigDiffOptions& opt);

/// A field of `c` as a ConfigValue (Env and Labels are not single values: use env_map/labels).
ConfigValue config_value(const ImageConfig& c, const std::string& field);

/// One line for people, the same in every format: "(unset)"; Entrypoint and Cmd in exec form
/// (["node", "server.js"]); ExposedPorts and Volumes joined with ", "; a Healthcheck as
/// "CMD-SHELL curl -f localhost (interval 30s, timeout 3s, retries 3)".
std::string config_value_text(const std::string& field, const ConfigValue& v);

/// Nanoseconds as Go prints a duration: "30s", "1m30s", "500ms".
std::string duration_text(int64_t ns);

}  // namespace layerdiff
