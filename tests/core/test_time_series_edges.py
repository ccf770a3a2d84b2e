"""A file whose footprint only touches a query window's edge makes no time step and is not read."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import torch

from geotorch.core import BoundingBox, RasterDataset
from geotorch.core.handles import open_files
from tests.core.rasters import grid, write_raster


class Dated(RasterDataset):
    filename_glob = "*.tif"
    filename_regex = r"^(?P<tile>\w+)_(?P<date>\d{8})\.tif$"


def seconds(day: str) -> float:
    return datetime.strptime(day, "%Y%m%d").replace(tzinfo=UTC).timestamp()


def entry_boxes(dataset: RasterDataset) -> dict[str, list[tuple[float, ...]]]:
    """Each file's indexed boxes ``(minx, maxx, miny, maxy)`` in the dataset's CRS, by file name."""
    boxes: dict[str, list[tuple[float, ...]]] = {}
    for hit in dataset.index.intersection(dataset.index.bounds, objects=True):
        boxes.setdefault(Path(hit.object).name, []).append(tuple(hit.bounds[:4]))
    return boxes


#: Three 640 m tiles in EPSG:32631, each of its own date: W, E east of W, S south of W (touching E at a corner).
LEFT, TOP = 735360.0, 4987360.0
TILES = {"W_20200301": (LEFT, TOP, 1), "E_20200601": (LEFT + 640, TOP, 2), "S_20200901": (LEFT, TOP - 640, 3)}


@pytest.fixture
def tiles(tmp_path: Path) -> Path:
    for name, (left, top, pixel) in TILES.items():
        write_raster(tmp_path / f"{name}.tif", np.full((64, 64), pixel, "uint16"), 32631, grid(left, top, 10.0))
    return tmp_path


@pytest.mark.parametrize(
    ("window", "day", "pixel"),
    [
        ((LEFT + 600, LEFT + 640, TOP - 40, TOP), "20200301", 1),  # W, touching E's west edge
        ((LEFT + 600, LEFT + 640, TOP - 640, TOP - 600), "20200301", 1),  # W, touching E and S, and E's corner
        ((LEFT + 640, LEFT + 680, TOP - 40, TOP), "20200601", 2),  # E, touching W's east edge
        ((LEFT, LEFT + 40, TOP - 680, TOP - 640), "20200901", 3),  # S, touching W's south edge
        ((LEFT + 600, LEFT + 640, TOP - 680, TOP - 640), "20200901", 3),  # S, touching W's edge and E's corner
    ],
)
def test_a_window_aligned_to_a_tile_edge_has_only_the_dates_of_the_tiles_under_it(
    tiles: Path, window: tuple[float, float, float, float], day: str, pixel: int
) -> None:
    sample = Dated(tiles, time_series=True)[BoundingBox(*window)]
    assert sample["image"].shape == (1, 1, 4, 4), "no step of fill for a tile that only touches the window"
    assert sample["time"].tolist() == [seconds(day)]
    assert sample["image"].unique().tolist() == [pixel]


def test_a_window_across_a_tile_edge_has_the_dates_of_both_tiles(tiles: Path) -> None:
    sample = Dated(tiles, time_series=True)[BoundingBox(LEFT + 620, LEFT + 660, TOP - 40, TOP)]
    assert sample["time"].tolist() == [seconds("20200301"), seconds("20200601")]


def test_a_window_only_touching_the_data_has_no_step_and_raises(tiles: Path) -> None:
    with pytest.raises(IndexError, match=r"Dated: query BoundingBox\(.*only touches the edges"):
        Dated(tiles, time_series=True)[BoundingBox(LEFT + 1280, LEFT + 1320, TOP - 40, TOP)]


def test_without_time_series_a_tile_touching_the_window_is_not_opened(tiles: Path) -> None:
    dataset = Dated(tiles)
    open_files.clear()
    image = dataset[BoundingBox(LEFT + 600, LEFT + 640, TOP - 640, TOP - 600)]["image"]
    assert image.unique().tolist() == [1]
    assert len(open_files) == 1, "W only: E and S touch the window's edges"
    touching = dataset[BoundingBox(LEFT + 1280, LEFT + 1320, TOP - 40, TOP)]["image"]
    assert touching.unique().tolist() == [0], "a window touching the data holds fill, as before"


#: Tile A in UTM zone 31 (dated March) and tile B in zone 32 (dated June) overlapping 100 m across the seam.
A_LEFT, SEAM = 735360.0, 736000.0
ROWS = (4987000.0, 4987200.0)


@pytest.fixture
def zones(tmp_path: Path) -> Path:
    write_raster(tmp_path / "A_20200301.tif", np.full((64, 64), 1, "uint16"), 32631, grid(A_LEFT, TOP, 10.0))
    write_raster(tmp_path / "B_20200601.tif", np.full((80, 80), 2, "uint16"), 32632, grid(262990.0, 4987390.0, 10.0))
    return tmp_path


@pytest.mark.parametrize("crs", ["EPSG:32631", "EPSG:32632"])
def test_windows_aligned_to_reprojected_tile_edges_across_utm_zones(zones: Path, crs: str) -> None:
    dataset = Dated(zones, crs=crs, res=10.0, time_series=True)
    boxes = entry_boxes(dataset)
    (a_box,), (b_box,) = boxes["A_20200301.tif"], boxes["B_20200601.tif"]
    assert crs == "EPSG:32632" or a_box[1] == SEAM
    # East of A's indexed box (its own bounds, or its reprojection's densified box): B only.
    east_of_a = dataset[BoundingBox(a_box[1], a_box[1] + 40, *ROWS)]
    assert east_of_a["time"].tolist() == [seconds("20200601")]
    assert east_of_a["image"].unique().tolist() == [2]
    # West of B's indexed box (the box of its footprint, rotated in zone 31): A only.
    west_of_b = dataset[BoundingBox(b_box[0] - 40, b_box[0], *ROWS)]
    assert west_of_b["time"].tolist() == [seconds("20200301")]
    assert west_of_b["image"].unique().tolist() == [1]
    across = dataset[BoundingBox(b_box[0] - 40, a_box[1] + 40, *ROWS)]
    assert across["time"].tolist() == [seconds("20200301"), seconds("20200601")]


def test_windows_aligned_to_the_halves_of_a_file_across_the_antimeridian(tmp_path: Path) -> None:
    # A 0..360 grid at 175..185 degrees (two index entries: 175..180 and -180..-175) between two others.
    for name, left, pixel in (("west_20200301", 165.0, 1), ("mid_20200601", 175.0, 2), ("east_20200901", -175.0, 3)):
        write_raster(tmp_path / f"{name}.tif", np.full((10, 10), pixel, "uint8"), 4326, grid(left, 5.0, 1.0))
    dataset = Dated(tmp_path, crs="EPSG:4326", res=1.0, time_series=True)
    assert sorted(entry_boxes(dataset)["mid_20200601.tif"]) == [(-180.0, -175.0, -5.0, 5.0), (175.0, 180.0, -5.0, 5.0)]
    expected = {
        (170.0, 175.0): ("20200301", 1),
        (175.0, 180.0): ("20200601", 2),
        (-180.0, -175.0): ("20200601", 2),
        (-175.0, -170.0): ("20200901", 3),
    }
    for (minx, maxx), (day, pixel) in expected.items():
        sample = dataset[BoundingBox(minx, maxx, -2.0, 2.0)]
        assert sample["time"].tolist() == [seconds(day)], f"window {minx}..{maxx}"
        torch.testing.assert_close(sample["image"], torch.full((1, 1, 4, 5), float(pixel)))


def test_a_union_of_series_reads_only_the_operands_under_the_window(tiles: Path, tmp_path: Path) -> None:
    east = tmp_path / "east"
    east.mkdir()
    (tiles / "E_20200601.tif").rename(east / "E_20200601.tif")
    union = Dated(tiles, time_series=True) | Dated(east, time_series=True)
    sample = union[BoundingBox(LEFT + 600, LEFT + 640, TOP - 40, TOP)]
    assert sample["time"].tolist() == [seconds("20200301")], "E touches the window: not an operand under it"
    assert sample["image"].unique().tolist() == [1]
    with pytest.raises(IndexError, match="only touches the edges"):
        union[BoundingBox(LEFT + 1280, LEFT + 1320, TOP - 40, TOP)]
