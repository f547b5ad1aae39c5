#include "analyzer/config_diff.h"

#include <map>

namespace layerdiff {
namespace {

ConfigValue text(const std::string& s) {
  ConfigValue v;
  v.type = ConfigValue::Text;
  v.set = !s.empty();
  v.text = s;
  return v;
}

ConfigValue list(const std::vector<std::string>& l) {
  ConfigValue v;
  v.type = ConfigValue::List;
  v.set = !l.empty();
  v.list = l;
  return v;
}

bool same(const ConfigValue& a, const ConfigValue& b) {
  if (a.set != b.set) return false;
  if (!a.set) return true;
  switch (a.type) {
    case ConfigValue::Text: return a.text == b.text;
    case ConfigValue::List: return a.list == b.list;
    case ConfigValue::Count: return a.count == b.count;
    case ConfigValue::Health: return a.health == b.health;
  }
  return false;
}

ConfigChange::Kind kind_of(const ConfigValue& b, const ConfigValue& a) {
  if (!b.set) return ConfigChange::Added;
  if (!a.set) return ConfigChange::Removed;
  return ConfigChange::Changed;
}

/// Per-key changes of two sorted key -> value lists (Env, Labels).
void diff_keyed(const std::string& field, const std::vector<std::pair<std::string, std::string>>& b,
                const std::vector<std::pair<std::string, std::string>>& a,
                std::vector<ConfigChange>& out) {
  std::map<std::string, std::pair<ConfigValue, ConfigValue>> keys;
  auto val = [](const std::string& s) {
    ConfigValue v;
    v.set = true;  // an empty value is still a value: "X=" differs from no X
    v.text = s;
    return v;
  };
  for (const auto& [k, v] : b) keys[k].first = val(v);
  for (const auto& [k, v] : a) keys[k].second = val(v);
  for (auto& [k, ba] : keys) {
    if (same(ba.first, ba.second)) continue;
    out.push_back({field, k, kind_of(ba.first, ba.second), std::move(ba.first), std::move(ba.second)});
  }
}

/// A JSON string literal (exec-form lists are shown as Docker writes them).
std::string quoted(const std::string& s) {
  std::string o = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      o += '\\';
      o += static_cast<char>(c);
    } else if (c < 0x20) {
      static const char hex[] = "0123456789abcdef";
      o += "\\u00";
      o += hex[c >> 4];
      o += hex[c & 15];
    } else {
      o += static_cast<char>(c);
    }
  }
  return o + "\"";
}

}  // namespace

std::string duration_text(int64_t ns) {
  if (ns == 0) return "0s";
  std::string sign = ns < 0 ? "-" : "";
  uint64_t n = ns < 0 ? 0 - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  if (n % 1000000000 != 0) {
    if (n % 1000000 == 0) return sign + std::to_string(n / 1000000) + "ms";
    if (n % 1000 == 0) return sign + std::to_string(n / 1000) + "us";
    return sign + std::to_string(n) + "ns";
  }
  uint64_t sec = n / 1000000000, h = sec / 3600, m = sec / 60 % 60, se = sec % 60;
  std::string o = sign;
  if (h) o += std::to_string(h) + "h";
  if (h || m) o += std::to_string(m) + "m";
  if (se || (!h && !m)) o += std::to_string(se) + "s";
  return o;
}

std::string config_value_text(const std::string& field, const ConfigValue& v) {
  if (!v.set) return "(unset)";
  switch (v.type) {
    case ConfigValue::Text: return v.text;
    case ConfigValue::Count: return std::to_string(v.count);
    case ConfigValue::List: {
      bool exec = field == "Entrypoint" || field == "Cmd";
      std::string o;
      for (size_t i = 0; i < v.list.size(); ++i)
        o += (i ? ", " : "") + (exec ? quoted(v.list[i]) : v.list[i]);
      return exec ? "[" + o + "]" : o;
    }
    case ConfigValue::Health: {
      const Healthcheck& h = v.health;
      std::string o;
      for (size_t i = 0; i < h.test.size(); ++i) o += (i ? " " : "") + h.test[i];
      std::string opts;
      auto add = [&](const char* name, int64_t ns) {
        if (ns) opts += std::string(opts.empty() ? "" : ", ") + name + " " + duration_text(ns);
      };
      add("interval", h.interval);
      add("timeout", h.timeout);
      add("start period", h.start_period);
      add("start interval", h.start_interval);
      if (h.retries) opts += std::string(opts.empty() ? "" : ", ") + "retries " + std::to_string(h.retries);
      return opts.empty() ? o : o + " (" + opts + ")";
    }
  }
  return "";
}

const char* config_change_name(ConfigChange::Kind k) {
  switch (k) {
    case ConfigChange::Added: return "added";
    case ConfigChange::Removed: return "removed";
    case ConfigChange::Changed: return "changed";
  }
  return "?";
}

ConfigValue config_value(const ImageConfig& c, const std::string& f) {
  if (f == "Entrypoint") return list(c.entrypoint);
  if (f == "Cmd") return list(c.cmd);
  if (f == "User") return text(c.user);
  if (f == "WorkingDir") return text(c.working_dir);
  if (f == "ExposedPorts") return list(c.exposed_ports);
  if (f == "Volumes") return list(c.volumes);
  if (f == "StopSignal") return text(c.stop_signal);
  if (f == "os") return text(c.os);
  if (f == "architecture") return text(c.architecture);
  if (f == "variant") return text(c.variant);
  if (f == "created") return text(c.created);
  ConfigValue v;
  if (f == "Healthcheck") {
    v.type = ConfigValue::Health;
    v.set = c.has_healthcheck;
    v.health = c.healthcheck;
  } else if (f == "history") {
    v.type = ConfigValue::Count;
    v.set = true;
    v.count = c.history;
  }
  return v;
}

std::vector<ConfigChange> diff_configs(const ImageConfig& before, const ImageConfig& after,
                                       const ConfigDiffOptions& opt) {
  std::vector<ConfigChange> out;
  for (const std::string& f : config_field_names()) {
    if (f == "Env") {
      diff_keyed(f, env_map(before.env), env_map(after.env), out);
    } else if (f == "Labels") {
      diff_keyed(f, before.labels, after.labels, out);
    } else if (f != "created" || opt.created) {
      ConfigValue b = config_value(before, f), a = config_value(after, f);
      if (!same(b, a)) out.push_back({f, "", kind_of(b, a), std::move(b), std::move(a)});
    }
  }
  return out;
}

}  // namespace layerdiff
