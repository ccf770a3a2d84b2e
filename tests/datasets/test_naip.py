"""NAIP: 4-band quarter quads, found on disk only."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from geotorch.core import DatasetNotFoundError
from geotorch.core.testing import GeoDatasetConformance
from geotorch.datasets import NAIP
from tests.datasets.fakes.geo import reflectance, write_raster


def write_quad(folder: Path, name: str = "m_3807511_ne_18_060_20181104.tif") -> Path:
    """Write a 4-band uint8 quarter quad (R, G, B, NIR) at 0.6 m in EPSG:26918."""
    data = np.stack([reflectance((32, 32), band, dtype="uint16") // 100 for band in range(4)]).astype("uint8")
    return write_raster(folder / name, data, 26918, 300000.0, 4300000.0, 0.6)


class TestNAIPConformance(GeoDatasetConformance):
    @pytest.fixture
    def dataset(self, tmp_path: Path) -> NAIP:
        write_quad(tmp_path)
        return NAIP(root=tmp_path)


def test_quads_with_and_without_processing_date_are_found(tmp_path: Path) -> None:
    write_quad(tmp_path)
    write_quad(tmp_path / "2021", "m_3807511_ne_18_060_20210612_20211020.tif")
    dataset = NAIP(root=tmp_path, bands=["NIR", "R", "G"])
    assert len(dataset) == 2
    assert datetime.fromtimestamp(dataset.bounds.mint, UTC) == datetime(2018, 11, 4, tzinfo=UTC)
    sample = dataset[dataset.bounds]
    assert sample["image"].shape == (3, 32, 32)


def test_missing_quads_say_where_to_get_them(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match=rf"{tmp_path}.*EarthExplorer"):
        NAIP(root=tmp_path, download=True)
