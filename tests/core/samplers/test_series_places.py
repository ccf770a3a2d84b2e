"""series_places: spatial samplers over a time series' places yield each place once, reading all of its dates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.warp import Resampling, calculate_default_transform, reproject

from geotorch.core import RasterDataset
from geotorch.samplers import GridGeoSampler, RandomBatchGeoSampler, series_places
from tests.core.rasters import grid, write_raster
from tests.core.samplers.places import Place, Tiles
from tests.core.samplers.series import DATES, pixel_value, write_series

UTM = Place("EPSG:32633", 500_000.0, 4_000_000.0, 10.0)
#: Dates of the east tile: two of the west tile's six.
EAST_DATES = ["20200120", "20200415"]


def write_tiles(folder: Path) -> Path:
    """Two 8 x 8 tiles side by side: west at all six dates, east at two."""
    write_series(folder, UTM, [(("west", 0, 0, 8, 8), DATES), (("east", 8, 0, 8, 8), EAST_DATES)])
    return folder


def test_a_grid_over_the_places_visits_each_window_once_with_all_its_dates(tmp_path: Path) -> None:
    series = Tiles(write_tiles(tmp_path), time_series=True)
    windows = list(GridGeoSampler(series_places(series), 4))
    # 4 windows per tile, once each (over the series itself: once per date, 6 x 4 + 2 x 4, one date each).
    assert len(windows) == len({(box.minx, box.miny) for box in windows}) == 8
    assert len(list(GridGeoSampler(series, 4))) == 32
    for window in windows:
        number, dates = (0, DATES) if window.minx < UTM.left + 80 else (1, EAST_DATES)
        steps = series[window]["image"][:, 0, 0, 0].tolist()
        assert steps == [pixel_value(number, date) for date in dates]


def test_random_batches_over_the_places_weigh_tiles_by_their_area_alone(tmp_path: Path) -> None:
    series = Tiles(write_tiles(tmp_path), time_series=True)
    places = series_places(series)
    # The default length is the area over a patch's area: 2 tiles of 4 patches (32 counting each date's file).
    assert RandomBatchGeoSampler(places, 4, 2).length == 8
    assert RandomBatchGeoSampler(series, 4, 2).length == 32
    assert len(places) == 2 and places.bounds == series.bounds


class YearlyLabels(RasterDataset):
    """A class map per year, ``labels_<YYYY>.tif``."""

    filename_glob = "labels_*.tif"
    filename_regex = r"^labels_(?P<date>\d{4})\.tif$"
    date_format = "%Y"
    is_image = False


def test_a_series_beside_yearly_labels_is_a_place_a_year(tmp_path: Path) -> None:
    series = Tiles(write_tiles(tmp_path / "series"), time_series=True)
    for year in (2020, 2021):
        # Both tiles' area, labelled with the year's last digit.
        write_raster(tmp_path / "labels" / f"labels_{year}.tif", np.full((8, 16), year % 10, "uint8"), UTM.crs,
                     grid(UTM.left, UTM.top, UTM.res))
    dataset = series & YearlyLabels(tmp_path / "labels")
    windows = list(GridGeoSampler(series_places(dataset), 8))
    # Each tile once a year: the west tile's five dates of 2020 beside the 2020 map and its 2021 date beside the
    # 2021 map; the east tile has dates of 2020 only (a window of every date beside the 2020 map before).
    read = sorted((window.minx, dataset[window]["image"][:, 0, 0, 0].tolist(), int(dataset[window]["mask"][0, 0]))
                  for window in windows)
    west = [pixel_value(0, date) for date in DATES]
    east = [pixel_value(1, date) for date in EAST_DATES]
    assert read == [(UTM.left, west[:5], 0), (UTM.left, west[5:], 1), (UTM.left + 80, east, 0)]


def test_a_dataset_that_is_no_series_is_its_own_places(tmp_path: Path) -> None:
    single = Tiles(write_tiles(tmp_path))
    assert series_places(single) is single


class NamedTiles(Tiles):
    """Tiles that keep the names of their source products in ``datasets``, as a user's dataset may."""

    datasets = ("sentinel-2", "landsat")


def test_a_series_of_its_own_datasets_attribute_is_one_place_a_footprint(tmp_path: Path) -> None:
    # Its names were taken for the operands of a composite: AttributeError "'str' object has no attribute 'index'".
    places = series_places(NamedTiles(write_tiles(tmp_path), time_series=True))
    assert len(places) == 2


