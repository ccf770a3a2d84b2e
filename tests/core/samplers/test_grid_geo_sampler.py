"""Specification of GridGeoSampler: every pixel covered, each window once, the edge policy, ranks."""

from __future__ import annotations

import time
import tracemalloc
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np
import pytest
import rasterio
import shapely
import torch
from torch.utils.data import DataLoader

from geotorch.core import BoundingBox, RasterDataset, stack_samples
from geotorch.samplers import GridGeoSampler, Units
from tests.core.samplers.places import Place

if TYPE_CHECKING:
    from pathlib import Path

    from geotorch.samplers.utils import Size
    from tests.core.samplers.places import MakeTiles


def coverage(windows: list[BoundingBox], bounds: BoundingBox, res: float) -> np.ndarray:
    """How many windows cover each pixel of the tile with ``bounds``."""
    height, width = round((bounds.maxy - bounds.miny) / res), round((bounds.maxx - bounds.minx) / res)
    counts = np.zeros((height, width), dtype=int)
    for window in windows:
        columns = slice(max(0, round((window.minx - bounds.minx) / res)), round((window.maxx - bounds.minx) / res))
        rows = slice(max(0, round((bounds.maxy - window.maxy) / res)), round((bounds.maxy - window.miny) / res))
        counts[rows, columns] += 1
    return counts


def pixel_boxes(windows: list[BoundingBox], origin: BoundingBox, res: float) -> list[tuple[int, int, int, int]]:
    """Windows as ``(column, row, width, height)`` pixels from the top-left corner of ``origin``."""
    return [
        (
            round((window.minx - origin.minx) / res),
            round((origin.maxy - window.maxy) / res),
            round((window.maxx - window.minx) / res),
            round((window.maxy - window.miny) / res),
        )
        for window in windows
    ]


def spatial(box: BoundingBox) -> BoundingBox:
    return BoundingBox(box.minx, box.maxx, box.miny, box.maxy)


def test_grid_sampler_covers_every_pixel_once_per_window(make_tiles: MakeTiles, place: Place) -> None:
    tiles = [("west", 0, 0, 23, 17), ("east", 30, 4, 10, 30), ("overlap", 15, 10, 20, 12)]
    dataset = make_tiles(place, tiles)
    windows = list(GridGeoSampler(dataset, (6, 8), stride=(5, 7)))
    assert len(windows) == len(set(windows))
    for spec in tiles:
        assert (coverage(windows, place.bounds(*spec[1:]), place.res) >= 1).all(), spec[0]
    assert {box[2:] for box in pixel_boxes(windows, dataset.bounds, place.res)} == {(8, 6)}


def test_grid_sampler_last_row_and_column_end_at_the_edge(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, [("tile", 0, 0, 20, 14)])
    windows = list(GridGeoSampler(dataset, 8))
    columns_rows = [(column, row) for column, row, _, _ in pixel_boxes(windows, dataset.bounds, utm.res)]
    assert columns_rows == [(0, 0), (8, 0), (12, 0), (0, 6), (8, 6), (12, 6)]


def test_grid_sampler_stride_is_in_the_same_units_as_size(make_tiles: MakeTiles, place: Place) -> None:
    dataset = make_tiles(place, [("tile", 0, 0, 20, 14)])
    in_pixels = list(GridGeoSampler(dataset, (4, 8), stride=(3, 5)))
    in_crs = list(
        GridGeoSampler(dataset, (4 * place.res, 8 * place.res), stride=(3 * place.res, 5 * place.res), units=Units.CRS)
    )
    assert pixel_boxes(in_pixels, dataset.bounds, place.res) == pixel_boxes(in_crs, dataset.bounds, place.res)
    assert [column for column, row, _, _ in pixel_boxes(in_pixels, dataset.bounds, place.res) if row == 0] == [
        0,
        5,
        10,
        12,
    ]


def test_grid_sampler_area_smaller_than_the_patch_gets_one_window_at_its_top_left(
    make_tiles: MakeTiles, utm: Place
) -> None:
    dataset = make_tiles(utm, [("large", 10, 0, 20, 20), ("small", 0, 5, 4, 4)])
    windows = list(GridGeoSampler(dataset, 8))
    assert utm.bounds(0, 5, 8, 8) in [spatial(window) for window in windows]


