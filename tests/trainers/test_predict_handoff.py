"""The writer thread of predict_raster: items consumed in order, errors raised in the putting thread."""

from __future__ import annotations

import threading
import time

import pytest

from geotorch.trainers.predict_handoff import Handoff


def test_items_are_consumed_in_order_in_one_other_thread() -> None:
    seen: list[tuple[int, str]] = []

    def consume(item: int) -> None:
        time.sleep(0.001 * (item % 3))
        seen.append((item, threading.current_thread().name))

    with Handoff(consume, depth=2) as handoff:
        for item in range(50):
            handoff.put(item)
    assert [item for item, _ in seen] == list(range(50))
    assert {name for _, name in seen} == {"geotorch-predict-writer"}


def test_an_error_of_the_consumer_is_raised_by_the_next_put_or_on_leaving() -> None:
    def consume(item: int) -> None:
        if item == 3:
            raise OSError("disk full")

    def put_slowly(items: range) -> None:
        with Handoff(consume) as handoff:
            for item in items:
                handoff.put(item)
                time.sleep(0.001)

    with pytest.raises(OSError, match="disk full"):
        put_slowly(range(1000))  # raised by a later put
    with pytest.raises(OSError, match="disk full"):
        put_slowly(range(3, 4))  # raised on leaving


def test_an_error_of_the_putting_thread_stops_the_consumer_without_draining() -> None:
    seen: list[int] = []

    def fail_after_one_put() -> None:
        with Handoff(seen.append, depth=4) as handoff:
            handoff.put(1)
            raise KeyError("model failed")

    with pytest.raises(KeyError):
        fail_after_one_put()
    assert seen in ([], [1])
