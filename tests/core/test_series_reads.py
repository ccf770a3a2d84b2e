"""Time series read together (geotorch.core.series_reads): the same pixels as each date's own mosaic, bit for bit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
from rasterio.enums import Resampling

import geotorch.core.raster
import geotorch.core.series_reads
import geotorch.core.warp
from geotorch.core import BoundingBox, RasterDataset
from geotorch.core.grid import Grid
from geotorch.core.handles import FileHandleCache
from geotorch.core.mosaic import ReadPlan, read_mosaic
from geotorch.core.warp import PreparedWarp
from tests.core.rasters import grid, random_bands, write_raster

DATES = ("20200105", "20200210", "20200322", "20200430", "20200517", "20200628")
#: The zone seam (6 degrees east) in EPSG:32631; zone 31's tiles end there, zone 32's begin 150 m west of it.
SEAM, TOP = 736000.0, 4987360.0
#: The top-left corner of zone 32's tiles, (SEAM - 150, TOP + 150) in EPSG:32632 rounded to 10 m.
EAST_LEFT, EAST_TOP = 262940.0, 4987390.0


class Series(RasterDataset):
    filename_glob = "*.tif"
    filename_regex = r"^(?P<tile>[a-z]\d)_(?P<date>\d{8})\.tif$"


def write_series(folder: Path, nodata: float | None, dtype: str = "uint16") -> Path:
    """6 dates over 2 x 2 tiles of 4 bands: ``w0``/``w1`` in zone 31 (the second below the first), ``e0``/``e1`` in
    zone 32 beside them; ``e1`` of the 4th date on a grid shifted by 10 m; no ``e0`` at the 5th date.

    With ``nodata``, the 2nd date holds nodata in a corner of every tile (all bands) and the 3rd in one band only.
    """
    for step, date in enumerate(DATES):
        for row in range(2):
            for zone, left, top in (("w", SEAM - 640, TOP), ("e", EAST_LEFT, EAST_TOP)):
                if zone == "e" and row == 0 and step == 4:
                    continue
                shift = 10.0 if zone == "e" and row == 1 and step == 3 else 0.0
                bands = random_bands((4, 64, 64), dtype, seed=100 * step + 10 * row + (zone == "e"))
                if nodata is not None and step == 1:
                    bands[:, :20, -25:] = nodata
                if nodata is not None and step == 2:
                    bands[2, 30:40, 10:50] = nodata
                transform = grid(left + shift, top - 640 * row, 10.0)
                write_raster(
                    folder / f"{zone}{row}_{date}.tif",
                    bands,
                    32631 if zone == "w" else 32632,
                    transform,
                    nodata=nodata,
                    tiled=True,
                )
    return folder


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """The folder of :func:`write_series` for a nodata and a type, written once for this module."""
    folders: dict[str, Path] = {}

    def folder(nodata: float | None, dtype: str = "uint16") -> Path:
        name = f"{nodata}-{dtype}"
        if name not in folders:
            folders[name] = write_series(tmp_path_factory.mktemp(name), nodata, dtype)
        return folders[name]

    return folder


def windows(count: int, seed: int) -> list[BoundingBox]:
    """``count`` windows of 30 x 40 px at 10 m across seams and corners, and outside every file in places."""
    rng = np.random.default_rng(seed)
    lefts = SEAM - 700 + 10 * rng.integers(0, 110, count)
    tops = TOP + 100 - 10 * rng.integers(0, 130, count)
    return [BoundingBox(float(x), float(x) + 300, float(y) - 400, float(y)) for x, y in zip(lefts, tops, strict=True)]


def per_date(
    handles: FileHandleCache, steps: Sequence[Sequence[str]], indexes: Sequence[int], grid: Grid, plan: ReadPlan
) -> np.ndarray:
    """The read this module replaces: each date's mosaic on its own."""
    return np.stack([read_mosaic(handles, files, indexes, grid, plan) for files in steps])


def samples(dataset: RasterDataset, queries: list[BoundingBox]) -> list[dict[str, Any]]:
    return [dataset[query] for query in queries]


