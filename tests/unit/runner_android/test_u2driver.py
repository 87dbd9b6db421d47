"""The uiautomator2 driver: YAML steps mapped onto a uiautomator2 device (a fake at that boundary), and
the choice between it and plain adb."""

from __future__ import annotations

import io
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import adbutils
import pytest
from PIL import Image

from frame_metric.runner.android import create_target
from frame_metric.runner.android.driver import AdbDriver
from frame_metric.runner.android.u2driver import DriverUnavailable, Uiautomator2Driver, choose_driver
from frame_metric.runner.interfaces import SamplerError, StepError
from frame_metric.runner.steps import StepFailed, StepRunner, load_steps
from tests.unit.runner_android.fake_adb import FakeAdbServer, Phone


class FakeElement:
    def __init__(self, device: FakeU2Device, selector: dict[str, Any]) -> None:
        self.device, self.selector = device, selector

    @property
    def exists(self) -> bool:
        return self.device.on_screen(self.selector)

    def click(self) -> None:
        self.device.calls.append(("click_element", self.selector))

    def wait(self, exists: bool = True, timeout: float | None = None) -> bool:
        self.device.calls.append(("wait", self.selector, exists, timeout))
        return self.device.on_screen(self.selector) == exists


class FakeU2Device:
    """What uiautomator2.Device offers that the driver uses, recording every call."""

    def __init__(self, texts: Iterator[str] | tuple[str, ...] = (), shell_exit: int = 0) -> None:
        self.texts, self.shell_exit = set(texts), shell_exit
        self.calls: list[tuple[Any, ...]] = []

    def on_screen(self, selector: dict[str, Any]) -> bool:
        return selector.get("text") in self.texts or selector.get("resourceId") in self.texts

    def __call__(self, **selector: Any) -> FakeElement:
        return FakeElement(self, selector)

    def app_start(self, package: str, activity: str | None = None, wait: bool = False) -> None:
        self.calls.append(("app_start", package, activity, wait))

    def app_stop(self, package: str) -> None:
        self.calls.append(("app_stop", package))

    def click(self, x: int, y: int) -> None:
        self.calls.append(("click", x, y))

    def window_size(self) -> tuple[int, int]:
        return 1080, 2400

    def swipe(self, fx: int, fy: int, tx: int, ty: int, duration: float | None = None) -> None:
        self.calls.append(("swipe", fx, fy, tx, ty, duration))

    def send_keys(self, text: str, clear: bool = False) -> None:
        self.calls.append(("send_keys", text, clear))

    def press(self, key: int | str) -> None:
        if key == 26:
            raise RuntimeError("jsonrpc error: device offline")
        self.calls.append(("press", key))

    def screenshot(self) -> Image.Image:
        return Image.new("RGB", (4, 8), "red")

    def shell(self, command: str, timeout: float = 60) -> SimpleNamespace:
        self.calls.append(("shell", command, timeout))
        return SimpleNamespace(output="done\n" if self.shell_exit == 0 else "boom\n", exit_code=self.shell_exit)


SCRIPT = """\
- launch_app
- launch_app: {package: com.other.app, activity: .Main, wait: 0}
- tap: {x: 10, y: 20}
- tap: {text: Login, timeout: 3}
- tap: {id: "com.example.app:id/cart"}
- swipe: {direction: up, duration_ms: 200}
- swipe: {from: [1, 2], to: [3, 4]}
- input_text: {text: coffee, clear: true}
- key: back
- key: 187
- wait_for_text: {text: Spinner, timeout: 4, gone: true}
- shell: echo hi
- stop_app
"""


def test_yaml_steps_map_onto_uiautomator2_calls() -> None:
    device, marks = FakeU2Device(texts=("Login", "com.example.app:id/cart")), []
    StepRunner(Uiautomator2Driver(device, "com.example.app"), marks.append).run(load_steps(SCRIPT))
    assert device.calls == [
        ("app_start", "com.example.app", None, True), ("app_start", "com.other.app", ".Main", False),
        ("click", 10, 20),
        ("wait", {"text": "Login"}, True, 3.0), ("click_element", {"text": "Login"}),
        ("click_element", {"resourceId": "com.example.app:id/cart"}),
        ("swipe", 540, 1800, 540, 600, 0.2), ("swipe", 1, 2, 3, 4, 0.3),
        ("send_keys", "coffee", True), ("press", 4), ("press", 187),
        ("wait", {"text": "Spinner"}, False, 4.0), ("shell", "echo hi", 30.0), ("app_stop", "com.example.app")]
    assert marks[0] == "step 1 launch_app start" and marks[-1] == "step 13 stop_app end"


