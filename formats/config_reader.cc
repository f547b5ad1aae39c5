#include "formats/config_reader.h"

#include <boost/json.hpp>

#include <algorithm>

namespace layerdiff {
namespace json = boost::json;
namespace {

class FieldReader {
 public:
  FieldReader(const std::string& what, std::vector<std::string>& warnings)
      : what_(what), warnings_(warnings) {}

  /// A string field; "" when absent or null.
  std::string text(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    if (!v || v->is_null()) return "";
    if (v->is_string()) return std::string(v->as_string());
    odd(key, "a string");
    return "";
  }

  /// An array of strings; empty when absent or null.
  std::vector<std::string> strings(const json::object& o, std::string_view key) {
    std::vector<std::string> out;
    const json::value* v = o.if_contains(key);
    if (!v || v->is_null()) return out;
    if (!v->is_array()) {
      odd(key, "an array of strings");
      return out;
    }
    for (const auto& e : v->as_array()) {
      if (!e.is_string()) {
        odd(key, "an array of strings");
        return {};
      }
      out.emplace_back(e.as_string());
    }
    return out;
  }

  /// The keys of an object used as a set ({"80/tcp": {}}), sorted.
  std::vector<std::string> keys(const json::object& o, std::string_view key) {
    std::vector<std::string> out;
    const json::value* v = o.if_contains(key);
    if (!v || v->is_null()) return out;
    if (!v->is_object()) {
      odd(key, "an object");
      return out;
    }
    for (const auto& kv : v->as_object()) out.emplace_back(kv.key());
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  /// An object of strings, sorted by key (a key listed twice keeps its last value).
  std::vector<std::pair<std::string, std::string>> labels(const json::object& o, std::string_view key) {
    std::vector<std::pair<std::string, std::string>> out;
    const json::value* v = o.if_contains(key);
    if (!v || v->is_null()) return out;
    if (!v->is_object()) {
      odd(key, "an object of strings");
      return out;
    }
    for (const auto& kv : v->as_object()) {
      if (!kv.value().is_string()) {
        odd(key, "an object of strings");
        return {};
      }
      out.emplace_back(std::string(kv.key()), std::string(kv.value().as_string()));
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    // Boost.JSON keeps the last of duplicate keys already; this only guards the invariant.
    std::vector<std::pair<std::string, std::string>> uniq;
    for (auto& p : out) {
      if (!uniq.empty() && uniq.back().first == p.first) uniq.back() = std::move(p);
      else uniq.push_back(std::move(p));
    }
    return uniq;
  }

  /// A whole number (Healthcheck durations and retries); 0 when absent.
  int64_t number(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    if (!v || v->is_null()) return 0;
    if (v->is_int64()) return v->as_int64();
    if (v->is_uint64() && v->as_uint64() <= static_cast<uint64_t>(INT64_MAX))
      return static_cast<int64_t>(v->as_uint64());
    odd(key, "a whole number");
    return 0;
  }

  void odd(std::string_view key, const char* expected) {
    warnings_.push_back(what_ + ": config field " + std::string(key) + " is not " + expected +
                        "; ignored");
  }

 private:
  const std::string& what_;
  std::vector<std::string>& warnings_;
};

}  // namespace

ImageConfig parse_image_config(const json::object& cfg, const std::string& what,
                               std::vector<std::string>& warnings) {
  FieldReader r(what, warnings);
  ImageConfig c;
  c.os = r.text(cfg, "os");
  c.architecture = r.text(cfg, "architecture");
  c.variant = r.text(cfg, "variant");
  c.created = r.text(cfg, "created");
  if (const json::value* h = cfg.if_contains("history"); h && h->is_array())
    c.history = h->as_array().size();
  const json::value* cv = cfg.if_contains("config");
  if (!cv || cv->is_null()) return c;
  if (!cv->is_object()) {
    r.odd("config", "an object");
    return c;
  }
  const json::object& o = cv->as_object();
  c.entrypoint = r.strings(o, "Entrypoint");
  c.cmd = r.strings(o, "Cmd");
  c.user = r.text(o, "User");
  c.working_dir = r.text(o, "WorkingDir");
  c.env = r.strings(o, "Env");
  c.exposed_ports = r.keys(o, "ExposedPorts");
  c.volumes = r.keys(o, "Volumes");
  c.labels = r.labels(o, "Labels");
  c.stop_signal = r.text(o, "StopSignal");
  if (const json::value* hv = o.if_contains("Healthcheck"); hv && !hv->is_null()) {
    if (!hv->is_object()) {
      r.odd("Healthcheck", "an object");
    } else {
      const json::object& h = hv->as_object();
      c.healthcheck.test = r.strings(h, "Test");
      c.has_healthcheck = !c.healthcheck.test.empty();  // [] means "inherit": none here
      c.healthcheck.interval = r.number(h, "Interval");
      c.healthcheck.timeout = r.number(h, "Timeout");
      c.healthcheck.start_period = r.number(h, "StartPeriod");
      c.healthcheck.start_interval = r.number(h, "StartInterval");
      c.healthcheck.retries = r.number(h, "Retries");
    }
  }
  return c;
}

}  // namespace layerdiff
