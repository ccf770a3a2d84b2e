"""Helpers of the spatiotemporal task tests: small random image series and sequences, padded to one length."""

from __future__ import annotations

from typing import Any

import torch
from torch.utils.data import Dataset

from geotorch.datamodules import NonGeoDataModule


class SyntheticSeries(Dataset[dict[str, Any]]):
    """``count`` random series of up to ``steps`` steps whose targets follow from their valid steps.

    Every sample has ``length`` valid steps (3 to ``steps``, by index) and zeros after them. ``kind`` is
    ``classes`` (``image`` ``(T, C, H, W)`` and an int64 ``mask`` ``(H, W)``: which third of the range the first
    band's mean over the valid steps falls in), ``binary`` (an int64 ``mask``, whether that mean is above 0.5),
    ``pixels`` (a float ``mask`` ``(H, W)``, that mean; ``(2, H, W)``, it and 1 - it, with ``outputs=2``) or
    ``sequence`` (``input`` ``(T, C)`` and a float ``target`` ``(out_steps, C)``, the last valid step repeated).
    """

    def __init__(self, kind: str, split: str = "train", count: int = 4, steps: int = 5, bands: int = 3,
                 size: int = 8, out_steps: int = 2, outputs: int = 1) -> None:  # fmt: skip
        generator = torch.Generator().manual_seed({"train": 0, "val": 1, "test": 2, "predict": 3}[split])
        self.series = torch.rand((count, steps, bands, size, size), generator=generator)
        self.lengths = [3 + index % (steps - 2) for index in range(count)]
        for series, length in zip(self.series, self.lengths, strict=True):
            series[length:] = 0
        self.kind, self.out_steps, self.outputs = kind, out_steps, outputs

    def __len__(self) -> int:
        return len(self.series)

    def __getitem__(self, index: int) -> dict[str, Any]:
        series, length = self.series[index], self.lengths[index]
        valid_mean = series[:length, 0].mean(dim=0)
        sample: dict[str, Any] = {"length": torch.tensor(length)}
        if self.kind == "sequence":
            sequence = series.mean(dim=(2, 3))
            return sample | {"input": sequence, "target": sequence[length - 1].expand(self.out_steps, -1).clone()}
        sample["image"] = series
        if self.kind == "classes":
            return sample | {"mask": (valid_mean * 3).long().clamp(max=2)}
        if self.kind == "binary":
            return sample | {"mask": (valid_mean > 0.5).long()}
        return sample | {"mask": valid_mean if self.outputs == 1 else torch.stack([valid_mean, 1 - valid_mean])}


class SyntheticSeriesDataModule(NonGeoDataModule):
    """A NonGeoDataModule over :class:`SyntheticSeries` (batches of ``(B, T, C, H, W)`` images)."""

    def __init__(self, kind: str, batch_size: int = 2, **kwargs: Any) -> None:
        super().__init__(SyntheticSeries, batch_size=batch_size, kind=kind, **kwargs)
