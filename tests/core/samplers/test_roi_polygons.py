"""roi_split takes TorchGeo 0.10.1's rois, shapely rectangles, as it takes BoundingBoxes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import shapely

from geotorch.core import BoundingBox, GeoDataset, RasterDataset
from geotorch.samplers import GridGeoSampler, roi_split

#: A real Landsat 7 ETM+ subset (UTM 18N, 300 m, 791 x 718 px; see ../shared/data/real/README.md).
REAL_SCENE = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "real" / "RGB.byte.tif"


@pytest.fixture
def scene() -> RasterDataset:
    if not REAL_SCENE.is_file():
        pytest.skip(f"real geodata not found at {REAL_SCENE.resolve()} (the project root's ../shared/data/real)")
    return RasterDataset(REAL_SCENE)


def entries(view: GeoDataset) -> list[BoundingBox]:
    return sorted((BoundingBox(*hit.bounds) for hit in view.index.intersection(view.index.bounds, objects=True)),
                  key=tuple)


def test_shapely_rectangles_split_as_the_same_bounding_boxes(scene: RasterDataset) -> None:
    west, east, south, north = 101985.0, 339315.0, 2611485.0, 2826915.0
    cut = west + 400 * 300.0379266750948
    # Before: AttributeError "'Polygon' object has no attribute 'maxx'" (TorchGeo 0.10.1's roi_split takes Polygons).
    polygons = roi_split(scene, [shapely.box(west, south, cut, north), shapely.box(cut, south, east, north)])
    boxes = roi_split(scene, [BoundingBox(west, cut, south, north), BoundingBox(cut, east, south, north)])
    assert [entries(view) for view in polygons] == [entries(view) for view in boxes]
    assert [len(GridGeoSampler(view, 64)) for view in polygons] == [len(GridGeoSampler(view, 64)) for view in boxes]
    # A MultiPolygon of rectangles is its rectangles' parts, a polygon drawn clockwise or from another corner alike.
    halves = shapely.MultiPolygon([shapely.box(west, south, cut, 2700000.0), shapely.box(west, 2700000.0, cut, north)])
    clockwise = shapely.Polygon([(cut, south), (cut, north), (east, north), (east, south)])
    assert sum(part.area for part in entries(roi_split(scene, [halves])[0])) == pytest.approx(entries(boxes[0])[0].area)
    assert entries(roi_split(scene, [clockwise])[0]) == entries(boxes[1])


def test_overlapping_rectangles_are_refused_as_boxes_are(scene: RasterDataset) -> None:
    with pytest.raises(ValueError, match=r"roi_split: rois 0 \(POLYGON .*\) and 1 \(POLYGON .*\) overlap"):
        roi_split(scene, [shapely.box(101985.0, 2611485.0, 250000.0, 2826915.0),
                          shapely.box(200000.0, 2611485.0, 339315.0, 2826915.0)])


@pytest.mark.parametrize(("roi", "error", "message"), [
    (shapely.Polygon([(101985.0, 2611485.0), (339315.0, 2611485.0), (101985.0, 2826915.0)]), ValueError,
     r"roi_split: rois\[0\] is a Polygon that is not a rectangle along the axes \(50% of its bounds' area\): a view "
     r"indexes boxes; give it as rectangles \(shapely.box or BoundingBox\)"),
    ((101985.0, 200000.0, 2611485.0, 2826915.0), TypeError,
     r"roi_split: rois\[0\]=\(101985.0, 200000.0, 2611485.0, 2826915.0\) is a tuple; give a BoundingBox or a "
     r"shapely rectangle \(Polygon\) in the dataset's CRS"),
])
def test_an_roi_that_is_no_rectangle_is_refused_naming_it(
    scene: RasterDataset, roi: Any, error: type[Exception], message: str
) -> None:
    # Before: AttributeError "'Polygon' object has no attribute 'maxx'" ("'tuple' object ...").
    with pytest.raises(error, match=message):
        roi_split(scene, [roi])
