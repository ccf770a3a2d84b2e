"""NAIP: 4-band quarter quads, found on disk only."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from geotorch.core import DatasetNotFoundError
from geotorch.datasets import NAIP
from tests.datasets.fakes.geo import write_raster
from tests.datasets.fakes.products import write_naip_quad


def test_quads_with_and_without_processing_date_are_found(tmp_path: Path) -> None:
    write_naip_quad(tmp_path)
    write_naip_quad(tmp_path / "2021", "m_3807511_ne_18_060_20210612_20211020.tif")
    dataset = NAIP(root=tmp_path, bands=["NIR", "R", "G"])
    assert len(dataset) == 2
    assert datetime.fromtimestamp(dataset.bounds.mint, UTC) == datetime(2018, 11, 4, tzinfo=UTC)
    sample = dataset[dataset.bounds]
    assert sample["image"].shape == (3, 32, 32)


def test_missing_quads_say_where_to_get_them(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match=rf"{tmp_path}.*EarthExplorer"):
        NAIP(root=tmp_path, download=True)


def write_rgb_quad(folder: Path) -> Path:
    """A 3-band natural-colour quad (R 10, G 20, B 30), as the early years and the aws-naip ``rgb`` COGs are."""
    data = np.stack([np.full((32, 32), value, "uint8") for value in (10, 20, 30)])
    return write_raster(folder / "m_3807511_ne_18_1_20130805.tif", data, 26918, 300000.0, 4300000.0, 1.0)


def test_rgb_quads_are_read_for_their_bands(tmp_path: Path) -> None:
    write_rgb_quad(tmp_path)
    dataset = NAIP(root=tmp_path, bands=["B", "G", "R"])
    assert dataset[dataset.bounds]["image"][:, 0, 0].tolist() == [30.0, 20.0, 10.0]
    write_naip_quad(tmp_path / "2018")
    series = NAIP(root=tmp_path, bands=["B", "G", "R"], time_series=True)
    assert series[series.bounds]["image"].shape[:2] == (2, 3), "RGB and RGBN quads of a place, a series"


def test_rgb_quads_and_the_default_bands_name_the_bands_to_choose(tmp_path: Path) -> None:
    quad = write_rgb_quad(tmp_path)
    with pytest.raises(ValueError, match=r"has 3.*need 4; choose bands among \['R', 'G', 'B'\]") as error:
        NAIP(root=tmp_path)
    assert str(quad) in str(error.value)
