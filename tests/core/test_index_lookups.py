"""Each sample asks each dataset's R-tree once: the hits of that lookup are handed down to the read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rtree.index

from geotorch.core import BoundingBox, GeoDataset, RasterDataset, VectorDataset
from tests.core.rasters import grid, random_bands, write_raster


class Scenes(RasterDataset):
    filename_glob = "scene_*.tif"


class Classes(RasterDataset):
    filename_glob = "classes_*.tif"
    is_image = False


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every R-tree ``intersection`` call made while the test runs (the index it was asked of)."""
    calls: list[Any] = []
    original = rtree.index.Index.intersection

    def counted(index: rtree.index.Index, *args: Any, **kwargs: Any) -> Any:
        calls.append(index)
        return original(index, *args, **kwargs)

    monkeypatch.setattr(rtree.index.Index, "intersection", counted)
    return calls


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Two overlapping image tiles and a class raster under both, in one UTM zone."""
    write_raster(tmp_path / "scene_a.tif", random_bands((2, 40, 40)), 32617, grid(500000.0, 4000000.0))
    write_raster(tmp_path / "scene_b.tif", random_bands((2, 40, 40), seed=1), 32617, grid(500600.0, 4000000.0))
    write_raster(tmp_path / "classes_1.tif", np.full((60, 60), 3, dtype="uint8"), 32617, grid(500000.0, 4000000.0))
    return tmp_path


def _inside(dataset: GeoDataset) -> BoundingBox:
    """A 600 m query where both tiles and the class raster lie."""
    bounds = dataset.bounds
    return BoundingBox(500300.0, 500900.0, 3999400.0, 4000000.0, bounds.mint, bounds.maxt)


def test_a_raster_sample_asks_the_index_once(folder: Path, lookups: list[Any]) -> None:
    scenes = Scenes(folder)
    lookups.clear()
    sample = scenes[_inside(scenes)]
    assert sample["image"].shape == (2, 20, 20)
    assert lookups == [scenes.index]


def test_a_vector_sample_asks_the_index_once(tmp_path: Path, lookups: list[Any]) -> None:
    (tmp_path / "field.geojson").write_text(
        '{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:32617"}}, '
        '"features": [{"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": '
        "[[[500000, 3999000], [501000, 3999000], [501000, 4000000], [500000, 4000000], [500000, 3999000]]]}}]}"
    )
    fields = VectorDataset(tmp_path, res=30.0)
    lookups.clear()
    assert fields[_inside(fields)]["mask"].sum() == 400
    assert lookups == [fields.index]


def test_an_intersection_sample_asks_each_index_once(folder: Path, lookups: list[Any]) -> None:
    scenes, classes = Scenes(folder), Classes(folder)
    both = scenes & classes
    lookups.clear()
    sample = both[_inside(both)]
    assert sample["image"].shape == (2, 20, 20) and (sample["mask"] == 3).all()
    assert lookups == [both.index, scenes.index, classes.index]


def test_a_union_sample_asks_its_index_once_and_each_operand_twice(folder: Path, lookups: list[Any]) -> None:
    # The union reads each operand through its __getitem__ (which a subclass may extend), so the check of
    # which operands hold data there and that operand's own lookup are two.
    first, second = Scenes(folder), Scenes(folder)
    either = first | second
    lookups.clear()
    assert either[_inside(either)]["image"].shape == (2, 20, 20)
    assert lookups == [either.index, first.index, second.index, first.index, second.index]