@pytest.mark.parametrize(
    ("width", "height", "size"),
    [
        (10, 7, 32),
        (20, 40, (16, 32)),
        (40, 5, 8),
        (5, 40, 8),
        (32, 16, 8),
        (23, 17, (6, 8)),
        (8, 8, 8),
        (9, 9, 8),
    ],
    ids=["smaller", "smaller-in-x", "smaller-in-y", "narrower-in-x", "multiple", "not-multiple", "equal", "one-more"],
)
def test_grid_sampler_covers_every_pixel_of_any_area_with_whole_windows(
    make_tiles: MakeTiles, place: Place, width: int, height: int, size: Size
) -> None:
    dataset = make_tiles(place, [("field", 0, 0, width, height)])
    windows = list(GridGeoSampler(dataset, size))
    patch_height, patch_width = (size, size) if isinstance(size, (int, float)) else size
    boxes = pixel_boxes(windows, dataset.bounds, place.res)
    assert (coverage(windows, dataset.bounds, place.res) >= 1).all()
    assert {box[2:] for box in boxes} == {(patch_width, patch_height)}, "every window has the requested size"
    for offset, extent, patch in ((0, width, patch_width), (1, height, patch_height)):
        starts = {box[offset] for box in boxes}
        if extent < patch:
            assert starts == {0}, "an area narrower than a window is read from its top-left corner"
        else:
            assert all(0 <= start <= extent - patch for start in starts), "windows stay inside a wide enough area"


def test_grid_sampler_roi_smaller_than_the_patch_gets_one_window_at_its_top_left(
    make_tiles: MakeTiles, utm: Place
) -> None:
    dataset = make_tiles(utm, [("tile", 0, 0, 40, 40)])
    windows = [spatial(window) for window in GridGeoSampler(dataset, 16, roi=utm.bounds(5, 3, 6, 4))]
    assert windows == [utm.bounds(5, 3, 16, 16)]


def test_grid_sampler_roi_narrower_than_the_patch_in_x_only_is_covered(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, [("tile", 0, 0, 40, 40)])
    roi = utm.bounds(5, 3, 6, 30)
    windows = list(GridGeoSampler(dataset, 16, roi=roi))
    assert pixel_boxes(windows, roi, utm.res) == [(0, 0, 16, 16), (0, 14, 16, 16)]
    assert (coverage(windows, roi, utm.res) >= 1).all()


def test_grid_sampler_polygon_field_smaller_than_the_patch_gets_one_window(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, [("tile", 0, 0, 40, 40)])
    box = utm.bounds(12, 20, 6, 5)
    corners = [(box.minx, box.miny), (box.maxx, box.miny), (box.maxx, box.maxy), (box.minx + 20, box.maxy)]
    field = shapely.Polygon(corners)
    windows = [spatial(window) for window in GridGeoSampler(dataset, 32, roi=field)]
    assert windows == [utm.bounds(12, 20, 32, 32)]


def test_prediction_over_a_file_smaller_than_the_patch_reads_it_at_the_top_left_of_one_padded_sample(
    make_tiles: MakeTiles, place: Place, tmp_path: Path
) -> None:
    dataset = make_tiles(place, [("field", 0, 0, 10, 7)])
    loader = DataLoader(dataset, batch_size=4, sampler=GridGeoSampler(dataset, 32), collate_fn=stack_samples)
    [batch] = list(loader)
    assert batch["image"].shape == (1, 1, 32, 32)
    with rasterio.open(tmp_path / "tiles0" / "field.tif") as source:
        pixels = torch.from_numpy(source.read(1).astype(np.float32))
    image = batch["image"][0, 0]
    assert torch.equal(image[:7, :10], pixels)
    assert not image[7:, :].any()
    assert not image[:, 10:].any()


def test_grid_sampler_window_of_a_small_area_stays_inside_the_data(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, [("large", 10, 0, 20, 20), ("small", 30, 17, 4, 4)])
    windows = [spatial(window) for window in GridGeoSampler(dataset, 8)]
    assert utm.bounds(26, 13, 8, 8) in windows
    assert all(window in spatial(dataset.bounds) for window in windows)
    assert (coverage(windows, utm.bounds(30, 17, 4, 4), utm.res) >= 1).all()


def test_grid_sampler_windows_stay_inside_the_roi_box_and_cover_it(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, [("tile", 0, 0, 40, 40)])
    roi = utm.bounds(5, 3, 21, 17)
    windows = list(GridGeoSampler(dataset, 8, roi=roi))
    assert all(spatial(window) in roi for window in windows)
    assert (coverage(windows, roi, utm.res) >= 1).all()


def test_grid_sampler_roi_off_the_pixel_grid_gives_windows_on_whole_pixels(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, [("tile", 0, 0, 40, 40)])
    whole = utm.bounds(5, 3, 21, 17)
    roi = BoundingBox(whole.minx - 4.0, whole.maxx + 3.0, whole.miny - 2.5, whole.maxy + 7.5)
    assert list(GridGeoSampler(dataset, 8, roi=roi)) == list(GridGeoSampler(dataset, 8, roi=whole))


