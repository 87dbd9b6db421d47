"""Pure parts of monitoring runs: statistics, segments, jank, verdicts, compare, downsampling, the live
cursor's gap rule, batch validation and the export files."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest

from frame_metric.data.video import utcnow
from frame_metric.errors import BadRequest, PayloadTooLarge, ValidationFailed
from frame_metric.monitor import export, ingest, live, results, tokens
from tests.unit.monitor_runs.xlsx import read_sheets


def test_stats_match_numpy_definitions() -> None:
    got = results.stats([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    assert got == {"count": 10, "min": 1.0, "max": 10.0, "avg": 5.5, "median": 5.5, "p90": 9.1, "p95": 9.55,
                   "sum": 55.0}
    assert results.stats([]) == {"count": 0}


def test_segments_run_from_mark_to_mark() -> None:
    samples = [(t / 10, "fps", float(t)) for t in range(30)]
    found = results.segments(samples, [(1.0, "scroll"), (0.0, "open")])
    assert [(s["name"], s["start"], s["end"]) for s in found] == [("open", 0.0, 1.0), ("scroll", 1.0, None)]
    assert found[0]["metrics"]["fps"]["count"] == 10 and found[1]["metrics"]["fps"]["count"] == 20


def test_jank_is_the_samplers_count_not_rerun_over_frame_time_means() -> None:
    # frame_time samples are per-read means; the sampler already counted the read's jank over its real
    # frames. A rerun of PerfDog's rule over the means would count these spikes again.
    means = [16.7, 16.7, 16.7, 16.7, 100.0, 16.7, 16.7, 200.0, 90.0]
    samples = sorted([(i * 0.5, "frame_time", v) for i, v in enumerate(means)]
                     + [(2.0, "jank", 1.0), (3.5, "jank", 1.0), (3.5, "big_jank", 1.0), (4.0, "jank", 0.0)])
    assert results.run_jank(samples) == {"jank": 2, "big_jank": 1}
    computed = results.compute(samples, [], {})
    assert computed["jank"] == {"jank": 2, "big_jank": 1} and computed["metrics"]["jank"]["sum"] == 2


def test_unmeasured_jank_is_left_out() -> None:
    # a local process target: no frames, so no jank rows (not rows of 0) in results, export and compare
    computed = results.compute([(0.0, "app_cpu", 5.0), (1.0, "app_cpu", 7.0)], [], {})
    assert computed["jank"] is None and set(computed["metrics"]) == {"app_cpu"}
    rows = export.summary_rows({"run_id": "r", "task_id": "t", "status": "completed", **computed})
    assert not any(row and row[0] in ("jank", "big_jank") for row in rows)
    assert not any(len(row) > 1 and row[1] in ("jank", "big_jank") for row in rows)
    assert set(results.compare(computed, computed)["metrics"]) == {"app_cpu"}
    profile = {"items": [{"metric": "jank", "thresholds": [{"stat": "sum", "op": "le", "value": 0}]}]}
    assert results.compute([(0.0, "app_cpu", 5.0)], [], profile)["verdict"] == "fail"  # no data is no pass


def test_units_in_compare_and_export() -> None:
    computed = results.compute([(0.0, "app_cpu", 5.0), (0.5, "memory_pss", 80.0), (1.0, "fps", 60.0)], [], {})
    rows = results.compare(computed, computed)["metrics"]
    assert (rows["app_cpu"]["unit"], rows["memory_pss"]["unit"], rows["fps"]["unit"]) == ("%", "MB", "fps")
    summary = export.summary_rows({"run_id": "r", "task_id": "t", "status": "completed", **computed})
    header = summary.index(["segment", "metric", "unit", *export.STATS])
    assert summary[header + 1][:3] == ["(whole run)", "app_cpu", "%"]
    assert export.SAMPLE_HEADER == ["t_s", "metric", "value", "unit", "segment"]


def test_verdict_names_the_failing_items() -> None:
    profile = {"items": [{"metric": "app_cpu", "thresholds": [{"stat": "avg", "op": "lt", "value": 50}]},
                         {"metric": "fps", "thresholds": [{"stat": "min", "op": "ge", "value": 30}]},
                         {"metric": "gpu_load", "thresholds": [{"stat": "max", "op": "le", "value": 90}]}]}
    outcome, failures = results.verdict({"app_cpu": {"avg": 60.0}, "fps": {"min": 45.0}}, profile)
    assert outcome == "fail"
    assert [(f["metric"], f["observed"]) for f in failures] == [("app_cpu", 60.0), ("gpu_load", None)]
    no_thresholds = {"items": [{"metric": "app_cpu", "thresholds": []}]}
    assert results.verdict({"app_cpu": {"avg": 10.0}}, no_thresholds) == (None, [])


def test_compare_gives_deltas() -> None:
    a = results.compute([(0.0, "fps", 50.0), (1.0, "fps", 60.0)], [], {})
    b = results.compute([(0.0, "fps", 40.0), (1.0, "fps", 40.0)], [], {})
    fps = results.compare(a, b)["metrics"]["fps"]
    assert fps["delta"]["avg"] == -15.0 and fps["delta"]["avg_pct"] == pytest.approx(-27.2727, abs=1e-3)


def test_downsampling_keeps_spikes_order_and_bounds() -> None:
    points = [(i * 0.01, 10.0) for i in range(36_000)]
    points[20_000] = (200.0, 500.0)
    points[30_000] = (300.0, -5.0)
    kept = live.downsample(points, 1000)
    assert len(kept) <= 1000 and kept == sorted(kept)
    assert (200.0, 500.0) in kept and (300.0, -5.0) in kept and kept[-1] == points[-1]
    assert live.downsample(points[:10], 1000) == points[:10]


def _batch(arrival: int, age_s: float) -> Any:
    return SimpleNamespace(arrival=arrival, received_at=utcnow() - timedelta(seconds=age_s))


def test_live_cursor_never_skips_a_batch_in_flight() -> None:
    # 3 is missing and 4 is fresh: 3 may still be being written, stop before it.
    assert [b.arrival for b in live.contiguous([_batch(1, 0), _batch(2, 0), _batch(4, 0)], 0)] == [1, 2]
    # Long missing (a duplicate that took its number and lost): passed after the wait.
    assert [b.arrival for b in live.contiguous([_batch(2, 0), _batch(4, 10)], 1)] == [2, 4]


def test_batch_validation() -> None:
    good = {"seq": 0, "samples": [{"t": 0.5, "metric": "fps", "value": 60}], "marks": [{"t": 0, "name": "go"}]}
    parsed = ingest.parse_batch(json.dumps(good).encode(), max_t=100)
    assert parsed.samples == [[0.5, "fps", 60.0]] and parsed.marks == [[0.0, "go"]]
    bad: list[tuple[Any, type[Exception], str]] = [
        (b"", BadRequest, "JSON body"), (b"[", BadRequest, "not valid JSON"), (b"[]", ValidationFailed, "object"),
        ({"seq": -1, "samples": []}, ValidationFailed, "seq"), ({"seq": True}, ValidationFailed, "seq"),
        ({"seq": 1}, ValidationFailed, "no samples"),
        ({"seq": 1, "samples": [{"t": 1, "metric": "nope", "value": 1}]}, ValidationFailed, "unknown metric"),
        ({"seq": 1, "samples": [{"t": 1e9, "metric": "fps", "value": 1}]}, ValidationFailed, "future"),
        ({"seq": 1, "samples": [{"t": -600, "metric": "fps", "value": 1}]}, ValidationFailed, "before"),
        ({"seq": 1, "marks": [{"t": 1, "name": ""}]}, ValidationFailed, "name"),
        ({"seq": 1, "samples": [{"t": 0, "metric": "fps", "value": 1}] * 501}, PayloadTooLarge, "500"),
    ]
    for body, error, words in bad:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        with pytest.raises(error, match=words):
            ingest.parse_batch(raw, max_t=100)
    with pytest.raises(PayloadTooLarge):
        ingest.parse_batch(b" " * (ingest.MAX_BATCH_BYTES + 1))


def test_tokens() -> None:
    token = tokens.new_token()
    tokens.check(token, tokens.hash_token(token))
    assert tokens.bearer(f"Bearer {token}") == token and tokens.bearer("Basic x") is None
    with pytest.raises(tokens.Unauthorized):
        tokens.check(None, tokens.hash_token(token))
    with pytest.raises(tokens.Forbidden):
        tokens.check("other", tokens.hash_token(token))


def _result() -> tuple[dict[str, Any], list[results.Sample], list[results.Mark]]:
    samples = sorted([(i * 0.5, "app_cpu", float(i)) for i in range(10)] + [(1.0, "fps", 58.0)])
    marks = [(0.0, "冷启动"), (2.0, "scroll")]
    profile = {"items": [{"metric": "app_cpu", "thresholds": [{"stat": "max", "op": "lt", "value": 5}]}]}
    computed = results.compute(samples, marks, profile)
    return {"run_id": "r1", "task_id": "t1", "status": "completed", **computed}, samples, marks


def test_csv_export_has_bom_summary_and_samples() -> None:
    result, samples, marks = _result()
    text = export.to_csv(result, samples, marks)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert ["verdict", "fail"] in rows and rows[rows.index(["verdict", "fail"]) + 2][0] == "failed"
    header = rows.index(export.SAMPLE_HEADER)
    assert len(rows) - header - 1 == len(samples)
    assert rows[header + 1][3:] == ["%", "冷启动"] and rows[-1][4] == "scroll"


def test_excel_export_opens() -> None:
    result, samples, marks = _result()
    data = export.to_excel(result, samples, marks)
    sheets = read_sheets(data)
    assert list(sheets) == ["Summary", "Samples"]
    assert sheets["Samples"][0] == export.SAMPLE_HEADER and len(sheets["Samples"]) == len(samples) + 1
    assert sheets["Samples"][1] == [0.0, "app_cpu", 0.0, "%", "冷启动"]
    assert ["run_id", "r1"] in sheets["Summary"]
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book["Samples"].freeze_panes == "A2"
    assert book["Samples"]["A1"].font.bold
