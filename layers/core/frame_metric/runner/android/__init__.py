"""Android targets over adb (adbutils): the sampler, the scenario driver and the screen recorder.
`create_target` is the entry point `frame-metric run` uses (runner/setup.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import adbutils

from frame_metric.runner.android.driver import AdbDriver
from frame_metric.runner.android.recorder import SEGMENT_SECONDS, ScreenRecorder
from frame_metric.runner.android.sampler import AndroidSampler
from frame_metric.runner.android.u2driver import DriverUnavailable, choose_driver
from frame_metric.runner.interfaces import Driver, SamplerError

__all__ = ["AdbDriver", "AndroidSampler", "ScreenRecorder", "connect", "create_target"]


def connect(serial: str | None, client: adbutils.AdbClient | None = None) -> adbutils.AdbDevice:
    """The device to run on. Without a serial there must be exactly one: picking one of several
    silently would measure the wrong phone. The adb server is the usual one (ANDROID_ADB_SERVER_HOST /
    ANDROID_ADB_SERVER_PORT are honoured by adbutils)."""
    client = client or adbutils.AdbClient()
    try:
        listed = client.list()
    except (adbutils.AdbError, OSError) as exc:
        raise SamplerError(f"cannot reach the adb server: {exc}") from exc
    online = [info.serial for info in listed if info.state == "device"]
    if serial is None:
        if len(online) != 1:
            found = ", ".join(f"{i.serial} ({i.state})" for i in listed) or "none"
            raise SamplerError(f"need exactly one connected device or --device <serial>; adb lists: {found}")
        serial = online[0]
    elif serial not in online:
        state = next((i.state for i in listed if i.serial == serial), "not connected")
        raise SamplerError(f"device {serial} is {state}")
    return client.device(serial)


def create_target(serial: str | None, package: str, record: bool = False,
                  client: adbutils.AdbClient | None = None, recordings_dir: Path | None = None,
                  driver: str = "auto", say: Callable[[str], None] = lambda note: None,
                  segment_seconds: int = SEGMENT_SECONDS) -> tuple[AndroidSampler, Driver]:
    """(sampler, driver) for `package` on the device. With `record`, the sampler owns a ScreenRecorder
    started at its first read and stopped at close(); the pulled segments are then `sampler.videos`.
    `driver` is auto, adb or u2 (u2driver.choose_driver); `say` hears which one plays the steps."""
    device = connect(serial, client)
    try:
        chosen, note = choose_driver(driver, device, package)
    except DriverUnavailable as exc:
        raise SamplerError(str(exc)) from exc
    if note:
        say(note)
    recorder = ScreenRecorder(device, segment_seconds=segment_seconds) if record else None
    sampler = AndroidSampler(device, package, recorder=recorder, recordings_dir=recordings_dir)
    return sampler, chosen