def test_grid_sampler_keeps_the_windows_sharing_area_with_the_roi_polygon(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, [("tile", 0, 0, 40, 40)])
    tile = dataset.bounds
    triangle = shapely.Polygon([(tile.minx, tile.miny), (tile.maxx, tile.miny), (tile.minx, tile.maxy)])
    in_box = list(GridGeoSampler(dataset, 5, roi=tile))
    in_triangle = list(GridGeoSampler(dataset, 5, roi=triangle))
    assert in_triangle == [w for w in in_box if triangle.intersection(shapely.box(w.minx, w.miny, w.maxx, w.maxy)).area]
    assert 0 < len(in_triangle) < len(in_box)


def test_grid_sampler_covers_every_pixel_inside_the_roi_polygon(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, [("tile", 0, 0, 40, 40)])
    tile = dataset.bounds
    disc = shapely.Point((tile.minx + tile.maxx) / 2, (tile.miny + tile.maxy) / 2).buffer(150.0)
    windows = list(GridGeoSampler(dataset, 8, stride=6, roi=disc))
    counts = coverage(windows, tile, utm.res)
    for row, column in zip(*np.nonzero(counts == 0), strict=True):
        pixel = shapely.box(
            tile.minx + column * utm.res,
            tile.maxy - (row + 1) * utm.res,
            tile.minx + (column + 1) * utm.res,
            tile.maxy - row * utm.res,
        )
        assert disc.intersection(pixel).area == 0, (row, column)
    assert (counts > 0).sum() < counts.size


def test_grid_sampler_polygon_sliver_gets_the_windows_along_it(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, [("tile", 0, 0, 40, 40)])
    tile = dataset.bounds
    sliver = shapely.Polygon([(tile.minx, tile.miny), (tile.maxx, tile.maxy), (tile.minx + 1, tile.miny)])
    windows = list(GridGeoSampler(dataset, 4, roi=sliver))
    assert 10 <= len(windows) < 100
    assert all(sliver.intersection(shapely.box(w.minx, w.miny, w.maxx, w.maxy)).area > 0 for w in windows)


def test_grid_sampler_toi_limits_the_time(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, [("scene_20200101", 0, 0, 20, 20), ("scene_20210101", 0, 0, 20, 20)])
    toi = (datetime(2020, 6, 1, tzinfo=UTC), datetime(2021, 6, 1, tzinfo=UTC))
    windows = list(GridGeoSampler(dataset, 10, toi=toi))
    assert len(windows) == 4
    assert {window.mint for window in windows} == {datetime(2021, 1, 1, tzinfo=UTC).timestamp()}


def test_grid_sampler_yields_identical_windows_of_identical_entries_once(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, [("copy", 0, 0, 20, 20), ("original", 0, 0, 20, 20)])
    assert len(dataset) == 2
    assert len(GridGeoSampler(dataset, 10)) == 4


