// render_html_config.h: the image config and the audit findings as sections of the HTML pages
// (render_html_config.cc): inspect's Config and Findings, the diff's Config changes and New
// findings. `at` is where the JSON report has them ("/image/config", "/findings").
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "analyzer/config_diff.h"
#include "analyzer/findings.h"
#include "analyzer/image_config.h"
#include "cmd/html.h"

namespace layerdiff {

/// Every field: what runs (Entrypoint, Cmd, User, WorkingDir) always, the others when set.
void html_config(const ImageConfig& c, const std::string& at, std::ostream& out);
/// One row per changed field, Env variable or Label.
void html_config_changes(const std::vector<ConfigChange>& changes, const std::string& at, std::ostream& out);
/// Per kind its count and bytes, then its `top` largest findings (as the other formats).
void html_findings(const FindingsReport& r, const std::string& at, size_t top, std::ostream& out);

}  // namespace layerdiff
