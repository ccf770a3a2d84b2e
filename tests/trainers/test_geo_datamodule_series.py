"""GeoDataModule over a time series: every patch and window holds all the dates of its place, each place once.

The series are Sentinel-2 GeoTIFF exports of two neighbouring tiles (three dates of one, two of the other) and a
label raster per tile, written in the test.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
import torch
from lightning.pytorch import Callback, LightningModule, Trainer
from rasterio.warp import transform_bounds

from geotorch.core import GeoDataset, RasterDataset
from geotorch.core.cli import main
from geotorch.datamodules import GeoDataModule, Sentinel2CDLDataModule
from geotorch.datamodules.geo import spatial_split
from geotorch.datasets import Landsat7, Sentinel2
from geotorch.samplers import GridGeoSampler, series_places, time_series_split
from geotorch.trainers import GeoTIFFPredictionWriter, SpatioTemporalSegmentationTask
from geotorch.transforms import TemporalComposite
from tests.datasets.fakes.geo import write_raster
from tests.trainers.ddp_ranks import run_two_ranks
from tests.trainers.task_fakes import fast_trainer

BANDS = ("B02", "B03", "B04")
SIZE = 64
TOP = 4987360.0
#: Tile, left edge and datatakes, written out of time order: the west tile has two dates, one of them the east
#: tile's, which has three.
TILES = (
    ("31TGL", 735360.0, ("20200501T103031", "20200301T103031")),
    ("31TGM", 735360.0 + SIZE * 10, ("20200601T103031", "20200301T103031", "20200401T103031")),
)


class CropLabels(RasterDataset):
    """A class per pixel, 0 to 4, one file per tile."""

    filename_glob = "labels_*.tif"
    is_image = False


def seconds(sensed: str) -> float:
    """POSIX seconds of a datatake's sensing time, as the series' ``time`` holds it."""
    return datetime.strptime(sensed, "%Y%m%dT%H%M%S").replace(tzinfo=UTC).timestamp()


def write_tiles(root: Path) -> Path:
    """Each tile's B02-B04 per datatake (value: band and month) and its labels, 64 x 64 pixels of 10 m."""
    for tile, left, dates in TILES:
        for sensed in dates:
            for number, band in enumerate(BANDS):
                data = np.full((SIZE, SIZE), 1000 + 100 * number + int(sensed[4:6]), "uint16")
                write_raster(root / "s2" / f"T{tile}_{sensed}_{band}_10m.tif", data, 32631, left, TOP, 10.0)
        classes = (np.arange(SIZE * SIZE).reshape(SIZE, SIZE) % 5).astype("uint8")
        write_raster(root / "labels" / f"labels_{tile}.tif", classes, 32631, left, TOP, 10.0)
    return root


def series(root: Path) -> GeoDataset:
    """The tiles' series intersected with their labels."""
    return Sentinel2(root / "s2", bands=list(BANDS), time_series=True) & CropLabels(root / "labels")


def dates_at(minx: float, maxx: float) -> list[float]:
    """The sensing times, in order, of the tiles a patch from ``minx`` to ``maxx`` overlaps."""
    return sorted({seconds(sensed) for _, left, dates in TILES if left < maxx and minx < left + SIZE * 10
                   for sensed in dates})


class SeriesModule(GeoDataModule):
    """Series and labels split into strips west to east, as a user's GeoDataModule does."""

    mean = (0.0,)
    std = (10000.0,)

    def __init__(self, root: Path, by_time: bool = False, splits: tuple[float, float, float] = (0.6, 0.2, 0.2),
                 **kwargs: Any) -> None:
        super().__init__(splits=splits, **kwargs)
        self.root, self.by_time = root, by_time

    def build_splits(self) -> tuple[GeoDataset, GeoDataset, GeoDataset, GeoDataset]:
        dataset = series(self.root)
        if self.by_time:
            # Spring trains, May and June validate and test.
            train, later = time_series_split(dataset, [(seconds("20200101T000000"), seconds("20200430T000000")),
                                                       (seconds("20200430T000000"), seconds("20200701T000000"))])
            return train, later, later, later
        train, val, test = spatial_split(dataset, self.splits, patch_size=self.patch_size)
        return train, val, test, test


