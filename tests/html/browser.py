"""browser.py: headless Chromium driven over the DevTools protocol on a pipe (no port, no
network), for the tests of layerdiff's HTML pages: load a page, collect every console message,
uncaught exception, log entry (CSP violations) and network request it makes, evaluate scripts in
it, click and hover like a user, take screenshots.

Chromium starts with a fresh profile in a temporary directory and the switches that keep it quiet
on a machine without network (no background networking, component updates, sync or first run).
"""
import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time

FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
         "--disable-default-apps", "--mute-audio"]


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    def __init__(self, width=1280, height=900, binary=None):
        self.profile = tempfile.mkdtemp(prefix="layerdiff-chromium-")
        binary = binary or find_chromium()
        if not binary:
            raise RuntimeError("chromium not found")
        to_browser, from_us = os.pipe()  # chromium reads commands on fd 3
        to_us, from_browser = os.pipe()  # and writes answers on fd 4
        # The fds chromium expects are 3 and 4; move ours out of the way first (dash takes single
        # digits only), and let the shell put them in place.
        a, b = os.dup2(to_browser, 8), os.dup2(from_browser, 9)
        os.close(to_browser)
        os.close(from_browser)
        os.set_inheritable(a, True)
        os.set_inheritable(b, True)
        self.log = open(os.path.join(self.profile, "chromium.log"), "w")
        args = [binary] + FLAGS + ["--user-data-dir=" + self.profile, "--remote-debugging-pipe",
                                   "--window-size=%d,%d" % (width, height), "about:blank"]
        self.proc = subprocess.Popen(["sh", "-c", 'exec "$@" 3<&8 4>&9 8<&- 9>&-', "sh"] + args,
                                     pass_fds=(a, b), stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log)
        os.close(a)
        os.close(b)
        self.w, self.r = from_us, to_us
        self.buf = b""
        self.next_id = 0
        self.events = []

    def close(self):
        try:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
        for fd in (self.w, self.r):
            try:
                os.close(fd)
            except OSError:
                pass
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _read(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.time()
            if left <= 0:
                raise TimeoutError("chromium did not answer in time")
            ready, _, _ = select.select([self.r], [], [], left)
            if ready:
                chunk = os.read(self.r, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed the DevTools pipe (crashed?)")
                self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=None, timeout=60):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            m = self._read(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method, session, timeout=60):
        deadline = time.time() + timeout
        seen = 0
        while True:
            for e in self.events[seen:]:
                if e.get("method") == method and e.get("sessionId") == session:
                    return e
            seen = len(self.events)
            self.events.append(self._read(deadline))

    def open(self, url, timeout=60, javascript=True):
        """A new tab showing `url`, loaded (the load event has fired); with javascript=False the
        page's own scripts do not run (as in a browser with JavaScript off)."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for m in ("Runtime.enable", "Log.enable", "Network.enable", "Page.enable"):
            self.send(m, session=session)
        page = Page(self, session)
        if not javascript:
            self.send("Emulation.setScriptExecutionDisabled", {"value": True}, session=session)
        self.send("Page.navigate", {"url": url}, session=session)
        self.wait_event("Page.loadEventFired", session, timeout)
        return page


class Page:
    def __init__(self, browser, session):
        self.b = browser
        self.session = session

    def _mine(self, method):
        return [e["params"] for e in self.b.events
                if e.get("sessionId") == self.session and e.get("method") == method]

    def eval(self, expression, timeout=60):
        """The value of a JavaScript expression (JSON-able), or raises with the exception."""
        r = self.b.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                             "awaitPromise": True}, self.session, timeout)
        if "exceptionDetails" in r:
            raise RuntimeError("script failed: %s" % r["exceptionDetails"].get("exception", {})
                               .get("description", r["exceptionDetails"].get("text")))
        return r["result"].get("value")

    def problems(self):
        """Console errors and warnings, uncaught exceptions, and error/warning log entries (a
        Content-Security-Policy violation is one) the page produced."""
        out = []
        for p in self._mine("Runtime.consoleAPICalled"):
            if p["type"] in ("error", "warning", "assert"):
                out.append("console.%s: %s" % (p["type"], " ".join(
                    str(a.get("value", a.get("description", ""))) for a in p["args"])))
        for p in self._mine("Runtime.exceptionThrown"):
            d = p["exceptionDetails"]
            out.append("exception: %s" % d.get("exception", {}).get("description", d.get("text")))
        for p in self._mine("Log.entryAdded"):
            if p["entry"]["level"] in ("error", "warning"):
                out.append("log %s: %s" % (p["entry"]["source"], p["entry"]["text"]))
        return out

    def requests(self):
        """Every URL the page asked for (blocked ones included)."""
        return [p["request"]["url"] for p in self._mine("Network.requestWillBeSent")]

    def mouse(self, kind, x, y):
        self.b.send("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left",
                                                 "clickCount": 1 if kind != "mouseMoved" else 0},
                    self.session)

    def click(self, x, y):
        self.mouse("mouseMoved", x, y)
        self.mouse("mousePressed", x, y)
        self.mouse("mouseReleased", x, y)

    def screenshot(self, path, width, height):
        self.b.send("Emulation.setDeviceMetricsOverride",
                    {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
                    self.session)
        self.eval("new Promise(r => setTimeout(r, 400))")  # the page redraws after a resize
        data = self.b.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": False},
                           self.session)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
