// image_config.h: what an image is configured to run, from its config JSON (OCI image-spec
// config.md, plus Docker's Healthcheck): the fields a user audits and a diff compares. Plain
// values, read by formats/ (config_reader); the analyzer never sees JSON.
// Normalised so that two configs a runtime treats alike compare equal: an empty Entrypoint or
// Cmd is unset (as null), ExposedPorts and Volumes are sets (sorted), Labels are sorted by key.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace layerdiff {

/// Docker's HEALTHCHECK. Durations in nanoseconds as the config stores them; 0 = the default.
struct Healthcheck {
  std::vector<std::string> test;  ///< ["CMD", args…], ["CMD-SHELL", command], ["NONE"]
  int64_t interval = 0, timeout = 0, start_period = 0, start_interval = 0;
  int64_t retries = 0;
  bool operator==(const Healthcheck&) const = default;
};

struct ImageConfig {
  std::vector<std::string> entrypoint, cmd;  ///< empty: unset
  std::string user;         ///< "" unset: the runtime runs as root
  std::string working_dir;  ///< "" unset: "/"
  std::string stop_signal;  ///< "" unset: SIGTERM
  std::vector<std::string> env;  ///< "NAME=value" in config order (a later NAME wins)
  std::vector<std::string> exposed_ports;  ///< "80/tcp", sorted
  std::vector<std::string> volumes;        ///< sorted
  std::vector<std::pair<std::string, std::string>> labels;  ///< sorted by key
  bool has_healthcheck = false;
  Healthcheck healthcheck;
  std::string os, architecture, variant;
  std::string created;   ///< RFC 3339 as stored, "" when absent
  uint64_t history = 0;  ///< entries of the history array, empty_layer ones included
};

/// The config's fields by the names the config JSON gives them, in display order:
/// Entrypoint, Cmd, User, WorkingDir, Env, ExposedPorts, Volumes, Labels, StopSignal,
/// Healthcheck, os, architecture, variant, created, history.
const std::vector<std::string>& config_field_names();

/// The name of `name` as config_field_names() spells it, matched case-insensitively
/// ("entrypoint" -> "Entrypoint"); "" when it is none of them.
std::string config_field(std::string_view name);

/// Env as NAME -> value, sorted by NAME; a NAME listed twice keeps its last value (as runtimes
/// do); an entry without '=' is a NAME with an empty value.
std::vector<std::pair<std::string, std::string>> env_map(const std::vector<std::string>& env);

/// The user part of a User value ("app:staff" -> "app"); true when it is unset, "root" or "0".
bool runs_as_root(const std::string& user);

}  // namespace layerdiff
