"""RasterDataset.scene_records: a stranger's subclass indexes scenes from its own records, opening no file.

The subclasses below import only ``geotorch.core``'s public names, as a third-party plugin would.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar, overload

import numpy as np
import pytest
import torch
from rasterio.crs import CRS

from geotorch.core import BoundingBox, DatasetNotFoundError, RasterDataset, RasterProfile, SceneRecord
from tests.core.rasters import grid, write_raster

SIZE = 8
RES = 30.0
LEFT, TOP = 500000.0, 4000000.0
EAST = LEFT + SIZE * RES


def _seconds(day: str) -> float:
    return datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp()


def _profile(left: float, top: float, epsg: int = 32617) -> RasterProfile:
    return RasterProfile(
        crs=CRS.from_epsg(epsg).to_wkt(),
        bounds=(left, top - SIZE * RES, left + SIZE * RES, top),
        res=(RES, RES),
        width=SIZE,
        height=SIZE,
        count=1,
        dtype="uint16",
        nodata=None,
    )


def _write(path: Path, left: float, value: int) -> None:
    write_raster(path, np.full((SIZE, SIZE), value, dtype="uint16"), 32617, grid(left, TOP, RES))


class CatalogueScenes(RasterDataset):
    """Scenes listed in a CSV catalogue (file, left, top, day): the catalogue is the index."""

    def scene_records(self) -> list[SceneRecord]:
        (catalogue,) = self.paths
        with open(catalogue, newline="") as rows:
            return [
                SceneRecord(
                    str(catalogue.parent / row["file"]),
                    _profile(float(row["left"]), float(row["top"])),
                    _seconds(row["day"]),
                    _seconds(row["day"]) + 86399.0,
                )
                for row in csv.DictReader(rows)
            ]


def _catalogue(root: Path) -> Path:
    path = root / "catalogue.csv"
    path.write_text(f"file,left,top,day\nwest.tif,{LEFT},{TOP},2024-05-01\neast.tif,{EAST},{TOP},2024-05-02\n")
    return path


def test_scenes_are_indexed_from_the_records_before_any_file_exists(tmp_path: Path) -> None:
    dataset = CatalogueScenes(_catalogue(tmp_path))
    assert not (tmp_path / "west.tif").exists()
    assert len(dataset) == 2
    assert dataset.crs == CRS.from_epsg(32617)
    assert dataset.res == (RES, RES)
    bounds = dataset.bounds
    assert (bounds.minx, bounds.maxx, bounds.miny, bounds.maxy) == (LEFT, EAST + SIZE * RES, TOP - SIZE * RES, TOP)
    assert (bounds.mint, bounds.maxt) == (_seconds("2024-05-01"), _seconds("2024-05-02") + 86399.0)

    _write(tmp_path / "west.tif", LEFT, 7)
    _write(tmp_path / "east.tif", EAST, 9)
    image = dataset[bounds]["image"]
    assert image.shape == (1, SIZE, 2 * SIZE)
    assert (image[..., :SIZE] == 7).all() and (image[..., SIZE:] == 9).all()


def test_recorded_scenes_are_warped_onto_another_crs(tmp_path: Path) -> None:
    dataset = CatalogueScenes(_catalogue(tmp_path), crs="EPSG:4326", res=0.0001)
    _write(tmp_path / "west.tif", LEFT, 7)
    _write(tmp_path / "east.tif", EAST, 9)
    assert dataset.crs == CRS.from_epsg(4326)
    assert -82.0 < dataset.bounds.minx < dataset.bounds.maxx < -80.0
    values = set(dataset[dataset.bounds]["image"].unique().tolist())
    assert {7.0, 9.0} <= values <= {0.0, 7.0, 9.0}


class LookedUp(Sequence[str]):
    """Band files that count how often a read looks them up (as a URL signer would sign them)."""

    def __init__(self, files: Sequence[str]) -> None:
        self.files = list(files)
        self.lookups = 0

    def __len__(self) -> int:
        return len(self.files)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        self.lookups += 1
        return self.files[index]


class PassScenes(RasterDataset):
    """One file per band; tiles of one satellite pass share an acquisition key, named by the records."""

    separate_files: ClassVar[bool] = True
    all_bands: ClassVar[tuple[str, ...]] = ("red", "nir")
    records: ClassVar[list[SceneRecord]] = []

    def scene_records(self) -> list[SceneRecord]:
        return self.records


def _pass_records(root: Path) -> list[SceneRecord]:
    def record(name: str, left: float, day: str, acquisition: str) -> SceneRecord:
        files = LookedUp([str(root / f"{name}_{band}.tif") for band in ("red", "nir")])
        # Tiles of one pass are sensed seconds apart: their intervals differ, their acquisition is one.
        start = _seconds(day) + (60.0 if left == EAST else 0.0)
        return SceneRecord(name, _profile(left, TOP), start, start + 1.0, files, acquisition)

    return [
        record("pass1-west", LEFT, "2024-06-01", "pass1"),
        record("pass1-east", EAST, "2024-06-01", "pass1"),
        record("pass2-west", LEFT, "2024-06-11", "pass2"),
    ]


def test_band_files_of_records_are_looked_up_at_each_read_and_passes_are_one_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = _pass_records(tmp_path)
    monkeypatch.setattr(PassScenes, "records", records)
    dataset = PassScenes(tmp_path, time_series=True)
    assert not any(tmp_path.iterdir())
    assert len(dataset) == 3
    for number, record in enumerate(records):
        assert isinstance(record.band_files, LookedUp)
        for band, path in enumerate(record.band_files.files):
            _write(Path(path), EAST if "east" in record.path else LEFT, 10 * number + band + 1)
    looked_up = [record.band_files.lookups for record in records if isinstance(record.band_files, LookedUp)]

    sample = dataset[dataset.bounds]
    assert sample["image"].shape == (2, 2, SIZE, 2 * SIZE)
    assert sample["time"].tolist() == [_seconds("2024-06-01"), _seconds("2024-06-11")]
    assert (sample["image"][0, :, :, :SIZE] == torch.tensor([1.0, 2.0])[:, None, None]).all()
    assert (sample["image"][0, :, :, SIZE:] == torch.tensor([11.0, 12.0])[:, None, None]).all()
    assert (sample["image"][1, :, :, :SIZE] == torch.tensor([21.0, 22.0])[:, None, None]).all()
    again = [record.band_files.lookups for record in records if isinstance(record.band_files, LookedUp)]
    assert all(now > then for now, then in zip(again, looked_up, strict=True))


@pytest.mark.parametrize(
    ("separate_files", "band_files", "message"),
    [
        (False, ["red.tif"], r"scene s gives band_files, but separate_files=False"),
        (True, None, r"scene s has no band_files, but separate_files=True reads each of bands=\['red', 'nir'\]"),
        (True, ["red.tif"], r"scene s gives 1 band_files for bands=\['red', 'nir'\]"),
    ],
)
def test_records_whose_band_files_do_not_fit_the_product_are_refused_naming_the_scene(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, separate_files: bool, band_files: list[str] | None, message: str
) -> None:
    monkeypatch.setattr(PassScenes, "separate_files", separate_files)
    monkeypatch.setattr(PassScenes, "records", [SceneRecord("s", _profile(LEFT, TOP), band_files=band_files)])
    with pytest.raises(ValueError, match=message):
        PassScenes(tmp_path)


def test_two_records_of_one_path_are_refused_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    records = _pass_records(tmp_path)
    monkeypatch.setattr(PassScenes, "records", [records[0], records[1], replace(records[2], path="pass1-west")])
    with pytest.raises(ValueError, match="two scenes are indexed as pass1-west"):
        PassScenes(tmp_path)


def test_no_record_is_a_dataset_not_found_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(PassScenes, "records", [])
    with pytest.raises(DatasetNotFoundError, match="scene_records"):
        PassScenes(tmp_path)


def test_an_undated_record_spans_all_time(tmp_path: Path) -> None:
    record = SceneRecord(str(tmp_path / "a.tif"), _profile(LEFT, TOP))
    dataset = type("Undated", (RasterDataset,), {"scene_records": lambda self: [record]})(tmp_path)
    _write(tmp_path / "a.tif", LEFT, 5)
    query = BoundingBox(LEFT, LEFT + 60.0, TOP - 60.0, TOP, _seconds("1900-01-01"), _seconds("2200-01-01"))
    assert (dataset[query]["image"] == 5).all()
