// render_config.h: the image config and the audit findings as table sections, JSON and
// Markdown: inspect's CONFIG and FINDINGS, the diff's CONFIG (changed fields) and NEW FINDINGS.
// render_inspect.cc and render_diff.cc call these. Values are shown with config_value_text and
// finding_note (analyzer), so every format says the same.
#pragma once

#include <boost/json.hpp>
#include <ostream>
#include <vector>

#include "analyzer/config_diff.h"
#include "analyzer/findings.h"
#include "analyzer/image_config.h"
#include "cmd/render.h"

namespace layerdiff {

/// inspect `image.config`: {Entrypoint, Cmd (arrays or null), User, WorkingDir, Env (array),
/// ExposedPorts, Volumes (sorted arrays), Labels (object), StopSignal, Healthcheck ({Test,
/// Interval, Timeout, StartPeriod, StartInterval, Retries}, ns; or null), os, architecture,
/// variant, created, history (count)}. Unset strings are "".
boost::json::object config_json(const ImageConfig& c);
/// diff `config_changes`: [{field, key (Env and Labels only), change, before, after}]; before
/// and after are typed as in config_json, null when unset (an Env variable or Label added or
/// removed).
boost::json::array config_changes_json(const std::vector<ConfigChange>& changes);
/// `findings`: [{kind, path, type, size, layer, note, …}] with removed_by and how (hidden*),
/// pattern (hidden-secret), what and files (removable), mode (setuid, setgid, world-writable),
/// device (device).
boost::json::array findings_json(const std::vector<Finding>& findings);

/// inspect: the CONFIG section (every field; unset ones say so).
void config_table(const ImageConfig& c, const Style& st, std::ostream& out);
void config_markdown(const ImageConfig& c, std::ostream& out);
/// diff: the CONFIG section, one line per changed field / Env variable / Label.
void config_changes_table(const std::vector<ConfigChange>& changes, const Style& st, std::ostream& out);
void config_changes_markdown(const std::vector<ConfigChange>& changes, std::ostream& out);
/// What a kind of finding means, as every format heads it.
const char* finding_title(FindingKind k);

/// FINDINGS (inspect) or NEW FINDINGS (diff): per kind its count and bytes, then its `top`
/// largest rows.
void findings_table(const FindingsReport& r, const char* title, size_t top, const Style& st,
                    std::ostream& out);
void findings_markdown(const FindingsReport& r, const char* title, size_t top, std::ostream& out);

}  // namespace layerdiff