def test_training_patches_hold_every_date_of_their_place(tmp_path: Path) -> None:
    module = SeriesModule(write_tiles(tmp_path), batch_size=4, patch_size=16, length=12)
    batches = list(module.train_dataloader())
    assert sum(len(batch["bounds"]) for batch in batches) == 12
    for batch in batches:
        for number, box in enumerate(batch["bounds"]):
            expected = dates_at(box.minx, box.maxx)
            # One step per date of the place (a step was one date: (B, 1, C, H, W)), oldest first.
            assert batch["image"].shape[1:] == (len(expected), 3, 16, 16)
            assert batch["time"][number].tolist() == expected
            months = batch["image"][number, :, 0, 0, 0].tolist()
            assert months == [1000 + datetime.fromtimestamp(time, UTC).month for time in expected]


def test_a_validation_grid_visits_each_window_once_with_every_date(tmp_path: Path) -> None:
    module = SeriesModule(write_tiles(tmp_path), batch_size=2, patch_size=16)
    module.setup("fit")
    assert module.val_dataset is not None
    windows = len(GridGeoSampler(series_places(module.val_dataset), 16))
    boxes = [(box, batch["image"].shape[1]) for batch in module.val_dataloader() for box in batch["bounds"]]
    places = [(box.minx, box.maxx, box.miny, box.maxy) for box, _ in boxes]
    # The strip, in the east tile, is 2 columns of 4 windows, each visited once with the tile's 3 dates (each was
    # visited once per date, holding that date alone: 24 windows of one step).
    assert len(places) == len(set(places)) == windows == 8
    assert [steps for _, steps in boxes] == [3] * 8


def test_default_length_counts_places_not_dates(tmp_path: Path) -> None:
    module = SeriesModule(write_tiles(tmp_path), batch_size=4, patch_size=16)
    # The train strip, 0.6 of 128 x 64 pixels, holds the west tile, 16 patches of 16 x 16 side by side, and a strip
    # of the east tile too narrow for one (the west tile's area was counted once per date: 32).
    assert sum(len(batch["bounds"]) for batch in module.train_dataloader()) == 16


def test_a_time_series_split_gives_each_split_its_own_dates_in_one_series(tmp_path: Path) -> None:
    module = SeriesModule(write_tiles(tmp_path), by_time=True, batch_size=2, patch_size=16, length=8)
    spring = {seconds("20200301T103031"), seconds("20200401T103031")}
    loaders = ((module.train_dataloader(), spring), (module.val_dataloader(), set(dates_at(0, 1e9)) - spring))
    for loader, dates in loaders:
        samples = [(box, times) for batch in loader for box, times in zip(batch["bounds"], batch["time"], strict=True)]
        assert samples
        for box, times in samples:
            # Every date of the split at the place, in one series (one of them per sample before).
            assert times.tolist() == sorted(set(dates_at(box.minx, box.maxx)) & dates)


class Steps(Callback):
    """Records the steps of every batch a task is given."""

    def __init__(self) -> None:
        self.steps: list[int] = []

    def on_train_batch_start(self, trainer: Trainer, pl_module: LightningModule, batch: Any, batch_idx: int) -> None:
        self.steps.append(int(batch["image"].shape[1]))

    def on_predict_batch_start(
        self, trainer: Trainer, pl_module: LightningModule, batch: Any, batch_idx: int, dataloader_idx: int = 0
    ) -> None:
        self.steps.append(int(batch["image"].shape[1]))

    def on_validation_batch_start(
        self, trainer: Trainer, pl_module: LightningModule, batch: Any, batch_idx: int, dataloader_idx: int = 0
    ) -> None:
        self.steps.append(int(batch["image"].shape[1]))


