#!/usr/bin/env python3
"""Drives Debian's chromium (headless) through a running `riglog demo`, over the DevTools
protocol on a pipe (--remote-debugging-pipe: no WebSocket library, nothing from the internet).

    web_check.py BASE_URL SIGN_IN_PATH ARTIFACT_DIR [--restart PID -- COMMAND...]

Signs in by the demo's one-time link, then checks in the DOM:
  - the lab board lists every rig, updates live, and shows an alarm within 1 s of it firing;
  - a rig page draws dygraphs charts whose data points move;
  - a student page (the practice log) renders;
  - no console errors or uncaught exceptions anywhere;
  - with --restart: the collector (process PID) is stopped with SIGTERM and COMMAND starts it
    again on the same address and data; the open board reconnects by itself and goes live again.
    The restarted process is stopped with SIGTERM at the end; its exit status is in the findings.
Saves a screenshot of each page in ARTIFACT_DIR. Prints one JSON line of findings; exit 0 when
every check held, 1 otherwise (the findings say which failed).
"""
import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time


class Browser:
    def __init__(self):
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        if not exe:
            raise SystemExit("chromium not found: make deps installs it")
        self.profile = tempfile.mkdtemp(prefix="riglog-chromium-")
        to_chrome_r, to_chrome_w = os.pipe()
        from_chrome_r, from_chrome_w = os.pipe()
        # Chromium reads commands on fd 3 and writes replies on fd 4.
        def wire():
            # The pipes may themselves be fds 3 and 4 (non-inheritable): copy them out of the
            # way first, then onto 3 and 4 as inheritable descriptors.
            read_end, write_end = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)
        self.proc = subprocess.Popen(
            [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             "--user-data-dir=" + self.profile, "--window-size=1400,1000", "--no-first-run",
             "--disable-extensions", "--mute-audio", "about:blank"],
            # close_fds would run after wire() and close 3 and 4 again; the pipes' own ends are
            # not inheritable, so only the dup2 copies reach chromium.
            close_fds=False, preexec_fn=wire,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.out = os.fdopen(to_chrome_w, "wb", buffering=0)
        self.inp = os.fdopen(from_chrome_r, "rb", buffering=0)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def _read(self):
        while b"\0" not in self.buffer:
            chunk = self.inp.read(65536)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None, session=True):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        self.out.write(json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def open(self):
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True}, session=False)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.call(domain + ".enable")

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluate {expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, timeout, poll=0.1):
        """Polls a DOM condition: the page has no event to await from outside."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(poll)
        return None

    def navigate(self, url):
        self.call("Page.navigate", {"url": url})
        self.wait_for("document.readyState === 'complete'", 20)

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def drain_events(self):
        # Events that arrived without a call reading them: ask for something cheap.
        self.evaluate("1")

    def errors(self):
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append("exception: " + json.dumps(params.get("exceptionDetails", {}).get("exception", {}).get("description", params))[:300])
            elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
                found.append("console.error: " + json.dumps(params.get("args"))[:300])
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                found.append(f"log: {entry.get('text')} {entry.get('url', '')}"[:300])
        return found

    def close(self):
        try:
            self.call("Browser.close", session=False)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def restart(pid, command, findings):
    """Stops the collector and starts it again; returns the new process."""
    os.kill(pid, signal.SIGTERM)
    deadline = time.time() + 60
    while time.time() < deadline:
        # Not our child: the test that started it reaps it, so until then it stays a zombie.
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    break
        except FileNotFoundError:
            break
        time.sleep(0.1)
    else:
        raise RuntimeError(f"the collector {pid} did not stop within 60 s of SIGTERM")
    findings["restarted"] = True
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main():
    base, link, artifacts = sys.argv[1], sys.argv[2], sys.argv[3]
    restart_pid, restart_command = None, None
    if len(sys.argv) > 4 and sys.argv[4] == "--restart":
        restart_pid, restart_command = int(sys.argv[5]), sys.argv[7:]
    alarm_wait = float(os.environ.get("RIGLOG_ALARM_WAIT", "150"))
    os.makedirs(artifacts, exist_ok=True)
    findings, failures = {}, []
    second = None
    browser = Browser()
    try:
        browser.open()
        browser.navigate(base + link)
        findings["board_path"] = browser.evaluate("location.pathname")
        if findings["board_path"] != "/":
            failures.append(f"the sign-in link led to {findings['board_path']}, not the board")
        tiles = browser.wait_for("document.querySelectorAll('#rigs .tile').length", 20)
        findings["tiles"] = tiles or 0
        live = browser.wait_for("document.getElementById('feed-state').textContent === 'live'", 20)
        if not tiles:
            failures.append("the board shows no rigs")
        if not live:
            failures.append("the board's live feed did not connect")
        first = browser.evaluate("document.getElementById('board').dataset.updated")
        moved = browser.wait_for(f"document.getElementById('board').dataset.updated !== {json.dumps(first)}", 10)
        if not moved:
            failures.append("the board did not update by itself")
        browser.screenshot(os.path.join(artifacts, "board.png"))
        # An alarm: the demo's students set them off now and then; one that fires while the board
        # is watching must show within 1 s of firing (alarms already on when it opened do not count).
        watching = browser.evaluate("Date.now()")
        alarm = browser.wait_for(f"""(() => {{ for (const a of document.querySelectorAll('#rigs .alarm-line')) {{
            const fired = Date.parse(a.dataset.fired);
            if (fired > {watching}) return {{alarm: a.dataset.alarm, fired: fired, seen: Number(a.dataset.seen)}}; }}
            return null; }})()""", alarm_wait, poll=0.05)
        if alarm:
            findings["alarm"] = alarm["alarm"]
            findings["alarm_latency_ms"] = alarm["seen"] - alarm["fired"]
            browser.screenshot(os.path.join(artifacts, "board-alarm.png"))
            if findings["alarm_latency_ms"] > 1000:
                failures.append(f"the alarm showed {findings['alarm_latency_ms']} ms after it fired (more than 1 s)")
        else:
            failures.append(f"no alarm showed on the board within {alarm_wait:.0f} s")
        if restart_pid:
            # The collector stops and comes back: the open board must notice and reconnect by itself.
            second = restart(restart_pid, restart_command, findings)
            lost = browser.wait_for("document.getElementById('feed-state').textContent !== 'live'", 30)
            back = browser.wait_for("document.getElementById('feed-state').textContent === 'live'", 90)
            updated = browser.evaluate("document.getElementById('board').dataset.updated")
            moving = browser.wait_for(f"document.getElementById('board').dataset.updated !== {json.dumps(updated)}", 20)
            findings["reconnected"] = bool(lost and back and moving)
            if not findings["reconnected"]:
                failures.append("the board did not reconnect by itself after the collector restarted")
        rig = browser.evaluate("document.querySelector('#rigs .tile').dataset.rig")
        findings["rig"] = rig
        browser.navigate(base + "/rigs/" + rig)
        canvases = browser.wait_for("document.querySelectorAll('#panels canvas').length", 20)
        findings["canvases"] = canvases or 0
        if not canvases:
            failures.append("the rig page drew no charts")
        points = browser.wait_for("Number(document.getElementById('rig').dataset.points || 0) >= 2 && Number(document.getElementById('rig').dataset.points)", 20)
        later = browser.wait_for(f"Number(document.getElementById('rig').dataset.points || 0) > {points or 0} && Number(document.getElementById('rig').dataset.points)", 20)
        findings["points"] = [points, later]
        if not points or not later:
            failures.append("the rig page's charts got no new data points")
        browser.screenshot(os.path.join(artifacts, "rig.png"))
        browser.navigate(base + "/students")
        student = browser.wait_for("(document.querySelector('table a[href^=\"/students/\"]') || {}).getAttribute && document.querySelector('table a[href^=\"/students/\"]').getAttribute('href')", 10)
        findings["student"] = student
        browser.screenshot(os.path.join(artifacts, "students.png"))
        if student:
            browser.navigate(base + student)
            title = browser.evaluate("document.title")
            findings["student_title"] = title
            if not browser.evaluate("document.body.innerText.length > 200"):
                failures.append("the student page is empty")
            browser.screenshot(os.path.join(artifacts, "student.png"))
        else:
            failures.append("the students page lists nobody")
        browser.drain_events()
        # While the collector is down on purpose (the restart above), the feed's reconnect
        # attempts are refused and Chromium logs each; that is the reconnect working, not a fault.
        findings["console_errors"] = [e for e in browser.errors()
                                      if not (findings.get("restarted") and "ERR_CONNECTION_REFUSED" in e and "/api/v1/live" in e)]
        if findings["console_errors"]:
            failures.append("console errors: " + "; ".join(findings["console_errors"]))
    except Exception as error:  # a broken pipe or a failed evaluate is a failure to report, not a trace
        failures.append(f"{type(error).__name__}: {error}")
    finally:
        browser.close()
        if second is not None:
            second.send_signal(signal.SIGTERM)
            try:
                findings["restarted_exit"] = second.wait(timeout=60)
            except subprocess.TimeoutExpired:
                second.kill()
                findings["restarted_exit"] = "killed after 60 s"
            if findings["restarted_exit"] != 0:
                failures.append(f"the restarted collector did not stop cleanly: {findings['restarted_exit']}")
    findings["failures"] = failures
    print(json.dumps(findings, ensure_ascii=False))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
