"""The adb driver issues exactly the expected shell commands (recorded by the fake adb server)."""

from __future__ import annotations

import threading

import adbutils
import pytest

from frame_metric.runner.android.driver import AdbDriver, escape_input_text
from frame_metric.runner.interfaces import StepError
from tests.unit.runner_android.conftest import fixture
from tests.unit.runner_android.fake_adb import Phone

PKG = "com.example.app"
DUMP = "rm -f /sdcard/window_dump.xml; uiautomator dump /sdcard/window_dump.xml"


@pytest.fixture
def driver(device: adbutils.AdbDevice) -> AdbDriver:
    return AdbDriver(device, PKG, poll=0.05)


def issued(phone: Phone) -> list[str]:
    return [c.removesuffix("; echo X4EXIT:$?") for c in phone.commands]


def test_app_and_input_commands(driver: AdbDriver, phone: Phone) -> None:
    driver.launch_app()
    driver.launch_app(activity=".MainActivity")
    driver.launch_app("com.other", "com.other/.Home", wait=False)
    driver.stop_app()
    driver.tap(100, 200)
    driver.swipe(540, 1800, 540, 600, 250)
    driver.key("back")
    driver.key(66)
    driver.input_text("hello world & $HOME; it's")
    assert issued(phone) == [
        f"monkey -p {PKG} -c android.intent.category.LAUNCHER 1",
        f"am start -W -n {PKG}/.MainActivity",
        "am start -n com.other/.Home",
        f"am force-stop {PKG}",
        "input tap 100 200",
        "input swipe 540 1800 540 600 250",
        "input keyevent 4",
        "input keyevent 66",
        "input text 'hello%sworld%s&%s$HOME;%sit'\"'\"'s'",
    ]


def test_escape_input_text() -> None:
    assert escape_input_text("a b") == "a%sb"
    assert escape_input_text("x;rm -rf /") == "'x;rm%s-rf%s/'"


def test_clear_then_type(driver: AdbDriver, phone: Phone) -> None:
    driver.input_text("abc", clear=True)
    assert issued(phone)[0] == "input keyevent KEYCODE_MOVE_END"
    assert issued(phone)[1].startswith("input keyevent 67 67")
    assert issued(phone)[2] == "input text abc"


def test_unknown_key(driver: AdbDriver) -> None:
    with pytest.raises(StepError, match="unknown key"):
        driver.key("warp")


def test_tap_by_text_and_id(driver: AdbDriver, phone: Phone) -> None:
    phone.screen_xml = fixture("window_dump.xml")
    driver.tap(text="Log in")
    driver.tap(resource_id="settings")
    assert issued(phone) == [
        DUMP, "cat /sdcard/window_dump.xml", "input tap 540 1880",
        DUMP, "cat /sdcard/window_dump.xml", "input tap 1010 170",
    ]
    with pytest.raises(StepError, match="no element with text 'Sign up'"):
        driver.tap(text="Sign up")


def test_wait_for_text_found_later(driver: AdbDriver, phone: Phone) -> None:
    timer = threading.Timer(0.2, lambda: setattr(phone, "screen_xml", fixture("window_dump.xml")))
    timer.start()
    try:
        driver.wait_for_text("Welcome back", timeout=5)
    finally:
        timer.cancel()
    assert issued(phone).count(DUMP) >= 2


def test_wait_for_text_times_out(driver: AdbDriver) -> None:
    with pytest.raises(StepError, match=r"'Welcome back' did not appear within 0.3 s"):
        driver.wait_for_text("Welcome back", timeout=0.3)


def test_wait_for_text_gone_waits_until_it_disappears(driver: AdbDriver, phone: Phone) -> None:
    phone.screen_xml = fixture("window_dump.xml")
    with pytest.raises(StepError, match=r"'Welcome back' did not disappear within 0.3 s"):
        driver.wait_for_text("Welcome back", timeout=0.3, gone=True)
    timer = threading.Timer(0.2, lambda: setattr(phone, "screen_xml", "<hierarchy/>"))
    timer.start()
    try:
        driver.wait_for_text("Welcome back", timeout=5, gone=True)
    finally:
        timer.cancel()
    driver.wait_for_text("Nowhere", timeout=0.3, gone=True)  # never there: gone at once


def test_a_failed_dump_never_counts_as_gone(driver: AdbDriver, phone: Phone) -> None:
    phone.ui_busy = True
    with pytest.raises(StepError, match="did not disappear"):
        driver.wait_for_text("Welcome back", timeout=0.2, gone=True)


def test_screen_size_prefers_override(driver: AdbDriver) -> None:
    assert driver.screen_size() == (720, 1600)


def test_screenshot_is_png(driver: AdbDriver, phone: Phone) -> None:
    assert driver.screenshot("home").startswith(b"\x89PNG")
    assert issued(phone) == ["screencap -p"]


def test_shell_failure_is_a_step_error(driver: AdbDriver) -> None:
    assert driver.shell("dumpsys battery").startswith("Current Battery Service state:")
    with pytest.raises(StepError, match=r"exit 127"):
        driver.shell("frobnicate now")


def test_disconnected_device_is_a_step_error(driver: AdbDriver, phone: Phone) -> None:
    phone.connected = False
    with pytest.raises(StepError, match="disconnected"):
        driver.tap(1, 2)


def test_failed_dump_is_not_a_stale_screen(driver: AdbDriver, phone: Phone) -> None:
    phone.screen_xml, phone.ui_busy = fixture("window_dump.xml"), True
    with pytest.raises(StepError, match="uiautomator dump failed"):
        driver.tap(text="Log in")
    with pytest.raises(StepError, match="did not appear"):
        driver.wait_for_text("Log in", timeout=0.2)
    assert "cat /sdcard/window_dump.xml" not in issued(phone)
    phone.ui_busy = False
    driver.wait_for_text("Log in", timeout=2)
