"""The window arithmetic under the temporal samplers: merged ranges of window numbers, counted and split lazily."""

from __future__ import annotations

import torch
from hypothesis import given
from hypothesis import strategies as st

from geotorch.samplers.timeline import Ranges

#: Ranges ``(low, high)``, some empty (``low > high``), overlapping or touching each other.
RANGES = st.lists(st.tuples(st.integers(-50, 50), st.integers(-50, 50)), max_size=8)


def numbers_of(ranges: list[tuple[int, int]]) -> list[int]:
    return sorted({number for low, high in ranges for number in range(low, high + 1)})


@given(RANGES)
def test_ranges_hold_each_number_of_the_union_once_in_order(ranges: list[tuple[int, int]]) -> None:
    merged = Ranges(*zip(*ranges, strict=True)) if ranges else Ranges([], [])
    expected = numbers_of(ranges)
    assert len(merged) == len(expected)
    assert [merged[position] for position in range(len(merged))] == expected
    assert all(high + 1 < low for high, low in zip(merged.highs[:-1], merged.lows[1:], strict=True))


@given(RANGES, st.integers(1, 4), st.data())
def test_every_gives_the_numbers_at_a_rank_s_positions(
    ranges: list[tuple[int, int]], step: int, data: st.DataObject
) -> None:
    first = data.draw(st.integers(0, step - 1))
    merged = Ranges(*zip(*ranges, strict=True)) if ranges else Ranges([], [])
    assert list(merged.every(first, step)) == numbers_of(ranges)[first::step]


def test_draws_are_uniform_over_the_numbers() -> None:
    merged = Ranges([0, 10], [1, 11])
    generator = torch.Generator().manual_seed(0)
    counts = torch.bincount(torch.tensor([merged.draw(generator) for _ in range(4000)]), minlength=12)
    assert counts[2:10].sum() == 0
    assert all(900 < int(counts[number]) < 1100 for number in (0, 1, 10, 11))
