"""NAIP: 4-band quarter quads, found on disk only."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from geotorch.core import DatasetNotFoundError
from geotorch.datasets import NAIP
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