def test_scenes_of_one_place_framed_apart_at_each_date_are_one_place(tmp_path: Path) -> None:
    # A path/row's scenes at four dates, each framed a pixel or two apart along its track (as Landsat's are),
    # beside a neighbouring tile overlapping them by one column of eight (as neighbouring tiles' margins do).
    frames = [("scene", 0, 0), ("scene", 0, 1), ("scene", 0, 2), ("scene", 0, 1)]
    scenes = [((name, column, row, 8, 8), [date]) for (name, column, row), date in zip(frames, DATES, strict=False)]
    write_series(tmp_path, UTM, [*scenes, (("east", 7, 0, 8, 8), DATES[:2])])
    series = Tiles(tmp_path, time_series=True)
    places = series_places(series)
    # The scenes are one place, their frames' union (each frame was a place: its windows were visited once per
    # frame, a pixel or two apart, and each predicted into an output of its own); the neighbour is another.
    scene = UTM.bounds(0, 0, 8, 10)
    assert sorted(tuple(hit.bounds[:4]) for hit in places.index.intersection(places.index.bounds, objects=True)) == [
        (scene.minx, scene.maxx, scene.miny, scene.maxy),
        (UTM.left + 70, UTM.left + 150, UTM.top - 80, UTM.top),
    ]
    windows = list(GridGeoSampler(places, 4))
    # 2 x 3 windows over the scenes' 8 x 10 pixels and 2 x 2 over the neighbour (12 + 4 before).
    assert len(windows) == 10
    # A window where every frame has pixels holds all four dates.
    middle = next(window for window in windows if window.minx == UTM.left and window.maxy == UTM.top - 40)
    assert series[middle]["image"][:, 0, 0, 0].tolist() == [pixel_value(number, date) for number, date in
                                                            enumerate(DATES[:4])]


def test_frames_shifted_both_ways_stay_apart_where_their_box_holds_corners_of_no_file(tmp_path: Path) -> None:
    # Scenes shifted 2 pixels right and down at each date: their union's box holds corners no file covers, where a
    # window of the place would read no date (IndexError); each frame stays a place of its own.
    write_series(tmp_path, UTM, [(("scene", 2 * number, 2 * number, 10, 10), [date])
                                 for number, date in enumerate(DATES[:5])])
    series = Tiles(tmp_path, time_series=True)
    places = series_places(series)
    assert len(places) == 5
    for window in GridGeoSampler(places, 2):
        assert len(series[window]["image"]) >= 1


def test_a_date_delivered_in_another_crs_is_of_its_tile_place(tmp_path: Path) -> None:
    # The tile's second date came in the next UTM zone (as a scene near a zone edge may be processed): its footprint
    # in the series' CRS is the reprojected box, a little larger than the tile's, yet the same place.
    write_series(tmp_path, UTM, [(("tile", 0, 0, 8, 8), DATES[:1])])
    first = tmp_path / f"tile_{DATES[0]}.tif"
    with rasterio.open(first) as source:
        transform, width, height = calculate_default_transform(source.crs, "EPSG:32634", source.width,
                                                               source.height, *source.bounds)
        moved = np.zeros((1, height, width), "uint16")
        reproject(source.read(), moved, src_transform=source.transform, src_crs=source.crs,
                  dst_transform=transform, dst_crs="EPSG:32634", resampling=Resampling.nearest)
    write_raster(tmp_path / f"tile_{DATES[1]}.tif", moved, "EPSG:32634", transform, nodata=0)
    series = Tiles(tmp_path, time_series=True)
    assert series.crs == rasterio.crs.CRS.from_string(UTM.crs)
    places = series_places(series)
    # One place (two before: each window was visited twice, and predicted into two outputs).
    assert len(places) == 1
    windows = list(GridGeoSampler(places, 4))
    assert len(windows) == len({(window.minx, window.maxy) for window in windows})
    for window in windows:
        assert len(series[window]["image"]) == 2


def test_frames_shifted_both_ways_by_less_than_a_patch_are_one_place(tmp_path: Path) -> None:
    # Scenes shifted 2 pixels right and down at each date: their union's box (18 x 18 px) leaves corners of up to
    # 8 x 8 px that no file covers, where no window of 9 px fits.
    write_series(tmp_path, UTM, [(("scene", 2 * number, 2 * number, 10, 10), [date])
                                 for number, date in enumerate(DATES[:5])])
    series = Tiles(tmp_path, time_series=True)
    places = series_places(series, patch_size=9)
    assert len(places) == 1
    windows = list(GridGeoSampler(places, 9, 3))
    assert len(windows) == 4 * 4
    for window in windows:
        assert 1 <= len(series[window]["image"]) <= 5
    # The corners' boxes hold windows of 8 px: the frames stay apart.
    assert len(series_places(series, patch_size=8)) == 5


@pytest.mark.parametrize(("patch_size", "error"), [(0, ValueError), (2.5, ValueError), ("8", TypeError)])
def test_a_patch_size_that_is_no_pixel_count_is_refused_naming_it(tmp_path: Path, patch_size: object,
                                                                   error: type[Exception]) -> None:
    series = Tiles(write_tiles(tmp_path), time_series=True)
    with pytest.raises(error, match="series_places: patch_size="):
        series_places(series, patch_size=patch_size)  # type: ignore[arg-type]
