"""Datamodules refuse bad loader and patch arguments when they are built, naming the argument."""

from __future__ import annotations

import math

import pytest

from geotorch.datamodules import EuroSATDataModule, GeoDataModule

BAD_COUNTS = [math.nan, math.inf, -1, 0, 2.5, True, "8", None]


@pytest.mark.parametrize("value", BAD_COUNTS)
def test_a_bad_batch_size_is_refused_naming_it(value: object) -> None:
    with pytest.raises((TypeError, ValueError), match=r"EuroSATDataModule: batch_size="):
        EuroSATDataModule(batch_size=value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [math.nan, -1, 1.5, "2", False])
def test_a_bad_num_workers_is_refused_naming_it(value: object) -> None:
    with pytest.raises((TypeError, ValueError), match=r"GeoDataModule: num_workers="):
        GeoDataModule(num_workers=value)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["patch_size", "stride", "predict_stride"])
@pytest.mark.parametrize("value", [math.nan, math.inf, -64, 0, "64", (64, math.nan), (64, 64, 64), True])
def test_a_bad_patch_size_or_stride_is_refused_naming_it(name: str, value: object) -> None:
    with pytest.raises((TypeError, ValueError), match=rf"GeoDataModule: {name}="):
        GeoDataModule(**{name: value})


@pytest.mark.parametrize("value", [math.nan, math.inf, -5, 0, 10.5, "100"])
def test_a_bad_length_is_refused_naming_it(value: object) -> None:
    with pytest.raises((TypeError, ValueError), match=r"GeoDataModule: length="):
        GeoDataModule(length=value)  # type: ignore[arg-type]


def test_good_arguments_are_kept_as_given() -> None:
    datamodule = GeoDataModule(batch_size=8.0, num_workers=0, patch_size=(32, 64), length=100, stride=16)  # type: ignore[arg-type]
    assert (datamodule.batch_size, datamodule.num_workers) == (8, 0) and type(datamodule.batch_size) is int
    assert (datamodule.patch_size, datamodule.length, datamodule.stride) == ((32, 64), 100, 16)
