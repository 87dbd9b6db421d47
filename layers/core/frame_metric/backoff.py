"""When to ask again after a refusal: HTTP 429 (throttled) and 503 (no capacity) say "later", and
`Retry-After` may say how much later. Waits grow exponentially with full jitter (a uniform draw
between 0 and the exponential cap), so hundreds of runners refused at the same moment do not all
come back at the same moment; a `Retry-After` is a floor under the draw."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

RETRYABLE_STATUSES = frozenset({429, 503})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


def retry_after_seconds(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Seconds a `Retry-After` header asks for (delta-seconds or an HTTP date), None when absent or bad."""
    value = (headers.get("Retry-After") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_delay(attempt: int, base: float = 0.5, cap: float = 30.0, retry_after: float | None = None,
                  draw: Callable[[], float] = random.random) -> float:
    """Seconds to wait before attempt number `attempt + 1` (attempt counts from 0): full jitter over
    min(cap, base * 2**attempt), never less than what the server asked for (itself capped at 5 min)."""
    delay = draw() * min(cap, base * (2 ** min(attempt, 30)))
    if retry_after is not None:
        delay = max(delay, min(retry_after, 300.0))
    return delay
