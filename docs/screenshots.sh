#!/usr/bin/env bash
# docs/screenshots.sh INSPECT.html DIFF.html CHECK.html: the README's screenshots of the three
# kinds of HTML page (docs/inspect.png, docs/diff.png, docs/check.png), taken in headless
# Chromium (tests/html/browser.py) at 1100x820, the pointer over the treemap's biggest box so that
# its description shows; then made small with pngquant when it is installed.
# The README says which commands made the pages.
set -euo pipefail
if [[ $# -ne 3 ]]; then
  echo "usage: $0 INSPECT.html DIFF.html CHECK.html" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
python3 - "$here" "$(realpath "$1")" "$(realpath "$2")" "$(realpath "$3")" <<'PY'
import os, sys
here = sys.argv[1]
sys.path.insert(0, os.path.join(here, "..", "tests", "html"))
from browser import Browser
for kind, page in zip(("inspect", "diff", "check"), sys.argv[2:]):
    with Browser(1100, 820) as b:
        p = b.open("file://" + page)
        if kind != "check":
            # Scroll the treemap into view under the summary, point at the biggest box's label.
            box = p.eval("""(() => { const t = document.getElementById('treemap-section'); window.scrollTo(0, t.offsetTop - 10);
                const b = document.querySelector('#treemap .box.dir') || document.querySelector('#treemap .box');
                const r = b.getBoundingClientRect(); return [r.left + Math.min(60, r.width / 2), r.top + 6]; })()""")
            p.mouse("mouseMoved", box[0], box[1])
        p.screenshot(os.path.join(here, kind + ".png"), 1100, 820)
        if kind != "check":
            p.mouse("mouseMoved", box[0], box[1])
            p.screenshot(os.path.join(here, kind + ".png"), 1100, 820)
PY
if command -v pngquant >/dev/null; then
  for k in inspect diff check; do pngquant --force --skip-if-larger --strip --output "$here/$k.png" 64 "$here/$k.png" || true; done
fi
ls -l "$here"/*.png
