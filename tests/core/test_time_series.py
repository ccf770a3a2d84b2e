"""RasterDataset(time_series=True): (T, C, H, W) samples, one step per acquisition across tile seams and UTM zones."""

from __future__ import annotations

import math
import pickle
import re
import shutil
from collections.abc import Hashable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch
from torch.utils.data import DataLoader

from geotorch.core import BoundingBox, RasterDataset, stack_samples, unbind_samples
from geotorch.core.handles import open_files
from geotorch.samplers import SequentialTimestampSampler
from tests.core.rasters import grid, write_raster

#: The acquisition dates and the letter that makes their file names sort out of time order.
DATES = {"20200301": "z", "20200601": "m", "20200901": "a"}
#: Tile A in UTM zone 31 ends at x = 736000 (about 6 degrees east, the zone's edge); tile B lies in zone 32.
A_LEFT, A_TOP, SEAM = 735360.0, 4987360.0, 736000.0
#: A window across the seam, 100 m on each side, in EPSG:32631.
ACROSS = BoundingBox(SEAM - 100, SEAM + 100, 4987000.0, 4987200.0)


def seconds(day: str) -> float:
    return datetime.strptime(day, "%Y%m%d").replace(tzinfo=UTC).timestamp()


def value(step: int, band: int, tile: str) -> int:
    """The pixel value of every pixel of ``band`` of ``tile`` at the ``step``-th date."""
    return 1000 * (step + 1) + (500 if tile == "B" else 0) + band


class Series(RasterDataset):
    filename_glob = "*.tif"
    filename_regex = r"^(?P<tile>[AB])_(?P<pass>[a-z])_(?P<date>\d{8})\.tif$"


class Labels(RasterDataset):
    filename_glob = "labels_*.tif"
    filename_regex = r"^labels_(?P<date>\d{8})\.tif$"
    is_image = False


def write_tiles(folder: Path, bands: int = 2) -> Path:
    """3 dates x 2 tiles: A (64 px square, 10 m, EPSG:32631) and B (80 px, EPSG:32632) overlapping A's east edge."""
    for step, (day, letter) in enumerate(DATES.items()):
        a = np.stack([np.full((64, 64), value(step, band, "A"), "uint16") for band in range(bands)])
        write_raster(folder / f"A_{letter}_{day}.tif", a, 32631, grid(A_LEFT, A_TOP, 10.0))
        b = np.stack([np.full((80, 80), value(step, band, "B"), "uint16") for band in range(bands)])
        # (SEAM - 100, A_TOP + 100) in EPSG:32632, rounded to 10 m: B starts 100 m west of the seam.
        write_raster(folder / f"B_{letter}_{day}.tif", b, 32632, grid(262990.0, 4987390.0, 10.0))
    return folder


@pytest.fixture
def series(tmp_path: Path) -> Series:
    return Series(write_tiles(tmp_path / "series"), crs="EPSG:32631", res=10.0, time_series=True)


def write_labels(folder: Path) -> Path:
    classes = np.repeat(np.arange(1, 5, dtype="uint8"), 30)[None].repeat(100, axis=0)
    return write_raster(folder / "labels_20190615.tif", classes, 32631, grid(735400.0, 4987300.0, 10.0))


def test_a_window_across_a_utm_seam_has_one_step_per_date_in_time_order(series: Series) -> None:
    sample = series[ACROSS]
    image = sample["image"]
    assert image.shape == (3, 2, 20, 20) and image.dtype == torch.float32
    assert sample["time"].dtype == torch.float64
    assert sample["time"].tolist() == [seconds(day) for day in DATES]
    for step in range(3):
        for band in range(2):
            assert image[step, band, :, :10].unique().tolist() == [value(step, band, "A")], "west of the seam: A"
            assert image[step, band, :, 12:].unique().tolist() == [value(step, band, "B")], "east of it: B"


def test_files_mosaic_into_one_image_without_time_series(tmp_path: Path) -> None:
    sample = Series(write_tiles(tmp_path), crs="EPSG:32631", res=10.0)[ACROSS]
    assert sample["image"].shape == (2, 20, 20) and "time" not in sample


