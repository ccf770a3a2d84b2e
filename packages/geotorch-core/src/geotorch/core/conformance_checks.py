"""The conformance kit's checks of one sample: its tensors' types, its equality to another, a recording transform."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from geotorch.core.sample import Sample

#: Key the kit's recording transform adds to every sample it returns.
TRANSFORM_MARK = "conformance_transform_call"


def check_tensors(sample: Sample, owner: str, image_ndim: int = 3, mask_dtype: torch.dtype = torch.long) -> None:
    """Assert that ``sample`` holds a float image and/or a ``(H, W)``/``(C, H, W)`` mask of ``mask_dtype``.

    Args:
        sample: what the dataset returned.
        owner: names the dataset (and index or variant) in failure messages.
        image_ndim: 3 for ``(C, H, W)`` images, 4 for ``(T, C, H, W)`` (time series, image pairs).
        mask_dtype: the mask's type: int64 class ids by default, a float type for a continuous target.

    When both are present they must cover the same pixels.
    """
    assert isinstance(sample, dict), f"{owner}: a sample must be a dict, got {type(sample).__name__}"
    assert "image" in sample or "mask" in sample, f"{owner}: a sample needs 'image' or 'mask', got {sorted(sample)}"
    if "image" in sample:
        image = sample["image"]
        layout = "(C, H, W)" if image_ndim == 3 else "(T, C, H, W)"
        assert isinstance(image, torch.Tensor), f"{owner}: 'image' must be a Tensor, got {type(image).__name__}"
        assert image.is_floating_point(), f"{owner}: 'image' must be float, got {image.dtype}"
        assert image.ndim == image_ndim, f"{owner}: 'image' must be {layout}, got shape {tuple(image.shape)}"
    if "mask" in sample:
        mask = sample["mask"]
        assert isinstance(mask, torch.Tensor), f"{owner}: 'mask' must be a Tensor, got {type(mask).__name__}"
        expected = "long (int64)" if mask_dtype == torch.long else str(mask_dtype)
        assert mask.dtype == mask_dtype, f"{owner}: 'mask' must be {expected}, got {mask.dtype}"
        assert mask.ndim in (2, 3), f"{owner}: 'mask' must be (H, W) or (C, H, W), got shape {tuple(mask.shape)}"
    if "image" in sample and "mask" in sample:
        assert sample["image"].shape[-2:] == sample["mask"].shape[-2:], (
            f"{owner}: 'image' {tuple(sample['image'].shape)} and 'mask' {tuple(sample['mask'].shape)} "
            f"cover different pixels"
        )


def check_same_sample(expected: Sample, actual: Sample, owner: str) -> None:
    """Assert that two samples hold the same keys and equal values (tensors bit for bit, NaN equal to NaN)."""
    assert sorted(actual) == sorted(expected), f"{owner}: keys {sorted(actual)} instead of {sorted(expected)}"
    for key, value in expected.items():
        other = actual[key]
        if isinstance(value, torch.Tensor):
            same = (isinstance(other, torch.Tensor) and other.dtype == value.dtype and other.shape == value.shape
                    and bool(torch.isclose(other, value, rtol=0, atol=0, equal_nan=True).all()))
        elif isinstance(value, np.ndarray):
            same = isinstance(other, np.ndarray) and np.array_equal(value, other, equal_nan=value.dtype.kind in "fc")
        else:
            same = bool(value == other)
        assert same, f"{owner}: {key!r} differs"


def variant_id(variant: Mapping[str, Any]) -> str:
    """A test id for a variant: ``split=train``, ``bands=B04,B03,B02``."""
    def spell(value: Any) -> str:
        if isinstance(value, (list, tuple)):
            return ",".join(str(item) for item in value)
        return str(value)

    return "-".join(f"{key}={spell(value)}" for key, value in variant.items()) or "defaults"


class RecordingTransform:
    """A transform that records each sample it receives and marks each one it returns.

    It returns a new dict: the sample plus ``TRANSFORM_MARK`` (the number of
    the call, from 0), so a dataset that calls it but keeps its own sample is
    caught. Module-level and holding only samples, so it pickles.
    """

    def __init__(self) -> None:
        self.received: list[Sample] = []

    def __call__(self, sample: Sample) -> Sample:
        """Record ``sample``; return a copy with ``TRANSFORM_MARK`` set to this call's number."""
        self.received.append(sample)
        return {**sample, TRANSFORM_MARK: len(self.received) - 1}
