"""Specification of GridGeoSampler: every pixel covered, each window once, the edge policy, ranks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np
import pytest
import rasterio
import shapely
import torch
from torch.utils.data import DataLoader

from geotorch.core import BoundingBox, stack_samples
from geotorch.samplers import GridGeoSampler, Units

if TYPE_CHECKING:
    from pathlib import Path

    from geotorch.samplers.utils import Size
    from tests.core.samplers.conftest import MakeTiles, Place


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
    patch_height, patch_width = (size, size) if isinstance(size, int) else size
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
        pixel = shapely.box(tile.minx + column * utm.res, tile.maxy - (row + 1) * utm.res,
                            tile.minx + (column + 1) * utm.res, tile.maxy - row * utm.res)
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
    shares = [list(GridGeoSampler(dataset, 6, rank=rank, world_size=world_size)) for rank in range(world_size)]
    visited = [tuple(window) for share in shares for window in share]
    assert sorted(visited) == sorted(tuple(window) for window in everything)
    assert max(map(len, shares)) - min(map(len, shares)) <= 1


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
