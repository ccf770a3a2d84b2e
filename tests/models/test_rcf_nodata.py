"""Empirical RCF filters are cut from real pixels only: a scene's nodata (read as NaN) never enters a filter."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from geotorch.core import RasterDataset
from geotorch.models import RCF
from geotorch.samplers import GridGeoSampler

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real"
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/data/real is not here (a fresh clone has none)")


def _chips(path: Path, size: int = 64) -> list[dict[str, torch.Tensor]]:
    """Every ``size`` px chip of a real scene, its nodata read as NaN (``nodata=nan``)."""
    dataset = RasterDataset(path, nodata=float("nan"))
    return [dataset[query] for query in GridGeoSampler(dataset, size, size)]


@needs_real
def test_filters_of_a_scene_with_a_nodata_collar_are_finite() -> None:
    # The Landsat 7 subset's black collar (nodata 0) is NaN in most of its 64 px chips.
    chips = _chips(REAL / "RGB.byte.tif")
    assert any(chip["image"].isnan().any() for chip in chips)
    model = RCF(in_channels=3, features=32, kernel_size=3, seed=0, mode="empirical", dataset=chips)
    assert model.weights.isfinite().all()
    scene = chips[len(chips) // 2]["image"].nan_to_num(0.0)
    assert model(scene).isfinite().all()


@needs_real
def test_filters_are_drawn_from_real_pixels_of_a_partly_empty_chip() -> None:
    chips = _chips(REAL / "RGB.byte.tif")
    partial = next(chip for chip in chips if 0.3 < chip["image"].isnan().float().mean() < 0.9)
    model = RCF(in_channels=3, features=8, kernel_size=5, seed=1, mode="empirical", dataset=[partial])
    assert model.weights.shape == (4, 3, 5, 5)
    assert model.weights.isfinite().all()


@needs_real
def test_a_dataset_of_nodata_only_is_refused_saying_so() -> None:
    chips = _chips(REAL / "all-nodata.tif")
    with pytest.raises(ValueError, match=r"no 3 x 3 window of the dataset's \d+ images is free of NaN or infinite"):
        RCF(in_channels=4, features=8, kernel_size=3, seed=0, mode="empirical", dataset=chips)