@pytest.mark.parametrize("world_size", [2, 3, 5])
def test_grid_sampler_ranks_partition_a_pass(make_tiles: MakeTiles, utm: Place, world_size: int) -> None:
    dataset = make_tiles(utm, [("west", 0, 0, 23, 17), ("east", 30, 4, 10, 30)])
    everything = list(GridGeoSampler(dataset, 6))
    shares = [list(GridGeoSampler(dataset, 6, rank=rank, world_size=world_size, even=False))
              for rank in range(world_size)]
    visited = [tuple(window) for share in shares for window in share]
    assert sorted(visited) == sorted(tuple(window) for window in everything)
    assert max(map(len, shares)) - min(map(len, shares)) <= 1
    # Even (the default), every rank yields ceil(windows / world_size), each window at least once.
    even = [list(GridGeoSampler(dataset, 6, rank=rank, world_size=world_size)) for rank in range(world_size)]
    assert [len(share) for share in even] == [-(-len(everything) // world_size)] * world_size
    assert {tuple(window) for share in even for window in share} == {tuple(window) for window in everything}


@pytest.mark.parametrize("stride", [0, -1, (2, 0)])
def test_grid_sampler_stride_must_be_positive(make_tiles: MakeTiles, utm: Place, stride: Size) -> None:
    dataset = make_tiles(utm, [("tile", 0, 0, 20, 14)])
    with pytest.raises(ValueError, match="stride="):
        GridGeoSampler(dataset, 4, stride=stride)


def test_grid_sampler_roi_outside_the_data_is_a_value_error(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, [("tile", 0, 0, 20, 14)])
    with pytest.raises(ValueError, match="does not intersect"):
        GridGeoSampler(dataset, 4, roi=utm.bounds(30, 0, 10, 10))


def test_grid_sampler_feeds_a_dataloader_with_stack_samples(make_tiles: MakeTiles, place: Place) -> None:
    dataset = make_tiles(place, [("tile", 0, 0, 20, 14)])
    sampler = GridGeoSampler(dataset, (4, 8), stride=4)
    loader = DataLoader(dataset, batch_size=10, sampler=sampler, collate_fn=stack_samples)
    assert [batch["image"].shape for batch in loader] == [(10, 1, 4, 8), (6, 1, 4, 8)]


#: A 1 m grid whose top-left corner is (0, 20): pixel (row, column) spans x column..column+1, y 19-row..20-row.
METRES = Place("EPSG:32633", 0.0, 20.0, 1.0)


def file_pixels(tmp_path: Path, name: str = "tiles0/tile.tif") -> np.ndarray:
    with rasterio.open(tmp_path / name) as source:
        return np.asarray(source.read(1), dtype=np.float32)


def test_grid_sampler_roi_thinner_than_a_pixel_gets_one_window_of_the_pixels_under_it(
    make_tiles: MakeTiles, tmp_path: Path
) -> None:
    dataset = make_tiles(METRES, [("tile", 0, 0, 20, 20)])
    roi = BoundingBox(3.2, 4.7, 10.2, 10.7)
    [window] = list(GridGeoSampler(dataset, 4, roi=roi))
    assert spatial(window) == BoundingBox(3.0, 7.0, 7.0, 11.0)
    image = dataset[window]["image"][0].numpy()
    assert np.array_equal(image[:1, :2], file_pixels(tmp_path)[9:10, 3:5]), "the touched pixels, read unresampled"


@pytest.mark.parametrize(
    ("roi", "window"),
    [
        (BoundingBox(3.2, 3.7, 10.2, 10.7), BoundingBox(3.0, 7.0, 7.0, 11.0)),
        (BoundingBox(3.0, 4.0, 10.0, 11.0), BoundingBox(3.0, 7.0, 7.0, 11.0)),
        (BoundingBox(18.6, 19.4, 0.3, 0.6), BoundingBox(18.0, 22.0, -3.0, 1.0)),
        (BoundingBox(3.2, 3.7, 2.0, 12.0), BoundingBox(3.0, 7.0, 8.0, 12.0)),
    ],
    ids=["inside-one-pixel", "one-whole-pixel", "last-pixel-padded", "thin-in-x-only"],
)
def test_grid_sampler_rois_holding_no_whole_pixel_along_an_axis_take_the_pixels_they_touch(
    make_tiles: MakeTiles, roi: BoundingBox, window: BoundingBox
) -> None:
    dataset = make_tiles(METRES, [("tile", 0, 0, 20, 20)])
    windows = [spatial(found) for found in GridGeoSampler(dataset, 4, roi=roi)]
    assert windows[0] == window
    assert all(found.minx == window.minx for found in windows)


def test_grid_sampler_roi_without_area_is_refused(make_tiles: MakeTiles) -> None:
    dataset = make_tiles(METRES, [("tile", 0, 0, 20, 20)])
    with pytest.raises(ValueError, match="has no area"):
        GridGeoSampler(dataset, 4, roi=BoundingBox(3.0, 3.0, 10.0, 10.5))


def test_grid_sampler_roi_off_the_grid_narrower_than_the_window_reads_whole_pixels(
    make_tiles: MakeTiles, tmp_path: Path
) -> None:
    dataset = make_tiles(METRES, [("tile", 0, 0, 20, 20)])
    roi = BoundingBox(0.5, 5.9, 14.1, 19.5)
    [window] = list(GridGeoSampler(dataset, 5, roi=roi))
    assert spatial(window) == BoundingBox(1.0, 6.0, 14.0, 19.0), "the 4 x 4 whole pixels of the roi, at the top-left"
    image = dataset[window]["image"][0].numpy()
    assert np.array_equal(image, file_pixels(tmp_path)[1:6, 1:6])


@pytest.mark.parametrize(
    ("size", "stride", "pixels"),
    [(2.5, None, 3), (2.4, None, 2), (0.5, None, 1), (1.49, 1.0, 1), (7.0, 2.6, 7)],
)
def test_grid_sampler_sizes_in_crs_units_are_rounded_to_whole_pixels_on_the_grid(
    make_tiles: MakeTiles, tmp_path: Path, size: float, stride: float | None, pixels: int
) -> None:
    dataset = make_tiles(Place("EPSG:32633", 0.25, 20.0, 1.0), [("tile", 0, 0, 20, 20)])
    windows = list(GridGeoSampler(dataset, size, stride, units=Units.CRS))
    assert {box[2:] for box in pixel_boxes(windows, dataset.bounds, 1.0)} == {(pixels, pixels)}
    for window in windows:
        assert (window.minx - 0.25).is_integer() and window.maxy.is_integer()
    assert (coverage(windows, dataset.bounds, 1.0) >= 1).all()
    first = windows[0]
    assert np.array_equal(dataset[first]["image"][0].numpy(), file_pixels(tmp_path)[:pixels, :pixels])


def test_grid_sampler_skips_windows_of_an_entry_already_laid_by_an_overlapping_one(
    make_tiles: MakeTiles, utm: Place
) -> None:
    dataset = make_tiles(utm, [("big", 0, 0, 20, 20), ("top", 0, 0, 20, 14), ("shifted", 8, 0, 12, 20)])
    windows = list(GridGeoSampler(dataset, 8))
    assert len(windows) == len(set(windows))
    assert pixel_boxes(windows, dataset.bounds, utm.res)[:9] == [
        (column, row, 8, 8) for row in (0, 8, 12) for column in (0, 8, 12)
    ]
    # The second entry's bottom row (row 6) is new; the third entry's windows all repeat the first's.
    assert pixel_boxes(windows, dataset.bounds, utm.res)[9:] == [(0, 6, 8, 8), (8, 6, 8, 8), (12, 6, 8, 8)]


def test_grid_sampler_lays_a_pass_of_a_billion_windows_without_holding_them(tmp_path: Path) -> None:
    folder = tmp_path / "fine"
    folder.mkdir()
    profile = {"driver": "GTiff", "count": 1, "width": 40, "height": 20, "dtype": "uint8", "crs": "EPSG:32633"}
    with rasterio.open(folder / "tile.tif", "w", transform=rasterio.Affine(1.0, 0, 0, 0, -1.0, 20.0), **profile) as out:
        out.write(np.ones((1, 20, 40), dtype=np.uint8))
    # 40 x 20 m at 1 mm: 40,000 x 20,000 pixels, one window each.
    dataset = RasterDataset(folder, res=0.001)
    started = time.perf_counter()
    tracemalloc.start()
    sampler = GridGeoSampler(dataset, 1, rank=3, world_size=200_000_000)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(GridGeoSampler(dataset, 1)) == 800_000_000
    windows = list(sampler)
    assert time.perf_counter() - started < 30
    assert peak < 10_000_000, "laying the grid holds no array of windows"
    assert len(windows) == len(sampler) == 4
    assert [round(window.minx / 0.001) for window in windows] == [3, 3, 3, 3]
    assert [round((20.0 - window.maxy) / 0.001) for window in windows] == [0, 5000, 10000, 15000]


@pytest.mark.parametrize(("corner", "size"), [((5, 3), 8), ((30, 33), 8), ((36, 2), (6, 9)), ((1, 36), 16)])
@pytest.mark.parametrize("shape", ["box", "polygon"])
def test_grid_sampler_one_window_holds_every_pixel_of_a_field_smaller_than_it_off_the_pixel_grid(
    make_tiles: MakeTiles, utm: Place, corner: tuple[int, int], size: Size, shape: str
) -> None:
    # A field 2.6 x 2.3 pixels whose edges cut pixels: its one window starts at the top-left pixel the field
    # touches, so it holds the pixels the field's edges cut too (their centres may lie in the field).
    dataset = make_tiles(utm, [("tile", 0, 0, 40, 40)])
    whole = utm.bounds(*corner, 2, 2)
    field = BoundingBox(whole.minx - 4.0, whole.maxx + 2.0, whole.miny - 1.0, whole.maxy + 2.0)
    roi = field if shape == "box" else shapely.box(field.minx, field.miny, field.maxx, field.maxy)
    windows = list(GridGeoSampler(dataset, size, roi=roi))
    assert len(windows) == 1
    window, touched = windows[0], utm.bounds(corner[0] - 1, corner[1] - 1, 4, 4)
    assert (window.minx, window.maxy) == (touched.minx, touched.maxy)
    assert window.maxx >= touched.maxx and window.miny <= touched.miny
    image = dataset[window]["image"][0]
    assert image.shape[-2:] == ((size, size) if isinstance(size, int) else size)
