"""How blended values become output pixels, fast paths equal to the plain torch ones bit for bit."""

from __future__ import annotations

import pytest
import torch

from geotorch.trainers import predict_cog
from geotorch.trainers.predict_cog import first_argmax


@pytest.mark.parametrize("channels", [2, 10, 300])
def test_first_argmax_equals_torch_argmax_with_ties_nan_and_infinities(channels: int) -> None:
    generator = torch.Generator().manual_seed(channels)
    values = torch.randn((channels, 9, 13), generator=generator)
    values[:, 0, 0] = 1.5  # every channel tied: the first wins
    values[1:, 0, 1] = 2.0  # a tie after the first channel
    values[:, 0, 2] = float("-inf")
    values[-1, 0, 3] = float("inf")
    values[1, 1, 0] = float("nan")  # NaN counts as the largest value, its first channel wins
    values[0, 1, 1] = float("nan")
    values[channels - 1, 1, 2] = float("nan")
    values[[0, channels - 1], 1, 3] = float("nan")
    values[:, 2, 0] = float("nan")
    # Values that differ in the last bit only.
    values[0, 3, 0] = 1.0
    values[1, 3, 0] = torch.nextafter(torch.tensor(1.0), torch.tensor(2.0))
    labels = first_argmax(values)
    assert labels.dtype == (torch.uint8 if channels <= 256 else torch.int32)
    assert torch.equal(labels.long(), values.argmax(dim=0))


def test_first_argmax_of_random_values_equals_torch_argmax() -> None:
    values = torch.randn((10, 64, 200), generator=torch.Generator().manual_seed(0)).round(decimals=1)
    assert torch.equal(first_argmax(values).long(), values.argmax(dim=0))


def test_first_argmax_compares_a_few_rows_at_a_time_and_equals_torch_argmax_in_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Two rows at a time: the NaN rows take torch's reduction, the others the loop, each equal to argmax.
    monkeypatch.setattr(predict_cog, "ARGMAX_PIXELS", 26)
    values = torch.randn((5, 9, 13), generator=torch.Generator().manual_seed(1)).round(decimals=1)
    values[3, 4, 7] = float("nan")
    values[1:, 8, 0] = 9.0
    assert torch.equal(first_argmax(values).long(), values.argmax(dim=0))
    assert torch.equal(first_argmax(values.double()).long(), values.argmax(dim=0))