def test_a_time_slice_selects_the_dates_inside_it(series: Series) -> None:
    june = series[ACROSS.minx : ACROSS.maxx, ACROSS.miny : ACROSS.maxy, datetime(2020, 5, 1) : datetime(2020, 7, 1)]
    assert june["image"].shape == (1, 2, 20, 20)
    assert june["image"][0, 0, 0, 0] == value(1, 0, "A")
    later = series[
        BoundingBox(ACROSS.minx, ACROSS.maxx, ACROSS.miny, ACROSS.maxy, seconds("20200501"), seconds("20201231"))
    ]
    assert later["time"].tolist() == [seconds("20200601"), seconds("20200901")]
    assert later["image"][:, 1, 0, -1].tolist() == [value(1, 1, "B"), value(2, 1, "B")]


def test_an_empty_time_slice_raises_naming_the_query(series: Series) -> None:
    with pytest.raises(IndexError, match=r"query BoundingBox\(.*mint=2021-01-01"):
        series[ACROSS.minx : ACROSS.maxx, ACROSS.miny : ACROSS.maxy, datetime(2021, 1, 1) : datetime(2021, 2, 1)]
    with pytest.raises(ValueError, match="mint"):
        series[ACROSS.minx : ACROSS.maxx, ACROSS.miny : ACROSS.maxy, datetime(2020, 9, 1) : datetime(2020, 3, 1)]


@pytest.mark.parametrize("missing", [pd.NaT, np.datetime64("NaT"), np.datetime64("NaT", "ns"), math.nan])
def test_a_nat_time_limit_is_refused_naming_it_as_a_nan_one_is(series: Series, missing: object) -> None:
    # pd.NaT raised "NaTType does not support timestamp"; numpy's NaT TypeError "BoundingBox: mint=None must be
    # a number". None, not NaT, is the open limit (pandas' own loc[NaT:] selects nothing rather than all).
    x, y = slice(ACROSS.minx, ACROSS.maxx), slice(ACROSS.miny, ACROSS.maxy)
    with pytest.raises(ValueError, match=r"BoundingBox: mint=\S+ must be finite, not NaN, NaT or infinite; leave"):
        series[x, y, missing : datetime(2020, 7, 1)]
    with pytest.raises(ValueError, match=r"BoundingBox: maxt=\S+ must be finite, not NaN, NaT or infinite; leave"):
        series[x, y, datetime(2020, 5, 1) : missing]
    with pytest.raises(ValueError, match=r"BoundingBox: mint=NaT must be finite"):
        BoundingBox(*tuple(ACROSS)[:4], pd.NaT, seconds("20200701"))  # type: ignore[arg-type]
    assert series[x, y, None : datetime(2020, 7, 1)]["time"].tolist() == [seconds("20200301"), seconds("20200601")]


def test_a_numpy_time_limit_past_year_9999_is_read_in_seconds(series: Series) -> None:
    # Its .item() is an int of microseconds, which was taken for seconds: maxt 2.534e17 instead of 2.534e11.
    x, y = slice(ACROSS.minx, ACROSS.maxx), slice(ACROSS.miny, ACROSS.maxy)
    assert series[x, y, datetime(2020, 5, 1) : np.datetime64("10000-01-01")]["bounds"].maxt == 253402300800.0


def test_intersection_with_a_label_of_another_date_keeps_every_date(series: Series, tmp_path: Path) -> None:
    labels = Labels(write_labels(tmp_path / "labels"))
    both = series & labels
    assert both.time_series
    assert (both.bounds.mint, both.bounds.maxt) == (series.bounds.mint, series.bounds.maxt), "the series' dates"
    sample = both[ACROSS]
    assert sample["image"].shape == (3, 2, 20, 20) and sample["time"].shape == (3,)
    assert sample["mask"].shape == (20, 20) and sample["mask"].dtype == torch.long
    assert sample["mask"].unique().tolist() == [2, 3], "the label's classes under the window"
    june = both[BoundingBox(*tuple(ACROSS)[:4], seconds("20200501"), seconds("20200701"))]
    assert june["image"].shape == (1, 2, 20, 20) and june["mask"].shape == (20, 20), "label dated 2019 still read"
    assert (labels & series).bounds.mint == series.bounds.mint, "the series' dates, whichever operand it is"
    flipped = (labels & series)[ACROSS]
    assert flipped["image"].shape == (3, 2, 20, 20) and flipped["mask"].shape == (20, 20)


def test_intersection_with_a_single_date_image_repeats_it_at_every_step(series: Series, tmp_path: Path) -> None:
    class Elevation(RasterDataset):
        filename_glob = "dem.tif"

    elevation = np.full((100, 100), 250, "float32")
    dem = Elevation(write_raster(tmp_path / "dem.tif", elevation, 32631, grid(735400.0, 4987300.0, 10.0)))
    image = (series & dem)[ACROSS]["image"]
    assert image.shape == (3, 3, 20, 20)
    assert image[:, 2].unique().tolist() == [250.0] and image[2, 0, 0, 0] == value(2, 0, "A")