@pytest.mark.parametrize("model", ["convlstm", "utae"])
def test_a_spatiotemporal_task_fits_on_the_series(tmp_path: Path, model: str) -> None:
    module = SeriesModule(write_tiles(tmp_path), batch_size=2, patch_size=16, length=4)
    arguments: dict[str, Any] = {"hidden_dim": 4} if model == "convlstm" else {}
    task = SpatioTemporalSegmentationTask(model=model, in_channels=3, num_classes=5, **arguments)
    steps = Steps()
    fast_trainer(tmp_path, callbacks=[steps]).fit(task, module)
    # A training batch of the west tile holds 3 dates, of the east tile 2; the validation strip straddles both.
    assert steps.steps and all(count in (2, 3) for count in steps.steps)


def test_a_series_is_predicted_once_per_place_from_all_its_dates(tmp_path: Path) -> None:
    module = SeriesModule(write_tiles(tmp_path), batch_size=2, patch_size=16)
    task = SpatioTemporalSegmentationTask(in_channels=3, num_classes=5, hidden_dim=4)
    steps = Steps()
    output = tmp_path / "predictions"
    trainer = fast_trainer(tmp_path, fast_dev_run=False, callbacks=[steps, GeoTIFFPredictionWriter(output)])
    trainer.predict(task, module, return_predictions=False)
    # The test strip of the east tile is predicted once, from its 3 dates (it was predicted 3 times, one output
    # per date's file, each from that date alone); read from 3 files, it is named after what their names share,
    # its tile (prediction_0.tif before: its position among the places predicted).
    assert [path.name for path in output.rglob("*.tif")] == ["T31TGM_B02_10m.tif"]
    assert steps.steps and set(steps.steps) == {3}


