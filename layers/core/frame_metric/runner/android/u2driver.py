"""Scenario steps through uiautomator2, when that optional package is installed (`pip install
'frame-metric[android]'`). uiautomator2 runs a small UI automation server on the phone (it installs
its helper app the first time), so element waits and taps by text are answered by the device itself
instead of a `uiautomator dump` per poll: faster and steadier on busy screens.

`choose_driver` picks between it and the plain adb driver: `u2` insists on it, `adb` never uses it,
`auto` uses it when it imports and connects, else falls back to adb and says why."""

from __future__ import annotations

import importlib.util
import io
import logging
from collections.abc import Callable
from typing import Any

import adbutils

from frame_metric.runner.android.driver import KEYCODES, AdbDriver
from frame_metric.runner.interfaces import Driver, StepError

log = logging.getLogger(__name__)

DRIVERS = ("auto", "adb", "u2")
INSTALL_HINT = "pip install 'frame-metric[android]' (or pip install uiautomator2)"


class DriverUnavailable(Exception):
    """The asked-for driver cannot be used here (not installed, or it cannot reach the device)."""


class Uiautomator2Driver(Driver):
    """The Driver interface over a `uiautomator2.Device` (anything with its methods: the unit tests
    pass a fake). Every failure of the device becomes a StepError naming the step."""

    def __init__(self, device: Any, package: str) -> None:
        self.device, self.package = device, package

    def _do(self, what: str, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except StepError:
            raise
        except Exception as exc:  # uiautomator2 raises its own errors, requests', adbutils'
            raise StepError(f"{what}: uiautomator2 failed: {type(exc).__name__}: {exc}") from exc

    def launch_app(self, package: str | None = None, activity: str | None = None, wait: bool = True) -> None:
        pkg = package or self.package
        self._do(f"launch_app {pkg}", lambda: self.device.app_start(pkg, activity=activity, wait=wait))

    def stop_app(self, package: str | None = None) -> None:
        pkg = package or self.package
        self._do(f"stop_app {pkg}", lambda: self.device.app_stop(pkg))

    def tap(self, x: int | None = None, y: int | None = None, text: str | None = None,
            resource_id: str | None = None) -> None:
        if x is not None and y is not None:
            self._do(f"tap {x},{y}", lambda: self.device.click(int(x), int(y)))
            return
        what = f"text {text!r}" if text is not None else f"id {resource_id!r}"
        element = self.device(text=text) if text is not None else self.device(resourceId=resource_id)
        if not self._do(f"tap {what}", lambda: bool(element.exists)):  # uiautomator2 asks the device on bool()
            raise StepError(f"tap: no element with {what} on screen")
        self._do(f"tap {what}", element.click)

    def screen_size(self) -> tuple[int, int]:
        width, height = self._do("screen_size", self.device.window_size)
        return int(width), int(height)

    def swipe(self, x1: int, y1: int, x2: int, y2: int, duration_ms: int = 300) -> None:
        self._do("swipe", lambda: self.device.swipe(int(x1), int(y1), int(x2), int(y2), duration=duration_ms / 1000))

    def input_text(self, text: str, clear: bool = False) -> None:
        self._do("input_text", lambda: self.device.send_keys(text, clear=clear))

    def key(self, key: str | int) -> None:
        # one key table for both drivers: a script means the same key whichever driver plays it
        code = key if isinstance(key, int) else KEYCODES.get(str(key).lower())
        if code is None:
            raise StepError(f"key: unknown key {key!r}")
        self._do(f"key {key}", lambda: self.device.press(int(code)))

    def wait_for_text(self, text: str, timeout: float = 10.0, gone: bool = False) -> None:
        element = self.device(text=text)
        if not self._do("wait_for_text", lambda: element.wait(exists=not gone, timeout=timeout)):
            raise StepError(f"wait_for_text: {text!r} did not {'disappear' if gone else 'appear'} "
                            f"within {timeout:g} s")

    def screenshot(self, name: str) -> bytes:
        image = self._do(f"screenshot {name}", self.device.screenshot)  # a PIL image
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return buffer.getvalue()

    def shell(self, command: str, timeout: float = 30.0) -> str:
        response = self._do(f"shell {command!r}", lambda: self.device.shell(command, timeout=timeout))
        if response.exit_code != 0:
            raise StepError(f"shell {command!r}: failed (exit {response.exit_code}): {response.output.strip()[:300]}")
        return str(response.output)


def uiautomator2_installed() -> bool:
    return importlib.util.find_spec("uiautomator2") is not None


def connect_u2(device: adbutils.AdbDevice) -> Any:
    """A connected uiautomator2 device; `info` makes it start (or install) its server on the phone now,
    so a device it cannot drive is known before the run starts rather than at the first step."""
    import uiautomator2

    u2_device = uiautomator2.connect(device)
    _ = u2_device.info
    return u2_device


def choose_driver(kind: str, device: adbutils.AdbDevice, package: str,
                  connect: Callable[[adbutils.AdbDevice], Any] | None = None,
                  installed: Callable[[], bool] | None = None) -> tuple[Driver, str | None]:
    """(driver, a note for the user or None). Raises DriverUnavailable when `u2` was asked for and
    cannot be had. `connect`/`installed` default to the real uiautomator2 (tests pass fakes)."""
    connect, installed = connect or connect_u2, installed or uiautomator2_installed
    if kind not in DRIVERS:
        raise DriverUnavailable(f"unknown driver {kind!r}; use one of {', '.join(DRIVERS)}")
    if kind == "adb":
        return AdbDriver(device, package), None
    if not installed():
        if kind == "u2":
            raise DriverUnavailable(f"--driver u2 needs the uiautomator2 package: {INSTALL_HINT}")
        return AdbDriver(device, package), None  # auto without the extra: adb, as always
    try:
        return Uiautomator2Driver(connect(device), package), "scenario steps go through uiautomator2"
    except Exception as exc:
        if kind == "u2":
            raise DriverUnavailable(f"uiautomator2 cannot drive {device.serial}: {type(exc).__name__}: {exc}") from exc
        log.debug("uiautomator2 failed to connect", exc_info=True)
        return AdbDriver(device, package), (f"uiautomator2 could not connect ({type(exc).__name__}: {exc}); "
                                            "scenario steps go through adb")