def test_stack_samples_gives_batch_time_channels_and_pads_shorter_series(series: Series) -> None:
    full = series[ACROSS]
    batch = stack_samples([full, full])
    assert batch["image"].shape == (2, 3, 2, 20, 20) and batch["time"].shape == (2, 3)
    assert "length" not in batch
    june = series[BoundingBox(*tuple(ACROSS)[:4], seconds("20200501"), seconds("20200701"))]
    padded = stack_samples([june, full])
    assert padded["image"].shape == (2, 3, 2, 20, 20)
    assert padded["length"].tolist() == [1, 3] and padded["length"].dtype == torch.int64
    assert (padded["image"][0, 1:] == 0).all() and padded["image"][0, 0, 0, 0, 0] == value(1, 0, "A")
    assert padded["time"][0, 0] == seconds("20200601") and padded["time"][0, 1:].isnan().all()


def test_unbind_samples_of_a_padded_batch_gives_each_series_its_own_steps(series: Series, tmp_path: Path) -> None:
    # Each unbound sample kept the batch's 3 steps (zeros, time NaN) and a 'length': image (3, 2, 20, 20) for 1 step.
    for step, day in enumerate(DATES):
        write_raster(tmp_path / "labels" / f"labels_{day}.tif", np.full((100, 120), step + 1, "uint8"), 32631,
                     grid(735400.0, 4987300.0, 10.0))  # fmt: skip
    both = series & Labels(tmp_path / "labels", time_series=True)
    june = both[BoundingBox(*tuple(ACROSS)[:4], seconds("20200501"), seconds("20200701"))]
    full = both[ACROSS]
    batch = stack_samples([june, full])
    assert batch["length"].tolist() == [1, 3] and batch["mask"].shape == (2, 3, 20, 20)
    for unbound, given in zip(unbind_samples(batch), [june, full], strict=True):
        assert unbound.keys() == given.keys(), "no 'length': the sample's steps are all its own"
        for key in ("image", "mask", "time", "transform"):
            assert torch.equal(unbound[key], given[key]), key
    assert unbind_samples(batch)[0]["mask"].unique().tolist() == [2]
    again = stack_samples(unbind_samples(batch))
    assert again.keys() == batch.keys() and torch.equal(again["image"], batch["image"])


def test_stack_samples_pads_an_integer_time_with_its_no_time_keeping_every_time_exact(tmp_path: Path) -> None:
    # Raised RuntimeError 'value cannot be converted to type int64_t without overflow' (NaN into int64).
    def whole_seconds(sample: dict[str, Any]) -> dict[str, Any]:
        return {**sample, "time": sample["time"].to(torch.int64)}

    series = Series(write_tiles(tmp_path / "series"), crs="EPSG:32631", res=10.0, time_series=True,
                    transforms=whole_seconds)  # fmt: skip
    june, full = series[BoundingBox(*tuple(ACROSS)[:4], seconds("20200501"), seconds("20200701"))], series[ACROSS]
    batch = stack_samples([june, full])
    assert batch["time"].dtype == torch.int64 and batch["length"].tolist() == [1, 3]
    assert batch["time"].tolist() == [
        [int(seconds("20200601")), -(2**63), -(2**63)],
        [int(seconds(day)) for day in DATES],
    ]
    shown = batch["time"].numpy().astype("datetime64[s]")
    assert np.isnat(shown[0, 1:]).all() and shown[0, 0] == np.datetime64("2020-06-01"), "the padding reads as NaT"
    assert unbind_samples(batch)[0]["time"].tolist() == [int(seconds("20200601"))]
    with pytest.raises(ValueError, match="'time' is a bool tensor: it holds no NaN"):
        stack_samples([{**june, "time": june["time"] > 0}, {**full, "time": full["time"] > 0}])


