// page.js: the script of every layerdiff HTML page (inlined at build time; it fetches nothing).
// Makes tables sortable and draws the treemap of the data block #layerdiff-data:
//   {kind: "inspect"|"diff", tree: NODE, layers: [{name, text}], total_before, total_after}
//   NODE = [name, weight, before, after, files, layer, change, flags, folded, [NODE…]]
//   flags: 1 directory, 2 "[other]" (the folded rest of a directory).
// A squarified treemap (Bruls, Huizing, van Wijk 2000): boxes sized by weight, directories
// drawn as frames holding their children while they are big enough to read, click to zoom in,
// the breadcrumb to zoom out; hover tells path, size, share and layer.
(function () {
  "use strict";

  // ------------------------------------------------------------------ sortable tables
  function sortKey(td) {
    if (!td) return "";
    var v = td.getAttribute("data-v");
    if (v !== null && v !== "" && !isNaN(Number(v))) return Number(v);
    var t = td.textContent.trim();
    if (td.classList.contains("num") && t !== "" && !isNaN(Number(t))) return Number(t);
    return t.toLowerCase();
  }
  function makeSortable(table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, col) {
      th.tabIndex = 0;
      function sort() {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        Array.prototype.forEach.call(table.tBodies, function (body) {
          var rows = Array.prototype.slice.call(body.rows);
          var keyed = rows.map(function (r, i) { return { r: r, i: i, k: sortKey(r.cells[col]) }; });
          keyed.sort(function (a, b) {
            var pa = a.r.classList.contains("pin"), pb = b.r.classList.contains("pin");
            if (pa !== pb) return pa ? 1 : -1;  // [other] and the like stay at the bottom
            if (pa && pb) return a.i - b.i;
            var c = 0;
            if (typeof a.k === "number" && typeof b.k === "number") c = a.k - b.k;
            else c = String(a.k) < String(b.k) ? -1 : String(a.k) > String(b.k) ? 1 : 0;
            if (!asc) c = -c;
            return c !== 0 ? c : a.i - b.i;
          });
          keyed.forEach(function (x) { body.appendChild(x.r); });
        });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), makeSortable);

  // ------------------------------------------------------------------ treemap
  var dataEl = document.getElementById("layerdiff-data");
  var box = document.getElementById("treemap");
  if (!dataEl || !box) return;
  var data = JSON.parse(dataEl.textContent);
  if (!data.tree) return;
  var diff = data.kind === "diff";

  var UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  // The same rounding as the tables (cmd/text.cc human_bytes).
  function human(n) {
    if (n < 1024) return n + " B";
    var v = n, u = 0;
    while (v >= 1024 && u < 5) { v /= 1024; ++u; }
    return (v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)) + " " + UNITS[u];
  }
  function humanDelta(n) { return n === 0 ? "0 B" : (n > 0 ? "+" : "-") + human(Math.abs(n)); }
  function pct(f) { return (f * 100).toFixed(1) + "%"; }

  // Node accessors.
  function name(n) { return n[0]; }
  function weight(n) { return n[1]; }
  function kids(n) { return n[9]; }
  function isDir(n) { return (n[7] & 1) !== 0; }
  function isOther(n) { return (n[7] & 2) !== 0; }

  // Colours: a layer's hue (inspect) or the change (diff).
  var PALETTE = ["#7aa6da", "#e6a04e", "#8cc084", "#d98cb3", "#b59ee0", "#e5d36a", "#6cc5c0",
                 "#e08a7a", "#a3b86c", "#c9a27a", "#88a0b8", "#d4b0d8"];
  var MIXED = "#c3c8d0";
  var CHANGE = { a: ["#d9534f", "added"], g: ["#f0a79f", "grown"], c: ["#e8c66a", "same size, other content"],
                 u: ["#c9ced6", "unchanged"], s: ["#9fd8ae", "shrunk"], r: ["#3f9d5a", "removed"] };
  function colour(n) {
    if (diff) return (CHANGE[n[6]] || CHANGE.u)[0];
    var l = n[5];
    return l >= 0 ? PALETTE[l % PALETTE.length] : MIXED;
  }
  function layerText(l) {
    if (l < 0 || !data.layers || !data.layers[l]) return diff ? "changes charged to several layers, or none" : "several layers";
    var x = data.layers[l];
    return x.name + (x.text ? ": " + x.text : "");
  }

  // Legend.
  var legend = document.getElementById("legend");
  function legendItem(c, text) {
    var s = document.createElement("span");
    var i = document.createElement("i");
    i.style.background = c;
    s.appendChild(i);
    s.appendChild(document.createTextNode(text));
    legend.appendChild(s);
  }
  if (legend) {
    if (diff) ["a", "g", "c", "s", "r", "u"].forEach(function (k) { legendItem(CHANGE[k][0], CHANGE[k][1]); });
    else {
      (data.layers || []).forEach(function (l, i) {
        if (i < PALETTE.length || data.layers.length <= PALETTE.length) legendItem(PALETTE[i % PALETTE.length], l.name + (l.text ? ": " + l.text.slice(0, 60) : ""));
      });
      legendItem(MIXED, "several layers");
    }
  }

  // Squarify: lays `items` (weights, largest first) into the rectangle; returns [x, y, w, h] each.
  function squarify(weights, x, y, w, h) {
    var total = 0, i;
    for (i = 0; i < weights.length; ++i) total += weights[i];
    var out = [];
    if (total <= 0 || w <= 0 || h <= 0) return out;
    var scale = (w * h) / total;
    var row = [], rowSum = 0, start = 0;
    function worst(sum, min, max, side) {
      var s2 = sum * sum, side2 = side * side;
      return Math.max((side2 * max) / s2, s2 / (side2 * min));
    }
    function place(rowItems, sum) {
      var horizontal = w >= h;  // lay the row along the shorter side
      var side = horizontal ? h : w;
      var thick = sum / side;
      var off = 0;
      for (var k = 0; k < rowItems.length; ++k) {
        var len = rowItems[k] / thick;
        out.push(horizontal ? [x, y + off, thick, len] : [x + off, y, len, thick]);
        off += len;
      }
      if (horizontal) { x += thick; w -= thick; } else { y += thick; h -= thick; }
    }
    var min = Infinity, max = 0;
    for (i = 0; i < weights.length; ++i) {
      var a = weights[i] * scale;
      var side = Math.min(w, h);
      if (row.length === 0) { row.push(a); rowSum = a; min = max = a; continue; }
      var nmin = Math.min(min, a), nmax = Math.max(max, a);
      if (worst(rowSum + a, nmin, nmax, side) <= worst(rowSum, min, max, side)) {
        row.push(a); rowSum += a; min = nmin; max = nmax;
      } else {
        place(row, rowSum);
        row = [a]; rowSum = a; min = max = a;
      }
    }
    if (row.length) place(row, rowSum);
    return out;
  }

  var stack = [data.tree];  // the zoom path: root … current view
  var nodes = [];           // drawn boxes' nodes, by data-n
  var paths = [];
  var MIN_W = 3, MIN_H = 3, LABEL_H = 14;
  var drawn = 0, MAX_BOXES = 6000;

  function pathOf(parentPath, n) {
    if (isOther(n)) return parentPath + (parentPath.endsWith("/") ? "" : "/") + "[other]";
    return parentPath === "/" ? "/" + name(n) : parentPath + "/" + name(n);
  }

  function draw(n, path, x, y, w, h, depth) {
    if (w < MIN_W || h < MIN_H || drawn >= MAX_BOXES) return;
    var el = document.createElement("div");
    var frame = isDir(n) && kids(n).length > 0;
    el.className = "box" + (frame ? " dir" : "") + (isOther(n) ? " other" : "");
    el.style.left = x + "px";
    el.style.top = y + "px";
    el.style.width = w + "px";
    el.style.height = h + "px";
    if (!frame || w < 30 || h < 24) el.style.background = colour(n);
    el.setAttribute("data-n", String(nodes.length));
    el.setAttribute("data-path", path);
    el.setAttribute("data-weight", String(weight(n)));
    if (diff) {
      el.setAttribute("data-before", String(n[2]));
      el.setAttribute("data-after", String(n[3]));
    }
    nodes.push(n);
    paths.push(path);
    ++drawn;
    if (w > 28 && h > 12) {
      var lbl = document.createElement("span");
      lbl.className = "lbl";
      var size = diff && n[3] !== n[2] ? humanDelta(n[3] - n[2]) : human(diff ? n[3] : weight(n));
      lbl.textContent = (isOther(n) ? "[other]" : name(n)) + (w > 90 ? " " + size : "");
      el.appendChild(lbl);
    }
    box.appendChild(el);
    if (frame && w >= 30 && h >= 24 && depth < 12) {
      layout(n, path, x + 2, y + LABEL_H, w - 4, h - LABEL_H - 2, depth + 1);
    }
  }

  function layout(n, path, x, y, w, h, depth) {
    var cs = kids(n).filter(function (c) { return weight(c) > 0; });
    var rects = squarify(cs.map(weight), x, y, w, h);
    for (var i = 0; i < cs.length; ++i) {
      var r = rects[i];
      draw(cs[i], pathOf(path, cs[i]), r[0], r[1], r[2], r[3], depth);
    }
  }

  function currentPath() {
    var p = "/";
    for (var i = 1; i < stack.length; ++i) p = pathOf(p, stack[i]);
    return p;
  }

  var crumbs = document.getElementById("crumbs");
  function renderCrumbs() {
    crumbs.textContent = "";
    stack.forEach(function (n, i) {
      if (i) {
        var sep = document.createElement("span");
        sep.textContent = " / ";
        crumbs.appendChild(sep);
      }
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = i === 0 ? "/ (" + human(weight(n)) + ")" : name(n);
      b.disabled = i === stack.length - 1;
      b.addEventListener("click", function () { stack.length = i + 1; render(); });
      crumbs.appendChild(b);
    });
  }

  function render() {
    box.textContent = "";
    nodes = [];
    paths = [];
    drawn = 0;
    var view = stack[stack.length - 1];
    layout(view, currentPath(), 0, 0, box.clientWidth, box.clientHeight, 0);
    box.setAttribute("data-view", currentPath());
    box.setAttribute("data-boxes", String(drawn));
    renderCrumbs();
  }

  // Hover: what the box is.
  var tip = document.getElementById("tip");
  var rootWeight = weight(data.tree) || 1;
  function describe(n, path) {
    var lines = [];
    var b = document.createElement("b");
    b.textContent = path;
    lines.push(b);
    function line(t) { var d = document.createElement("div"); d.textContent = t; lines.push(d); }
    if (isOther(n)) line(n[8] + " smaller paths folded together");
    if (diff) {
      line("before " + human(n[2]) + ", after " + human(n[3]) + " (" + humanDelta(n[3] - n[2]) + ")");
      line((CHANGE[n[6]] || CHANGE.u)[1]);
      if (n[5] >= 0 || n[6] !== "u") line("charged to " + layerText(n[5]));
    } else {
      var v = stack[stack.length - 1];
      line(human(n[3]) + " = " + pct(n[3] / rootWeight) + " of the image" +
           (v !== data.tree ? ", " + pct(n[3] / (weight(v) || 1)) + " of this view" : ""));
      if (n[4]) line(n[4] + (n[4] === 1 ? " file" : " files"));
      if (n[3] > 0) line("written by " + layerText(n[5]));
    }
    return lines;
  }
  box.addEventListener("mousemove", function (e) {
    var el = e.target.closest ? e.target.closest(".box") : null;
    if (!el) { tip.hidden = true; return; }
    var i = Number(el.getAttribute("data-n"));
    tip.textContent = "";
    describe(nodes[i], paths[i]).forEach(function (x) { tip.appendChild(x); });
    tip.hidden = false;
    var tx = e.clientX + 14, ty = e.clientY + 14;
    if (tx + tip.offsetWidth > window.innerWidth) tx = Math.max(0, e.clientX - tip.offsetWidth - 10);
    if (ty + tip.offsetHeight > window.innerHeight) ty = Math.max(0, e.clientY - tip.offsetHeight - 10);
    tip.style.left = tx + "px";
    tip.style.top = ty + "px";
  });
  box.addEventListener("mouseleave", function () { tip.hidden = true; });

  // Click a directory to go in: down the zoom path from the view to that node.
  box.addEventListener("click", function (e) {
    var el = e.target.closest ? e.target.closest(".box.dir") : null;
    if (!el) return;
    var target = paths[Number(el.getAttribute("data-n"))];
    var view = currentPath();
    var rest = target.slice(view === "/" ? 1 : view.length + 1).split("/");
    var n = stack[stack.length - 1];
    for (var i = 0; i < rest.length; ++i) {
      var next = null;
      for (var k = 0; k < kids(n).length; ++k) if (!isOther(kids(n)[k]) && name(kids(n)[k]) === rest[i]) next = kids(n)[k];
      if (!next) break;
      stack.push(next);
      n = next;
    }
    tip.hidden = true;
    render();
  });
  document.addEventListener("keydown", function (e) {
    if ((e.key === "Escape" || e.key === "Backspace") && stack.length > 1 && e.target === document.body) {
      stack.pop();
      render();
    }
  });
  var pending = 0;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(render, 120);
  });
  render();
})();
