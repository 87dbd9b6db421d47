"""DynamoDB details the monitoring services share: paging checks, conditional-write outcomes and the
connection transactions need."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import TypeVar

from pynamodb.connection import Connection

from frame_metric.errors import ValidationFailed
from frame_metric.settings import get_settings

T = TypeVar("T")
MAX_PAGE = 100


def check_page(skip: int, limit: int) -> None:
    if skip < 0:
        raise ValidationFailed("skip must be 0 or more")
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed(f"limit must be between 1 and {MAX_PAGE}")


def page(items: Iterable[T], skip: int, limit: int) -> list[T]:
    check_page(skip, limit)
    return list(itertools.islice(items, skip, skip + limit))


def cancellation_codes(exc: Exception) -> list[str | None]:
    reasons = getattr(exc, "cancellation_reasons", None) or []
    return [reason.code if reason is not None else None for reason in reasons]


def connection() -> Connection:
    # Models are bound to the endpoint at start-up (bind_models); transactions need the same endpoint.
    settings = get_settings()
    return Connection(region=settings.region, host=settings.dynamodb_endpoint_url)