def test_stack_samples_pads_an_integer_time_beside_a_float_one_with_nan(tmp_path: Path) -> None:
    # The int64 series was padded with -2**63 and stacked as float64: [t, -9.2e18, -9.2e18], a time.
    def whole_seconds(sample: dict[str, Any]) -> dict[str, Any]:
        return {**sample, "time": sample["time"].to(torch.int64)}

    folder = write_tiles(tmp_path / "series")
    floats = Series(folder, crs="EPSG:32631", res=10.0, time_series=True)
    whole = Series(folder, crs="EPSG:32631", res=10.0, time_series=True, transforms=whole_seconds)
    june = whole[BoundingBox(*tuple(ACROSS)[:4], seconds("20200501"), seconds("20200701"))]
    batch = stack_samples([june, floats[ACROSS]])
    assert batch["time"].dtype == torch.float64 and batch["length"].tolist() == [1, 3]
    assert batch["time"][0, 0].item() == seconds("20200601") and batch["time"][0, 1:].isnan().all()
    assert batch["time"][1].tolist() == [seconds(day) for day in DATES]


def test_stack_samples_refuses_series_of_different_sizes_naming_them(series: Series) -> None:
    small = series[BoundingBox(ACROSS.minx, ACROSS.minx + 100, ACROSS.miny, ACROSS.maxy)]
    with pytest.raises(
        ValueError, match=r"'image' tensors have different shapes \[\(3, 2, 20, 10\), \(3, 2, 20, 20\)\]"
    ):
        stack_samples([series[ACROSS], small])


def test_a_dataloader_batches_chips_as_batch_time_channels(series: Series) -> None:
    queries = [
        BoundingBox(ACROSS.minx + 10 * shift, ACROSS.maxx + 10 * shift, ACROSS.miny, ACROSS.maxy) for shift in range(4)
    ]
    batch = next(iter(DataLoader(series, sampler=queries, batch_size=4, collate_fn=stack_samples)))
    assert batch["image"].shape == (4, 3, 2, 20, 20)
    assert batch["time"][:, 0].tolist() == [seconds("20200301")] * 4


def test_a_pickled_series_reads_the_same(series: Series) -> None:
    again = pickle.loads(pickle.dumps(series))
    torch.testing.assert_close(again[ACROSS]["image"], series[ACROSS]["image"])


def test_cache_false_closes_the_files_after_each_read(tmp_path: Path) -> None:
    folder = write_tiles(tmp_path)
    open_files.clear()
    uncached = Series(folder, crs="EPSG:32631", res=10.0, cache=False, time_series=True)
    assert uncached.cache is False
    image = uncached[ACROSS]["image"]
    assert len(open_files) == 0, "cache=False leaves no file open"
    cached = Series(folder, crs="EPSG:32631", res=10.0, time_series=True)
    torch.testing.assert_close(cached[ACROSS]["image"], image)
    assert len(open_files) == 6


class Passes(RasterDataset):
    filename_glob = "*.tif"
    filename_regex = r"^(?P<tile>[AB])_(?P<date>\d{8}T\d{6})\.tif$"
    date_format = "%Y%m%dT%H%M%S"


class SameDay(Passes):
    def acquisition_key(self, path: Path, match: re.Match[str]) -> Hashable:
        return match.group("date")[:8]


def write_pass(folder: Path, tile_a: int = 7, tile_b: int = 9) -> Path:
    """One pass over tiles A (10:00:00) and B (10:00:12, in the next UTM zone), 1 March 2020."""
    write_raster(folder / "A_20200301T100000.tif", np.full((64, 64), tile_a, "uint16"), 32631,
                 grid(A_LEFT, A_TOP, 10.0))
    write_raster(folder / "B_20200301T100012.tif", np.full((80, 80), tile_b, "uint16"), 32632,
                 grid(262990.0, 4987390.0, 10.0))
    return folder


def test_acquisition_key_joins_tiles_whose_times_differ(tmp_path: Path) -> None:
    write_pass(tmp_path)
    apart = Passes(tmp_path, crs="EPSG:32631", res=10.0, time_series=True)[ACROSS]
    assert apart["image"].shape == (2, 1, 20, 20), "by default, different times are different steps"
    joined = SameDay(tmp_path, crs="EPSG:32631", res=10.0, time_series=True)[ACROSS]
    assert joined["image"].shape == (1, 1, 20, 20)
    assert joined["image"][0, 0, :, :10].unique().tolist() == [7], "tile A west of the seam"
    assert joined["image"][0, 0, :, 12:].unique().tolist() == [9], "tile B east of it"
    assert joined["time"].tolist() == [datetime(2020, 3, 1, 10, tzinfo=UTC).timestamp()]