def test_failures_are_step_errors_naming_the_step() -> None:
    driver = Uiautomator2Driver(FakeU2Device(texts=("Spinner",), shell_exit=2), "com.example.app")
    with pytest.raises(StepError, match="no element with text 'Sign up'"):
        driver.tap(text="Sign up")
    with pytest.raises(StepError, match=r"'Welcome' did not appear within 0\.5 s"):
        driver.wait_for_text("Welcome", timeout=0.5)
    with pytest.raises(StepError, match="'Spinner' did not disappear within 1 s"):
        driver.wait_for_text("Spinner", timeout=1, gone=True)
    with pytest.raises(StepError, match=r"exit 2\): boom"):
        driver.shell("false")
    with pytest.raises(StepError, match="key power: uiautomator2 failed: RuntimeError: jsonrpc error: device offline"):
        driver.key("power")
    with pytest.raises(StepError, match="unknown key 'hyper'"):
        driver.key("hyper")
    with pytest.raises(StepFailed, match="step 1 key failed"):
        StepRunner(driver, lambda name: None).run(load_steps("- key: power\n"))


def test_screenshot_is_a_png() -> None:
    data = Uiautomator2Driver(FakeU2Device(), "com.example.app").screenshot("home")
    assert data.startswith(b"\x89PNG") and Image.open(io.BytesIO(data)).size == (4, 8)


@pytest.fixture
def adb_device(server: FakeAdbServer, phone: Phone) -> adbutils.AdbDevice:
    return adbutils.AdbClient(host="127.0.0.1", port=server.port, socket_timeout=10).device(phone.serial)


def test_auto_uses_uiautomator2_when_it_is_installed_and_connects(adb_device: adbutils.AdbDevice) -> None:
    fake = FakeU2Device()
    driver, note = choose_driver("auto", adb_device, "com.example.app", connect=lambda d: fake, installed=lambda: True)
    assert isinstance(driver, Uiautomator2Driver) and driver.device is fake and "uiautomator2" in (note or "")


def test_auto_falls_back_to_adb_and_u2_insists(adb_device: adbutils.AdbDevice) -> None:
    def refuse(device: adbutils.AdbDevice) -> Any:
        raise ConnectionError("atx agent did not start")

    driver, note = choose_driver("auto", adb_device, "com.example.app", installed=lambda: False)
    assert isinstance(driver, AdbDriver) and note is None
    driver, note = choose_driver("auto", adb_device, "com.example.app", connect=refuse, installed=lambda: True)
    assert isinstance(driver, AdbDriver) and "could not connect (ConnectionError: atx agent" in (note or "")
    with pytest.raises(DriverUnavailable, match=r"uiautomator2 package: pip install 'frame-metric\[android\]'"):
        choose_driver("u2", adb_device, "com.example.app", installed=lambda: False)
    with pytest.raises(DriverUnavailable, match="uiautomator2 cannot drive emulator-5554: ConnectionError"):
        choose_driver("u2", adb_device, "com.example.app", connect=refuse, installed=lambda: True)
    assert isinstance(choose_driver("adb", adb_device, "x.y", installed=lambda: True)[0], AdbDriver)


def test_create_target_reports_a_driver_it_cannot_have(server: FakeAdbServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("frame_metric.runner.android.u2driver.uiautomator2_installed", lambda: False)
    client = adbutils.AdbClient(host="127.0.0.1", port=server.port, socket_timeout=10)
    with pytest.raises(SamplerError, match="--driver u2 needs the uiautomator2 package"):
        create_target(None, "com.example.app", client=client, driver="u2")
    sampler, driver = create_target(None, "com.example.app", client=client, driver="auto")
    assert isinstance(driver, AdbDriver)
    sampler.close()
