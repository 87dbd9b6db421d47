"""Screens judged as a reader sees them (issue 17): the run page of a finished, iterated run, the
monitoring task page while a run is going, profiles edited and deleted, the review filmstrip, and
Chinese text in the console's fonts. Screenshots go to out/screenshots/ for a person to look at."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import requests

from frame_metric.samples import generate_app_launch
from tests.e2e.console_browser import screenshot
from tests.serve_process import ServeProcess

pytestmark = pytest.mark.e2e

ITERATIONS = 3
STEPS = ("tap", "wait")


def call(serve: ServeProcess, method: str, path: str, body: Any = None, token: str | None = None,
         expect: int = 299) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = requests.request(method, f"{serve.url}/api/v1{path}", json=body, headers=headers, timeout=60)
    assert answer.status_code <= expect, answer.text
    return answer.json() if answer.content else None


def console(serve: ServeProcess, route: str) -> str:
    return f"{serve.url}/console/#{route}"


def iterated_marks() -> list[dict[str, Any]]:
    """Marks as the runner makes them for a script played three times: each iteration's end and the
    next one's start, and a step's end and the next step's start, share a time."""
    marks, t = [], 0.0
    for i in range(1, ITERATIONS + 1):
        prefix = f"iteration {i}/{ITERATIONS} "
        marks.append({"t": t, "name": f"{prefix}start"})
        for n, kind in enumerate(STEPS, start=1):
            marks.append({"t": t, "name": f"{prefix}step {n} {kind} start"})
            t += 1.0
            marks.append({"t": t, "name": f"{prefix}step {n} {kind} end"})
        marks.append({"t": t, "name": f"{prefix}end"})
    return marks


@pytest.fixture(scope="module")
def monitoring(shared_serve: ServeProcess) -> dict[str, Any]:
    serve = shared_serve
    profile = call(serve, "POST", "/monitor/profiles", {"name": "滑动流畅度 scroll", "items": [
        {"metric": "app_cpu", "interval_ms": 200, "thresholds": [{"stat": "avg", "op": "le", "value": 90}]},
        {"metric": "memory_rss", "interval_ms": 200}]})
    script = call(serve, "POST", "/monitor/scripts", {"name": "feed scroll", "kind": "yaml",
                                                       "content": "- mark: start\n- wait: 1\n"})
    task = call(serve, "POST", "/monitor/tasks", {
        "name": "screens e2e", "target": {"kind": "process", "command": "sleep 1"},
        "profile_id": profile["profile_id"], "script_id": script["script_id"], "duration_limit_s": 60})
    created = call(serve, "POST", f"/monitor/tasks/{task['task_id']}/runs", {})
    run_id, token = created["run_id"], created["run_token"]
    call(serve, "POST", f"/monitor/runs/{run_id}/start", token=token)
    end = ITERATIONS * len(STEPS) + 0.5  # the sampler goes on a little after the script's last mark
    samples = [{"t": round(i * 0.1, 2), "metric": metric, "value": value + i % 7}
               for i in range(int(end * 10)) for metric, value in (("app_cpu", 20.0), ("memory_rss", 180.0))]
    body = {"seq": 0, "samples": samples, "marks": iterated_marks()}
    answer = requests.post(f"{serve.url}/api/v1/monitor/runs/{run_id}/samples", data=json.dumps(body),
                           headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                           timeout=30)
    assert answer.status_code < 300, answer.text
    finished = call(serve, "POST", f"/monitor/runs/{run_id}/finish", token=token)
    assert finished["verdict"] == "pass"
    return {"profile": profile, "script": script, "task": task, "run_id": run_id}


@pytest.fixture(scope="module")
def analysed_video(shared_serve: ServeProcess, tmp_path_factory: pytest.TempPathFactory) -> str:
    recording = tmp_path_factory.mktemp("screens") / "screens.mp4"
    generate_app_launch(recording, width=180, height=320, fps=30.0, seconds=2.0)
    with recording.open("rb") as handle:
        uploaded = requests.post(f"{shared_serve.url}/api/v1/video/upload",
                                 files={"file": ("screens.mp4", handle)}, timeout=60)
    assert uploaded.status_code == 200, uploaded.text
    video_id = str(uploaded.json()["video_id"])
    deadline = time.monotonic() + 120
    while call(shared_serve, "GET", f"/video/{video_id}/status")["status"] != "completed":
        assert time.monotonic() < deadline, "the recording was not analysed in 120 s"
        time.sleep(0.5)
    return video_id


def test_a_finished_runs_page_reads_well(page: Any, runner_serve: ServeProcess, monitoring: dict[str, Any],
                                         analysed_video: str) -> None:
    page.goto(console(runner_serve, f"/monitor/runs/{monitoring['run_id']}"))
    page.wait_for_selector("#run-summary")
    page.wait_for_selector(".chart[data-points]")
    assert page.text_content("#charts-title") == "Charts"  # not "Live" once the run has ended
    # The legend shows the latest values before anyone hovers, not uPlot's "--".
    values = page.locator(".u-legend .u-series .u-value").all_text_contents()
    assert values and "--" not in values, values
    page.click("#run-segments summary")
    groups = page.locator("#run-segments tr.group th").all_text_contents()
    assert groups == [f"Iteration {i} of {ITERATIONS}" for i in range(1, ITERATIONS + 1)]
    lasts = page.locator("#run-segments tbody tr:not(.group) td:nth-child(3)").all_text_contents()
    assert "0.00 s" not in lasts  # zero-length segments (marks at one time) are left out
    labels = page.locator("#run-segments tbody tr:not(.group) td:first-child").all_text_contents()
    # Each step of each iteration, then the last iteration's end up to the run's end: labelled "end" by
    # arrival order at equal times, not "step 2 wait end" (the name that sorts last).
    assert labels == [f"step {n} {kind} start" for _ in range(ITERATIONS)
                      for n, kind in enumerate(STEPS, start=1)] + ["end"]
    # The recording picker names no recording until one is chosen.
    page.wait_for_selector("#link-video")
    assert page.eval_on_selector("#link-video", "select => select.value") == ""
    assert page.locator(f"#link-video option[value='{analysed_video}']").count() == 1
    screenshot(page, "17-run-finished-iterations")