def test_an_acquisition_of_tiles_at_different_times_is_one_step_wherever_it_is_read(tmp_path: Path) -> None:
    # Its files were indexed at their own times: a window on tile B alone was dated 10:00:12 (one across the
    # seam 10:00:00), a query at 10:00:00 read tile A alone (B's half was fill), a timestamp sampler gave
    # two timestamps for the one pass, and & with a series dated 10:00:00 left tile B's windows out.
    series = SameDay(write_pass(tmp_path / "pass"), crs="EPSG:32631", res=10.0, time_series=True)
    ten = datetime(2020, 3, 1, 10, tzinfo=UTC).timestamp()
    east = BoundingBox(SEAM + 200, SEAM + 400, 4987000.0, 4987200.0)
    assert series[east]["time"].tolist() == [ten], "the pass's time, as across the seam"
    at_ten = series[ACROSS.minx : ACROSS.maxx, ACROSS.miny : ACROSS.maxy, ten:ten]
    assert at_ten["image"][0, 0, :, :10].unique().tolist() == [7]
    assert at_ten["image"][0, 0, :, 12:].unique().tolist() == [9], "tile B is read at the pass's time too"
    assert [query.mint for query in SequentialTimestampSampler(series)] == [ten]
    class Truth(Passes):
        filename_regex = r"^truth_(?P<date>\d{8}T\d{6})\.tif$"

    write_raster(tmp_path / "truth" / "truth_20200301T100000.tif", np.full((160, 160), 3, "uint16"), 32631,
                 grid(A_LEFT, A_TOP, 10.0))
    both = series & Truth(tmp_path / "truth", crs="EPSG:32631", res=10.0, time_series=True)
    assert both.bounds.maxx > SEAM + 400, "tile B's windows are indexed"
    assert both[east]["image"][:, :, 0, 0].tolist() == [[9.0, 3.0]]


def test_a_label_series_gives_masks_per_step(tmp_path: Path) -> None:
    class Classes(Labels):
        def labels_of(self, mask: torch.Tensor) -> torch.Tensor:
            assert mask.ndim == 2, "called on each step's (H, W) mask"
            return mask * 10

    for year, label in ((2021, 2), (2020, 1)):
        write_raster(
            tmp_path / f"labels_{year}0101.tif", np.full((8, 8), label, "uint8"), 32631, grid(A_LEFT, A_TOP, 10.0)
        )
    sample = Classes(tmp_path, time_series=True)[BoundingBox(A_LEFT, A_LEFT + 80, A_TOP - 80, A_TOP)]
    assert sample["mask"].shape == (2, 8, 8) and sample["mask"].dtype == torch.long
    assert sample["mask"][:, 0, 0].tolist() == [10, 20]


def test_files_of_different_band_counts_are_refused_naming_the_file(tmp_path: Path) -> None:
    write_tiles(tmp_path)
    write_raster(tmp_path / "A_b_20201001.tif", np.ones((3, 8, 8), "uint16"), 32631, grid(A_LEFT, A_TOP, 10.0))
    with pytest.raises(ValueError, match=r"A_b_20201001\.tif has 3 band\(s\) but .*\.tif has 2"):
        Series(tmp_path, time_series=True)


def test_a_regex_without_a_date_group_is_refused(tmp_path: Path) -> None:
    write_tiles(tmp_path)
    with pytest.raises(ValueError, match=r"RasterDataset: time_series=True needs .* filename_regex '\.\*' has no"):
        RasterDataset(tmp_path, time_series=True)


def test_a_file_without_a_date_is_refused_naming_it(tmp_path: Path) -> None:
    class Optional(RasterDataset):
        filename_regex = r"^scene(_(?P<date>\d{8}))?\.tif$"

    write_raster(tmp_path / "scene_20200301.tif", np.ones((8, 8), "uint16"), 32631, grid(A_LEFT, A_TOP, 10.0))
    write_raster(tmp_path / "scene.tif", np.ones((8, 8), "uint16"), 32631, grid(A_LEFT, A_TOP, 10.0))
    with pytest.raises(ValueError, match=r"scene\.tif has no date in its name"):
        Optional(tmp_path, time_series=True)


def test_plot_draws_one_panel_per_step_titled_with_its_date(series: Series, tmp_path: Path) -> None:
    import matplotlib.pyplot as plt

    sample = (series & Labels(write_labels(tmp_path / "labels")))[ACROSS]
    figure = series.plot(sample)
    titles = [axes.get_title() for axes in figure.axes]
    assert titles == ["Image 2020-03-01", "Image 2020-06-01", "Image 2020-09-01", "Mask"]
    plt.close(figure)


