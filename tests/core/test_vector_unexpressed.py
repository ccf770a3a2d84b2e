"""A vector file of which the dataset's CRS draws no place is skipped naming it; the others are indexed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import shapely

from geotorch.core import VectorDataset
from tests.core.rasters import write_vector

#: GOES-East's full disk: Colorado lies on it, Australia on the far side of the Earth.
GOES_EAST = "+proj=geos +h=35786023 +lon_0=-75 +sweep=x +datum=WGS84 +units=m"


def test_a_file_on_the_far_side_is_skipped_naming_it(tmp_path: Path, real_data: Path) -> None:
    # The dataset failed: 'cannot index .../z_australia.geojson: its box ... = (inf, inf, inf, inf ...) is not a box'.
    shutil.copy(real_data / "rmnp.geojson", tmp_path / "rmnp.geojson")
    far = write_vector(tmp_path / "z_australia.geojson", [shapely.box(130.0, -30.0, 140.0, -20.0)], "EPSG:4326")
    with pytest.warns(UserWarning, match=rf"skipping {far}: its footprint .* cannot be expressed in '\+proj=geos"):
        dataset = VectorDataset(tmp_path, crs=GOES_EAST, res=100.0)
    assert {Path(str(hit.object)).name for hit in dataset.index.intersection(dataset.index.bounds, objects=True)} == {
        "rmnp.geojson"
    }
    assert dataset[dataset.bounds]["mask"].sum() > 0


def test_a_lone_file_on_the_far_side_is_refused_naming_it(tmp_path: Path) -> None:
    far = write_vector(tmp_path / "australia.geojson", [shapely.box(130.0, -30.0, 140.0, -20.0)], "EPSG:4326")
    with pytest.raises(ValueError, match=rf"{far}: its footprint .* cannot be expressed in"):
        VectorDataset(far, crs=GOES_EAST, res=100.0)
