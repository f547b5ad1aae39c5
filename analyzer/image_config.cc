#include "analyzer/image_config.h"

#include <algorithm>
#include <map>

namespace layerdiff {

const std::vector<std::string>& config_field_names() {
  static const std::vector<std::string> names = {
      "Entrypoint", "Cmd",        "User",        "WorkingDir", "Env",
      "ExposedPorts", "Volumes",  "Labels",      "StopSignal", "Healthcheck",
      "os",         "architecture", "variant",   "created",    "history"};
  return names;
}

std::string config_field(std::string_view name) {
  auto lower = [](std::string_view s) {
    std::string o(s);
    for (char& c : o) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return o;
  };
  for (const auto& f : config_field_names())
    if (lower(f) == lower(name)) return f;
  return "";
}

std::vector<std::pair<std::string, std::string>> env_map(const std::vector<std::string>& env) {
  std::map<std::string, std::string> m;
  for (const auto& e : env) {
    auto eq = e.find('=');
    if (eq == std::string::npos) m[e] = "";
    else m[e.substr(0, eq)] = e.substr(eq + 1);
  }
  return {m.begin(), m.end()};
}

bool runs_as_root(const std::string& user) {
  std::string u = user.substr(0, user.find(':'));
  return u.empty() || u == "root" || u == "0";
}

}  // namespace layerdiff