def test_plot_of_a_padded_batch_sample_draws_its_real_steps_only(series: Series) -> None:
    import matplotlib.pyplot as plt

    # Its padding steps were drawn too, as black panels titled 'Image open' (their time is NaN).
    june = BoundingBox(*tuple(ACROSS)[:4], seconds("20200501"), seconds("20200701"))
    short = unbind_samples(stack_samples([series[ACROSS], series[june]]))[1]
    figure = series.plot(short)
    assert [axes.get_title() for axes in figure.axes] == ["Image 2020-06-01"]
    plt.close(figure)


def test_union_of_two_series_of_the_same_dates_overlays_them_step_by_step(series: Series, tmp_path: Path) -> None:
    folder = write_tiles(tmp_path / "tiles")
    for tile in ("A", "B"):
        (tmp_path / tile).mkdir()
        for path in folder.glob(f"{tile}_*.tif"):
            path.rename(tmp_path / tile / path.name)
    west, east = (Series(tmp_path / tile, crs="EPSG:32631", res=10.0, time_series=True) for tile in ("A", "B"))
    assert (west | east).time_series, "a union of series is a series: & with a label keeps its dates"
    union = (west | east)[ACROSS]
    torch.testing.assert_close(union["image"], series[ACROSS]["image"])
    assert union["time"].tolist() == [seconds(day) for day in DATES]


def test_union_of_series_of_different_dates_has_the_steps_of_both_as_one_dataset_of_their_files(
    series: Series, tmp_path: Path
) -> None:
    folder = write_tiles(tmp_path / "tiles")
    (folder / "B_z_20200301.tif").unlink()  # east lacks the first date, west the last
    (folder / "A_a_20200901.tif").unlink()
    for tile in ("A", "B"):
        (tmp_path / tile).mkdir()
        for path in folder.glob(f"{tile}_*.tif"):
            shutil.copy(path, tmp_path / tile)
    west, east = (Series(tmp_path / tile, crs="EPSG:32631", res=10.0, time_series=True) for tile in ("A", "B"))
    union = (west | east)[ACROSS]
    one = Series(folder, crs="EPSG:32631", res=10.0, time_series=True)[ACROSS]
    assert union["time"].tolist() == one["time"].tolist() == [seconds(day) for day in DATES]
    torch.testing.assert_close(union["image"], one["image"])
    assert union["image"][0, 0, :, -1].unique().tolist() == [0.0], "east has no first date: fill"
    assert union["image"][2, 0].unique().tolist() == [value(2, 0, "B")], "west has no last date: east alone"


def test_files_with_more_bands_than_selected_join_a_series_of_named_bands(tmp_path: Path) -> None:
    class Named(Series):
        all_bands = ("red", "green")

    write_tiles(tmp_path)
    write_raster(tmp_path / "A_b_20201001.tif", np.ones((3, 64, 64), "uint16"), 32631, grid(A_LEFT, A_TOP, 10.0))
    sample = Named(tmp_path, crs="EPSG:32631", res=10.0, bands=["green"], time_series=True)[ACROSS]
    assert sample["image"].shape == (4, 1, 20, 20), "the 3-band file of October is read for its green band"
    write_raster(tmp_path / "A_c_20201101.tif", np.ones((1, 64, 64), "uint16"), 32631, grid(A_LEFT, A_TOP, 10.0))
    with pytest.raises(ValueError, match=r"A_c_20201101\.tif has 1 band\(s\) but the bands selected need 2"):
        Named(tmp_path, bands=["green"], time_series=True)


def test_a_series_of_a_real_landsat_subset_steps_through_its_dates(tmp_path: Path, real_data: Path) -> None:
    class Scenes(RasterDataset):
        filename_glob = "scene_*.tif"
        filename_regex = r"^scene_(?P<date>\d{8})\.tif$"

    for day in ("20200901", "20200301"):
        (tmp_path / f"scene_{day}.tif").symlink_to(real_data / "RGB.byte.tif")
    series = Scenes(tmp_path, crs="EPSG:4326", time_series=True)
    single = RasterDataset(real_data / "RGB.byte.tif", crs="EPSG:4326", res=series.res)
    query = BoundingBox(*tuple(single.bounds)[:4])
    sample = series[query]
    assert sample["image"].shape[:2] == (2, 3) and sample["time"].tolist() == [seconds("20200301"), seconds("20200901")]
    for step in range(2):
        torch.testing.assert_close(sample["image"][step], single[query]["image"])
    assert sample["image"].amax() > 0, "warped onto EPSG:4326, real pixels"
