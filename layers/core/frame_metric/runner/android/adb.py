"""One place that runs adb shell commands and tells "the command failed" from "the device is gone"."""

from __future__ import annotations

import adbutils


class DeviceGone(Exception):
    """adb no longer reaches the device (unplugged, rebooted, adb server killed)."""


def device_online(device: adbutils.AdbDevice) -> bool:
    try:
        return device.get_state() == "device"
    except (adbutils.AdbError, OSError):
        return False


def _gone(device: adbutils.AdbDevice, exc: Exception) -> DeviceGone:
    return DeviceGone(f"device {device.serial} disconnected: {exc}")


def shell(device: adbutils.AdbDevice, command: str, timeout: float = 10.0) -> str:
    """The command's output. A failure is checked against the device state, because adbutils raises
    the same AdbError for "device not found" and for a transient socket hiccup."""
    try:
        return device.shell(command, timeout=timeout)
    except (adbutils.AdbError, OSError) as exc:
        if not device_online(device):
            raise _gone(device, exc) from exc
        raise


def shell_bytes(device: adbutils.AdbDevice, command: str, timeout: float = 30.0) -> bytes:
    try:
        return device.shell(command, timeout=timeout, encoding=None)
    except (adbutils.AdbError, OSError) as exc:
        if not device_online(device):
            raise _gone(device, exc) from exc
        raise


def shell_rc(device: adbutils.AdbDevice, command: str, timeout: float = 30.0) -> tuple[int, str]:
    """(exit code, output). adbutils learns the code by appending `; echo X4EXIT:$?` on shell v1."""
    try:
        result = device.shell2(command, timeout=timeout)
    except (adbutils.AdbError, OSError) as exc:
        if not device_online(device):
            raise _gone(device, exc) from exc
        raise
    return result.returncode, result.output