def write_swath_edge(root: Path) -> None:
    """The west tile's March acquisition again, with data in its western half only (nodata 0 beyond)."""
    for number, band in enumerate(BANDS):
        data = np.full((SIZE, SIZE), 1000 + 100 * number + 3, "uint16")
        data[:, SIZE // 2:] = 0
        write_raster(root / "s2" / f"T31TGL_20200301T103031_{band}_10m.tif", data, 32631, TILES[0][1], TOP, 10.0,
                     nodata=0)


def test_a_place_is_written_wherever_one_of_its_dates_has_data(tmp_path: Path) -> None:
    root = write_tiles(tmp_path)
    write_swath_edge(root)
    module = SeriesModule(root, batch_size=2, patch_size=16, splits=(0.15, 0.15, 0.7))
    task = SpatioTemporalSegmentationTask(in_channels=3, num_classes=5, hidden_dim=4)
    output = tmp_path / "predictions"
    fast_trainer(tmp_path, fast_dev_run=False, callbacks=[GeoTIFFPredictionWriter(output)]).predict(
        task, module, return_predictions=False)
    # The test strip holds the west tile's eastern part, where May has data and March none: its prediction from
    # both dates is written there (it was nodata 255, the place's output masked by its March file's nodata).
    paths = sorted(output.glob("*.tif"))
    for path in paths:
        with rasterio.open(path) as written:
            assert written.nodata == 255 and not (written.read(1) == 255).any()
    # Each place's output, read from several files, is named after its tile, as the east tile was when predicted
    # alone (prediction_0.tif and prediction_1.tif before: the east tile was prediction_0.tif alone).
    assert [path.name for path in paths] == ["T31TGL_B02_10m.tif", "T31TGM_B02_10m.tif"]
    with rasterio.open(paths[0]) as written:
        assert written.bounds.right <= TILES[1][1]  # the west tile's part of the strip


@pytest.mark.slow
def test_two_ranks_share_the_series_windows_each_once(tmp_path: Path) -> None:
    first, second = run_two_ranks(Path(__file__).with_name("ddp_series_run.py"), tmp_path)
    for stage in ("val", "test"):
        windows = [tuple(window[:4]) for window in first[stage] + second[stage]]
        # The strip's 8 windows, each once over both ranks, 4 each, every one with the east tile's 3 dates (each
        # rank had 12 of the 24 (window, date) pairs, one date each, some windows on both ranks).
        assert len(first[stage]) == len(second[stage]) == 4
        assert len(set(windows)) == len(windows) == 8
        assert {window[4] for window in first[stage] + second[stage]} == {3}
    # 4 training patches a rank, each holding every date of its place.
    for rank in (first, second):
        assert len(rank["train"]) == 4
        assert all(patch[4] == len(dates_at(patch[0], patch[1])) for patch in rank["train"])


def write_cdl_scene(root: Path, sensed: tuple[str, ...] = ("20210601T103331", "20210301T103331", "20210801T103331"),
                    years: tuple[int, ...] = (2021,)) -> Path:
    """A 192 px Sentinel-2 tile in UTM 16N at the ``sensed`` dates (B02-B04, B08: 1000 x band + the year's last
    two digits) and CDL maps of ``years`` covering it (codes 1, 5 and 24 in stripes; of 2020 all 1, of 2021 all 5
    when there are two)."""
    size, left, top = 192, 500000.0, 4650000.0
    for date in sensed:
        for number, band in enumerate(("B02", "B03", "B04", "B08")):
            data = np.full((size, size), 1000 * number + int(date[2:4]), "uint16")
            write_raster(root / "s2" / f"T16TDL_{date}_{band}_10m.tif", data, 32616, left, top, 10.0)
    west, south, east, north = transform_bounds("EPSG:32616", "EPSG:5070", left, top - size * 10, left + size * 10, top)
    side = int(np.ceil(max(east - west, north - south) / 30)) + 4
    stripes = np.array([1, 5, 24], "uint8")[np.arange(side * side).reshape(side, side) // 2 % 3]
    corner = (np.floor(west / 30) * 30 - 30, np.ceil(north / 30) * 30 + 30)
    for year in years:
        codes = stripes if len(years) == 1 else np.full((side, side), {2020: 1, 2021: 5}[year], "uint8")
        write_raster(root / "cdl" / f"{year}_30m_cdls.tif", codes, 5070, *corner, 30.0, nodata=0)
    return root


def test_a_series_beside_yearly_labels_is_read_a_year_at_a_time_with_its_labels(tmp_path: Path) -> None:
    root = write_cdl_scene(tmp_path, ("20200601T103331", "20200801T103331", "20210601T103331"), (2020, 2021))
    module = Sentinel2CDLDataModule(
        batch_size=2, patch_size=16, length=8, sentinel2_paths=root / "s2",
        sentinel2_bands=["B02", "B03", "B04", "B08"], sentinel2_time_series=True, cdl_paths=root / "cdl",
        cdl_years=[2020, 2021], cdl_classes=[1, 5],
    )
    module.setup("fit")
    for loader, everywhere in ((module.train_dataloader(), False), (module.val_dataloader(), True)):
        pairs = {(tuple(batch["image"][number, :, 0, 0, 0].tolist()), int(batch["mask"][number, 0, 0]))
                 for batch in loader for number in range(len(batch["bounds"]))}
        # The 2020 series (2 dates) beside the 2020 map (code 1, label 1), the 2021 one beside the 2021 map (code 5,
        # label 2); each window of the validation grid once a year (a 3-date series of both years beside the
        # 2020 map alone before); random training batches draw from either.
        expected = {((20.0, 20.0), 1), ((21.0,), 2)}
        assert pairs == expected if everywhere else pairs and pairs <= expected
    windows = [(box.minx, box.miny, box.mint) for batch in module.val_dataloader() for box in batch["bounds"]]
    assert len(windows) == len(set(windows)) == 2 * len({window[:2] for window in windows})


def test_geotorch_fit_test_and_predict_a_series_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_cdl_scene(tmp_path / "data")
    config = tmp_path / "series.yaml"
    config.write_text(f"""
model:
  class_path: SpatioTemporalSegmentationTask
  init_args: {{model: convlstm, in_channels: 4, num_classes: 4, hidden_dim: 4}}
data:
  class_path: Sentinel2CDLDataModule
  init_args: {{batch_size: 2, patch_size: 16, length: 4}}
  dict_kwargs:
    sentinel2_paths: {root / "s2"}
    sentinel2_bands: [B02, B03, B04, B08]
    sentinel2_time_series: true
    cdl_paths: {root / "cdl"}
    cdl_years: [2021]
    cdl_classes: [1, 5, 24]
trainer: {{max_epochs: 1, accelerator: cpu, default_root_dir: {tmp_path / "run"}, enable_progress_bar: false,
           limit_val_batches: 1, limit_test_batches: 1, limit_predict_batches: 2, logger: false}}
""")
    steps: list[tuple[bool, int]] = []
    forward = SpatioTemporalSegmentationTask.forward

    def recording(task: SpatioTemporalSegmentationTask, x: torch.Tensor, **kwargs: Any) -> torch.Tensor:
        steps.append((task.training, int(x.shape[1])))
        return forward(task, x, **kwargs)

    monkeypatch.setattr(SpatioTemporalSegmentationTask, "forward", recording)
    assert main(["fit", "--config", str(config)]) == 0
    (checkpoint,) = (tmp_path / "run").rglob("*.ckpt")
    assert main(["test", "--config", str(config), f"--ckpt_path={checkpoint}"]) == 0
    assert main(["predict", "--config", str(config), f"--ckpt_path={checkpoint}"]) == 0
    # Training, validation, testing and prediction each gave the model the 3 dates (one each before).
    assert {training for training, _ in steps} == {True, False} and {count for _, count in steps} == {3}
    assert len(list((tmp_path / "run" / "predictions").glob("*.tif"))) == 1


def test_a_date_without_pixels_in_a_window_is_kept_as_a_step_of_nodata(tmp_path: Path) -> None:
    # Kept, not dropped: a step is an acquisition whose file overlaps the window (RasterDataset's rule), so every
    # window of a place has the same dates; a step without data holds the files' nodata, which TemporalComposite
    # leaves out (and a model sees as it sees nodata pixels of any image).
    root = write_tiles(tmp_path)
    write_swath_edge(root)
    module = SeriesModule(root, batch_size=1, patch_size=16, splits=(0.3, 0.2, 0.5))
    module.setup("fit")
    assert module.val_dataset is not None
    west = TILES[0][1]
    east_half = [image for batch in module.val_dataloader() for box, image in zip(batch["bounds"], batch["image"],
                                                                                  strict=True)
                 if west + SIZE * 5 <= box.minx and box.maxx <= west + SIZE * 10]
    assert east_half and all(image.shape[0] == 2 for image in east_half)
    for image in east_half:
        # March (all nodata here) and May, in time order.
        assert torch.equal(image[0], torch.zeros_like(image[0])) and bool((image[1, 0] == 1005).all())
        assert torch.equal(TemporalComposite("median", nodata=0)({"image": image})["image"], image[1])


#: A real Landsat 7 ETM+ subset (UTM 18N, 300 m, nodata 0 around the tilted scene; see ../shared/data/real/README.md).
REAL_SCENE = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "real" / "RGB.byte.tif"
#: Each date's frame moves 8 px (2.4 km) east and 6 px south of the last, as a path/row's footprint moves along its
#: tilted track between dates.
LANDSAT_DATES = (("20200105", 0, 0), ("20200121", 8, 6), ("20200206", 16, 12))


def write_landsat_path_row(root: Path) -> Path:
    """Three dates of one WRS-2 path/row, framed apart both ways, as Collection 2 Level-2 band files.

    SR_B1 is the scene's third band, whose nonzero pixels are the data of each date's first band file.
    """
    if not REAL_SCENE.is_file():
        pytest.skip(f"real geodata not found at {REAL_SCENE.resolve()} (the project root's ../shared/data/real)")
    with rasterio.open(REAL_SCENE) as scene:
        # 120 x 120 px across the scene's western edge: 41 % of them hold data, the rest is its collar (nodata).
        pixels = scene.read(window=rasterio.windows.Window(60, 60, 120, 120))
        res = scene.res[0]
        left, top = scene.transform.c + 60 * res, scene.transform.f - 60 * res
    for date, east, south in LANDSAT_DATES:
        for band, data in zip(("SR_B3", "SR_B2", "SR_B1"), pixels, strict=True):
            name = f"LE07_L2SP_014032_{date}_{date[:6]}28_02_T1_{band}.TIF"
            write_raster(root / name, data, 32618, left + east * res, top - south * res, res, nodata=0)
    return root


class PathRowModule(GeoDataModule):
    """One Landsat 7 path/row's series, every split the whole of it."""

    mean = (0.0,)
    std = (255.0,)

    def __init__(self, root: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.root = root

    def build_splits(self) -> tuple[GeoDataset, GeoDataset, GeoDataset, GeoDataset]:
        dataset = Landsat7(self.root, bands=["SR_B1", "SR_B2", "SR_B3"], time_series=True)
        return dataset, dataset, dataset, dataset


def test_a_path_row_framed_apart_both_ways_is_one_place(tmp_path: Path) -> None:
    module = PathRowModule(write_landsat_path_row(tmp_path / "landsat"), batch_size=4, patch_size=32)
    boxes = [(box, len(times)) for batch in module.val_dataloader()
             for box, times in zip(batch["bounds"], batch["time"], strict=True)]
    # The frames' union, 136 x 132 px, is one place: a grid of 5 x 5 windows, each once (each frame was a place:
    # 3 grids of 4 x 4 windows over one another, 48 windows), each holding every date whose frame it meets.
    windows = [(box.minx, box.maxy) for box, _ in boxes]
    assert len(windows) == len(set(windows)) == 25
    assert all(1 <= dates <= 3 for _, dates in boxes) and max(dates for _, dates in boxes) == 3
    task = SpatioTemporalSegmentationTask(in_channels=3, num_classes=5, hidden_dim=4)
    output = tmp_path / "predictions"
    fast_trainer(tmp_path, fast_dev_run=False, callbacks=[GeoTIFFPredictionWriter(output)]).predict(
        task, module, return_predictions=False)
    # One output for the path/row, named after it (3 before, one per date, each named after that date's file).
    (path,) = output.glob("*.tif")
    assert path.name == "LE07_L2SP_014032_02_T1_SR_B1.tif"
    with rasterio.open(path) as written:
        assert (written.width, written.height) == (120 + 16, 120 + 12)


def test_a_path_row_is_written_where_one_of_its_dates_has_data(tmp_path: Path) -> None:
    root = write_landsat_path_row(tmp_path / "landsat")
    module = PathRowModule(root, batch_size=4, patch_size=32)
    task = SpatioTemporalSegmentationTask(in_channels=3, num_classes=5, hidden_dim=4)
    output = tmp_path / "predictions"
    fast_trainer(tmp_path, fast_dev_run=False, callbacks=[GeoTIFFPredictionWriter(output)]).predict(
        task, module, return_predictions=False)
    with rasterio.open(REAL_SCENE) as scene:
        first_band = scene.read(3, window=rasterio.windows.Window(60, 60, 120, 120))
    expected = np.zeros((120 + 12, 120 + 16), dtype=bool)
    for _, east, south in LANDSAT_DATES:
        expected[south:south + 120, east:east + 120] |= first_band != 0
    with rasterio.open(output / "LE07_L2SP_014032_02_T1_SR_B1.tif") as written:
        classes = written.read(1)
        # The scene's collar at every date and the frames' corners are nodata (every pixel was a class before,
        # predicted from the fill of no data), the scene at any date is a class.
        assert written.nodata == 255
        assert np.array_equal(classes != 255, expected)
        assert 0 < expected.mean() < 1
