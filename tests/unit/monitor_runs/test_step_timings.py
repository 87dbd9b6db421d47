"""Step timings: each acting step's operation/response/finish on the run's clock, from marks and the
linked recording's frame table."""

from __future__ import annotations

import pytest

from frame_metric.monitor.export import summary_rows
from frame_metric.monitor.step_timings import acting_steps, compare_steps, step_timings


def table(n: int, fps: float, changed: set[int]) -> list[dict[str, float]]:
    return [{"frame_number": i, "timestamp": i / fps, "scene_change_score": 0.8 if i in changed else 0.1}
            for i in range(n)]


MARKS = [
    (0.5, "start"),
    (1.0, "step 1 launch_app start"), (1.2, "step 1 launch_app end"),
    (2.0, "step 2 tap start"), (2.05, "step 2 tap end"),
    (2.1, "step 3 wait start"), (4.0, "step 3 wait end"),
    (4.0, "step 4 swipe start"), (4.3, "step 4 swipe end"),
    (5.0, "checkout"),
    (9.0, "step 5 tap start"),
]


def test_each_acting_step_is_timed_on_the_run_clock() -> None:
    # video starts 0.5 s into the run, 30 fps, 6 s long: run t = frame / 30 + 0.5
    frames = table(180, 30.0, {60, 61, 70, 105, 120, 121})
    timings = step_timings(MARKS, [{"video_id": "v1", "offset_s": 0.5}], lambda vid: frames if vid == "v1" else None)
    assert [t["step"] for t in timings] == ["step 1 launch_app", "step 2 tap", "step 4 swipe"]  # step 5: no video
    launch, tap, swipe = timings
    assert launch["response"] is None and launch["finish"] is None and launch["response_time"] is None
    assert tap["operation"] == {"t": pytest.approx(2.0), "frame_number": 45, "timestamp": 1.5, "source": "mark"}
    # the wait does not end the tap's interaction: its changes run until the swipe starts
    assert tap["response"]["frame_number"] == 60 and tap["finish"]["frame_number"] == 70
    assert tap["response_time"] == pytest.approx(0.5) and tap["finish_time"] == pytest.approx(25 / 30)
    assert tap["response"]["t"] == pytest.approx(2.5)
    assert swipe["operation"]["frame_number"] == 105 and swipe["response"]["frame_number"] == 120
    assert swipe["finish"]["frame_number"] == 121 and swipe["video_id"] == "v1"


def test_the_recording_segment_holding_the_step_is_used() -> None:
    first, second = table(60, 30.0, set()), table(60, 30.0, {40})
    links = [{"video_id": "a", "offset_s": 0.0}, {"video_id": "b", "offset_s": 2.05}]
    timings = step_timings([(3.0, "iteration 2/2 step 7 key start")], links, {"a": first, "b": second}.get)
    assert timings[0]["step"] == "iteration 2/2 step 7 key" and timings[0]["video_id"] == "b"
    assert timings[0]["response"]["t"] == pytest.approx(2.05 + 40 / 30)


def test_unanalysed_recordings_and_other_marks_give_nothing() -> None:
    assert step_timings(MARKS, [{"video_id": "v", "offset_s": 0.0}], lambda vid: None) == []
    assert acting_steps([(1.0, "step 1 wait start"), (2.0, "step 2 screenshot start"), (3.0, "step x")]) == []


