"""Scenario steps over adb: `input`, `am`, `monkey`, `uiautomator dump`, `screencap`, `wm size`."""

from __future__ import annotations

import re
import shlex
import time

import adbutils

from frame_metric.runner.android import uixml
from frame_metric.runner.android.adb import DeviceGone, shell_bytes, shell_rc
from frame_metric.runner.interfaces import Driver, StepError

KEYCODES = {"home": 3, "back": 4, "enter": 66, "menu": 82, "recent": 187, "power": 26, "volume_up": 24,
            "volume_down": 25, "delete": 67, "tab": 61, "search": 84, "space": 62, "escape": 111}
DUMP = "/sdcard/window_dump.xml"
POLL = 0.5  # uiautomator dump itself takes ~0.5-1 s on a phone


def escape_input_text(text: str) -> str:
    """`input text` reads one argument where %s means a space (a literal space splits arguments on old
    Androids); the rest is single-quoted so & ; | $ ( ) ' " reach the app as typed. Limits of `input`
    itself: a literal "%s" in the text types a space, and only ASCII is typed reliably."""
    return shlex.quote(text.replace(" ", "%s"))


class AdbDriver(Driver):
    def __init__(self, device: adbutils.AdbDevice, package: str, poll: float = POLL) -> None:
        self.device, self.package, self.poll = device, package, poll

    def _run(self, command: str, what: str, timeout: float = 30.0) -> str:
        try:
            code, output = shell_rc(self.device, command, timeout=timeout)
        except DeviceGone as exc:
            raise StepError(f"{what}: {exc}") from exc
        except (adbutils.AdbError, OSError) as exc:  # AdbTimeout is an AdbError
            raise StepError(f"{what}: adb failed: {exc}") from exc
        # `am` prints errors with exit code 0 on older Androids, so its output is checked as well
        if code != 0 or re.search(r"^(Error|Exception|java\.lang\.\w+Exception)", output, re.M):
            raise StepError(f"{what}: `{command}` failed (exit {code}): {output.strip()[:300]}")
        return output

    def launch_app(self, package: str | None = None, activity: str | None = None, wait: bool = True) -> None:
        pkg = package or self.package
        if activity:
            component = activity if "/" in activity else f"{pkg}/{activity}"
            self._run(f"am start {'-W ' if wait else ''}-n {shlex.quote(component)}", f"launch_app {pkg}")
        else:  # the launcher activity without knowing its name
            out = self._run(f"monkey -p {shlex.quote(pkg)} -c android.intent.category.LAUNCHER 1",
                            f"launch_app {pkg}")
            if "No activities found" in out or "monkey aborted" in out:
                raise StepError(f"launch_app {pkg}: no launcher activity (is the app installed?)")

    def stop_app(self, package: str | None = None) -> None:
        pkg = package or self.package
        self._run(f"am force-stop {shlex.quote(pkg)}", f"stop_app {pkg}")

    def tap(self, x: int | None = None, y: int | None = None, text: str | None = None,
            resource_id: str | None = None) -> None:
        if x is None or y is None:
            node = self._find(text, resource_id)
            if node is None:
                raise StepError(f"tap: no element with {_what(text, resource_id)} on screen")
            x, y = node.center
        self._run(f"input tap {int(x)} {int(y)}", f"tap {x},{y}")

    def screen_size(self) -> tuple[int, int]:
        out = self._run("wm size", "screen_size")
        # an override (set by the user's display settings) is what `input` coordinates refer to
        sizes = re.findall(r"(Physical|Override) size:\s*(\d+)x(\d+)", out)
        if not sizes:
            raise StepError(f"screen_size: unexpected `wm size` output: {out.strip()[:200]}")
        _, width, height = sizes[-1]
        return int(width), int(height)

    def swipe(self, x1: int, y1: int, x2: int, y2: int, duration_ms: int = 300) -> None:
        self._run(f"input swipe {int(x1)} {int(y1)} {int(x2)} {int(y2)} {int(duration_ms)}", "swipe")

    def input_text(self, text: str, clear: bool = False) -> None:
        if clear:  # select to the end, then delete: works in any focused field without root
            self._run("input keyevent KEYCODE_MOVE_END", "input_text (clear)")
            self._run("input keyevent " + " ".join(["67"] * 64), "input_text (clear)")
        if text:
            self._run(f"input text {escape_input_text(text)}", "input_text")

    def key(self, key: str | int) -> None:
        code = key if isinstance(key, int) else KEYCODES.get(str(key).lower())
        if code is None:
            raise StepError(f"key: unknown key {key!r}")
        self._run(f"input keyevent {code}", f"key {key}")

    def wait_for_text(self, text: str, timeout: float = 10.0, gone: bool = False) -> None:
        deadline = time.monotonic() + timeout
        while True:
            # a failed dump is just another poll (the screen may be mid-animation): it proves neither
            # that the text is there nor that it is gone
            nodes = self._dump()
            if nodes is not None and (uixml.find(nodes, text) is None) == gone:
                return
            if time.monotonic() + self.poll > deadline:
                raise StepError(f"wait_for_text: {text!r} did not {'disappear' if gone else 'appear'} "
                                f"within {timeout:g} s")
            time.sleep(self.poll)

    def screenshot(self, name: str) -> bytes:
        try:
            data = shell_bytes(self.device, "screencap -p")
        except (DeviceGone, adbutils.AdbError, OSError) as exc:
            raise StepError(f"screenshot {name}: {exc}") from exc
        if not data.startswith(b"\x89PNG"):
            raise StepError(f"screenshot {name}: screencap gave no PNG: {data[:100]!r}")
        return data

    def shell(self, command: str, timeout: float = 30.0) -> str:
        return self._run(command, f"shell {command!r}", timeout=timeout)

    def _dump(self) -> list[uixml.Node] | None:
        """The elements on screen, or None when uiautomator could not dump (it says "could not get idle
        state" while the screen animates). The old file is removed first so a failed dump is never
        mistaken for the current screen."""
        # dump to a file then cat: `uiautomator dump /dev/tty` breaks on several ROMs
        out = self._run(f"rm -f {DUMP}; uiautomator dump {DUMP}", "uiautomator dump")
        if "dumped to" not in out:
            return None
        return uixml.parse_nodes(self._run(f"cat {DUMP}", "read ui dump"))

    def _find(self, text: str | None, resource_id: str | None) -> uixml.Node | None:
        nodes = self._dump()
        if nodes is None:
            raise StepError("uiautomator dump failed (the screen may still be animating)")
        return uixml.find(nodes, text, resource_id)


def _what(text: str | None, resource_id: str | None) -> str:
    return f"text {text!r}" if text is not None else f"id {resource_id!r}"
