"""Backoff after 429/503: Retry-After read both ways, full jitter under an exponential cap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from frame_metric.backoff import backoff_delay, retry_after_seconds


def test_retry_after_in_seconds_or_as_a_date() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert retry_after_seconds({"Retry-After": "7"}) == 7.0
    assert retry_after_seconds({"Retry-After": format_datetime(now + timedelta(seconds=30), usegmt=True)},
                               now=now) == 30.0
    assert retry_after_seconds({"Retry-After": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_the_cap_doubles_up_to_its_ceiling_and_the_draw_spreads_below_it() -> None:
    assert [backoff_delay(a, base=0.5, cap=30, draw=lambda: 1.0) for a in range(8)] == [
        0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert backoff_delay(5, draw=lambda: 0.0) == 0.0
    draws = {round(backoff_delay(4), 3) for _ in range(50)}
    assert len(draws) > 40 and all(0 <= d <= 8 for d in draws)


def test_retry_after_is_a_floor_under_the_draw_and_itself_bounded() -> None:
    assert backoff_delay(0, retry_after=12, draw=lambda: 0.1) == 12
    assert backoff_delay(0, retry_after=10_000) == 300.0