def test_compare_and_export() -> None:
    frames = table(180, 30.0, {60, 70})
    a = step_timings(MARKS, [{"video_id": "v", "offset_s": 0.5}], lambda vid: frames)
    b = step_timings(MARKS, [{"video_id": "v", "offset_s": 0.5}], lambda vid: table(180, 30.0, {66, 90}))
    rows = {r["step"]: r for r in compare_steps(a, b)}
    assert rows["step 2 tap"]["response_time"]["delta"] == pytest.approx(0.2)
    assert rows["step 1 launch_app"]["response_time"] == {"a": None, "b": None, "delta": None}
    result = {"run_id": "r", "task_id": "t", "status": "completed", "verdict": None, "sample_count": 0,
              "jank": {"jank": 0, "big_jank": 0}, "failures": [], "metrics": {}, "segments": [], "step_timings": a}
    rows_out = summary_rows(result)
    header = rows_out.index(["step", "kind", "start_t", "operation_t", "response_t", "finish_t",
                             "response_time_s", "finish_time_s", "video_id"])
    assert rows_out[header + 2][0] == "step 2 tap" and rows_out[header + 2][6] == pytest.approx(0.5)


def test_a_linked_recording_without_touches_takes_the_steps_as_its_actions() -> None:
    from frame_metric.monitor.step_timings import linked_actions

    frames = table(180, 30.0, {60, 61, 70, 105, 120, 121})
    quiet_split = [{"index": 1, "operation": None, "label": None}]
    actions = linked_actions(MARKS, 0.5, frames, quiet_split)
    timings = step_timings(MARKS, [{"video_id": "v1", "offset_s": 0.5}], lambda _: frames)
    assert [a["label"] for a in actions] == ["step 1 launch_app", "step 2 tap", "step 4 swipe"]
    assert [a["index"] for a in actions] == [1, 2, 3]
    for action, timing in zip(actions, timings, strict=True):
        assert action["operation"] == {"frame_number": timing["operation"]["frame_number"],
                                       "timestamp": timing["operation"]["timestamp"], "source": "mark"}
        for key in ("response", "finish", "response_time", "finish_time"):
            want = timing[key]
            assert action[key] == (want if not isinstance(want, dict) else
                                   {"frame_number": want["frame_number"], "timestamp": want["timestamp"]})
    launch, tap, swipe = actions
    # end: the frame before the next step's operation, or the last frame
    assert launch["end"]["frame_number"] == tap["operation"]["frame_number"] - 1
    assert tap["end"]["frame_number"] == 104 and swipe["end"] == {"frame_number": 179, "timestamp": 179 / 30}
    assert launch["response"] is None and not swipe["needs_review"]


def test_touches_keep_their_frames_and_take_the_steps_names() -> None:
    from frame_metric.monitor.step_timings import linked_actions

    frames = table(180, 30.0, {60, 120})
    touched = [
        {"index": 1, "operation": {"frame_number": 47, "timestamp": 47 / 30, "source": "touch_indicator"},
         "label": None},
        {"index": 2, "operation": {"frame_number": 107, "timestamp": 107 / 30, "source": "touch_indicator"},
         "label": None},
        {"index": 3, "operation": {"frame_number": 10, "timestamp": 10 / 30, "source": "touch_indicator"},
         "label": None},
    ]
    touched.sort(key=lambda a: a["operation"]["frame_number"])
    labelled = linked_actions(MARKS, 0.5, frames, touched)
    # a touch before any step (run t 0.83 s) keeps no label; the others fall in the tap's and swipe's spans
    assert [a["label"] for a in labelled] == [None, "step 2 tap", "step 4 swipe"]
    assert [a["operation"] for a in labelled] == [a["operation"] for a in touched]
    # no step inside the recording: the analysed actions stay as they were
    assert linked_actions([(50.0, "step 9 tap start")], 0.5, frames, touched[:1]) == touched[:1]
    assert linked_actions([(50.0, "step 9 tap start")], 0.5, frames, [{"operation": None}]) == [{"operation": None}]


def test_steps_that_cannot_be_applied_leave_the_link_standing(monkeypatch: pytest.MonkeyPatch,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    from frame_metric.monitor import runs

    def broken(video_id: str, run_id: str) -> bool:
        raise OSError("the analysis JSON could not be read")

    monkeypatch.setattr(runs, "apply_run_steps", broken)
    assert runs.try_apply_run_steps("v1", "r1") is False
    assert "could not be applied to video v1" in caplog.text and "analysis JSON" in caplog.text