def test_the_task_page_names_profile_and_script_and_a_running_task_has_no_verdict_yet(
        page: Any, runner_serve: ServeProcess, monitoring: dict[str, Any]) -> None:
    task_id = monitoring["task"]["task_id"]
    created = call(runner_serve, "POST", f"/monitor/tasks/{task_id}/runs", {})
    call(runner_serve, "POST", f"/monitor/runs/{created['run_id']}/start", token=created["run_token"])
    try:
        page.goto(console(runner_serve, f"/monitor/tasks/{task_id}"))
        page.wait_for_selector(".run-link")
        assert page.text_content("#task-profile") == monitoring["profile"]["name"]
        assert page.text_content("#task-script") == "feed scroll (latest: version 1)"
        verdict = page.text_content("#task-verdict")
        assert "running" in verdict and "previous run: pass" in verdict, verdict
        screenshot(page, "18-monitor-task-running")
    finally:
        call(runner_serve, "POST", f"/monitor/runs/{created['run_id']}/finish", token=created["run_token"])


def test_profiles_are_edited_and_deleted(page: Any, runner_serve: ServeProcess, monitoring: dict[str, Any]) -> None:
    spare = call(runner_serve, "POST", "/monitor/profiles", {"name": "spare profile", "items": [
        {"metric": "app_cpu", "interval_ms": 500}]})
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(console(runner_serve, "/monitor"))
    row = page.locator("tr", has_text="spare profile")
    row.locator(".edit-profile").click()
    page.wait_for_selector("#edit-profile")
    page.fill("#edit-profile #profile-name", "renamed profile")
    page.click("#edit-profile #save-profile")
    page.wait_for_selector("td:text-is('renamed profile')")
    assert call(runner_serve, "GET", f"/monitor/profiles/{spare['profile_id']}")["name"] == "renamed profile"
    page.locator("tr", has_text="renamed profile").locator(".delete-profile").click()
    page.wait_for_selector("td:text-is('renamed profile')", state="detached")
    # A profile a task uses stays, and the page says why.
    page.locator("tr", has_text=monitoring["profile"]["name"]).locator(".delete-profile").click()
    page.wait_for_selector("#profile-feedback .bad")
    screenshot(page, "19-monitor-profiles")


def test_chinese_text_is_drawn_in_a_cjk_font(page: Any, runner_serve: ServeProcess,
                                             monitoring: dict[str, Any]) -> None:
    page.goto(console(runner_serve, "/monitor"))
    cell = page.locator("td", has_text="滑动流畅度")
    cell.wait_for()
    # Without a CJK font every character is the same empty box: draw two in the cell's own font and
    # compare their pixels.
    differ = cell.evaluate("""cell => {
      const canvas = document.createElement("canvas");
      canvas.width = 40; canvas.height = 40;
      const ctx = canvas.getContext("2d");
      const draw = (text) => { ctx.clearRect(0, 0, 40, 40); ctx.font = getComputedStyle(cell).font;
        ctx.fillText(text, 4, 28); return ctx.getImageData(0, 0, 40, 40).data.join(); };
      return draw("滑") !== draw("动") && draw("流") !== draw("畅");
    }""")
    assert differ, "Chinese characters render as identical boxes: no CJK font in the console's font stack"
    screenshot(page, "20-monitor-chinese")


def test_the_review_filmstrip_lines_up_and_the_header_follows_a_submit(page: Any, runner_serve: ServeProcess,
                                                                       analysed_video: str) -> None:
    page.goto(console(runner_serve, f"/review/{analysed_video}"))
    page.wait_for_selector(".filmstrip .thumb")
    geometry = page.eval_on_selector_all(".filmstrip .thumb", """thumbs => thumbs.slice(0, 12).map((t) => {
      const box = (el) => el.getBoundingClientRect();
      const bar = box(t.querySelector(".score")), canvas = box(t.querySelector("canvas"));
      return {bar: bar.left + bar.width / 2, canvas: canvas.left + canvas.width / 2,
              num: box(t.querySelector(".num")).top, barBottom: bar.bottom, canvasTop: canvas.top};
    })""")
    for thumb in geometry:
        assert abs(thumb["bar"] - thumb["canvas"]) < 1.5, thumb  # each bar over its own thumbnail
        assert thumb["barBottom"] <= thumb["canvasTop"] + 0.5, thumb
    assert len({round(thumb["num"]) for thumb in geometry}) == 1, geometry  # frame numbers on one line
    for box in ("First candidates", "Last candidates"):
        texts = page.locator(".candidates", has_text=box).locator(".candidate").all_text_contents()
        numbers = [int(text.split()[0].lstrip("#")) for text in texts]
        assert numbers == sorted(numbers), texts
    page.keyboard.press("Home")
    page.keyboard.press("f")
    page.keyboard.press("End")
    page.keyboard.press("l")
    page.fill("#reviewer", "screens e2e")
    page.click("#submit-marking")
    page.wait_for_selector("#marking-saved")
    method = call(runner_serve, "GET", f"/video/{analysed_video}/status")["marking_method"]
    assert page.text_content("#marking-method") == f"marking: {method}"
    assert method != "algorithm"
    screenshot(page, "21-review-submitted")
