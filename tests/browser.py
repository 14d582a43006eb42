"""A headless Chromium driven over the DevTools protocol with the standard library only.

Chromium started with ``--remote-debugging-pipe`` reads protocol messages on its file
descriptor 3 and writes them on 4, each a JSON object ended by a NUL byte. :class:`Browser`
opens one page, loads a file, collects console errors, uncaught exceptions and log errors, and
evaluates expressions in the page. Used by the HTML report's tests and its benchmark.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["Browser", "BrowserError", "chromium"]


class BrowserError(RuntimeError):
    """Chromium could not be started, answered with an error, or did not answer in time."""


def chromium() -> str:
    """The path of the ``chromium`` program (the Debian package); an error when missing."""
    found = shutil.which("chromium")
    if found is None:
        raise BrowserError("chromium is not on PATH: apt-get install chromium")
    return found


def _above_four(descriptor: int) -> int:
    """``descriptor`` moved to a number above 4, so that placing the pipe ends on 3 and 4 in
    the child cannot overwrite one with the other."""
    moved = fcntl.fcntl(descriptor, fcntl.F_DUPFD, 10)
    os.close(descriptor)
    return moved


class Browser:
    """One headless Chromium with one page, as a context manager."""

    def __init__(self, *, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self.errors: list[str] = []
        self._profile = tempfile.TemporaryDirectory(prefix="chromium-")
        commands_in, self._commands = os.pipe()
        self._replies, replies_out = os.pipe()
        commands_in, replies_out = _above_four(commands_in), _above_four(replies_out)
        flags = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            f"--user-data-dir={self._profile.name}",
            "--remote-debugging-pipe",
        ]
        # A small Python trampoline places the pipe ends on the descriptors Chromium uses.
        trampoline = (
            "import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
            "os.execv(sys.argv[3], sys.argv[3:])"
        )
        argv = [sys.executable, "-c", trampoline, str(commands_in), str(replies_out)]
        self._process = subprocess.Popen(
            [*argv, chromium(), *flags, "about:blank"],
            pass_fds=(commands_in, replies_out),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(commands_in)
        os.close(replies_out)
        self._buffer = b""
        self._next = 0
        self._session = ""
        self._events: list[dict[str, Any]] = []
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)
        attached = self.send(
            "Target.attachToTarget",
            {"targetId": target["targetId"], "flatten": True},
            session=False,
        )
        self._session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable")

    def __enter__(self) -> Browser:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Ask Chromium to quit, and end it if it does not."""
        with contextlib.suppress(BrowserError, OSError):
            self.send("Browser.close", session=False)
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        for descriptor in (self._commands, self._replies):
            with contextlib.suppress(OSError):
                os.close(descriptor)
        self._profile.cleanup()

    def send(
        self, method: str, params: dict[str, Any] | None = None, *, session: bool = True
    ) -> dict[str, Any]:
        """Call ``method`` and return its result, keeping the events that arrive meanwhile."""
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self._session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._receive()
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self._note(reply)

    def wait_for(self, event: str) -> dict[str, Any]:
        """The next event called ``event`` (or one that came already)."""
        for number, seen in enumerate(self._events):
            if seen.get("method") == event:
                del self._events[number]
                return seen
        while True:
            reply = self._receive()
            self._note(reply)
            if reply.get("method") == event:
                self._events.remove(reply)
                return reply

    def load(self, path: Path) -> float:
        """Open ``path`` in the page; return the seconds until its load event."""
        start = time.perf_counter()
        self.send("Page.navigate", {"url": path.resolve().as_uri()})
        self.wait_for("Page.loadEventFired")
        return time.perf_counter() - start

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript ``expression`` in the page (an exception is an error)."""
        reply = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in reply:
            raise BrowserError(f"{expression}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def _note(self, message: dict[str, Any]) -> None:
        """Keep an event; record it as an error when it is one."""
        method, params = message.get("method"), message.get("params", {})
        if method is None:
            return
        self._events.append(message)
        if method == "Runtime.exceptionThrown":
            self.errors.append(json.dumps(params.get("exceptionDetails")))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "assert"}:
            self.errors.append(json.dumps(params.get("args")))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            self.errors.append(json.dumps(params["entry"]))

    def _receive(self) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._replies], [], [], max(left, 0))
            if not ready:
                raise BrowserError(f"no answer from chromium within {self.timeout} s")
            chunk = os.read(self._replies, 1 << 16)
            if not chunk:
                raise BrowserError("chromium closed its pipe")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        decoded: dict[str, Any] = json.loads(message)
        return decoded