def assert_same(ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> None:
    for one, other in zip(ours, theirs, strict=True):
        key = "image" if "image" in one else "mask"
        assert one[key].dtype == other[key].dtype
        assert one[key].shape == other[key].shape
        assert np.array_equal(one[key].numpy(), other[key].numpy(), equal_nan=True), one["bounds"]
        assert np.array_equal(one["time"].numpy(), other["time"].numpy())


@pytest.fixture
def stacked(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The bands and target pixels of each of series_reads' GDAL warps (a spy)."""
    counts: list[tuple[int, int]] = []
    warp = geotorch.core.series_reads.warp_prepared

    def spy(prepared: PreparedWarp, target: Grid, fill: float, dtype: np.dtype[np.generic]) -> tuple[np.ndarray, ...]:
        out, received = warp(prepared, target, fill, dtype)
        counts.append((len(out), out.shape[1] * out.shape[2]))
        return out, received

    monkeypatch.setattr(geotorch.core.series_reads, "warp_prepared", spy)
    return counts


@pytest.mark.parametrize("resampling", [Resampling.nearest, Resampling.bilinear, Resampling.cubic])
@pytest.mark.parametrize(("nodata", "dataset_nodata"), [(None, None), (0, None), (0, 7)])
def test_dates_read_together_equal_each_dates_own_mosaic(
    written: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    stacked: list[tuple[int, int]],
    resampling: Resampling,
    nodata: float | None,
    dataset_nodata: float | None,
) -> None:
    dataset = Series(written(nodata), crs="EPSG:32631", res=10.0, time_series=True)
    dataset.resampling = resampling
    if dataset_nodata is not None:
        dataset.nodata = dataset_nodata
    queries = windows(12, seed=int(resampling))
    together = samples(dataset, queries)
    monkeypatch.setattr(geotorch.core.raster, "read_series", per_date)
    assert_same(together, samples(dataset, queries))
    if dataset_nodata is None:
        # The windows of zone 32's dates were warped 4 bands x several dates at a time (with a dataset nodata
        # that the random pixels hold, most windows miss pixels and are warped alone).
        assert max(bands for bands, _ in stacked) >= 4 * 3


def test_dates_of_float_pixels_with_nan_nodata_read_together_equal_their_own_mosaics(
    written: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, stacked: list[tuple[int, int]]
) -> None:
    dataset = Series(written(float("nan"), "float32"), crs="EPSG:32631", res=10.0, time_series=True)
    queries = windows(12, seed=3)
    together = samples(dataset, queries)
    monkeypatch.setattr(geotorch.core.raster, "read_series", per_date)
    assert_same(together, samples(dataset, queries))
    assert max(bands for bands, _ in stacked) >= 4 * 3


def test_a_stack_past_gdals_warp_memory_is_cut_and_reads_the_same(
    written: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, stacked: list[tuple[int, int]]
) -> None:
    dataset = Series(written(None), crs="EPSG:32631", res=10.0, time_series=True)
    queries = windows(10, seed=5)
    together = samples(dataset, queries)
    whole = len(stacked)
    # Room for about 2 dates of a 30 x 40 px window (more of the smaller windows of later files).
    monkeypatch.setattr(geotorch.core.series_reads, "WARP_MEMORY_LIMIT", 2 * (30 * 40 + 40 * 50) * 33 * 4 // 8)
    stacked.clear()
    cut = samples(dataset, queries)
    assert len(stacked) > whole
    assert 4 < max(bands for bands, _ in stacked) < 4 * 6
    monkeypatch.setattr(geotorch.core.raster, "read_series", per_date)
    assert_same(together, samples(dataset, queries))
    assert_same(cut, together)


def test_masks_and_separate_band_files_read_the_same_as_each_dates_mosaic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_series(tmp_path / "series", None)
    for path in sorted((tmp_path / "series").glob("*.tif")):
        with_bands = random_bands((2, 64, 64), seed=len(path.name))
        with rasterio.open(path) as source:
            crs, transform = source.crs, source.transform
        for name, band in zip("xy", with_bands, strict=True):
            write_raster(tmp_path / "bands" / f"{path.stem}_{name}.tif", band, crs, transform)

    class Labels(Series):
        is_image = False

    class Bands(RasterDataset):
        filename_glob = "*.tif"
        filename_regex = r"^(?P<tile>[a-z]\d)_(?P<date>\d{8})_(?P<band>[xy])\.tif$"
        separate_files = True
        all_bands = ("x", "y")

    labels = Labels(tmp_path / "series", crs="EPSG:32631", res=10.0, time_series=True)
    bands = Bands(tmp_path / "bands", crs="EPSG:32631", res=10.0, time_series=True)
    queries = windows(10, seed=9)
    together = samples(labels, queries), samples(bands, queries)
    monkeypatch.setattr(geotorch.core.raster, "read_series", per_date)
    assert_same(together[0], samples(labels, queries))
    assert_same(together[1], samples(bands, queries))


@pytest.mark.parametrize("exact_ids", [False, True])
def test_one_step_is_its_mosaic_without_a_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exact_ids: bool
) -> None:
    path = tmp_path / "one.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=8,
        height=8,
        count=2,
        dtype="uint8",
        crs="EPSG:32631",
        transform=rasterio.transform.from_origin(500000, 4000080, 10, 10),
    ) as file:
        file.write(np.arange(128, dtype=np.uint8).reshape(2, 8, 8))
    mosaics: list[np.ndarray] = []

    def mosaic(*args: Any) -> np.ndarray:
        mosaics.append(read_mosaic(*args))
        return mosaics[-1]

    monkeypatch.setattr(geotorch.core.series_reads, "read_mosaic", mosaic)
    target = Grid(rasterio.crs.CRS.from_epsg(32631), rasterio.transform.from_origin(500020, 4000060, 10, 10), 4, 4)
    plan = ReadPlan(Resampling.nearest, 0, np.dtype(np.float32), exact_ids=exact_ids)
    steps = geotorch.core.series_reads.read_series(FileHandleCache(), [[str(path)]], [1, 2], target, plan)
    assert steps.shape == (1, 2, 4, 4)
    np.testing.assert_array_equal(steps[0], np.arange(128).reshape(2, 8, 8)[:, 2:6, 2:6])
    # A chip of 7 bands and 256 px loses 0.3 ms to a copy into a stack of one.
    assert np.shares_memory(steps, mosaics[0])


def test_the_window_of_a_tiles_dates_is_found_once(
    written: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset = Series(written(None), crs="EPSG:32631", res=10.0, time_series=True)
    bounds_of = geotorch.core.warp.grid_bounds_in
    found: list[Grid] = []

    def spy(crs: rasterio.crs.CRS, target: Grid) -> tuple[float, float, float, float]:
        found.append(target)
        return bounds_of(crs, target)

    monkeypatch.setattr(geotorch.core.warp, "grid_bounds_in", spy)
    # Inside zone 32's first tile, which 5 of the 6 dates have (all on one grid).
    query = BoundingBox(SEAM + 50, SEAM + 350, TOP - 450, TOP - 50)
    sample = dataset[query]
    assert sample["image"].shape[0] == 5
    # Its source window, transform and GDAL options are found once for the 5 files, not once per file
    # (0.4 ms each: a densified reprojection of the chip's bounds, and cache lookups keyed by CRS).
    assert len(found) == 1
    monkeypatch.setattr(geotorch.core.raster, "read_series", per_date)
    assert_same([sample], [dataset[query]])


def test_steps_are_read_straight_into_the_stack(
    written: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = written(None)
    # A window across the seam: each date's mosaic of a zone 31 tile (copied) and a zone 32 tile (warped).
    corner = rasterio.transform.from_origin(SEAM - 200, TOP - 30, 10, 10)
    target = Grid(rasterio.crs.CRS.from_epsg(32631), corner, 30, 40)
    steps = [[str(folder / f"w0_{date}.tif"), str(folder / f"e0_{date}.tif")] for date in DATES[:4]]
    steps += [[str(folder / f"e0_{date}.tif"), str(folder / f"w0_{date}.tif")] for date in DATES[5:]]
    plan = ReadPlan(Resampling.bilinear, 0, np.dtype(np.float32), warp_dtype=np.dtype(np.uint16))
    together = geotorch.core.series_reads.read_together
    first_reads: list[np.ndarray] = []

    def spy(*args: Any) -> list[tuple[np.ndarray, np.ndarray]]:
        reads = together(*args)
        if not first_reads:
            first_reads.extend(pixels for pixels, _ in reads)
        return reads

    monkeypatch.setattr(geotorch.core.series_reads, "read_together", spy)
    handles = FileHandleCache()
    stack = geotorch.core.series_reads.read_series(handles, steps, [1, 2, 3, 4], target, plan)
    np.testing.assert_array_equal(stack, per_date(handles, steps, [1, 2, 3, 4], target, plan))
    assert stack.dtype == np.float32
    assert len(first_reads) == 5
    # The first files were read (copied, or warped and converted) into the stack: 12 MB of a 12-date
    # 256 px chip of 4 bands are not copied again by np.stack.
    assert all(np.shares_memory(stack, pixels) for pixels in first_reads)
