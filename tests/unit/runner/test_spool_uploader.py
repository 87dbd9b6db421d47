"""Batching, spooling through a server outage, and noticing a cancel: against a real local HTTP server."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from frame_metric.localcloud.cloud import free_port
from frame_metric.runner.api import MonitorApi
from frame_metric.runner.core import End, keep_for_later, resend
from frame_metric.runner.interfaces import Mark, Sample
from frame_metric.runner.spool import Spool
from frame_metric.runner.uploader import Uploader
from tests.unit.runner.fakes import FakeRunApi


def until(condition: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def fake(port: int) -> Iterator[FakeRunApi]:
    server = FakeRunApi(port)
    yield server
    server.stop()


def uploader(port: int, tmp_path: Path, **kwargs: float) -> Uploader:
    api = MonitorApi(f"http://127.0.0.1:{port}", timeout=2, token="tok")
    return Uploader(api, "r1", Spool(tmp_path / "r1.jsonl"), interval=0.1, **kwargs)


def samples(start: int, count: int) -> list[Sample]:
    return [Sample(float(i) / 100, "app_cpu", float(i)) for i in range(start, start + count)]


def test_spool_keeps_order_across_reopen_and_ignores_a_torn_line(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "s.jsonl")
    for seq in range(3):
        spool.append({"seq": seq, "samples": [], "marks": []})
    spool.pop_head()
    with (tmp_path / "s.jsonl").open("a") as handle:
        handle.write('{"seq": 9, "samp')  # a crash mid-write
    reopened = Spool(tmp_path / "s.jsonl")
    assert [b["seq"] for b in reopened.batches()] == [1, 2]
    reopened.pop_head()
    reopened.pop_head()
    assert len(reopened) == 0 and not (tmp_path / "s.jsonl").exists()


def test_batches_hold_at_most_500_samples_with_increasing_seq(fake: FakeRunApi, port: int, tmp_path: Path) -> None:
    fake.start()
    up = uploader(port, tmp_path)
    up.start()
    up.add_samples(samples(0, 1201))
    up.add_mark(Mark(0.5, "scroll"))
    until(lambda: len(fake.samples) == 1201)
    assert up.stop(5)
    assert [len(fake.batches[s]["samples"]) for s in sorted(fake.batches)] == [500, 500, 201]
    assert fake.order == [0, 1, 2]
    assert fake.batches[0]["marks"] == [{"t": 0.5, "name": "scroll"}]
    assert up.delivered == up.collected == 1201


def test_an_outage_spools_to_disk_and_resends_in_order(fake: FakeRunApi, port: int, tmp_path: Path) -> None:
    up = uploader(port, tmp_path)  # nothing listens on the port yet: the server is "down"
    up.start()
    for second in range(5):
        up.add_samples(samples(second * 10, 10))
        time.sleep(0.15)
    until(lambda: len(up.spool) >= 3)
    assert (tmp_path / "r1.jsonl").exists() and not up.reachable
    fake.start()  # the server comes back on the same port
    up.add_samples(samples(50, 10))
    until(lambda: len(fake.samples) == 60)
    assert up.stop(5)
    assert fake.order == sorted(fake.order)  # spooled first, in order, then the new ones
    assert [s["value"] for s in fake.samples] == [float(i) for i in range(60)]
    assert not (tmp_path / "r1.jsonl").exists()


def test_stop_gives_up_after_the_flush_timeout_keeping_the_spool(port: int, tmp_path: Path) -> None:
    up = uploader(port, tmp_path)
    up.start()
    up.add_samples(samples(0, 5))
    assert up.stop(flush_timeout=0.5) is False
    assert [b["seq"] for b in Spool(tmp_path / "r1.jsonl").batches()] == [0]


def test_a_cancel_from_the_console_and_a_refusal_are_noticed(fake: FakeRunApi, port: int, tmp_path: Path) -> None:
    fake.start()
    up = uploader(port, tmp_path, heartbeat_s=0.1, status_poll_s=0.1)
    up.start()
    until(lambda: fake.heartbeats >= 1)
    fake.status = "cancelled"
    until(lambda: up.ended_by_server is not None)
    fake.reject_with = 409
    up.add_samples(samples(0, 3))
    until(lambda: up.refused is not None)
    up.stop(1)


def test_a_spool_left_behind_is_resent_later_and_the_run_ended(fake: FakeRunApi, port: int, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    up = uploader(port, tmp_path)  # the server is away for the whole run
    up.add_samples(samples(0, 700))
    assert up.stop(flush_timeout=0.3) is False
    keep_for_later(up.spool, up.api, End("the scenario ended"))
    assert (tmp_path / "r1.pending.json").stat().st_mode & 0o777 == 0o600
    fake.start()
    assert resend(f"http://127.0.0.1:{port}", "r1", tmp_path) == 0
    assert len(fake.samples) == 700 and fake.order == [0, 1] and fake.status == "completed"
    assert "run r1: completed" in capsys.readouterr().out
    assert not list(tmp_path.iterdir())


def test_behind_a_throttling_edge_no_sample_is_lost_and_order_holds(fake: FakeRunApi, port: int,
                                                                     tmp_path: Path) -> None:
    fake.throttle_every = 3  # a third of all calls (batches, heartbeats, status polls) answered 429
    fake.start()
    up = uploader(port, tmp_path, heartbeat_s=0.2, status_poll_s=0.3)
    up.start()
    for second in range(20):
        up.add_samples(samples(second * 50, 50))
        time.sleep(0.05)
    assert up.stop(20)
    assert fake.throttled > 0 and up.throttled > 0
    assert [s["value"] for s in fake.samples] == [float(i) for i in range(1000)]
    assert fake.order == sorted(set(fake.order)), "every batch arrives once, in seq order"
    assert up.delivered == up.collected == 1000 and up.dropped == 0 and up.refused is None


def test_a_retry_after_holds_the_batches_back_that_long(fake: FakeRunApi, port: int, tmp_path: Path) -> None:
    fake.throttle_every, fake.retry_after = 1, "1"  # everything refused, come back in a second
    fake.start()
    up = uploader(port, tmp_path)
    up.start()
    up.add_samples(samples(0, 10))
    until(lambda: up.throttled >= 1)
    refused_at = time.monotonic()
    fake.throttle_every = 0
    until(lambda: len(fake.samples) == 10)
    assert time.monotonic() - refused_at >= 0.8, "the batch waited for the Retry-After"
    assert up.throttled == 1, "no batch was sent again inside the Retry-After"
    assert up.stop(5)


def test_run_calls_are_asked_again_when_throttled(fake: FakeRunApi, port: int) -> None:
    fake.throttle_every, fake.retry_after = 2, "0"
    fake.start()
    api = MonitorApi(f"http://127.0.0.1:{port}", timeout=2, token="tok")
    for _ in range(6):
        assert api.run("r1")["status"] == "running"
    # Every second request refused: the first call passes, each later one is refused once then passes.
    assert (fake.requests, fake.throttled) == (11, 5)


def test_while_batches_are_stored_no_heartbeat_or_status_call_is_made(fake: FakeRunApi, port: int,
                                                                      tmp_path: Path) -> None:
    fake.start()
    up = uploader(port, tmp_path, heartbeat_s=0.3, status_poll_s=0.3)
    up.start()
    up.add_samples(samples(0, 1))
    until(lambda: len(fake.samples) == 1)
    calls_before = fake.requests
    for n in range(1, 15):  # a batch every 0.1 s for 1.4 s: several heartbeat and poll periods
        up.add_samples(samples(n, 1))
        time.sleep(0.1)
    until(lambda: len(fake.samples) == 15)
    assert fake.requests - calls_before == len(fake.order) - 1, "one call per batch, nothing else"
    assert fake.heartbeats == 0
    time.sleep(0.8)  # idle: heartbeats and status polls resume
    assert fake.heartbeats >= 1
    assert up.stop(5)
