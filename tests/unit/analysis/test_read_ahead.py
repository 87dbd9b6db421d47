"""Decoding and scaling run a few frames ahead in a worker thread: same items, same order, errors
raised where the frames are used, and a consumer that stops early stops the producer."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from frame_metric.analysis.decode import read_ahead


def test_items_come_in_order_and_all_of_them() -> None:
    assert list(read_ahead(iter(range(1000)), 3)) == list(range(1000))


def test_a_producer_error_is_raised_in_the_consumer_after_the_items_before_it() -> None:
    def items() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("damaged frame")

    got: list[int] = []
    with pytest.raises(ValueError, match="damaged frame"):
        for item in read_ahead(items(), 2):
            got.append(item)
    assert got == [1, 2]


def test_stopping_early_closes_the_producer_and_its_thread() -> None:
    closed = threading.Event()

    def items() -> Iterator[int]:
        try:
            yield from range(10**9)
        finally:
            closed.set()  # e.g. the video file is closed

    before = threading.active_count()
    for item in read_ahead(items(), 2):
        if item == 5:
            break
    assert closed.wait(5)
    assert threading.active_count() == before
