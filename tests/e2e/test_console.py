"""The console as a tester uses it, in headless Chromium against `frame-metric serve`: upload a recording
and review it, follow a monitoring run live while the runner pushes samples, and visit every screen
(screenshots in out/screenshots/ for a person to look at)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image

from frame_metric.samples import generate_app_launch
from tests.e2e.console_browser import screenshot
from tests.serve_process import BIN, ServeProcess

pytestmark = pytest.mark.e2e

BUSY = f"{sys.executable} -c \"import time\nend=time.time()+60\nwhile time.time()<end: sum(range(10000))\""


@pytest.fixture
def serve(runner_serve: ServeProcess) -> ServeProcess:
    """The e2e session's one `frame-metric serve` (tests/e2e/conftest.py)."""
    return runner_serve


def console(serve: ServeProcess, route: str) -> str:
    return f"{serve.url}/console/#{route}"


def api(serve: ServeProcess, method: str, path: str, body: Any = None) -> Any:
    response = requests.request(method, f"{serve.url}/api/v1{path}", json=body, timeout=60)
    assert response.status_code < 400, response.text
    return response.json()


def test_serve_prints_the_console_address(serve: ServeProcess) -> None:
    assert f"console {serve.url}/console/" in serve.ready_line


def test_upload_a_recording_then_review_it_and_the_duration_changes(page: Any, serve: ServeProcess,
                                                                     tmp_path: Path) -> None:
    recording = tmp_path / "console-review-launch.mp4"  # a name no other test's video has on the shared server
    generate_app_launch(recording, width=180, height=320, fps=30.0, seconds=3.0)
    page.goto(console(serve, "/videos"))
    page.set_input_files("#upload-input", str(recording))
    page.wait_for_selector(".upload-state.ok")
    # This recording's row (the shared server lists other tests' videos too); the list refreshes itself.
    page.wait_for_selector(f"tr:has(a:text('{recording.name}')) .badge.s-completed", timeout=90_000)
    screenshot(page, "01-videos")
    page.click(f"table.grid a:text('{recording.name}')")
    page.wait_for_selector("#measured-duration")
    assert page.text_content("#measured-duration").endswith(" s")
    page.wait_for_selector("figure.frame img")
    screenshot(page, "02-video-result")
    video_id = page.url.rsplit("/", 1)[-1]

    page.goto(console(serve, f"/review/{video_id}"))
    page.wait_for_selector(".filmstrip .thumb")
    before = page.text_content("#marked-duration")
    # Keyboard only: two frames in from the start as the first, three back from the end as the last.
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("f")
    page.keyboard.press("End")
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    page.keyboard.press("l")
    picked = page.text_content("#new-duration")
    assert picked != before, (picked, before)
    page.fill("#reviewer", "e2e reviewer")
    page.fill("#notes", "picked by keyboard")
    page.click("#submit-marking")
    page.wait_for_selector("#marking-saved")
    assert page.text_content("#marked-duration") == picked
    page.wait_for_selector("ol.history li:has-text('e2e reviewer')")
    screenshot(page, "03-review")
    stored = api(serve, "GET", f"/review/{video_id}")
    assert f"{stored['duration']:.3f} s" == picked
    assert stored["marking_method"] in ("manual", "hybrid")

    page.goto(console(serve, "/review"))
    page.wait_for_selector("section[data-screen=review-queue] .card > :not(.loading)")
    screenshot(page, "04-review-queue")

    page.goto(console(serve, "/tasks"))
    page.fill("#task-name", "console e2e")
    page.click("form.inline-form button[type=submit]")
    page.wait_for_selector("#add-videos")
    page.check(f"input[value='{video_id}']")
    page.click("#add-videos")
    page.wait_for_selector(f"table.grid a[href='#/videos/{video_id}']")
    page.wait_for_selector("#task-stats")
    screenshot(page, "05-task")
    with page.expect_download() as exported:  # fetched by the page (it may carry an API key), saved by name
        page.click("button:text-is('Export Excel')")
    assert exported.value.suggested_filename.startswith("console e2e_timing_data_")
    assert exported.value.suggested_filename.endswith(".xlsx")
    page.goto(console(serve, "/tasks"))
    page.wait_for_selector("table.grid a:text('console e2e')")
    screenshot(page, "06-tasks")


def make_monitoring_task(serve: ServeProcess, waits: list[float], name: str = "console live") -> str:
    profile = api(serve, "POST", "/monitor/profiles", {"name": "console e2e", "items": [
        {"metric": "app_cpu", "interval_ms": 200, "thresholds": [{"stat": "avg", "op": "le", "value": 100}]},
        {"metric": "memory_rss", "interval_ms": 300}, {"metric": "threads", "interval_ms": 1000}]})
    steps = "".join(f"- mark: phase {i}\n- wait: {seconds}\n" for i, seconds in enumerate(waits))
    script = api(serve, "POST", "/monitor/scripts", {"name": "phases", "kind": "yaml", "content": steps})
    task = api(serve, "POST", "/monitor/tasks", {"name": name, "target": {"kind": "process", "command": BUSY},
                                                 "profile_id": profile["profile_id"], "script_id": script["script_id"],
                                                 "duration_limit_s": 60})
    return str(task["task_id"])


def wait_completed(serve: ServeProcess, video_id: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if api(serve, "GET", f"/video/{video_id}/status")["status"] == "completed":
            return
        time.sleep(0.5)
    raise AssertionError(f"video {video_id} was not analysed in {timeout} s")


def run_runner(serve: ServeProcess, task_id: str, spool: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([str(BIN), "run", task_id, "--api", serve.url, "--spool-dir", str(spool)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def chart_points(page: Any) -> int:
    return int(page.eval_on_selector_all(".chart[data-points]",
                                         "charts => charts.reduce((sum, c) => sum + Number(c.dataset.points), 0)"))


def test_a_monitoring_run_is_charted_live_while_the_runner_pushes_samples(page: Any, serve: ServeProcess,
                                                                           tmp_path: Path) -> None:
    task_id = make_monitoring_task(serve, [2.5, 2.5, 2.0])
    recording = tmp_path / "screen.mp4"  # the run's screen recording, analysed meanwhile
    generate_app_launch(recording, width=180, height=320, fps=30.0, seconds=2.0)
    with recording.open("rb") as handle:
        uploaded = requests.post(f"{serve.url}/api/v1/video/upload", files={"file": ("screen.mp4", handle)}, timeout=60)
    assert uploaded.status_code == 200, uploaded.text
    runner = run_runner(serve, task_id, tmp_path)
    try:
        page.goto(console(serve, f"/monitor/tasks/{task_id}"))
        page.wait_for_selector(".run-link")
        assert task_id in page.text_content("#runner-command")
        page.click(".run-link")
        page.wait_for_selector(".chart[data-points]")
        first = chart_points(page)
        page.wait_for_function(f"() => [...document.querySelectorAll('.chart[data-points]')]"
                               f".reduce((s, c) => s + Number(c.dataset.points), 0) > {first}", timeout=10_000)
        assert page.query_selector("h1 .badge.s-running"), "the points must arrive while the run is running"
        screenshot(page, "07-run-live")
        out, err = runner.communicate(timeout=60)
        assert runner.returncode == 0, out + err
        page.wait_for_selector("#run-summary", timeout=20_000)
        assert page.query_selector("#run-summary .badge.s-pass")
        assert chart_points(page) > first
        wait_completed(serve, uploaded.json()["video_id"])
        page.reload()
        page.wait_for_selector("#link-video")
        page.select_option("#link-video", uploaded.json()["video_id"])
        page.fill("#link-offset", "1.5")
        page.click("#link-video ~ button, form.row button[type=submit]")
        page.wait_for_selector("#link-saved")
        page.wait_for_selector("text=on the run's time axis")
        page.wait_for_selector("#run-summary")
        screenshot(page, "08-run-finished")
    finally:
        if runner.poll() is None:
            runner.kill()

    # A short second run to compare with (any two runs compare; a task's page links its own).
    short_task = make_monitoring_task(serve, [1.0], "console short")
    second = run_runner(serve, short_task, tmp_path)
    second.communicate(timeout=60)
    first_run = api(serve, "GET", f"/monitor/tasks/{task_id}/runs")[0]["run_id"]
    second_run = api(serve, "GET", f"/monitor/tasks/{short_task}/runs")[0]["run_id"]
    page.goto(console(serve, f"/monitor/compare?a={first_run}&b={second_run}"))
    page.wait_for_selector("table.grid code:text('app_cpu')")
    page.wait_for_selector(".chart[data-points]")
    screenshot(page, "09-compare")

    page.goto(console(serve, "/monitor"))
    page.wait_for_selector("table.grid a:text('console live')")
    screenshot(page, "10-monitor")
    page.goto(console(serve, f"/monitor/tasks/{task_id}"))
    page.wait_for_selector(".run-link")
    screenshot(page, "11-monitor-task")


def test_the_script_editor_shows_validation_messages_at_their_line(page: Any, serve: ServeProcess) -> None:
    page.goto(console(serve, "/monitor/scripts/new"))
    page.wait_for_selector("#script-validity.ok")
    page.fill("#script-name", "editor e2e")
    page.fill("#script-editor", "- mark: start\n- fly_to_moon: now\n- wait: 1\n")
    page.wait_for_selector("#script-validity.bad")
    assert "line 2" in page.text_content("#script-messages")
    assert page.query_selector(".gutter div.bad").text_content() == "2"
    screenshot(page, "12-script-editor-errors")
    page.fill("#script-editor", "- mark: start\n- wait: 1\n")
    page.wait_for_selector("#script-validity.ok")
    page.click("#save-script")
    page.wait_for_url("**/monitor/scripts/*-*")
    page.wait_for_selector("text=Versions")
    screenshot(page, "13-script-saved")


def test_qr_codes_are_generated_shown_and_downloaded(page: Any, serve: ServeProcess, tmp_path: Path) -> None:
    page.goto(console(serve, "/qr"))
    page.fill("#qr-words", "https://example.com/frame-metric")
    page.click("#qr-form button[type=submit]")
    page.wait_for_selector("#qr-image")
    assert page.eval_on_selector("#qr-image", "img => img.decode().then(() => img.naturalWidth)") > 0
    with page.expect_download() as download:
        page.click("text=Download qr-simple.png")
    saved = tmp_path / "qr.png"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"\x89PNG")

    picture = tmp_path / "picture.png"
    Image.linear_gradient("L").convert("RGB").resize((200, 200)).save(picture)
    page.select_option("#qr-kind", "artistic")
    page.set_input_files("#qr-picture", str(picture))
    page.click("#qr-form button[type=submit]")
    page.wait_for_selector("text=Download qr-artistic.png")
    screenshot(page, "14-qr")


def test_errors_and_unknown_pages_are_said_plainly(page: Any, serve: ServeProcess) -> None:
    page.goto(console(serve, "/videos/no-such-video"))
    page.wait_for_selector(".state.error")
    assert "not found" in page.text_content(".state.error")
    page.goto(console(serve, "/nowhere"))
    page.wait_for_selector(".state.error:has-text('no such page')")
    screenshot(page, "15-error")
